import { createProgressReporter } from '../../cli/progress-reporter';
import { presentRunSummary, presentRunTable } from '../../cli/present';
import type { KindCounts, RunView } from '../../server/domain/contract';
import { captureStream } from './capture';

const zero: KindCounts = { created: 0, updated: 0, unchanged: 0, linked: 0, rekeyed: 0, merged: 0, reactivated: 0, deactivated: 0, disabled: 0, skipped: 0 };

function run(patch: Partial<RunView>): RunView {
  return {
    id: 7, kind: 'users', status: 'running', trigger: 'cli', mode: 'full', dryRun: false, requestedBy: 'ops (CLI)',
    createdAt: '2030-01-01T02:00:00.000Z', startedAt: '2030-01-01T02:00:00.100Z', finishedAt: null, durationMs: null, decision: null, supersededBy: null,
    counts: { kinds: {}, skippedBySchool: {}, ignoredRoles: {}, unmatchedBuildings: [] }, error: null,
    phase: 'pulling', progress: { processed: 0, total: 4000 }, issues: [], issueCount: 0, plan: null,
    ...patch,
  };
}

describe('sync progress', () => {
  it('draws a bar with phase, processed/total, percentage and rate, redrawn in place on a terminal', () => {
    const stdout = captureStream(true);
    let clock = 0;
    const reporter = createProgressReporter(stdout, () => clock, 5000);
    reporter.update(run({ progress: { processed: 0, total: 4000 } }));
    clock = 2000;
    reporter.update(run({ progress: { processed: 1000, total: 4000 } }));
    clock = 4000;
    reporter.finish(run({ status: 'succeeded', phase: 'done', progress: { processed: 4000, total: 4000 } }));

    const frames = stdout.text.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[1]).toMatch(/^#7 users pulling\s+1,000\/4,000 \(25%\) \[█+░+\] 500\/s$/);
    expect(frames[2]).toMatch(/^#7 users done\s+4,000\/4,000 \(100%\) \[█+\] 1,000\/s\n$/);
    for (const frame of frames) expect(frame.replace('\n', '').length).toBeLessThanOrEqual(99);
  });

  it('shows a count without a bar when the provider gave no total', () => {
    const stdout = captureStream(true);
    const reporter = createProgressReporter(stdout, () => 0, 5000);
    reporter.update(run({ progress: { processed: 1234, total: null } }));
    expect(stdout.text).toMatch(/#7 users pulling\s+1,234 records \[·+\]/);
  });

  it('writes timestamped lines, not redraws, when the output is not a terminal: on phase changes and at most once per interval', () => {
    const stdout = captureStream(false);
    let clock = Date.UTC(2030, 0, 1, 2, 0, 0);
    const reporter = createProgressReporter(stdout, () => clock, 5000);
    reporter.update(run({ status: 'queued', phase: 'queued', progress: { processed: 0, total: null } }));
    clock += 1000;
    reporter.update(run({ progress: { processed: 100, total: 4000 } }));
    clock += 1000;
    reporter.update(run({ progress: { processed: 200, total: 4000 } })); // same phase, too soon: no line
    clock += 6000;
    reporter.update(run({ progress: { processed: 900, total: 4000 } }));
    clock += 1000;
    reporter.update(run({ phase: 'applying', progress: { processed: 4000, total: 4000 } }));
    reporter.finish(run({ status: 'succeeded', phase: 'done', progress: { processed: 4000, total: 4000 } }));

    expect(stdout.text).not.toMatch(/[\r\x1b]/);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines).toEqual([
      '2030-01-01T02:00:00.000Z run #7 users: queued 0 records',
      expect.stringMatching(/^2030-01-01T02:00:01\.000Z run #7 users: pulling 100\/4,000 \(2%\)/),
      expect.stringMatching(/^2030-01-01T02:00:08\.000Z run #7 users: pulling 900\/4,000 \(22%\) \d+\/s$/),
      expect.stringMatching(/^2030-01-01T02:00:09\.000Z run #7 users: applying 4,000\/4,000 \(100%\)/),
      expect.stringMatching(/^2030-01-01T02:00:09\.000Z run #7 users: succeeded 4,000\/4,000 \(100%\)/),
    ]);
  });
});

describe('run presentation', () => {
  it('summarises counts per kind, skipped people, and why a run was held', () => {
    const lines = presentRunSummary(
      run({
        status: 'held', phase: 'done', durationMs: 2400,
        // A held run applied nothing: its counts are empty, the plan carries the numbers.
        counts: { kinds: {}, skippedBySchool: { 'sch-9': 4, 'sch-8': 1 }, ignoredRoles: { guardian: 12 }, unmatchedBuildings: [] },
        plan: {
          counts: { students: { ...zero, updated: 3, deactivated: 80 }, staff: { ...zero, created: 2 } },
          deactivations: { students: { planned: 80, active: 100, threshold: 25 } },
          samples: {},
        },
      }),
    );
    expect(lines[0]).toBe('Run #7 (users, full) held in 2.4 s.');
    expect(lines).toContain('  planned students  created 0, updated 3, unchanged 0, linked 0, rekeyed 0, merged 0, reactivated 0, deactivated 80, disabled 0, skipped 0');
    expect(lines.filter((line) => line.startsWith('  students'))).toEqual([]);
    expect(lines).toContain('  5 people skipped: their school is not a building (2 schools).');
    expect(lines).toContain('  Not imported by role: guardian 12.');
    expect(lines).toContain('  Held: would deactivate 80 of 100 active students (threshold 25).');
  });

  it('lists runs in aligned columns with the error code of a failed one', () => {
    const lines = presentRunTable(
      [
        run({ id: 12, status: 'failed', durationMs: 900, error: { code: 'unauthorized', message: 'Rejected' } }),
        run({ id: 3, kind: 'buildings', status: 'succeeded', trigger: 'schedule', durationMs: 15000, counts: { kinds: { buildings: { ...zero, created: 4 } }, skippedBySchool: {}, ignoredRoles: {}, unmatchedBuildings: [] } }),
      ],
      40,
    );
    expect(lines[0]).toMatch(/^ID\s+KIND\s+STATUS\s+TRIGGER\s+MODE\s+CREATED\s+DURATION\s+RESULT$/);
    expect(lines[1]).toMatch(/^12\s+users\s+failed\s+cli\s+full\s+2030-01-01T02:00:00Z\s+900 ms\s+unauthorized$/);
    expect(lines[2]).toMatch(/^3 \s+buildings\s+succeeded\s+schedule\s+full\s+.*15\.0 s\s+created 4$/);
    expect(lines[1]!.indexOf('failed')).toBe(lines[2]!.indexOf('succeeded'));
    expect(lines[3]).toBe('2 of 40 run(s).');
  });
});
