import type { BenchReport, BenchRow } from './harness';
import { checkTargets, heapLimitOf, type TargetCheck } from './targets';

const STEP_NAMES: Record<BenchRow['step'], string> = {
  initial: 'initial full sync',
  resync: 'no-change full re-sync',
  delta: '1 % delta re-sync',
  fetch: 'baseline: fetch only',
  write: 'baseline: write only',
  'slow-fetch-serial': '150 ms/page: serial fetch only',
  'slow-initial': '150 ms/page: initial full sync',
};

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const opt = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '—' : n(value, digits));

/** Wall seconds, with the range over the rounds when the step ran more than once. */
const wall = (row: BenchRow) => {
  const samples = row.wallSamples ?? [];
  if (samples.length < 2) return n(row.wallSeconds, 2);
  return `${n(row.wallSeconds, 2)} (${n(Math.min(...samples), 2)}–${n(Math.max(...samples), 2)})`;
};

/** Users, with the id style when it is not the short default. */
const users = (row: BenchRow) => `${n(row.users)}${row.idStyle === 'uuid' ? ' (UUID ids)' : ''}`;

/** Initial sync: to (fetch only + write only); latency sync: to the serial fetch only, marked ×serial. */
const ratio = (row: BenchRow) => (row.ratioToSerialFetch !== undefined ? `${n(row.ratioToSerialFetch, 2)} ×serial` : opt(row.ratioToBaseline, 2));

/** The V8 heap limit the measured workers ran under (see `heapLimitOf`), and who chose it. */
function heapLimits(report: BenchReport): string {
  const limits = [...new Set(report.rows.map(heapLimitOf).filter((limit) => limit !== null))];
  if (limits.length === 0) return '';
  return `; workers' V8 heap limit ${limits.join(', ')} (${report.options.heapLimitMb ? `--max-old-space-size=${report.options.heapLimitMb}` : "Node's default"})`;
}

/** The report as markdown: the figures (targets marked per row), then every target met or missed. */
export function presentMarkdown(report: BenchReport): string {
  const checks = checkTargets(report);
  const marks = (row: BenchRow) => checks.filter((c) => c.row === row).map((c) => (c.met ? '✅' : '❌')).join('') || '';
  const lines: string[] = [];
  lines.push(
    `Measured ${report.date} on ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}` +
      `${heapLimits(report)}` +
      `${(report.options.repeat ?? 1) > 1 ? `; median of ${report.options.repeat} rounds (range in brackets)` : ''}.`,
    '',
    '| db | users | scenario | wall s | users/s | peak RSS MB | peak heap MB | queries | q / 1k users | ratio to baseline | CPU s sync · sandbox · db | load 1m | targets |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|',
  );
  for (const row of report.rows) {
    lines.push(
      `| ${row.database} | ${users(row)} | ${STEP_NAMES[row.step]} | ${wall(row)} | ${n(row.usersPerSecond)} | ${n(row.peakRssMb)} | ${n(row.peakHeapMb)} | ` +
        `${n(row.queries)} | ${n(row.queriesPer1000Users, 1)} | ${ratio(row)} | ` +
        `${opt(row.cpu.worker)} · ${opt(row.cpu.sandbox)} · ${opt(row.cpu.database)} | ${n(row.load[0], 1)}→${n(row.load[1], 1)} | ${marks(row)} |`,
    );
  }
  lines.push('', 'The issue sets the targets on MariaDB; SQLite rows are judged against them for information.');
  lines.push('', '| target | where | measured | |', '|---|---|---|---|');
  for (const check of checks) lines.push(`| ${check.target} | ${check.where} | ${check.figure} | ${check.met ? '✅ met' : '❌ missed'} |`);
  lines.push('', presentPhases(report));
  return lines.join('\n');
}

/** Per sync: how long each phase took and which statements the time went to. */
export function presentPhases(report: BenchReport): string {
  const lines = ['| db | users | scenario | phases (s) | top statements (count, summed DB ms) |', '|---|---:|---|---|---|'];
  for (const row of report.rows) {
    if (row.step === 'fetch' || row.step === 'slow-fetch-serial') continue;
    const q = row.detail.queries;
    const starts = [...q.phaseStarts, { phase: 'end', atMs: row.detail.wallMs }];
    const phases = starts.slice(0, -1).map((s, i) => `${s.phase} ${n((starts[i + 1]!.atMs - s.atMs) / 1000, 1)}`).join(', ');
    const top = Object.entries(q.byShape)
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 4)
      .map(([shape, t]) => `${shape} ×${n(t.count)} ${n(t.ms)} ms`)
      .join('; ');
    lines.push(`| ${row.database} | ${users(row)} | ${STEP_NAMES[row.step]} | ${phases || '—'} | ${top} |`);
  }
  return lines.join('\n');
}

/** MariaDB targets missed, for the exit summary (the targets are set on MariaDB). */
export function missedTargets(report: BenchReport): TargetCheck[] {
  return checkTargets(report).filter((check) => !check.met && check.row.database === 'mariadb');
}
