import type { ConfigView, KindCounts, RunSummary, RunView, TestResult } from '../server/domain/contract';

const COUNT_NAMES: Array<keyof KindCounts> = ['created', 'updated', 'unchanged', 'linked', 'rekeyed', 'merged', 'reactivated', 'deactivated', 'disabled', 'skipped'];

/** The end of a sync, in lines: status, timing, counts per kind, what was left out, why it failed or was held. */
export function presentRunSummary(run: RunView): string[] {
  const lines = [`Run #${run.id} (${run.kind}${run.dryRun ? ', dry run' : ''}, ${run.mode}) ${run.status}${formatDuration(run.durationMs, ' in ')}.`];
  for (const [kind, counts] of Object.entries(run.counts.kinds)) {
    if (!counts) continue;
    lines.push(`  ${kind.padEnd(9)} ${COUNT_NAMES.map((name) => `${name} ${counts[name]}`).join(', ')}`);
  }
  const skippedBySchool = Object.values(run.counts.skippedBySchool).reduce((sum, n) => sum + n, 0);
  if (skippedBySchool > 0) {
    lines.push(`  ${skippedBySchool} people skipped: their school is not a building (${Object.keys(run.counts.skippedBySchool).length} schools).`);
  }
  const ignored = Object.entries(run.counts.ignoredRoles);
  if (ignored.length > 0) lines.push(`  Not imported by role: ${ignored.map(([role, n]) => `${role} ${n}`).join(', ')}.`);
  if (run.counts.unmatchedBuildings.length > 0) {
    lines.push(`  ${run.counts.unmatchedBuildings.length} existing building(s) match no school (left untouched).`);
  }
  if (run.issueCount > 0) lines.push(`  ${run.issueCount} record issue(s); see the run in Settings or GET /runs/${run.id}.`);
  if (run.error) lines.push(`  Error: ${run.error.message} (${run.error.code})`);
  if (run.status === 'held' && run.plan) {
    for (const [kind, counts] of Object.entries(run.plan.counts)) {
      if (counts) lines.push(`  planned ${kind.padEnd(9)} ${COUNT_NAMES.map((name) => `${name} ${counts[name]}`).join(', ')}`);
    }
    for (const [kind, d] of Object.entries(run.plan.deactivations)) {
      if (d && d.planned > 0) lines.push(`  Held: would deactivate ${d.planned} of ${d.active} active ${kind} (threshold ${d.threshold}).`);
    }
    lines.push('  Nothing was applied. An admin approves or cancels the run in Settings.');
  }
  return lines;
}

/** One history row per run, under a header. */
export function presentRunTable(runs: RunSummary[], total: number): string[] {
  const header = ['ID', 'KIND', 'STATUS', 'TRIGGER', 'MODE', 'CREATED', 'DURATION', 'RESULT'];
  const rows = runs.map((run) => [
    String(run.id),
    run.kind + (run.dryRun ? ' (dry)' : ''),
    run.status,
    run.trigger,
    run.mode,
    run.createdAt.replace(/\.\d+Z$/, 'Z'),
    formatDuration(run.durationMs, ''),
    run.error ? run.error.code : summarizeCounts(run),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [format(header), ...rows.map(format), `${runs.length} of ${total} run(s).`];
}

/** The configuration and freshness, as `status` prints them. */
export function presentStatus(view: ConfigView): string[] {
  const lines: string[] = [];
  if (!view.configured || !view.config) {
    lines.push('OneRoster: not configured.');
  } else {
    const c = view.config;
    const version = c.version ? ` ${c.version}` : '';
    const auth = c.auth ? ` ${c.auth}` : '';
    const where = c.provider === 'classlink' ? `tenant ${c.tenantId ?? '?'}` : (c.baseUrl ?? '');
    lines.push(`OneRoster: ${view.enabled ? 'enabled (manages the roster)' : 'disabled (manual roster management)'}`);
    lines.push(`Provider: ${c.provider}${version}${auth}, ${where}; secret ${c.clientSecret.set ? 'set' : 'not set'}; saved ${c.updatedAt}`);
  }
  if (view.lastTest) {
    const outcome = view.lastTest.ok ? `passed (${view.lastTest.schools?.count ?? 0} schools)` : `failed: ${view.lastTest.error?.message ?? 'unknown'}`;
    lines.push(`Last connection test: ${outcome} at ${view.lastTest.at}`);
  }
  lines.push(`Buildings synced: ${view.buildingsSynced ? 'yes' : 'no (run "oneroster sync buildings" first)'}`);
  lines.push(`Last building sync: ${view.lastBuildingSync ? describeRun(view.lastBuildingSync) : 'never'}`);
  lines.push(`Last user sync: ${view.lastUserSync ? describeRun(view.lastUserSync) : 'never'}`);
  lines.push(`Last successful sync: ${view.lastSuccessfulSyncAt ?? 'never'}`);
  return lines;
}

/** A connection test, step by step, then the schools or the hints. */
export function presentTestResult(result: TestResult): string[] {
  const lines = result.steps.map((step) => `${step.ok ? 'ok  ' : 'FAIL'} ${step.name.padEnd(15)} ${String(step.ms).padStart(6)} ms  ${step.message}`);
  if (result.ok) {
    const sample = result.schools?.sample.map((school) => school.name).join(', ') ?? '';
    lines.push(`Connection OK: ${result.schools?.count ?? 0} school(s) found${sample ? ` (${sample})` : ''}.`);
  } else {
    lines.push(`Connection failed: ${result.error?.message ?? 'unknown error'}${result.error ? ` (${result.error.code})` : ''}`);
    for (const hint of result.error?.hints ?? []) lines.push(`  - ${hint}`);
  }
  return lines;
}

function describeRun(run: RunSummary): string {
  const when = run.finishedAt ?? run.startedAt ?? run.createdAt;
  return `#${run.id} ${run.status} (${run.trigger}${run.dryRun ? ', dry run' : ''}) ${when}${formatDuration(run.durationMs, ', ')}${run.error ? `: ${run.error.message}` : ''}`;
}

function summarizeCounts(run: RunSummary): string {
  const totals: Partial<Record<keyof KindCounts, number>> = {};
  for (const counts of Object.values(run.counts.kinds)) {
    if (!counts) continue;
    for (const name of COUNT_NAMES) totals[name] = (totals[name] ?? 0) + counts[name];
  }
  const shown = (['created', 'updated', 'deactivated', 'skipped'] as const).filter((name) => (totals[name] ?? 0) > 0);
  return shown.length === 0 ? (run.status === 'succeeded' ? 'no changes' : '') : shown.map((name) => `${name} ${totals[name]}`).join(', ');
}

function formatDuration(ms: number | null, prefix: string): string {
  if (ms === null) return '';
  return ms < 1000 ? `${prefix}${ms} ms` : `${prefix}${(ms / 1000).toFixed(1)} s`;
}
