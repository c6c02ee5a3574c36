import type { HeldPlan } from '../server/domain/contract';
import { formatNumber, presentKinds, RECORD_KIND_LABELS } from './format';

/** How the held-run review judges a plan: pure functions, so they are tested without a browser. */

/**
 * The number an admin must type before approving, when the plan deactivates more than half of a
 * kind's active records (an empty or broken feed looks like that); null when no typing is needed.
 */
export function typeToApprove(plan: HeldPlan): number | null {
  let total = 0;
  let large = false;
  for (const d of Object.values(plan.deactivations)) {
    if (!d) continue;
    total += d.planned;
    if (d.planned > d.active / 2) large = true;
  }
  return large && total > 0 ? total : null;
}

/** Why a plan probably looks the way it does, in words, per kind. */
export function likelyCauses(plan: HeldPlan): string[] {
  const causes: string[] = [];
  for (const kind of presentKinds(plan.deactivations)) {
    const d = plan.deactivations[kind]!;
    const label = RECORD_KIND_LABELS[kind].toLowerCase();
    if (d.planned === 0) continue;
    if (d.received === 0) {
      causes.push(`the provider sent no ${label}. That is almost always a problem on the provider’s side (a sharing rule, a filter, an expired export), not a district without ${label}.`);
    } else if (d.received !== undefined && d.planned > d.active / 2) {
      causes.push(`the provider sent only ${formatNumber(d.received)} ${label} while ${formatNumber(d.active)} are active: part of the district may be missing from the feed (a school not shared, a term ended early).`);
    } else {
      causes.push(`${formatNumber(d.planned)} ${label} are no longer in the provider’s data (moved away, graduated, or left out of the feed).`);
    }
  }
  return causes;
}
