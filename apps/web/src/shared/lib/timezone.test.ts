import { describe, expect, it } from 'vitest';
import { fromZonedInputValue, isKnownTimeZone, toZonedInputValue } from './timezone';

describe('wall-clock times in a named time zone', () => {
  it('reads and writes datetime-local values in the zone, across daylight saving time', () => {
    expect(fromZonedInputValue('2030-01-15T09:00', 'Europe/Rome')?.toISOString()).toBe('2030-01-15T08:00:00.000Z');
    expect(fromZonedInputValue('2030-07-15T09:00', 'Europe/Rome')?.toISOString()).toBe('2030-07-15T07:00:00.000Z');
    expect(fromZonedInputValue('2030-07-15T09:00', 'America/New_York')?.toISOString()).toBe('2030-07-15T13:00:00.000Z');
    expect(fromZonedInputValue('2030-07-15T09:00', 'UTC')?.toISOString()).toBe('2030-07-15T09:00:00.000Z');
    expect(toZonedInputValue(new Date('2030-07-15T07:00:00Z'), 'Europe/Rome')).toBe('2030-07-15T09:00');
    expect(toZonedInputValue(new Date('2030-12-31T23:30:00Z'), 'Asia/Tokyo')).toBe('2031-01-01T08:30');
  });

  it('round-trips every hour of a day with a daylight-saving change', () => {
    for (let hour = 0; hour < 24; hour += 1) {
      const value = `2030-10-27T${String(hour).padStart(2, '0')}:15`;
      const instant = fromZonedInputValue(value, 'Europe/Rome')!;
      expect(toZonedInputValue(instant, 'Europe/Rome')).toBe(value);
    }
    // 02:30 does not exist on the spring-forward day: it lands after the jump.
    expect(toZonedInputValue(fromZonedInputValue('2030-03-31T02:30', 'Europe/Rome')!, 'Europe/Rome')).toBe('2030-03-31T03:30');
  });

  it('refuses values that are not datetime-local values, and knows real zones', () => {
    expect(fromZonedInputValue('tomorrow', 'UTC')).toBeNull();
    expect(fromZonedInputValue('2030-07-15 09:00', 'UTC')).toBeNull();
    expect(isKnownTimeZone('Europe/Rome')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
