import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { ConsoleStatus, HeldPlan, RunView } from '../server/domain/contract';
import { defineOnce } from './define';
import { formatAge, formatDateTime, formatNumber, RUN_KIND_LABELS, totalCounts } from './format';
import { describeCode, PHASE_LABELS, STATUS_LABELS } from './messages';
import { PanelElement } from './panel-element';

/** How many records a held plan would write, all kinds together. */
export function plannedChanges(plan: HeldPlan | null): number {
  if (!plan) return 0;
  const t = totalCounts(plan.counts);
  return t.created + t.updated + t.linked + t.reactivated + t.deactivated;
}

/** A run's progress in percent, or null when the provider did not say how many records there are. */
export function progressPercent(run: Pick<RunView, 'progress'>): number | null {
  const { processed, total } = run.progress ?? { processed: 0, total: null };
  return typeof total === 'number' && total > 0 ? Math.min(100, Math.round((processed / total) * 100)) : null;
}

/**
 * The status header at the top of the settings: the sync running now, the plan waiting for
 * approval, the last run's outcome and age, and a warning when the daily sync is stale. It shows
 * only what the server says (`GET /status`), so it is the same after a reload.
 *
 * @event oneroster-open-run - internal: the admin asked to review a run; `detail` is its id
 */
export class OneRosterStatusHeader extends PanelElement {
  /** What needs attention, as the server last said. */
  @property({ attribute: false }) status: ConsoleStatus | null = null;

  override render() {
    const status = this.status;
    if (!status) return nothing;
    const { activeRun, heldRun, lastRun, dailyStale, lastDailySuccessAt } = status;
    const percent = activeRun ? progressPercent(activeRun) : null;
    return html`<div class="status-header" part="status-header" role="region" aria-label="Sync status">
      ${activeRun
        ? html`<p class="status-line running" id="or-status-running">
            <strong>${RUN_KIND_LABELS[activeRun.kind]} sync running:</strong>
            ${activeRun.status === 'queued' ? PHASE_LABELS.queued : PHASE_LABELS[activeRun.phase]}${percent === null ? '' : html` — ${percent}%`}</p>`
        : nothing}
      ${heldRun
        ? html`<p class="status-line attention" id="or-status-held">
            <span><strong>${formatNumber(plannedChanges(heldRun.plan))} changes are waiting for your approval</strong>
            (${RUN_KIND_LABELS[heldRun.kind].toLowerCase()} sync #${heldRun.id}).</span>
            <button type="button" class="button" part="button" @click=${() => this.emit('oneroster-open-run', heldRun.id)}>Review</button></p>`
        : nothing}
      ${lastRun && !activeRun
        ? html`<p class="status-line" id="or-status-last">Last sync: ${RUN_KIND_LABELS[lastRun.kind]} —
            <strong>${STATUS_LABELS[lastRun.status]}</strong>${lastRun.error ? html`: ${describeCode(lastRun.error.code)}` : nothing}
            <span class="muted">${formatAge(lastRun.finishedAt ?? lastRun.createdAt)}</span>
            <button type="button" class="button link" part="button" @click=${() => this.emit('oneroster-open-run', lastRun.id)}>View</button></p>`
        : nothing}
      ${dailyStale
        ? html`<p class="status-line warning" id="or-status-stale" role="alert">The daily sync has not succeeded for more than a day${lastDailySuccessAt ? html` (last success ${formatDateTime(lastDailySuccessAt)})` : nothing}. See Automation Status.</p>`
        : nothing}
      ${!activeRun && !heldRun && !lastRun && !dailyStale ? html`<p class="status-line muted">No syncs yet.</p>` : nothing}
    </div>`;
  }
}

defineOnce('oneroster-status-header', OneRosterStatusHeader);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-status-header': OneRosterStatusHeader;
  }
}
