import { Cron } from 'croner';
import type { AutomationSettings } from '../domain/contract';

/**
 * Pure time logic of the daily job: which instant a day's run happens at in the district's
 * timezone, and what identifies it. No clock, no timers, no database, so tests drive it with any
 * instant. The instants come from croner, the library that arms the job, so the armed job and
 * these functions agree on every day by construction, daylight-saving days included (a time
 * swallowed by spring forward runs when the gap ends; a time that happens twice runs once, at its
 * first occurrence). Only what croner cannot say lives here: slot keys and local-date arithmetic.
 */

/** One day's scheduled run. */
export interface ScheduleSlot {
  /** Identity shared by every process: local date, time and timezone, e.g. `2025-03-09 02:30 America/Chicago`. */
  key: string;
  /** The instant it is due. */
  at: Date;
  /** Its local date in the timezone, `YYYY-MM-DD`. */
  localDate: string;
}

/** The settings the time logic reads. */
export type SlotSettings = Pick<AutomationSettings, 'dailyTime' | 'timezone' | 'paused' | 'studentImport' | 'staffImport'>;

const DAY_MS = 24 * 60 * 60_000;
/** Further back than any slot of the day before can lie (a day, a DST shift and the widest UTC offsets). */
const LOOK_BACK_MS = 3 * DAY_MS;

/** True when the daily job should be armed: not paused and at least one import switched on. */
export function isScheduleActive(settings: SlotSettings): boolean {
  return !settings.paused && (settings.studentImport || settings.staffImport);
}

/** Reads `HH:MM` (24-hour) into hours and minutes; throws on anything else. */
export function parseDailyTime(dailyTime: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(dailyTime);
  if (!match) throw new RangeError(`dailyTime must be HH:MM (24-hour), got "${dailyTime}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** The croner pattern of the daily job: `minute hour * * *`. */
export function cronPatternFor(dailyTime: string): string {
  const { hour, minute } = parseDailyTime(dailyTime);
  return `${minute} ${hour} * * *`;
}

/** The local date (`YYYY-MM-DD`) of an instant in a timezone. */
export function localDateOf(instant: Date, timezone: string): string {
  // en-CA formats a date as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** The slot of one local date: when `dailyTime` happens on that date in the timezone. */
export function slotOnLocalDate(settings: Pick<SlotSettings, 'dailyTime' | 'timezone'>, localDate: string): ScheduleSlot {
  const job = dailyJob(settings);
  let after = new Date(dateToUtcMs(localDate) - LOOK_BACK_MS);
  for (;;) {
    const at = job.nextRun(after);
    if (!at) throw new RangeError(`no daily run on ${localDate} in ${settings.timezone}`);
    const slot = slotAt(settings, at);
    if (slot.localDate >= localDate) {
      if (slot.localDate !== localDate) throw new RangeError(`no daily run on ${localDate} in ${settings.timezone}`);
      return slot;
    }
    after = at;
  }
}

/** The first slot strictly after `now`, or null when the job is paused or imports nothing. */
export function computeNextRun(settings: SlotSettings, now: Date): ScheduleSlot | null {
  if (!isScheduleActive(settings)) return null;
  const at = dailyJob(settings).nextRun(now);
  return at ? slotAt(settings, at) : null;
}

/** The most recent slot at or before `now`, or null when the job is paused or imports nothing. */
export function latestSlotBefore(settings: SlotSettings, now: Date): ScheduleSlot | null {
  if (!isScheduleActive(settings)) return null;
  // Walk forward from well before: croner's forward search is the one the armed job uses.
  const job = dailyJob(settings);
  let latest: Date | null = null;
  for (let at = job.nextRun(new Date(now.getTime() - LOOK_BACK_MS)); at && at.getTime() <= now.getTime(); at = job.nextRun(at)) {
    latest = at;
  }
  return latest ? slotAt(settings, latest) : null;
}

/** Whole calendar days from one local date to another (`2025-03-01` → `2025-03-08` is 7). */
export function daysBetweenLocalDates(from: string, to: string): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / DAY_MS);
}

/** The local date `days` after (or before) another (calendar arithmetic, no timezone involved). */
export function shiftDate(localDate: string, days: number): string {
  return new Date(dateToUtcMs(localDate) + days * DAY_MS).toISOString().slice(0, 10);
}

/** A never-started croner job for the settings, used only to ask for instants. */
function dailyJob(settings: Pick<SlotSettings, 'dailyTime' | 'timezone'>): Cron {
  return new Cron(cronPatternFor(settings.dailyTime), { timezone: settings.timezone, paused: true });
}

function slotAt(settings: Pick<SlotSettings, 'dailyTime' | 'timezone'>, at: Date): ScheduleSlot {
  const localDate = localDateOf(at, settings.timezone);
  return { key: `${localDate} ${settings.dailyTime} ${settings.timezone}`, at, localDate };
}

function dateToUtcMs(localDate: string): number {
  const [year, month, day] = localDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day);
}
