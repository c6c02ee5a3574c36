import { describeEachDatabase } from '../helpers/databases';
import { computeNextRun } from '../../server/schedule/slot-time';
import { waitUntil } from '../helpers/wait-until';
import type { SchedulerTuning } from '../../server/schedule/scheduler';
import { createFakeSync } from './fake-sync';
import {
  claimRows,
  createAutomationTables,
  createSchedulerHarness,
  createTestClock,
  resetAutomationTables,
  type SchedulerHarness,
} from './scheduler-harness';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describeEachDatabase('daily scheduler', (db) => {
  const harnesses: SchedulerHarness[] = [];

  /** A module instance ("a server") on the shared database; stopped after each test. */
  function server(now: string, options: { missedRunWindowMs?: number; tuning?: SchedulerTuning } = {}): SchedulerHarness {
    const harness = createSchedulerHarness(db().sequelize, { clock: createTestClock(now), ...options });
    harnesses.push(harness);
    return harness;
  }

  beforeAll(async () => {
    await createAutomationTables(db().sequelize);
  });
  beforeEach(async () => {
    await resetAutomationTables(db().sequelize);
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.scheduler.stop()));
  });

  describe('what a slot runs', () => {
    it('runs buildings then both kinds of users as trigger "schedule", and records the outcome on the claim', async () => {
      const { automation, scheduler, sync } = server('2025-01-16T08:00:01Z');
      await automation.update({ dailyTime: '02:00', timezone: 'America/Chicago' });

      const result = await scheduler.runSlot(new Date('2025-01-16T08:00:00Z'));

      expect(result).toEqual({ slot: '2025-01-16 02:00 America/Chicago', status: 'ran', outcome: 'succeeded', runIds: [1, 2] });
      expect(sync.starts).toEqual([
        { kind: 'buildings', trigger: 'schedule' },
        { kind: 'users', trigger: 'schedule', mode: 'full', kinds: ['students', 'staff'] },
      ]);
      const view = await automation.get();
      expect(view.lastScheduledRun).toEqual({
        slot: '2025-01-16 02:00 America/Chicago',
        scheduledFor: '2025-01-16T08:00:00.000Z',
        startedAt: '2025-01-16T08:00:01.000Z',
        finishedAt: '2025-01-16T08:00:01.000Z',
        outcome: 'succeeded',
        error: null,
        runIds: [1, 2],
      });
    });

    it('respects the import toggles: students only, staff only, both off (no run at all)', async () => {
      const { automation, scheduler, sync } = server('2025-01-20T12:00:00Z');
      await automation.update({ dailyTime: '02:00', timezone: 'UTC', staffImport: false });
      await scheduler.runSlot(new Date('2025-01-18T02:00:00Z'));
      await automation.update({ staffImport: true, studentImport: false });
      await scheduler.runSlot(new Date('2025-01-19T02:00:00Z'));
      await automation.update({ staffImport: false });
      const bothOff = await scheduler.runSlot(new Date('2025-01-20T02:00:00Z'));

      expect(sync.starts.filter((s) => s.kind === 'users').map((s) => s.kinds)).toEqual([['students'], ['staff']]);
      expect(sync.starts.filter((s) => s.kind === 'buildings')).toHaveLength(2);
      expect(bothOff.status).toBe('inactive');
      expect((await automation.get()).nextRunAt).toBeNull();
      expect(await claimRows(db().sequelize)).toHaveLength(2);
    });

    it('pulls users in full when the last full pull is fullSyncEvery days old or more (or never), else delta', async () => {
      const { automation, scheduler, sync } = server('2025-03-20T12:00:00Z');
      await automation.update({ dailyTime: '02:00', timezone: 'America/Chicago', fullSyncEvery: 7 });
      const modeFor = async (slotAt: string) => {
        await scheduler.runSlot(new Date(slotAt));
        return sync.starts[sync.starts.length - 1]?.mode;
      };

      sync.lastFull = null;
      expect(await modeFor('2025-03-01T08:00:00Z')).toBe('full');
      sync.lastFull = new Date('2025-03-01T08:05:00Z'); // 02:05 local on the 1st
      expect(await modeFor('2025-03-02T08:00:00Z')).toBe('delta');
      expect(await modeFor('2025-03-07T08:00:00Z')).toBe('delta'); // 6 days
      // 7 calendar days, although the slot (02:00 on the 8th) is a few minutes short of 7 × 24 h.
      expect(await modeFor('2025-03-08T08:00:00Z')).toBe('full');

      await automation.update({ fullSyncEvery: 1 });
      sync.lastFull = new Date('2025-03-08T08:10:00Z');
      expect(await modeFor('2025-03-09T08:00:00Z')).toBe('full'); // spring-forward day, still the next calendar day
    });

    it('does not sync users when the building run did not succeed', async () => {
      const { automation, scheduler, sync } = server('2025-01-20T12:00:00Z');
      await automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      sync.next('buildings', { endWith: 'failed' });
      const failed = await scheduler.runSlot(new Date('2025-01-19T02:00:00Z'));
      sync.next('buildings', { endWith: 'held' });
      const held = await scheduler.runSlot(new Date('2025-01-20T02:00:00Z'));

      expect(sync.starts.map((s) => s.kind)).toEqual(['buildings', 'buildings']);
      expect(failed).toMatchObject({ status: 'ran', outcome: 'failed', runIds: [1] });
      expect(held).toMatchObject({ status: 'ran', outcome: 'held', runIds: [2] });
      const rows = await claimRows(db().sequelize);
      expect(rows.map((r) => [r.outcome, r.error_code])).toEqual([
        ['failed', 'provider_unreachable'],
        ['held', 'run_held'],
      ]);
    });

    it('records and logs a run that could not start (not_configured, sync_in_progress), with its code', async () => {
      const { automation, scheduler, sync, logger } = server('2025-01-20T12:00:00Z');
      await automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      sync.next('buildings', { refuse: 'not_configured' });
      const notConfigured = await scheduler.runSlot(new Date('2025-01-19T02:00:00Z'));
      sync.next('users', { refuse: 'sync_in_progress' });
      const busy = await scheduler.runSlot(new Date('2025-01-20T02:00:00Z'));

      expect(notConfigured).toMatchObject({ status: 'ran', outcome: 'not_started', runIds: [] });
      expect(busy).toMatchObject({ status: 'ran', outcome: 'not_started', runIds: [1] });
      expect(logger.lines.filter((l) => l.startsWith('warn scheduled sync could not start'))).toEqual([
        expect.stringContaining('"code":"not_configured"'),
        expect.stringContaining('"code":"sync_in_progress"'),
      ]);
      expect((await automation.get()).lastScheduledRun).toMatchObject({
        slot: '2025-01-20 02:00 UTC',
        outcome: 'not_started',
        error: { code: 'sync_in_progress', message: expect.any(String) },
        runIds: [1],
      });
    });

    it('does nothing while paused', async () => {
      const { automation, scheduler, sync } = server('2025-01-20T02:00:30Z');
      await automation.update({ dailyTime: '02:00', timezone: 'UTC', paused: true });
      await scheduler.start();
      await scheduler.whenIdle();

      expect(await scheduler.runSlot(new Date('2025-01-20T02:00:00Z'))).toMatchObject({ status: 'inactive' });
      expect(await scheduler.runDueSlot()).toMatchObject({ status: 'inactive' });
      expect(scheduler.nextRun()).toBeNull();
      expect((await automation.get()).nextRunAt).toBeNull();
      expect(sync.starts).toEqual([]);
      expect(await claimRows(db().sequelize)).toEqual([]);
    });
  });

  describe('the croner job', () => {
    it('start() arms croner at the configured time; a settings change re-arms it at once; stop() disarms it', async () => {
      const { automation, scheduler } = server(new Date().toISOString(), { missedRunWindowMs: 0 });
      await automation.update({ dailyTime: '02:00', timezone: 'America/Chicago', paused: false });
      expect(scheduler.nextRun()).toBeNull(); // not started yet

      await scheduler.start();
      const expectedFor = async () => computeNextRun(await automation.settings(), new Date())?.at;
      expect(scheduler.nextRun()).toEqual(await expectedFor());

      await automation.update({ dailyTime: '05:15', timezone: 'Asia/Kolkata' });
      const moved = scheduler.nextRun();
      expect(moved).toEqual(await expectedFor());
      expect(moved?.getUTCHours()).toBe(23); // 05:15 IST is 23:45 UTC the day before
      expect(moved?.getUTCMinutes()).toBe(45);

      await automation.update({ paused: true });
      expect(scheduler.nextRun()).toBeNull();
      await automation.update({ paused: false });
      expect(scheduler.nextRun()).toEqual(await expectedFor());

      await scheduler.stop();
      expect(scheduler.nextRun()).toBeNull();
      await automation.update({ dailyTime: '06:00' });
      expect(scheduler.nextRun()).toBeNull(); // stopped stays stopped
    });

    it('follows a change saved on another server, by polling the settings', async () => {
      const here = server(new Date().toISOString(), { missedRunWindowMs: 0, tuning: { settingsPollMs: 50 } });
      const elsewhere = server(new Date().toISOString(), { missedRunWindowMs: 0 });
      await here.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      await here.scheduler.start();
      expect(here.scheduler.nextRun()?.getUTCHours()).toBe(2);

      await elsewhere.automation.update({ dailyTime: '04:30' });
      await waitUntil(() => here.scheduler.nextRun()?.getUTCHours() === 4, 5000, 'the other instance to re-arm at 04:00');
      expect(here.scheduler.nextRun()?.getUTCMinutes()).toBe(30);
    });

    it('a sync that throws is logged and recorded, and the timer lives on: the next slot still runs', async () => {
      const { automation, scheduler, sync, clock, logger } = server('2025-01-10T12:00:00Z');
      await automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      await scheduler.start();
      await scheduler.whenIdle();

      clock.set('2025-01-11T02:00:00.400Z');
      sync.next('buildings', { throw: new Error('database went away') });
      await scheduler.fire(); // what croner does at 02:00
      expect(logger.lines).toContainEqual(expect.stringMatching(/^error daily sync failed .*database went away/));
      expect(scheduler.nextRun()).not.toBeNull();

      clock.set('2025-01-12T02:00:00.200Z');
      await scheduler.fire();
      expect(sync.starts.map((s) => s.kind)).toEqual(['buildings', 'users']);
      const rows = await claimRows(db().sequelize);
      expect(rows.map((r) => [r.slot_key, r.outcome, r.error_code])).toEqual([
        ['2025-01-11 02:00 UTC', 'error', 'internal_error'],
        ['2025-01-12 02:00 UTC', 'succeeded', null],
      ]);
      expect(JSON.stringify(rows)).not.toContain('database went away'); // detail only in the log
    });

    it('fall-back day: fired at both occurrences of 01:30, the slot runs exactly once', async () => {
      const { automation, scheduler, sync, clock } = server('2025-11-01T20:00:00Z', { missedRunWindowMs: 0 });
      await automation.update({ dailyTime: '01:30', timezone: 'America/Chicago' });
      await scheduler.start();
      await scheduler.whenIdle();

      clock.set('2025-11-02T06:30:00Z'); // 01:30 CDT
      await scheduler.fire();
      clock.set('2025-11-02T07:30:00Z'); // 01:30 CST, an hour later
      await scheduler.fire();

      expect(sync.starts.filter((s) => s.kind === 'buildings')).toHaveLength(1);
      expect((await claimRows(db().sequelize)).map((r) => r.slot_key)).toEqual(['2025-11-02 01:30 America/Chicago']);
    });

    it('spring-forward day: a 02:30 run fires when the gap ends (03:00 CDT) and runs that day once', async () => {
      const { automation, scheduler, sync, clock } = server('2025-03-08T20:00:00Z', { missedRunWindowMs: 0 });
      await automation.update({ dailyTime: '02:30', timezone: 'America/Chicago' });
      await scheduler.start();
      await scheduler.whenIdle();

      clock.set('2025-03-09T08:00:00Z'); // 03:00 CDT
      await scheduler.fire();
      await scheduler.fire();

      expect(sync.starts.filter((s) => s.kind === 'buildings')).toHaveLength(1);
      expect((await claimRows(db().sequelize)).map((r) => r.slot_key)).toEqual(['2025-03-09 02:30 America/Chicago']);
    });
  });

  describe('exactly once', () => {
    it('two servers firing the same slot at the same moment: one runs it, the other does nothing', async () => {
      const a = server('2025-01-20T02:00:00Z');
      const b = server('2025-01-20T02:00:00Z');
      await a.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      const results = await Promise.all([a, b, a, b].map((s) => s.scheduler.runSlot(new Date('2025-01-20T02:00:00Z'))));

      expect(results.map((r) => r.status).sort()).toEqual(['already_claimed', 'already_claimed', 'already_claimed', 'ran']);
      expect(a.sync.starts.length + b.sync.starts.length).toBe(2); // one building run, one user run
    });
  });

  describe('missed runs', () => {
    it('catches up a missed slot once at start-up within the window, and not again after a restart', async () => {
      const first = server('2025-01-20T05:00:00Z'); // 02:00 was three hours ago and nobody ran it
      await first.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      await first.scheduler.start();
      await first.scheduler.whenIdle();
      expect(first.sync.starts.map((s) => s.kind)).toEqual(['buildings', 'users']);
      const rows = await claimRows(db().sequelize);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ slot_key: '2025-01-20 02:00 UTC', outcome: 'succeeded' });
      expect(new Date(rows[0]!.claimed_at as string).toISOString()).toBe('2025-01-20T05:00:00.000Z');

      await first.scheduler.stop();
      const restarted = server('2025-01-20T05:30:00Z');
      await restarted.scheduler.start();
      await restarted.scheduler.whenIdle();
      expect(restarted.sync.starts).toEqual([]);
      expect(await claimRows(db().sequelize)).toHaveLength(1);
    });

    it('does not catch up a slot older than the window, and says so in the log', async () => {
      const late = server('2025-01-20T08:00:01Z'); // six hours and a second after 02:00
      await late.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      await late.scheduler.start();
      await late.scheduler.whenIdle();

      expect(late.sync.starts).toEqual([]);
      expect(await claimRows(db().sequelize)).toEqual([]);
      expect(late.logger.lines).toContainEqual(expect.stringMatching(/^warn daily sync missed and too old.*2025-01-20 02:00 UTC/));
    });

    it('honours a shorter missedRunWindowMs', async () => {
      const late = server('2025-01-20T03:00:00Z', { missedRunWindowMs: 30 * 60 * 1000 });
      await late.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      expect(await late.scheduler.runDueSlot()).toMatchObject({ status: 'too_old' });
      const inTime = server('2025-01-20T02:20:00Z', { missedRunWindowMs: 30 * 60 * 1000 });
      expect(await inTime.scheduler.runDueSlot()).toMatchObject({ status: 'ran' });
    });

    it('two servers starting together after a missed slot: one catch-up run', async () => {
      const a = server('2025-01-20T04:00:00Z');
      const b = server('2025-01-20T04:00:00Z');
      await a.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      await Promise.all([a.scheduler.start(), b.scheduler.start()]);
      await Promise.all([a.scheduler.whenIdle(), b.scheduler.whenIdle()]);

      expect(a.sync.starts.length + b.sync.starts.length).toBe(2);
      expect(await claimRows(db().sequelize)).toHaveLength(1);
    });

    it('a slot already run is not caught up: start-up the day after runs nothing until the next slot', async () => {
      const s = server('2025-01-20T02:00:00Z');
      await s.automation.update({ dailyTime: '02:00', timezone: 'UTC' });
      await s.scheduler.runSlot(new Date('2025-01-20T02:00:00Z'));
      s.clock.set(new Date(Date.parse('2025-01-20T02:00:00Z') + 2 * HOUR));
      expect(await s.scheduler.runDueSlot()).toMatchObject({ status: 'already_claimed' });
      s.clock.set(new Date(Date.parse('2025-01-20T02:00:00Z') + DAY - 1000));
      expect(await s.scheduler.runDueSlot()).toMatchObject({ status: 'already_claimed' }); // window over, still claimed
      expect(s.sync.starts.filter((x) => x.kind === 'buildings')).toHaveLength(1);
    });
  });
});
