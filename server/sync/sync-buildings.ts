import type { HoldReason } from '../domain/contract';
import { ProviderError, type NormalizedOrg, type ProviderConnection } from '../providers/types';
import type { BuildingFields, StoredBuilding } from '../store/roster-store';
import { hashBuilding } from './content-hash';
import { reconcilePull } from './plan-run';
import { emptyRunCounts } from './present-run';
import { settlePlan, type RunJob, type RunOutcome, type SyncDeps } from './run-job';
import type { StagedRow } from './staging-area';

/** Manual buildings listed as unmatched, at most. */
const MAX_UNMATCHED = 200;
const MAX_TEXT = 255;

/**
 * A building sync: schools become buildings. A building whose Building SIS equals a school's
 * sourcedId is that school (updated, reactivated); the others are created. `tobedeleted` schools,
 * and OneRoster-created buildings missing from the (always full) pull, are made inactive; manual
 * buildings matching no school are only reported.
 */
export async function syncBuildings(
  deps: SyncDeps,
  job: RunJob,
  connection: ProviderConnection,
  settings: { districtOffices: boolean },
): Promise<RunOutcome> {
  await job.phase('pulling');
  // A district has hundreds of schools, not millions: holding them is fine.
  const schools = new Map<string, NormalizedOrg>();
  // What became of every pulled row that never reaches staging, per reason (the reconciliation).
  const skipped: Record<string, number> = {};
  const skip = (reason: string, n = 1) => {
    if (n > 0) skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  let pulled = 0;
  let filtered = 0;
  for await (const page of connection.schools({ signal: job.signal })) {
    job.signal.throwIfAborted();
    job.meter.page(page.records.length);
    pulled = page.received;
    filtered = page.filtered ?? 0;
    for (const problem of page.problems) {
      job.issues.add({ ...problem });
      skip(problem.code);
    }
    for (const org of page.records) {
      if (org.type && org.type.toLowerCase() !== 'school') {
        skip('not_a_school');
        continue;
      }
      const id = (org.sourcedId ?? '').trim();
      if (!id || id.length > MAX_TEXT) {
        job.issues.add({ sourcedId: id ? id.slice(0, MAX_TEXT) : null, code: 'invalid_sourced_id', message: 'The school has no usable sourcedId; it was skipped.' });
        skip('invalid_sourced_id');
        continue;
      }
      if (schools.has(id)) skip('duplicate_record');
      else schools.set(id, org);
    }
    await job.progress(page.received, page.total);
  }
  job.signal.throwIfAborted();
  // Non-school orgs an unfiltered /orgs sent, which the client left out.
  skip('not_a_school', filtered);
  if (settings.districtOffices && connection.orgs) {
    for (const office of await districtOffices(connection, job)) {
      if (schools.has(office.sourcedId)) continue;
      schools.set(office.sourcedId, office);
      pulled += 1;
    }
  }
  await job.issues.flush();

  const existing = await deps.store.listBuildings();
  const bySisId = new Map(existing.filter((b) => b.sisId !== null).map((b) => [b.sisId!, b]));
  const rows: StagedRow[] = [];
  for (const [sourcedId, school] of schools) rows.push(planSchool(sourcedId, school, bySisId.get(sourcedId), job));
  for (const building of existing) {
    if (building.active && building.source === 'oneroster' && building.sisId !== null && !schools.has(building.sisId)) {
      rows.push({ kind: 'buildings', sourcedId: building.sisId, action: 'missing', targetId: building.id, disabled: false, payload: { name: building.name } });
    }
  }
  for (let i = 0; i < rows.length; i += 1000) await deps.staging.insert(job.runId, rows.slice(i, i + 1000));
  await job.issues.flush();
  skip('missing_name', rows.filter((row) => row.action === 'skip').length);
  const reconciliation = reconcilePull(await deps.staging.counts(job.runId), ['buildings'], { pulled, skipped, ignoredRoles: 0, notSynced: 0 });

  const unmatchedBuildings = existing
    .filter((b) => b.source === 'manual' && b.active && (b.sisId === null || !schools.has(b.sisId)))
    .slice(0, MAX_UNMATCHED)
    .map((b) => ({ id: b.id, name: b.name }));
  const active = existing.filter((b) => b.active && b.sisId !== null).length;
  return settlePlan(deps, job, {
    kinds: ['buildings'],
    counts: { ...emptyRunCounts(), unmatchedBuildings, reconciliation },
    active: { buildings: active },
    dryRun: false,
    holdReasons: await buildingHoldReasons(deps, rows, existing),
  });
}

/** What the building sync names a district org's building. */
export function districtOfficeName(districtName: string): string {
  return `${districtName.trim() || 'District'} – District Office`.slice(0, MAX_TEXT);
}

/**
 * The district orgs, as buildings that stand for them ("district office"): people whose primary org
 * is the district, or a department under it, are tied to it instead of being skipped.
 */
async function districtOffices(connection: ProviderConnection, job: RunJob): Promise<NormalizedOrg[]> {
  const offices: NormalizedOrg[] = [];
  try {
    for await (const page of connection.orgs!({ signal: job.signal })) {
      job.meter.page(page.records.length);
      for (const org of page.records) {
        const id = (org.sourcedId ?? '').trim();
        if (org.type.toLowerCase() !== 'district' || !id || id.length > MAX_TEXT) continue;
        offices.push({ ...org, sourcedId: id, name: districtOfficeName(org.name) });
      }
    }
  } catch (err) {
    // A provider that does not serve /orgs, or a grant without it, still has schools to sync:
    // the District Office buildings wait, and the run says why.
    if (!(err instanceof ProviderError) || (err.code !== 'not_found' && err.code !== 'forbidden')) throw err;
    job.issues.add({
      sourcedId: null,
      code: 'district_orgs_unavailable',
      message: `The provider would not list its orgs (${err.code}), so no District Office building was made; schools were synced as usual.`,
    });
    return [];
  }
  return offices;
}

/**
 * Buildings are the keys people are matched to, so two plans wait for an admin: deactivating a
 * building active people belong to (they would be left in an inactive building), and creating a
 * building with the name or identifier of an existing one (a look-alike, most often because its
 * Building SIS was edited: the sync then makes a duplicate and drops the original).
 */
async function buildingHoldReasons(deps: SyncDeps, rows: StagedRow[], existing: StoredBuilding[]): Promise<HoldReason[]> {
  const reasons: HoldReason[] = [];
  const byId = new Map(existing.map((b) => [b.id, b]));
  const leaving = rows.filter((row) => (row.action === 'deactivate' || row.action === 'missing') && row.targetId !== null).map((row) => row.targetId!);
  const people = leaving.length > 0 ? await deps.store.countActivePeopleByBuilding(leaving) : new Map<number, number>();
  const occupied = leaving.filter((id) => (people.get(id) ?? 0) > 0);
  if (occupied.length > 0) {
    const total = occupied.reduce((sum, id) => sum + people.get(id)!, 0);
    reasons.push({
      code: 'building_has_people',
      message: `${occupied.length} building(s) that ${total} active people belong to would be deactivated.`,
      buildings: occupied.slice(0, MAX_UNMATCHED).map((id) => ({ id, name: byId.get(id)?.name ?? '', people: people.get(id) })),
    });
  }
  const key = (text: string | null) => text?.trim().toLowerCase() || null;
  const names = new Map(existing.map((b) => [key(b.name), b]));
  const identifiers = new Map(existing.filter((b) => key(b.identifier)).map((b) => [key(b.identifier), b]));
  const lookalikes = rows
    .filter((row) => row.action === 'create')
    .map((row) => row.payload as BuildingFields)
    .map((fields) => ({ fields, twin: names.get(key(fields.name)) ?? identifiers.get(key(fields.identifier)) }))
    .filter((pair) => pair.twin !== undefined);
  if (lookalikes.length > 0) {
    reasons.push({
      code: 'building_lookalike',
      message: `${lookalikes.length} new building(s) would share a name or identifier with an existing building; check each existing building's Building SIS.`,
      buildings: lookalikes.slice(0, MAX_UNMATCHED).map(({ fields, twin }) => ({ id: twin!.id, name: `${fields.name} (${fields.sisId})` })),
    });
  }
  return reasons;
}

function planSchool(sourcedId: string, school: NormalizedOrg, match: StoredBuilding | undefined, job: RunJob): StagedRow {
  const row = (action: StagedRow['action'], payload: unknown = null): StagedRow => ({
    kind: 'buildings', sourcedId, action, targetId: match?.id ?? null, disabled: false, payload,
  });
  if (school.status === 'tobedeleted') {
    if (!match) return row('ignore');
    return match.active ? row('deactivate', { name: match.name }) : row('gone');
  }
  const name = (school.name ?? '').trim().slice(0, MAX_TEXT);
  if (!name) {
    job.issues.add({ sourcedId, code: 'missing_name', message: 'The school has no name; it was skipped.' });
    return row('skip');
  }
  const withoutHash = { sisId: sourcedId, name, identifier: school.identifier?.trim().slice(0, MAX_TEXT) || null };
  const fields: BuildingFields = { ...withoutHash, hash: hashBuilding(withoutHash) };
  if (!match) return row('create', fields);
  if (!match.active) return row('reactivate', fields);
  return match.hash === fields.hash ? row('unchanged') : row('update', fields);
}
