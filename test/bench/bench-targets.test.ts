import { medianRows, type BenchReport, type BenchRow } from '../../bench/harness';
import { presentMarkdown } from '../../bench/present';
import { parseArguments } from '../../bench/run';
import { checkTargets } from '../../bench/targets';
import type { WorkerResult } from '../../bench/worker';

// The benchmark's command line and its judging of targets, on made-up figures (nothing is timed).

describe('bench command line', () => {
  it('defaults to 10k and 100k users, both databases and every scenario', () => {
    expect(parseArguments([])).toMatchObject({
      users: [10_000, 100_000],
      databases: ['mariadb', 'sqlite'],
      scenarios: ['initial', 'resync', 'delta', 'baselines', 'latency'],
    });
  });

  it('reads sizes, databases, scenarios and output files, and adds 1M on --million', () => {
    const parsed = parseArguments(['--users', '100_000,10000', '--million', '--db', 'mariadb', '--scenarios', 'initial,baselines', '--repeat', '3', '--json', 'a.json', '--markdown', 'a.md']);
    expect(parsed).toMatchObject({
      users: [10_000, 100_000, 1_000_000],
      repeat: 3,
      databases: ['mariadb'],
      scenarios: ['initial', 'baselines'],
      json: 'a.json',
      markdown: 'a.md',
    });
  });

  it('refuses what it does not know', () => {
    expect(() => parseArguments(['--db', 'postgres'])).toThrow(/unknown database postgres/);
    expect(() => parseArguments(['--scenarios', 'warm'])).toThrow(/unknown scenario warm/);
    expect(() => parseArguments(['--users', 'many'])).toThrow(/not a count/);
    expect(() => parseArguments(['--users'])).toThrow(/needs a value/);
    expect(() => parseArguments(['--repeat', '0'])).toThrow(/--repeat: not a count/);
    expect(() => parseArguments(['--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseArguments(['--heap-limit', 'big'])).toThrow(/--heap-limit: not a size/);
  });

  it('passes a heap limit for the workers on, as a host may start Node with one', () => {
    expect(parseArguments(['--heap-limit', '1024'])).toMatchObject({ heapLimitMb: 1024 });
    expect(parseArguments([])).not.toHaveProperty('heapLimitMb');
  });

  it('names the directory for the workers\' memory timelines', () => {
    expect(parseArguments(['--memory-log', 'bench/results/memory'])).toMatchObject({ memoryLogDir: 'bench/results/memory' });
    expect(parseArguments([])).not.toHaveProperty('memoryLogDir');
  });
});

describe('bench targets', () => {
  function row(users: number, step: BenchRow['step'], wallSeconds: number, extra: Partial<BenchRow> = {}): BenchRow {
    const queries = extra.queries ?? users / 100;
    return {
      database: 'mariadb', users, idStyle: 'short', step, wallSeconds, usersPerSecond: users / wallSeconds, records: users, peakRssMb: 200, peakHeapMb: 100,
      queries, queriesPer1000Users: (queries / users) * 1000, cpu: { worker: 1, sandbox: 1, database: 1 }, load: [1, 1],
      detail: {} as WorkerResult, ...extra,
    };
  }
  const report = (rows: BenchRow[]): BenchReport => ({ date: '', machine: { cores: 2, memoryGiB: 8, node: 'v20' }, options: { users: [], databases: [], scenarios: [] }, rows });
  const verdicts = (rows: BenchRow[]) => Object.fromEntries(checkTargets(report(rows)).map((c) => [`${c.where}: ${c.target}`, c.met]));

  it('judges the time, ratio, re-sync and delta targets against the initial sync', () => {
    expect(verdicts([
      row(100_000, 'initial', 19, { ratioToBaseline: 1.4 }),
      row(100_000, 'resync', 14),
      row(100_000, 'delta', 2),
    ])).toEqual({
      'mariadb 100,000 initial: initial full sync ≤ 20 s': true,
      'mariadb 100,000 initial: sync / (fetch only + write only) ≤ 1.2': false,
      'mariadb 100,000 initial: queries per 1,000 users ≤ 20': true,
      'mariadb 100,000 resync: no-change re-sync ≤ 0.7× initial': false,
      'mariadb 100,000 resync: queries per 1,000 users ≤ 20': true,
      'mariadb 100,000 delta: 1 % delta re-sync ≤ 0.1× initial': false,
    });
  });

  it('judges memory and scaling at 1M against the 100k figures, and queries that grow with size', () => {
    const checks = verdicts([
      row(100_000, 'initial', 10, { peakRssMb: 260 }),
      row(1_000_000, 'initial', 160, { peakRssMb: 320, queries: 30_000 }),
    ]);
    expect(checks).toMatchObject({
      'mariadb 1,000,000 initial: initial full sync ≤ 200 s': true,
      'mariadb 1,000,000 initial: peak RSS ≤ 300 MB at 1M': false,
      'mariadb 1,000,000 initial: peak RSS at 1M ≤ 1.25× the 100k figure': true,
      'mariadb 1,000,000 initial: time per user at 1M ≤ 1.2× the 100k figure': false,
      'mariadb 1,000,000 initial: queries per 1,000 users ≤ 20': false,
      'mariadb initial 100,000 → 1,000,000: queries per 1,000 users do not grow with size': false,
    });
  });

  it('reports the median round of each step and the ratio of the median figures', () => {
    const round = (initial: number, fetch: number, write: number) => [row(1000, 'initial', initial), row(1000, 'fetch', fetch), row(1000, 'write', write)];
    const rows = medianRows([round(9, 1, 1), round(3, 2, 4), round(6, 3, 2)]);
    expect(rows.map((r) => [r.step, r.wallSeconds, r.wallSamples])).toEqual([
      ['initial', 6, [9, 3, 6]],
      ['fetch', 2, [1, 2, 3]],
      ['write', 2, [1, 4, 2]],
    ]);
    expect(rows[0]!.ratioToBaseline).toBe(1.5);
    // Two rounds: the lower one.
    expect(medianRows([round(4, 1, 1), round(2, 1, 1)])[0]!.wallSeconds).toBe(2);
  });

  it('judges the latency sync against the serial fetch-only time, and 1M UUID memory against 100k UUID', () => {
    const slow = medianRows([[row(100_000, 'slow-fetch-serial', 20), row(100_000, 'slow-initial', 6)]]);
    expect(slow[1]!.ratioToSerialFetch).toBe(0.3);
    const uuid = { idStyle: 'uuid' as const };
    const checks = verdicts([
      ...slow,
      row(1_000_000, 'slow-fetch-serial', 200),
      row(1_000_000, 'slow-initial', 80, { ratioToSerialFetch: 0.4 }),
      row(100_000, 'initial', 10, { ...uuid, peakRssMb: 250 }),
      row(1_000_000, 'initial', 100, { ...uuid, peakRssMb: 310 }),
    ]);
    expect(checks).toMatchObject({
      'mariadb 100,000 slow-initial: 150 ms per page: sync ≤ 0.35× serial fetch only': true,
      'mariadb 1,000,000 slow-initial: 150 ms per page: sync ≤ 0.35× serial fetch only': false,
      'mariadb 1,000,000 uuid initial: peak RSS ≤ 300 MB at 1M': false,
      'mariadb 1,000,000 uuid initial: time per user at 1M ≤ 1.2× the 100k figure': true,
    });
  });

  it('names the heap limit the workers ran under, beside the 1M peak RSS and in the heading', () => {
    // The same 1M sync peaked at 254 MB at a 2,047 MB old space and at 344 MB at 2,048 (bench/README.md).
    const detail = (heapLimitMb: number) => ({ heapLimitMb, wallMs: 1, queries: { phaseStarts: [], byShape: {} } }) as unknown as WorkerResult;
    const rows = [row(100_000, 'initial', 4, { peakRssMb: 270, detail: detail(4144) }), row(1_000_000, 'initial', 32, { peakRssMb: 344, detail: detail(4144) })];
    const rss = checkTargets(report(rows)).find((c) => c.target === 'peak RSS ≤ 300 MB at 1M')!;
    expect(rss.figure).toBe('344 MB (heap limit 4,144 MB)');
    expect(presentMarkdown(report(rows)).split('\n')[0]).toContain("workers' V8 heap limit 4,144 MB (Node's default)");
    // Started with --max-old-space-size=2047, a worker reports V8's limit of 2,095 MB (the young generation added).
    const flaggedRows = [row(1_000_000, 'initial', 32, { peakRssMb: 254, detail: detail(2095) })];
    const flagged = { ...report(flaggedRows), options: { users: [], databases: [], scenarios: [], heapLimitMb: 2047 } };
    expect(presentMarkdown(flagged).split('\n')[0]).toContain("workers' V8 heap limit 2,095 MB (--max-old-space-size=2047)");
    expect(checkTargets(flagged).find((c) => c.target === 'peak RSS ≤ 300 MB at 1M')).toMatchObject({ figure: '254 MB (heap limit 2,095 MB)', met: true });
    // Rows from a report without the figure (older JSON) say nothing rather than "0 MB".
    expect(checkTargets(report([row(1_000_000, 'initial', 32, { peakRssMb: 344 })])).find((c) => c.target.startsWith('peak RSS ≤'))!.figure).toBe('344 MB');
  });

  it('holds SQLite to the relative targets only', () => {
    const checks = verdicts([row(100_000, 'initial', 30, { database: 'sqlite' })]);
    expect(Object.keys(checks)).toEqual(['sqlite 100,000 initial: queries per 1,000 users ≤ 20']);
  });
});
