import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench, type BenchReport } from '../../bench/harness';
import { presentMarkdown } from '../../bench/present';
import { MEMORY_LOG_COLUMNS } from '../../bench/worker';

// Proves the benchmark harness works end to end at a tiny size: sandbox and sync in their own
// processes, the real module syncing over loopback HTTP into SQLite, the re-syncs, and both
// baselines. It asserts counts, never times: timing belongs to `npm run bench`, not to `npm test`.

describe('benchmark harness (500 users, SQLite)', () => {
  let report: BenchReport;
  const memoryLogDir = mkdtempSync(path.join(tmpdir(), 'bench-memory-'));

  beforeAll(async () => {
    report = await runBench({ users: [500], databases: ['sqlite'], scenarios: ['initial', 'resync', 'delta', 'baselines', 'latency'], memoryLogDir, log: () => {} });
  }, 120_000);
  afterAll(() => rmSync(memoryLogDir, { recursive: true, force: true }));

  const row = (step: string) => {
    const found = report.rows.find((r) => r.step === step);
    if (!found) throw new Error(`no ${step} row`);
    return found;
  };
  const created = (step: string) => {
    const counts = row(step).detail.run!.counts as { kinds: Record<string, { created: number }> };
    return counts.kinds.students!.created + counts.kinds.staff!.created;
  };

  it('measures every scenario in order, each in a process of its own', () => {
    expect(report.rows.map((r) => r.step)).toEqual(['initial', 'resync', 'delta', 'fetch', 'write', 'slow-fetch-serial', 'slow-initial']);
    for (const r of report.rows) {
      expect(r).toMatchObject({ database: 'sqlite', users: 500 });
      expect(r.wallSeconds).toBeGreaterThan(0);
      expect(r.peakRssMb).toBeGreaterThan(10);
      expect(r.peakHeapMb).toBeGreaterThan(1);
      expect(r.cpu.worker).toBeGreaterThan(0);
    }
  });

  it('writes a memory timeline of every sync worker, its parts adding up to the RSS', () => {
    expect(readdirSync(memoryLogDir).sort()).toEqual(
      ['delta', 'initial', 'resync', 'slow-initial'].map((step) => `sqlite-500-${step}.memory.tsv`),
    );
    const [header, ...lines] = readFileSync(path.join(memoryLogDir, 'sqlite-500-initial.memory.tsv'), 'utf8').trim().split('\n');
    expect(header!.split('\t')).toEqual([...MEMORY_LOG_COLUMNS]);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const at = Object.fromEntries(line.split('\t').map((value, i) => [MEMORY_LOG_COLUMNS[i], Number(value)]));
      expect(at.rss).toBeGreaterThan(10);
      expect(at.heap_used).toBeLessThanOrEqual(at.heap!);
      expect(at.buffers).toBeLessThanOrEqual(at.external!);
      expect(at.heap! + at.external! + at.rest!).toBeCloseTo(at.rss!, 0);
    }
  });

  it('pulls every user of the district, and the write baseline writes exactly what the sync created', () => {
    expect(row('fetch').records).toBe(500);
    expect(row('initial').detail.run!.status).toBe('succeeded');
    // Guardians are not imported, so fewer rows than users, but most of them.
    expect(created('initial')).toBeGreaterThan(400);
    expect(row('initial').records).toBe(created('initial'));
    expect(row('write').records).toBe(created('initial'));
  });

  it('re-syncs with no change writing nothing, and the delta run pulls only the changed people', () => {
    const resync = row('resync');
    expect(resync.detail.run).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(resync.records).toBe(0);
    const delta = row('delta');
    expect(delta.detail.run).toMatchObject({ status: 'succeeded', mode: 'delta' });
    // 1 % of 500 people changed; guardians among them are not imported.
    expect(delta.records).toBeLessThanOrEqual(5);
    expect(created('delta')).toBe(0);
    // What a delta saves is reading and planning (no full pull, no missing-people pages). At 500
    // users a run's fixed statements (lease, run rows, per-kind watermarks) and the delta's own
    // writes of the changed people weigh as much as that saving, so compare those two phases.
    const readAndPlan = (r: typeof delta) => (r.detail.queries.byPhase.pulling?.count ?? 0) + (r.detail.queries.byPhase.planning?.count ?? 0);
    expect(readAndPlan(delta)).toBeLessThan(readAndPlan(resync));
  });

  it('counts the queries the sync sends, with no query per person, and relates the sync to the baselines', () => {
    const initial = row('initial');
    expect(initial.queries).toBeGreaterThan(10);
    expect(initial.queries).toBeLessThan(500);
    expect(initial.detail.queries.byShape['INSERT oneroster_students']?.count).toBeGreaterThanOrEqual(1);
    expect(initial.detail.queries.phaseStarts.map((p) => p.phase)).toEqual(expect.arrayContaining(['pulling', 'applying']));
    expect(row('fetch').queries).toBe(0);
    expect(row('write').detail.queries.byShape['INSERT oneroster_students']?.count).toBe(1);
    expect(initial.ratioToBaseline).toBeGreaterThan(0);
  });

  it('runs the latency scenario: the serial fetch of the slow pages, then an initial sync into an emptied roster', () => {
    expect(row('slow-fetch-serial').records).toBe(500);
    expect(row('slow-initial').detail.run!.status).toBe('succeeded');
    expect(created('slow-initial')).toBe(created('initial'));
    // Every page waited 150 ms, so neither can be quicker than one page's latency.
    expect(row('slow-fetch-serial').wallSeconds).toBeGreaterThanOrEqual(0.15);
    expect(row('slow-initial').ratioToSerialFetch).toEqual(expect.any(Number));
  });

  it('prints the figures as a markdown table with the targets', () => {
    const text = presentMarkdown(report);
    expect(text).toMatch(/\| sqlite \| 500 \| initial full sync \|/);
    expect(text).toMatch(/\| sqlite \| 500 \| 1 % delta re-sync \|/);
    expect(text).toMatch(/\| sync \/ \(fetch only \+ write only\) ≤ 1\.2 \| sqlite 500 initial \|/);
    expect(text).toMatch(/\| sqlite \| 500 \| 150 ms\/page: initial full sync \| .* ×serial \|/);
    expect(text).toMatch(/\| no-change re-sync ≤ 0\.7× initial \| sqlite 500 resync \|/);
  });
});
