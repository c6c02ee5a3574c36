import type { AutomationSettings } from '../http/contract';

/**
 * Pure time logic of the daily job: which instant a day's run happens at in the district's
 * timezone, and what identifies it. No clock, no timers, no database, so tests drive it with any
 * instant. The rules match croner's for a fixed-time job, so the armed job and these functions
 * agree on every day, daylight-saving days included:
 * - a time that does not exist that day (spring forward) runs when the gap ends (02:30 → 03:00);
 * - a time that happens twice (fall back) runs once, at its first occurrence.
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

/** A wall-clock reading in some timezone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

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
  return dateOfWall(wallClock(timezone)(instant));
}

/** The slot of one local date: when `dailyTime` happens on that date in the timezone. */
export function slotOnLocalDate(
  settings: Pick<SlotSettings, 'dailyTime' | 'timezone'>,
  localDate: string,
  clock: WallClock = wallClock(settings.timezone),
): ScheduleSlot {
  const { hour, minute } = parseDailyTime(settings.dailyTime);
  const [year, month, day] = localDate.split('-').map(Number) as [number, number, number];
  const at = resolveWallTime({ year, month, day, hour, minute }, clock);
  return { key: `${localDate} ${settings.dailyTime} ${settings.timezone}`, at, localDate };
}

/** The first slot strictly after `now`, or null when the job is paused or imports nothing. */
export function computeNextRun(settings: SlotSettings, now: Date): ScheduleSlot | null {
  if (!isScheduleActive(settings)) return null;
  const clock = wallClock(settings.timezone);
  const today = dateOfWall(clock(now));
  for (const offset of [-1, 0, 1, 2]) {
    const slot = slotOnLocalDate(settings, shiftDate(today, offset), clock);
    if (slot.at.getTime() > now.getTime()) return slot;
  }
  return null;
}

/** The most recent slot at or before `now`, or null when the job is paused or imports nothing. */
export function latestSlotBefore(settings: SlotSettings, now: Date): ScheduleSlot | null {
  if (!isScheduleActive(settings)) return null;
  const clock = wallClock(settings.timezone);
  const today = dateOfWall(clock(now));
  for (const offset of [1, 0, -1, -2]) {
    const slot = slotOnLocalDate(settings, shiftDate(today, offset), clock);
    if (slot.at.getTime() <= now.getTime()) return slot;
  }
  return null;
}

/** Whole calendar days from one local date to another (`2025-03-01` → `2025-03-08` is 7). */
export function daysBetweenLocalDates(from: string, to: string): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / DAY_MS);
}

/** The local date `days` after (or before) another. */
export function shiftDate(localDate: string, days: number): string {
  const shifted = new Date(dateToUtcMs(localDate) + days * DAY_MS);
  return formatDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/**
 * The instant a wall-clock time happens in a timezone: its first occurrence when it happens twice,
 * and the end of the gap when it does not happen at all.
 */
function resolveWallTime(wall: WallTime, clock: WallClock): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // The offsets in force around that day; a zone changes offset at most once within a day or so.
  const offsets = new Set([-1, 0, 1].map((days) => offsetMinutesAt(new Date(asUtc + days * DAY_MS), clock)));
  const matches = [...offsets]
    .map((offset) => asUtc - offset * MINUTE_MS)
    .filter((instant) => sameWallMinute(clock(new Date(instant)), wall))
    .sort((a, b) => a - b);
  if (matches.length > 0) return new Date(matches[0]!);
  return new Date(gapEnd(asUtc, clock));
}

/** The first instant after the daylight-saving gap that swallowed the wall time `asUtc` names. */
function gapEnd(asUtc: number, clock: WallClock): number {
  const before = offsetMinutesAt(new Date(asUtc - DAY_MS), clock);
  const after = offsetMinutesAt(new Date(asUtc + DAY_MS), clock);
  // The transition lies between reading the wall time with the new offset and with the old one.
  let low = asUtc - Math.max(before, after) * MINUTE_MS;
  let high = asUtc - Math.min(before, after) * MINUTE_MS;
  const lowOffset = offsetMinutesAt(new Date(low), clock);
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetMinutesAt(new Date(middle), clock) === lowOffset) low = middle;
    else high = middle;
  }
  return high;
}

/** The zone's offset from UTC at an instant, in minutes (Chicago in winter: -360). */
function offsetMinutesAt(instant: Date, clock: WallClock): number {
  const wall = clock(instant);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const instantMinute = Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS;
  return Math.round((wallAsUtc - instantMinute) / MINUTE_MS);
}

/** Reads instants as wall-clock times in one zone. */
export type WallClock = (instant: Date) => WallTime;

/** A wall-clock reader for a zone; one formatter serves every reading (creating one is slow). */
function wallClock(timezone: string): WallClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  return (instant) => {
    const parts = format.formatToParts(instant);
    const read = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
    return { year: read('year'), month: read('month'), day: read('day'), hour: read('hour') % 24, minute: read('minute') };
  };
}

function dateOfWall(wall: WallTime): string {
  return formatDate(wall.year, wall.month, wall.day);
}

function sameWallMinute(a: WallTime, b: WallTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

function dateToUtcMs(localDate: string): number {
  const [year, month, day] = localDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day);
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
