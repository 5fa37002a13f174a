import { describe, expect, it } from 'vitest';
import { buildRecurrenceRule, defaultRecurrenceForm, parseRecurrenceRule } from './recurrenceRule';

describe('recurrence rule builder', () => {
  it('builds the RRULE of each frequency, interval and end', () => {
    expect(buildRecurrenceRule(defaultRecurrenceForm)).toBe('FREQ=WEEKLY');
    expect(buildRecurrenceRule({ frequency: 'DAILY', interval: 1, weekdays: [], end: { kind: 'count', count: 10 } })).toBe('FREQ=DAILY;COUNT=10');
    expect(buildRecurrenceRule({ frequency: 'WEEKLY', interval: 2, weekdays: ['TH', 'TU'], end: { kind: 'until', date: '2027-06-30' } })).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270630');
    expect(buildRecurrenceRule({ frequency: 'MONTHLY', interval: 3, weekdays: [], end: { kind: 'never' } })).toBe('FREQ=MONTHLY;INTERVAL=3');
    expect(buildRecurrenceRule({ frequency: 'HOURLY', interval: 6, weekdays: [], end: { kind: 'count', count: 4 } })).toBe('FREQ=HOURLY;INTERVAL=6;COUNT=4');
  });

  it('leaves out weekdays unless weekly, an unfinished UNTIL date, and clamps nonsense numbers', () => {
    expect(buildRecurrenceRule({ frequency: 'DAILY', interval: 1, weekdays: ['MO'], end: { kind: 'never' } })).toBe('FREQ=DAILY');
    expect(buildRecurrenceRule({ frequency: 'DAILY', interval: 1, weekdays: [], end: { kind: 'until', date: '2027-06' } })).toBe('FREQ=DAILY');
    expect(buildRecurrenceRule({ frequency: 'DAILY', interval: 0, weekdays: [], end: { kind: 'count', count: 0 } })).toBe('FREQ=DAILY;COUNT=1');
    expect(buildRecurrenceRule({ frequency: 'DAILY', interval: Number.NaN, weekdays: [], end: { kind: 'count', count: 2.7 } })).toBe('FREQ=DAILY;COUNT=2');
  });

  it('reads back what it builds, and gives up on rules it does not offer', () => {
    const form = { frequency: 'WEEKLY' as const, interval: 2, weekdays: ['MO' as const, 'FR' as const], end: { kind: 'until' as const, date: '2027-01-31' } };
    expect(parseRecurrenceRule(buildRecurrenceRule(form))).toEqual(form);
    expect(parseRecurrenceRule('RRULE:FREQ=DAILY;COUNT=5')).toEqual({ frequency: 'DAILY', interval: 1, weekdays: [], end: { kind: 'count', count: 5 } });
    expect(parseRecurrenceRule('FREQ=MONTHLY;BYMONTHDAY=1')).toBeNull();
    expect(parseRecurrenceRule('FREQ=MINUTELY')).toBeNull();
    expect(parseRecurrenceRule('FREQ=WEEKLY;BYDAY=1MO')).toBeNull();
  });
});
