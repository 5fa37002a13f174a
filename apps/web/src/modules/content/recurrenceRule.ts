/**
 * The recurrence builder's model and the RRULE it stands for (RFC 5545, without DTSTART/TZID: the post's
 * planned time and the account zone supply them; the server checks the rule again). Pure.
 */

export const frequencies = ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
export type Frequency = (typeof frequencies)[number];
export const weekdays = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof weekdays)[number];

export type RecurrenceEnd = { kind: 'never' } | { kind: 'count'; count: number } | { kind: 'until'; date: string };

export type RecurrenceForm = {
  frequency: Frequency;
  /** Every n-th period (1 = every). */
  interval: number;
  /** Weekly only: the days; none = the planned time's weekday. */
  weekdays: Weekday[];
  end: RecurrenceEnd;
};

export const defaultRecurrenceForm: RecurrenceForm = { frequency: 'WEEKLY', interval: 1, weekdays: [], end: { kind: 'never' } };

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The RRULE of a builder state, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10". UNTIL is a date (that whole day, in the zone). */
export function buildRecurrenceRule(form: RecurrenceForm): string {
  const parts = [`FREQ=${form.frequency}`];
  const interval = Math.max(1, Math.floor(form.interval || 1));
  if (interval > 1) parts.push(`INTERVAL=${interval}`);
  if (form.frequency === 'WEEKLY' && form.weekdays.length > 0) {
    parts.push(`BYDAY=${weekdays.filter((day) => form.weekdays.includes(day)).join(',')}`);
  }
  if (form.end.kind === 'count') parts.push(`COUNT=${Math.max(1, Math.floor(form.end.count || 1))}`);
  if (form.end.kind === 'until') {
    const match = datePattern.exec(form.end.date);
    if (match) parts.push(`UNTIL=${match[1]}${match[2]}${match[3]}`);
  }
  return parts.join(';');
}

/**
 * The builder state of a stored rule, or null when the rule uses parts the builder does not offer (it is
 * then shown as text and kept as it is).
 */
export function parseRecurrenceRule(rule: string): RecurrenceForm | null {
  const parts = new Map(
    rule
      .replace(/^RRULE:/i, '')
      .toUpperCase()
      .split(';')
      .filter(Boolean)
      .map((part) => part.split('=') as [string, string]),
  );
  const frequency = parts.get('FREQ') as Frequency | undefined;
  if (!frequency || !frequencies.includes(frequency)) return null;
  if ([...parts.keys()].some((key) => !['FREQ', 'INTERVAL', 'BYDAY', 'COUNT', 'UNTIL'].includes(key))) return null;
  const days = parts.get('BYDAY')?.split(',') ?? [];
  if (days.some((day) => !weekdays.includes(day as Weekday)) || (days.length > 0 && frequency !== 'WEEKLY')) return null;
  const until = parts.get('UNTIL');
  const untilMatch = until ? /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(until) : null;
  if (until && !untilMatch) return null;
  const end: RecurrenceEnd = parts.has('COUNT')
    ? { kind: 'count', count: Number(parts.get('COUNT')) }
    : untilMatch
      ? { kind: 'until', date: `${untilMatch[1]}-${untilMatch[2]}-${untilMatch[3]}` }
      : { kind: 'never' };
  return { frequency, interval: Number(parts.get('INTERVAL') ?? 1), weekdays: days as Weekday[], end };
}
