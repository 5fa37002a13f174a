/**
 * Wall-clock times in a named IANA zone ↔ instants, shared by the server (recurrence, CSV, best times, daily
 * caps) and the console. Rules (design §6.1): a local time in a spring-forward gap moves forward by the gap
 * (02:30 on the day Berlin jumps from 02:00 to 03:00 is 03:30); an ambiguous fall-back time takes the first,
 * earlier instant. Only Intl is used: no time-zone data ships with this file.
 */

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** What a clock in `timeZone` shows at `date`. */
export function wallClockIn(date: Date, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((item) => item.type === type)?.value ?? 0);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

/** How far the zone's wall clock is ahead of UTC at `date`, in milliseconds. */
export function zoneOffsetAt(date: Date, timeZone: string): number {
  const wall = wallClockIn(date, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - (date.getTime() - date.getUTCMilliseconds());
}

const hourMs = 3_600_000;

/**
 * The instant a wall-clock time in `timeZone` stands for (fields out of range roll over, as Date.UTC does).
 * A time skipped by a daylight-saving jump moves forward by the jump; a time that happens twice is the first.
 */
export function zonedTimeToInstant(wall: Partial<WallClock> & Pick<WallClock, 'year' | 'month' | 'day'>, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour ?? 0, wall.minute ?? 0, wall.second ?? 0);
  // Zone offsets change at most a few times a year: the ones 14 hours either side are the only candidates.
  const before = zoneOffsetAt(new Date(asUtc - 14 * hourMs), timeZone);
  const after = zoneOffsetAt(new Date(asUtc + 14 * hourMs), timeZone);
  const matching = [before, after]
    .map((offset) => asUtc - offset)
    .filter((candidate) => asUtc - zoneOffsetAt(new Date(candidate), timeZone) === candidate)
    .sort((a, b) => a - b);
  // In a gap neither offset reads back: the offset in force before the jump carries the time past it.
  return new Date(matching[0] ?? asUtc - before);
}

const pad = (value: number, length = 2) => String(value).padStart(length, '0');

/** "YYYY-MM-DDTHH:mm" as a clock in `timeZone` shows `date` (the value of a datetime-local input). */
export function toZonedInputValue(date: Date, timeZone: string): string {
  const wall = wallClockIn(date, timeZone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}

const inputValuePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

function parseWallClock(pattern: RegExp, value: string, timeZone: string): Date | null {
  const match = pattern.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second = 0] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number?];
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute) {
    return null;
  }
  return zonedTimeToInstant({ year, month, day, hour, minute, second }, timeZone);
}

/**
 * The instant a datetime-local value "YYYY-MM-DDTHH:mm" in `timeZone` stands for; null when it is not such a
 * value or names a date or time that does not exist (31 April, 24:00).
 */
export function fromZonedInputValue(value: string, timeZone: string): Date | null {
  return parseWallClock(inputValuePattern, value, timeZone);
}

/** Like fromZonedInputValue, for typed local times (CSV cells): "YYYY-MM-DD HH:mm", T or space, optional ":ss". */
export function parseLocalDateTime(value: string, timeZone: string): Date | null {
  return parseWallClock(localDateTimePattern, value.trim(), timeZone);
}

/** The calendar day "YYYY-MM-DD" of `date` in `timeZone` (daily caps, calendar grouping). */
export function zonedDateKey(date: Date, timeZone: string): string {
  const wall = wallClockIn(date, timeZone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** The first instant of the calendar day that contains `date` in `timeZone`, and of the next day. */
export function zonedDayBounds(date: Date, timeZone: string): { start: Date; end: Date } {
  const wall = wallClockIn(date, timeZone);
  return {
    start: zonedTimeToInstant({ year: wall.year, month: wall.month, day: wall.day }, timeZone),
    end: zonedTimeToInstant({ year: wall.year, month: wall.month, day: wall.day + 1 }, timeZone),
  };
}

/** Weekday (0 = Sunday … 6 = Saturday, as PostgreSQL's `extract(dow …)`) and hour of `date` in `timeZone`. */
export function zonedWeekdayHour(date: Date, timeZone: string): { weekday: number; hour: number } {
  const wall = wallClockIn(date, timeZone);
  return { weekday: new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay(), hour: wall.hour };
}
