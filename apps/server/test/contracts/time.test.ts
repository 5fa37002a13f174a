import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromZonedInputValue,
  isKnownTimeZone,
  parseLocalDateTime,
  toZonedInputValue,
  wallClockIn,
  zonedDateKey,
  zonedDayBounds,
  zonedTimeToInstant,
  zonedWeekdayHour,
  zoneOffsetAt,
} from '@omni/contracts/time';

const iso = (date: Date | null) => date?.toISOString() ?? null;

describe('wall clock ↔ instant across daylight saving time', () => {
  it.each([
    // Berlin: CET +1, CEST +2; 2030 spring forward 31 March 02:00 → 03:00, fall back 27 October 03:00 → 02:00.
    ['Europe/Berlin', '2030-01-15T09:00', '2030-01-15T08:00:00.000Z'],
    ['Europe/Berlin', '2030-07-15T09:00', '2030-07-15T07:00:00.000Z'],
    ['Europe/Berlin', '2030-03-31T01:59', '2030-03-31T00:59:00.000Z'],
    ['Europe/Berlin', '2030-03-31T02:30', '2030-03-31T01:30:00.000Z'], // in the gap: 03:30 CEST
    ['Europe/Berlin', '2030-03-31T03:00', '2030-03-31T01:00:00.000Z'],
    ['Europe/Berlin', '2030-10-27T02:30', '2030-10-27T00:30:00.000Z'], // twice: the first (CEST)
    ['Europe/Berlin', '2030-10-27T03:00', '2030-10-27T02:00:00.000Z'],
    // New York: EST −5, EDT −4; 2030 spring forward 10 March 02:00 → 03:00, fall back 3 November 02:00 → 01:00.
    ['America/New_York', '2030-03-10T02:15', '2030-03-10T07:15:00.000Z'], // in the gap: 03:15 EDT
    ['America/New_York', '2030-03-10T03:15', '2030-03-10T07:15:00.000Z'],
    ['America/New_York', '2030-11-03T01:30', '2030-11-03T05:30:00.000Z'], // twice: the first (EDT)
    ['America/New_York', '2030-11-03T02:30', '2030-11-03T07:30:00.000Z'],
    ['America/New_York', '2030-07-15T09:00', '2030-07-15T13:00:00.000Z'],
    // Sydney: AEST +10, AEDT +11; 2030 fall back 7 April 03:00 → 02:00, spring forward 6 October 02:00 → 03:00.
    ['Australia/Sydney', '2030-04-07T02:30', '2030-04-06T15:30:00.000Z'], // twice: the first (AEDT)
    ['Australia/Sydney', '2030-04-07T03:30', '2030-04-06T17:30:00.000Z'],
    ['Australia/Sydney', '2030-10-06T02:30', '2030-10-05T16:30:00.000Z'], // in the gap: 03:30 AEDT
    ['Australia/Sydney', '2030-10-06T03:30', '2030-10-05T16:30:00.000Z'],
  ])('%s %s is %s', (zone, local, expected) => {
    expect(iso(fromZonedInputValue(local, zone))).toBe(expected);
    expect(iso(parseLocalDateTime(local.replace('T', ' '), zone))).toBe(expected);
  });

  it('reads typed local times with a space and seconds, but datetime-local values only with T', () => {
    expect(iso(parseLocalDateTime(' 2030-01-15 09:00 ', 'Australia/Sydney'))).toBe('2030-01-14T22:00:00.000Z');
    expect(iso(parseLocalDateTime('2030-07-15T09:00:30', 'UTC'))).toBe('2030-07-15T09:00:30.000Z');
    expect(fromZonedInputValue('2030-07-15 09:00', 'UTC')).toBeNull();
    expect(parseLocalDateTime('2030-02-30 09:00', 'UTC')).toBeNull();
  });

  it('round-trips every quarter hour of the change days in all three zones', () => {
    const days: Array<[string, string]> = [
      ['Europe/Berlin', '2030-03-31'],
      ['Europe/Berlin', '2030-10-27'],
      ['America/New_York', '2030-03-10'],
      ['America/New_York', '2030-11-03'],
      ['Australia/Sydney', '2030-04-07'],
      ['Australia/Sydney', '2030-10-06'],
    ];
    for (const [zone, day] of days) {
      const start = fromZonedInputValue(`${day}T00:00`, zone)!;
      for (let minutes = 0; minutes < 25 * 60; minutes += 15) {
        const instant = new Date(start.getTime() + minutes * 60_000);
        const local = toZonedInputValue(instant, zone);
        const back = fromZonedInputValue(local, zone)!;
        // A repeated hour maps back to its first occurrence; everything else to itself.
        expect(back.getTime() === instant.getTime() || back.getTime() === instant.getTime() - 3_600_000).toBe(true);
        expect(toZonedInputValue(back, zone)).toBe(local);
      }
    }
  });

  it('reads back any instant as the same wall clock (fast-check, three zones)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Sydney'),
        (date, zone) => {
          const wall = wallClockIn(date, zone);
          const back = zonedTimeToInstant(wall, zone);
          expect(wallClockIn(back, zone)).toEqual(wall);
          expect(back.getTime()).toBeLessThanOrEqual(date.getTime() - date.getUTCMilliseconds());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses values that are not local date-times or name days that do not exist', () => {
    expect(fromZonedInputValue('tomorrow', 'UTC')).toBeNull();
    expect(fromZonedInputValue('2030-04-31T09:00', 'UTC')).toBeNull();
    expect(fromZonedInputValue('2030-07-15T24:00', 'UTC')).toBeNull();
    expect(fromZonedInputValue('2030-07-15T09:00Z', 'UTC')).toBeNull();
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('knows offsets, days and weekday/hour buckets in a zone', () => {
    expect(zoneOffsetAt(new Date('2030-07-15T12:00:00Z'), 'Australia/Sydney')).toBe(10 * 3_600_000);
    expect(zoneOffsetAt(new Date('2030-01-15T12:00:00Z'), 'Australia/Sydney')).toBe(11 * 3_600_000);
    // 23:30 UTC on a Sunday is Monday 09:30 in Sydney (winter, +10).
    expect(zonedWeekdayHour(new Date('2030-07-14T23:30:00Z'), 'Australia/Sydney')).toEqual({ weekday: 1, hour: 9 });
    expect(zonedWeekdayHour(new Date('2030-07-14T23:30:00Z'), 'America/New_York')).toEqual({ weekday: 0, hour: 19 });
    expect(zonedDateKey(new Date('2030-07-14T23:30:00Z'), 'Europe/Berlin')).toBe('2030-07-15');
    // The fall-back day in Berlin lasts 25 hours, the spring-forward day in New York 23.
    const berlin = zonedDayBounds(new Date('2030-10-27T12:00:00Z'), 'Europe/Berlin');
    expect(berlin.end.getTime() - berlin.start.getTime()).toBe(25 * 3_600_000);
    expect(iso(berlin.start)).toBe('2030-10-26T22:00:00.000Z');
    const newYork = zonedDayBounds(new Date('2030-03-10T17:00:00Z'), 'America/New_York');
    expect(newYork.end.getTime() - newYork.start.getTime()).toBe(23 * 3_600_000);
  });
});
