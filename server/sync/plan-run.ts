import type { HeldPlan, KindCounts, PullReconciliation, RecordKind } from '../domain/contract';
import type { ResolvedOptions } from '../options';
import type { PersonKind, RosterStore, StoredBuilding } from '../store/roster-store';
import type { StagedAction, StagedCount, StagedKind, StagingArea } from './staging-area';

/** People listed per query while looking for who is missing. */
const PAGE = 1000;
/**
 * Row ids listed per query while looking for who is missing (`listActivePersonIds`): 8 bytes an id,
 * so ten times a page of people; at 1,000 a no-change re-sync of 1M people spent 2.2 s on 920 queries.
 */
const ID_PAGE = 10_000;
/** People or buildings shown in a held run's samples. */
const SAMPLE_SIZE = 10;

/** Zero counts. */
export function emptyKindCounts(): KindCounts {
  return { created: 0, updated: 0, unchanged: 0, linked: 0, rekeyed: 0, merged: 0, reactivated: 0, deactivated: 0, disabled: 0, skipped: 0 };
}

/** Which count each staged action adds to (actions absent here count nowhere). */
export const COUNTED: Partial<Record<StagedAction, keyof KindCounts>> = {
  create: 'created',
  loaded: 'created',
  update: 'updated',
  unchanged: 'unchanged',
  link: 'linked',
  rekey: 'rekeyed',
  merge: 'merged',
  gone: 'unchanged',
  reactivate: 'reactivated',
  deactivate: 'deactivated',
  missing: 'deactivated',
  skip: 'skipped',
};

/** Turns staged row counts into the run's per-kind counts, for the kinds the run syncs. */
export function countPlan(staged: StagedCount[], kinds: readonly RecordKind[]): Partial<Record<RecordKind, KindCounts>> {
  const counts: Partial<Record<RecordKind, KindCounts>> = {};
  for (const kind of kinds) counts[kind] = emptyKindCounts();
  for (const row of staged) {
    const target = row.kind === 'unknown' ? undefined : counts[row.kind];
    if (!target) continue;
    const field = COUNTED[row.action];
    if (field) target[field] += row.count;
    target.disabled += row.disabled;
  }
  return counts;
}

/** What the reconciliation puts each staged action under (`alias` and `missing` are no pulled record; `skip` is counted per reason by the caller). */
const RECONCILED: Partial<Record<StagedAction, Exclude<keyof PullReconciliation, 'pulled' | 'skipped' | 'ignoredRoles' | 'notSynced'>>> = {
  create: 'created', loaded: 'created', update: 'updated', unchanged: 'unchanged', link: 'linked', rekey: 'rekeyed', merge: 'merged',
  reactivate: 'reactivated', deactivate: 'tobedeleted', ignore: 'tobedeleted', gone: 'tobedeleted',
};

/**
 * Puts every pulled record in one bucket: the staged rows of the run's kinds (and of unknown
 * role) by action, plus what never reached staging (skips per reason, family roles, other kinds).
 */
export function reconcilePull(
  staged: StagedCount[],
  kinds: readonly StagedKind[],
  rest: { pulled: number; skipped: Record<string, number>; ignoredRoles: number; notSynced: number },
): PullReconciliation {
  const result: PullReconciliation = {
    pulled: rest.pulled, created: 0, updated: 0, unchanged: 0, linked: 0, rekeyed: 0, merged: 0, reactivated: 0, tobedeleted: 0,
    skipped: { ...rest.skipped }, ignoredRoles: rest.ignoredRoles, notSynced: rest.notSynced,
  };
  for (const row of staged) {
    if (!kinds.includes(row.kind)) continue;
    const bucket = RECONCILED[row.action];
    if (bucket) result[bucket] += row.count;
  }
  return result;
}

/** How many records of a kind the pull actually delivered (missing ones excluded). */
export function seenCount(staged: StagedCount[], kind: RecordKind): number {
  return staged.filter((row) => row.kind === kind && row.action !== 'missing' && row.action !== 'alias').reduce((sum, row) => sum + row.count, 0);
}

/**
 * The anti-join: pages through the active people of a kind (one page in memory at a time), asks
 * staging which of them the pull saw, and stages the others as `missing`. Up to three queries per
 * page; staging is not asked about rows `sawRow` knows were seen (unchanged, never staged). With a
 * store that lists ids alone, ids are listed first (`ID_PAGE` at a time), and people are read whole
 * from the first row not known seen (page after page, until a page holds none): a no-change
 * re-sync of 1M people read 920,000 names and numbers here only to find nobody missing.
 */
export async function stageMissingPeople(
  store: RosterStore,
  staging: StagingArea,
  runId: number,
  kind: PersonKind,
  sawRow: (rowId: number) => boolean = () => false,
): Promise<void> {
  let afterId: number | null = null;
  // After a page with a row not known seen, the next page is read whole at once: where many people
  // changed (staged rows, not known seen), asking for its ids first would only add a query a page.
  let idsFirst = true;
  for (;;) {
    if (idsFirst && store.listActivePersonIds) {
      const ids = await store.listActivePersonIds(kind, afterId, ID_PAGE);
      if (ids.length === 0) return;
      const firstUnsure = ids.findIndex((id) => !sawRow(id));
      if (firstUnsure === -1) {
        afterId = ids[ids.length - 1]!;
        if (ids.length < ID_PAGE) return;
        continue;
      }
      // The rows before it were seen: people are read whole from the first one that may not have been.
      if (firstUnsure > 0) afterId = ids[firstUnsure - 1]!;
    }
    const page = await store.listActivePeople(kind, afterId, PAGE);
    if (page.length === 0) return;
    const unsure = page.filter((p) => !sawRow(p.id));
    idsFirst = unsure.length === 0;
    const seen = unsure.length > 0 ? await staging.seen(runId, kind, unsure.map((p) => p.sourcedId)) : new Set<string>();
    const missing = unsure
      .filter((p) => !seen.has(p.sourcedId))
      .map((p) => ({
        kind, sourcedId: p.sourcedId, action: 'missing' as const, targetId: p.id, disabled: false,
        payload: { name: p.name, number: p.number ?? null, buildingId: p.buildingId ?? null },
      }));
    await staging.insert(runId, missing);
    afterId = page[page.length - 1]!.id;
    if (page.length < PAGE) return;
  }
}

/** The safeguard's verdict on one kind. */
export interface KindSafeguard {
  /** Deactivations planned. */
  planned: number;
  /** Active records of the kind now. */
  active: number;
  /** Most deactivations allowed without an approval. */
  threshold: number;
  /** Records of the kind the provider sent (what an empty feed shows as 0). */
  seen: number;
  /** Whether this kind holds the run. */
  holds: boolean;
}

/**
 * The mass-deactivation safeguard: more than `max(minDeactivations, ceil(ratio × active))`
 * deactivations hold the run. So does any deactivation when the pull of that kind came back empty:
 * an empty feed is far more often a provider fault than a district without people.
 */
export function judgeDeactivations(
  planned: number,
  active: number,
  seen: number,
  safeguard: ResolvedOptions['safeguard'],
): KindSafeguard {
  const threshold = Math.max(safeguard.minDeactivations, Math.ceil(safeguard.maxDeactivationRatio * active));
  const holds = planned > threshold || (seen === 0 && planned > 0);
  return { planned, active, threshold, seen, holds };
}

/** Builds the plan shown on a held (or dry) run: counts, the safeguard's numbers, and samples. */
export async function describePlan(
  staging: StagingArea,
  runId: number,
  counts: Partial<Record<RecordKind, KindCounts>>,
  verdicts: Partial<Record<RecordKind, KindSafeguard>>,
  buildings?: readonly StoredBuilding[],
): Promise<HeldPlan> {
  const plan: HeldPlan = { counts, deactivations: {}, samples: {} };
  const buildingNames = buildings ? new Map(buildings.map((b) => [b.id, b.name])) : new Map<number, string>();
  for (const [kind, verdict] of Object.entries(verdicts) as Array<[RecordKind, KindSafeguard]>) {
    plan.deactivations[kind] = { planned: verdict.planned, active: verdict.active, threshold: verdict.threshold, received: verdict.seen };
    if (verdict.planned === 0) continue;
    plan.samples[kind] = (await staging.deactivationSamples(runId, kind, SAMPLE_SIZE)).map(({ buildingId, ...sample }) => {
      const building = buildingId === undefined || buildingId === null ? undefined : buildingNames.get(buildingId);
      return building ? { ...sample, building } : sample;
    });
  }
  return plan;
}
