import { Cron } from 'croner';
import {
  computeNextRun,
  cronPatternFor,
  daysBetweenLocalDates,
  latestSlotBefore,
  parseDailyTime,
  type SlotSettings,
} from '../../server/schedule/slot-time';

const on: Omit<SlotSettings, 'dailyTime' | 'timezone'> = { paused: false, studentImport: true, staffImport: true };
const settings = (dailyTime: string, timezone: string): SlotSettings => ({ ...on, dailyTime, timezone });

/** The next `count` run instants from `from`, each computed from the previous one. */
function nextRuns(s: SlotSettings, from: string, count: number): string[] {
  const runs: string[] = [];
  let now = new Date(from);
  for (let i = 0; i < count; i++) {
    const slot = computeNextRun(s, now);
    if (!slot) break;
    runs.push(slot.at.toISOString());
    now = slot.at;
  }
  return runs;
}

describe('computeNextRun', () => {
  it('runs at the local time in the district timezone (Chicago winter is UTC-6, summer UTC-5)', () => {
    expect(computeNextRun(settings('02:00', 'America/Chicago'), new Date('2025-01-15T12:00:00Z'))).toEqual({
      key: '2025-01-16 02:00 America/Chicago',
      at: new Date('2025-01-16T08:00:00Z'),
      localDate: '2025-01-16',
    });
    expect(computeNextRun(settings('02:00', 'America/Chicago'), new Date('2025-07-15T12:00:00Z'))?.at).toEqual(
      new Date('2025-07-16T07:00:00Z'),
    );
  });

  it('picks today when the time is still ahead, tomorrow once it has passed (exactly at the slot counts as passed)', () => {
    const s = settings('02:00', 'UTC');
    expect(computeNextRun(s, new Date('2025-05-01T01:59:59Z'))?.at).toEqual(new Date('2025-05-01T02:00:00Z'));
    expect(computeNextRun(s, new Date('2025-05-01T02:00:00Z'))?.at).toEqual(new Date('2025-05-02T02:00:00Z'));
  });

  it('in UTC, crosses month and year ends', () => {
    expect(nextRuns(settings('23:59', 'UTC'), '2024-12-31T12:00:00Z', 2)).toEqual([
      '2024-12-31T23:59:00.000Z',
      '2025-01-01T23:59:00.000Z',
    ]);
    expect(computeNextRun(settings('00:00', 'UTC'), new Date('2024-02-28T00:00:00Z'))?.key).toBe('2024-02-29 00:00 UTC');
  });

  it('handles the half-hour offset of Asia/Kolkata (UTC+5:30), where 02:30 local is the previous UTC day', () => {
    const slot = computeNextRun(settings('02:30', 'Asia/Kolkata'), new Date('2025-03-08T12:00:00Z'));
    expect(slot).toEqual({ key: '2025-03-09 02:30 Asia/Kolkata', at: new Date('2025-03-08T21:00:00Z'), localDate: '2025-03-09' });
  });

  it('Chicago spring forward (2025-03-09, 02:00 jumps to 03:00): 02:00 runs once, at 03:00 CDT', () => {
    expect(nextRuns(settings('02:00', 'America/Chicago'), '2025-03-08T12:00:00Z', 3)).toEqual([
      '2025-03-09T08:00:00.000Z', // 03:00 CDT: the end of the gap
      '2025-03-10T07:00:00.000Z',
      '2025-03-11T07:00:00.000Z',
    ]);
  });

  it('a 02:30 time on the day 02:30 does not exist still runs once that day, when the gap ends', () => {
    const runs = nextRuns(settings('02:30', 'America/Chicago'), '2025-03-08T12:00:00Z', 3);
    expect(runs).toEqual(['2025-03-09T08:00:00.000Z', '2025-03-10T07:30:00.000Z', '2025-03-11T07:30:00.000Z']);
    // Santiago springs forward at midnight: 00:30 does not exist on 2025-09-07.
    expect(nextRuns(settings('00:30', 'America/Santiago'), '2025-09-06T12:00:00Z', 1)).toEqual(['2025-09-07T04:00:00.000Z']);
  });

  it('Chicago fall back (2025-11-02, 01:00-01:59 happens twice): 01:30 runs exactly once, at the first occurrence', () => {
    expect(nextRuns(settings('01:30', 'America/Chicago'), '2025-11-01T12:00:00Z', 3)).toEqual([
      '2025-11-02T06:30:00.000Z', // 01:30 CDT
      '2025-11-03T07:30:00.000Z', // 01:30 CST the next day; 07:30Z on the 2nd (01:30 CST) is skipped
      '2025-11-04T07:30:00.000Z',
    ]);
    // Even asked from between the two occurrences, the next run is the next day's.
    expect(computeNextRun(settings('01:30', 'America/Chicago'), new Date('2025-11-02T07:00:00Z'))?.key).toBe(
      '2025-11-03 01:30 America/Chicago',
    );
  });

  it('gives null when paused or when both imports are off', () => {
    const now = new Date('2025-01-15T12:00:00Z');
    expect(computeNextRun({ ...settings('02:00', 'UTC'), paused: true }, now)).toBeNull();
    expect(computeNextRun({ ...settings('02:00', 'UTC'), studentImport: false, staffImport: false }, now)).toBeNull();
    expect(computeNextRun({ ...settings('02:00', 'UTC'), studentImport: false }, now)).not.toBeNull();
  });

  it('agrees with the croner job it arms on every day of a year, DST days included', () => {
    const zones = ['America/Chicago', 'America/Santiago', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/London', 'UTC'];
    for (const timezone of zones) {
      for (const dailyTime of ['00:30', '01:30', '02:00', '02:30', '23:45']) {
        const from = '2025-01-01T00:00:00Z';
        const cron = new Cron(cronPatternFor(dailyTime), { timezone, paused: true });
        const expected = cron.nextRuns(366, from).map((d) => d.toISOString());
        expect({ timezone, dailyTime, runs: nextRuns(settings(dailyTime, timezone), from, 366) }).toEqual({
          timezone,
          dailyTime,
          runs: expected,
        });
      }
    }
  });
});

describe('latestSlotBefore', () => {
  it('is the slot at or before now, with a key that names the local date, time and zone', () => {
    const s = settings('02:00', 'America/Chicago');
    expect(latestSlotBefore(s, new Date('2025-01-16T08:00:00Z'))?.key).toBe('2025-01-16 02:00 America/Chicago');
    expect(latestSlotBefore(s, new Date('2025-01-16T07:59:59Z'))?.key).toBe('2025-01-15 02:00 America/Chicago');
  });

  it('on fall-back day both occurrences of 01:30 name the same slot', () => {
    const s = settings('01:30', 'America/Chicago');
    const first = latestSlotBefore(s, new Date('2025-11-02T06:45:00Z'));
    const second = latestSlotBefore(s, new Date('2025-11-02T07:45:00Z'));
    expect(first?.key).toBe('2025-11-02 01:30 America/Chicago');
    expect(second).toEqual(first);
  });

  it('is null when paused', () => {
    expect(latestSlotBefore({ ...settings('02:00', 'UTC'), paused: true }, new Date())).toBeNull();
  });
});

describe('helpers', () => {
  it('reads only HH:MM 24-hour times', () => {
    expect(parseDailyTime('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parseDailyTime('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['24:00', '25:00', '2am', '2:00', '02:60', '']) expect(() => parseDailyTime(bad)).toThrow(RangeError);
    expect(cronPatternFor('02:30')).toBe('30 2 * * *');
  });

  it('counts calendar days between local dates, across DST and leap days', () => {
    expect(daysBetweenLocalDates('2025-03-08', '2025-03-15')).toBe(7);
    expect(daysBetweenLocalDates('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetweenLocalDates('2025-01-01', '2025-01-01')).toBe(0);
  });
});
