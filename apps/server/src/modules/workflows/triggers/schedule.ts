import { CronExpressionParser } from 'cron-parser';

/**
 * Schedules: five-field cron (minute hour day month weekday) in an IANA time zone, computed with
 * cron-parser. The next fire is computed on save and after each fire, always from now: a fire missed while
 * no worker ran happens once, late, never as a backlog.
 */

/** Why a time zone is not usable, or null (any zone Intl knows, e.g. Europe/Rome, UTC). */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return null;
  } catch {
    return `"${timezone}" is not a time zone: use an IANA name such as Europe/Rome or UTC.`;
  }
}

/** Why a cron expression is not usable, or null. */
export function cronProblem(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return `Use five fields (minute hour day month weekday), e.g. 0 9 * * 1-5; this one has ${fields.length}.`;
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' }).next();
    return null;
  } catch (error) {
    return `The cron expression is not valid: ${(error as Error).message}.`;
  }
}

/** The first fire strictly after `after`, in the zone's wall-clock time. */
export function nextFireAfter(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate();
}
