import type { Recurrence, RecurrencePreview, RecurrencePreviewBody } from '@omni/contracts/content-recurrence';
import { isKnownTimeZone, toZonedInputValue, wallClockIn, zonedTimeToInstant } from '@omni/contracts/time';
import rrule from 'rrule';
import { sql } from 'drizzle-orm';
import { assertCan } from '../../../kernel/access.js';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { AppError, conflict, isAppError } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { contentPermissions } from '../content.permissions.js';
import { emitEvent } from '../../../kernel/events/events.js';
import { selectOccurrences, updatePostState, type OccurrenceRow, type PostRow } from '../content.queries.js';
import { selectDueSeries, updateSeriesMaterializedUntil } from '../content.recurrence.queries.js';
import { loadPostState, type PostState } from './post-state.js';
import { cancelOccurrencesFrom, partlyPublished, scheduleOccurrencesInTx, type RefusedTarget, type SchedulingActor } from './scheduling.js';

const { RRule } = rrule;
type RRuleInstance = InstanceType<typeof RRule>;

/**
 * Recurring posts (design §6.2): a rule is checked (422 content.recurrence_invalid with the reason),
 * expanded in floating wall-clock time — rrule runs on "UTC as local" dates and each instant is converted
 * with the post's zone (packages/contracts/src/time.ts), so 09:00 Berlin stays 09:00 across DST — and
 * materialized as occurrences (with their targets) up to CONTENT_RECURRENCE_HORIZON_DAYS ahead; a daily job
 * extends every series. How far a series is materialized is stored on the post (recurrence_materialized_until:
 * the latest rule instant made into an occurrence), not read from its occurrences, so an occurrence moved or
 * cancelled by a person is not made again; the job adds only the rule's instants after the marker, and
 * UNIQUE (post_id, occurs_at) makes a repeat a no-op.
 */

/** Most occurrences a series may have (an open-ended one: in any one year). */
export const maxOccurrences = 500;
const maxUntilYearsAhead = 2;
const dayMs = 86_400_000;

const allowedParts = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYHOUR', 'BYMINUTE', 'BYSETPOS', 'BYYEARDAY', 'BYWEEKNO', 'WKST']);
const frequencies = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'];
const integerList = /^[+-]?\d{1,3}(,[+-]?\d{1,3})*$/;
const partPatterns: Record<string, RegExp> = {
  INTERVAL: /^[1-9]\d{0,3}$/,
  COUNT: /^[1-9]\d{0,5}$/,
  UNTIL: /^\d{8}(T\d{6}Z?)?$/,
  BYDAY: /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)(,([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU))*$/,
  WKST: /^(MO|TU|WE|TH|FR|SA|SU)$/,
};

function invalid(reason: string): AppError {
  return new AppError('unprocessable', 'content.recurrence_invalid', `This recurrence cannot be used: ${reason}`, {
    errors: [{ path: 'body.recurrence.rule', message: reason }],
  });
}

/** "RRULE:FREQ=daily" → "FREQ=DAILY": the stored form. */
export function normalizeRule(rule: string): string {
  return rule.trim().replace(/^RRULE:/i, '').toUpperCase();
}

/** Syntax and the limits that need no start: 422 with the reason. */
function checkRuleText(text: string): void {
  if (/(^|;|\n)\s*(DTSTART|TZID)/.test(text) || /TZID=/.test(text)) throw invalid('leave DTSTART and TZID out of the rule: the post’s planned time and time zone supply them.');
  if (/[\r\n]/.test(text)) throw invalid('give one RRULE line, without EXDATE or RDATE.');
  const parts = new Map<string, string>();
  for (const part of text.split(';').filter((item) => item.length > 0)) {
    const [key = '', value, ...rest] = part.split('=');
    if (value === undefined || rest.length > 0 || value.length === 0) throw invalid(`"${part}" is not a NAME=VALUE part.`);
    if (!allowedParts.has(key)) throw invalid(`${key} is not a rule part Omni supports (use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYHOUR, BYMINUTE, BYSETPOS, BYYEARDAY, BYWEEKNO, WKST).`);
    if (parts.has(key)) throw invalid(`${key} is given twice.`);
    const pattern = partPatterns[key] ?? (key === 'FREQ' ? null : integerList);
    if (pattern && !pattern.test(value)) throw invalid(`${key}=${value} is not a valid value.`);
    parts.set(key, value);
  }
  const frequency = parts.get('FREQ');
  if (!frequency) throw invalid('it has no FREQ (e.g. FREQ=WEEKLY).');
  if (!frequencies.includes(frequency)) throw invalid(`FREQ=${frequency} is not a frequency.`);
  if (frequency === 'MINUTELY' || frequency === 'SECONDLY') throw invalid('posts repeat at most hourly (FREQ=HOURLY or coarser).');
  if (parts.has('COUNT') && parts.has('UNTIL')) throw invalid('give COUNT or UNTIL, not both.');
  checkRanges(parts);
  checkReachable(frequency, parts);
  if (Number(parts.get('COUNT') ?? 0) > maxOccurrences) throw invalid(`a series has at most ${maxOccurrences} occurrences (COUNT=${parts.get('COUNT')}).`);
}

/** Inclusive ranges of the numeric list parts (negative values count from the end, zero never). */
const partRanges: Record<string, { min: number; max: number; signed: boolean }> = {
  BYHOUR: { min: 0, max: 23, signed: false },
  BYMINUTE: { min: 0, max: 59, signed: false },
  BYMONTH: { min: 1, max: 12, signed: false },
  BYMONTHDAY: { min: 1, max: 31, signed: true },
  BYYEARDAY: { min: 1, max: 366, signed: true },
  BYWEEKNO: { min: 1, max: 53, signed: true },
  BYSETPOS: { min: 1, max: 366, signed: true },
};

function checkRanges(parts: Map<string, string>): void {
  for (const [key, range] of Object.entries(partRanges)) {
    for (const item of parts.get(key)?.split(',') ?? []) {
      const value = Number(item);
      const size = range.signed ? Math.abs(value) : value;
      if (!Number.isInteger(value) || (value < 0 && !range.signed) || size < range.min || size > range.max) {
        throw invalid(`${key}=${item} is out of range (${range.signed ? '±' : ''}${range.min}–${range.max}).`);
      }
    }
  }
  for (const day of parts.get('BYDAY')?.split(',') ?? []) {
    const ordinal = Number(/^([+-]?\d+)/.exec(day)?.[1] ?? 1);
    if (ordinal === 0 || Math.abs(ordinal) > 53) throw invalid(`BYDAY=${day} is out of range.`);
  }
}

/**
 * Refuse the combinations that could never occur at a fine frequency: the expansion would search for
 * thousands of years before giving up. Coarser parts belong to monthly and yearly rules.
 */
function checkReachable(frequency: string, parts: Map<string, string>): void {
  const monthlyOrYearly = frequency === 'MONTHLY' || frequency === 'YEARLY';
  for (const key of ['BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYSETPOS']) {
    if (parts.has(key) && !monthlyOrYearly) throw invalid(`${key} is for monthly and yearly rules (FREQ=MONTHLY or FREQ=YEARLY).`);
  }
  if (!monthlyOrYearly && /\d/.test(parts.get('BYDAY') ?? '')) throw invalid('numbered weekdays (e.g. 1MO) are for monthly and yearly rules.');
  if (frequency === 'MONTHLY' && (parts.get('BYDAY') ?? '').split(',').some((day) => Math.abs(Number(/^([+-]?\d+)/.exec(day)?.[1] ?? 1)) > 5)) {
    throw invalid('a month has at most five of each weekday (1MO … 5MO, or -1MO for the last).');
  }
  const interval = Number(parts.get('INTERVAL') ?? 1);
  if (frequency === 'HOURLY' && (parts.has('BYHOUR') || parts.has('BYMINUTE'))) throw invalid('for posts at set hours use FREQ=DAILY with BYHOUR.');
  if (frequency === 'HOURLY' && interval >= 24) throw invalid('for intervals of a day or more use FREQ=DAILY.');
  if (frequency === 'DAILY' && parts.has('BYDAY') && interval % 7 === 0) throw invalid('every 7th day is always the same weekday: use FREQ=WEEKLY with BYDAY.');
  if (parts.has('BYMONTHDAY') && parts.has('BYMONTH')) {
    const longest = Math.max(...(parts.get('BYMONTH') ?? '').split(',').map((month) => [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Number(month) - 1] ?? 0));
    if ((parts.get('BYMONTHDAY') ?? '').split(',').every((day) => Math.abs(Number(day)) > longest)) throw invalid('no chosen month has the chosen day.');
  }
}

/** A wall-clock time as a "floating" Date: its UTC fields are the clock's fields. */
function floatingOf(instant: Date, timeZone: string): Date {
  const wall = wallClockIn(instant, timeZone);
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
}

function instantOf(floating: Date, timeZone: string): Date {
  return zonedTimeToInstant(
    { year: floating.getUTCFullYear(), month: floating.getUTCMonth() + 1, day: floating.getUTCDate(), hour: floating.getUTCHours(), minute: floating.getUTCMinutes(), second: floating.getUTCSeconds() },
    timeZone,
  );
}

/** A checked rule, anchored at its first occurrence, ready to expand. */
export type Series = { rule: string; timeZone: string; startsAt: Date; bounded: boolean; expander: RRuleInstance };

/**
 * Check a recurrence starting at `startsAt` (its DTSTART) and prepare its expansion: 422
 * content.recurrence_invalid for a rule finer than hourly, DTSTART/TZID inside, more than 500 occurrences
 * (an open-ended rule: in its first year), UNTIL more than two years ahead, an unknown zone, or no
 * occurrence at all. An UNTIL in UTC ("…Z") is the instant; without Z, the zone's wall clock.
 */
export function parseSeries(recurrence: Recurrence, plannedAt: Date, now = new Date()): Series {
  // Wall clocks have whole seconds: so has the series' start.
  const startsAt = new Date(Math.floor(plannedAt.getTime() / 1000) * 1000);
  const text = normalizeRule(recurrence.rule);
  checkRuleText(text);
  if (!isKnownTimeZone(recurrence.timeZone)) throw invalid(`"${recurrence.timeZone}" is not an IANA time zone (e.g. Europe/Berlin).`);
  const options = RRule.parseString(text);
  const untilText = /UNTIL=([0-9TZ]+)/.exec(text)?.[1];
  if (options.until && untilText) {
    const untilInstant = untilText.endsWith('Z') ? options.until : instantOf(options.until, recurrence.timeZone);
    const limit = new Date(now);
    limit.setUTCFullYear(limit.getUTCFullYear() + maxUntilYearsAhead);
    if (untilInstant.getTime() > limit.getTime()) throw invalid(`UNTIL may be at most ${maxUntilYearsAhead} years ahead.`);
    // A date-only UNTIL includes that whole day.
    options.until = untilText.endsWith('Z') ? floatingOf(untilInstant, recurrence.timeZone) : untilText.includes('T') ? options.until : new Date(options.until.getTime() + dayMs - 1000);
  }
  let expander: RRuleInstance;
  try {
    expander = new RRule({ ...options, dtstart: floatingOf(startsAt, recurrence.timeZone) });
  } catch (error) {
    throw invalid(`${(error as Error).message}.`);
  }
  const bounded = options.count !== undefined && options.count !== null ? true : Boolean(options.until);
  const floatingStart = floatingOf(startsAt, recurrence.timeZone);
  const firstYear = expander.between(floatingStart, new Date(floatingStart.getTime() + 366 * dayMs), true, (_date, index) => index <= maxOccurrences);
  if (firstYear.length === 0) throw invalid('it has no occurrence at all within a year of the planned time.');
  if (firstYear.length > maxOccurrences) {
    throw invalid(bounded ? `a series has at most ${maxOccurrences} occurrences.` : `an open-ended series has at most ${maxOccurrences} occurrences a year; choose a larger interval or an end.`);
  }
  if (bounded) {
    const all = expander.all((_date, index) => index <= maxOccurrences);
    if (all.length > maxOccurrences) throw invalid(`a series has at most ${maxOccurrences} occurrences.`);
  }
  return { rule: text, timeZone: recurrence.timeZone, startsAt, bounded, expander };
}

/** The series' instants in [from, to], in order (duplicates from a DST jump merged). */
export function listSeriesInstants(series: Series, from: Date, to: Date): Date[] {
  if (to.getTime() < from.getTime()) return [];
  // Floating and real time differ by the zone's offset (< 1 day): widen, then filter on instants.
  const floatingFrom = new Date(floatingOf(from, series.timeZone).getTime() - dayMs);
  const floatingTo = new Date(floatingOf(to, series.timeZone).getTime() + dayMs);
  const instants = series.expander.between(floatingFrom, floatingTo, true).map((floating) => instantOf(floating, series.timeZone));
  const seen = new Set<number>();
  return instants.filter((instant) => {
    const time = instant.getTime();
    if (time < from.getTime() || time > to.getTime() || time < series.startsAt.getTime() || seen.has(time)) return false;
    seen.add(time);
    return true;
  });
}

/** The recurrence of a create/edit body, checked against the post (422), normalized; null for a one-off post. */
export function checkPostRecurrence(recurrence: Recurrence | null | undefined, post: { plannedAt: Date | null; abNetwork: string | null }): Recurrence | null {
  if (!recurrence) return null;
  if (post.abNetwork) throw invalid('an A/B test is for one-off posts: remove the A/B test or the recurrence.');
  const series = parseSeries(recurrence, post.plannedAt ?? new Date());
  return { rule: series.rule, timeZone: series.timeZone };
}

export function previewRecurrence(ctx: ServiceContext, body: RecurrencePreviewBody): RecurrencePreview {
  assertCan(ctx, contentPermissions.read);
  const startsAt = new Date(body.startsAt);
  const series = parseSeries(body, startsAt);
  const floatingStart = floatingOf(startsAt, series.timeZone);
  const first = series.expander.all((_date, index) => index < body.limit + 2).filter((floating) => floating.getTime() >= floatingStart.getTime());
  const occurrences = [...new Map(first.map((floating) => instantOf(floating, series.timeZone)).map((at) => [at.getTime(), at])).values()]
    .slice(0, body.limit)
    .map((at) => ({ at: at.toISOString(), local: toZonedInputValue(at, series.timeZone) }));
  if (!series.bounded) return { occurrences, total: null, endsAt: null };
  const all = series.expander.all();
  const last = all[all.length - 1];
  return { occurrences, total: all.length, endsAt: last ? instantOf(last, series.timeZone).toISOString() : null };
}

const horizonOf = (config: Pick<Config, 'CONTENT_RECURRENCE_HORIZON_DAYS'>, now: Date) => new Date(now.getTime() + config.CONTENT_RECURRENCE_HORIZON_DAYS * dayMs);

const seriesOf = (post: PostRow, startsAt: Date): Series | null =>
  post.recurrenceRule && post.recurrenceTimezone ? parseSeries({ rule: post.recurrenceRule, timeZone: post.recurrenceTimezone }, startsAt) : null;

/**
 * When scheduling a post at `at`: [at] for a one-off post; for a series starting at `at`, its instants from
 * its start (or now, when it started already) to the horizon after that (422 when none is left).
 */
export function scheduleInstantsOf(post: PostRow, at: Date, config: Pick<Config, 'CONTENT_RECURRENCE_HORIZON_DAYS'>, now = new Date()): Date[] {
  const series = seriesOf(post, at);
  if (!series) return [at];
  // A series starting later is materialized from its start: the calendar shows it at once.
  const from = now.getTime() > series.startsAt.getTime() ? now : series.startsAt;
  const instants = listSeriesInstants(series, from, horizonOf(config, from));
  if (instants.length === 0) throw invalid('no occurrence of this series is left ahead of now.');
  return instants;
}

/**
 * Materialize `instants` of the post (scheduleOccurrencesInTx) and, for a series, record the latest of them
 * as how far its rule is materialized. Returns the occurrences created.
 */
export async function materializeOccurrencesInTx(tx: Tx, actor: SchedulingActor, state: PostState, instants: Date[]): Promise<OccurrenceRow[]> {
  const created = await scheduleOccurrencesInTx(tx, actor, state, instants);
  const latest = instants.reduce<Date | null>((max, at) => (max && max.getTime() >= at.getTime() ? max : at), null);
  if (state.post.recurrenceRule && latest) await updateSeriesMaterializedUntil(tx, state.post.id, latest);
  return created;
}

/**
 * After an edit changed the recurrence of a scheduled post: occurrences from now on are cancelled (their
 * still-scheduled targets too) and re-made from the new rule up to the horizon; past and published ones stay.
 * Removing the recurrence of a series that has started is refused (409): end it with UNTIL or unschedule.
 */
export async function replaceFutureOccurrences(tx: Tx, actor: SchedulingActor, before: PostState, after: PostState, options: { applyToUnpublished: boolean }): Promise<RefusedTarget[]> {
  const now = new Date();
  const plannedAt = after.post.plannedAt ?? before.post.plannedAt;
  if (!plannedAt) return [];
  const series = seriesOf(after.post, plannedAt);
  const started = before.occurrences.some((occurrence) => occurrence.status !== 'cancelled' && occurrence.occursAt.getTime() < now.getTime());
  if (!series && started) throw conflict('content.series_started', 'This series has already started: to stop it, give the rule an end (UNTIL or COUNT), or unschedule the post.');
  const instants = series ? listSeriesInstants(series, now, horizonOf(actor.config, now)) : plannedAt.getTime() > now.getTime() ? [plannedAt] : [];
  if (instants.length === 0) throw invalid('no occurrence of this series is left ahead of now.');
  const { refused } = await cancelOccurrencesFrom(tx, after, now, `recurrence changed in revision ${after.post.currentRevision}`);
  if (refused.length > 0 && !options.applyToUnpublished) throw partlyPublished(refused);
  await materializeOccurrencesInTx(tx, actor, await loadPostState(tx, after.post.id, { accountId: after.post.accountId }), instants);
  return refused;
}

/** True when the edit changed the post's recurrence (rule or zone). */
export function recurrenceChanged(before: PostRow, after: PostRow): boolean {
  return before.recurrenceRule !== after.recurrenceRule || before.recurrenceTimezone !== after.recurrenceTimezone;
}

const finished = new Set(['published', 'partially_published', 'failed']);

/**
 * A series whose rule has no instant left: once its last occurrences are done, the post is published
 * (every occurrence out), partially published (some) or failed (none), as a one-off post becomes.
 */
async function finishSeries(tenantId: string, tx: Tx, state: PostState): Promise<void> {
  const live = (await selectOccurrences(tx, state.post.id)).filter((occurrence) => occurrence.status !== 'cancelled');
  if (live.length === 0 || !live.every((occurrence) => finished.has(occurrence.status))) return;
  const published = live.filter((occurrence) => occurrence.status === 'published').length;
  const status = published === live.length ? 'published' : live.some((occurrence) => occurrence.status !== 'failed') ? 'partially_published' : 'failed';
  await updatePostState(tx, state.post.id, { status });
  await emitEvent(tx, {
    tenantId,
    type: status === 'failed' ? 'content.post_failed' : 'content.post_published',
    payload: { postId: state.post.id, accountId: state.post.accountId, status, occurrenceId: live[live.length - 1]!.id },
  });
}

/**
 * The tenant's part of the daily extension: every scheduled series not yet materialized up to the horizon
 * gets the rule's instants after its materialized-up-to marker (not its latest occurrence: a person may
 * have moved that one earlier); a series with none left is finished once its
 * occurrences are done. A series that cannot be extended (its connection gone) is logged and skipped, the
 * others go on. Idempotent.
 */
export async function extendTenantRecurrences(
  ctx: { tenantId: string; config: Config; logger: { warn: (object: object, message: string) => void } },
  tx: Tx,
  now = new Date(),
): Promise<number> {
  const horizon = horizonOf(ctx.config, now);
  let created = 0;
  for (const due of await selectDueSeries(tx, horizon)) {
    const state = await loadPostState(tx, due.postId, { accountId: due.accountId });
    if (!state.post.plannedAt) continue;
    const series = seriesOf(state.post, state.post.plannedAt);
    if (!series) continue;
    const after = due.materializedUntil ? new Date(due.materializedUntil.getTime() + 1) : state.post.plannedAt;
    const instants = listSeriesInstants(series, after.getTime() > now.getTime() ? after : now, horizon);
    if (instants.length === 0) {
      if (due.materializedUntil && series.expander.after(floatingOf(due.materializedUntil, series.timeZone)) === null) await finishSeries(ctx.tenantId, tx, state);
      continue;
    }
    await tx.execute(sql`SAVEPOINT content_extend_series`);
    try {
      const occurrences = await materializeOccurrencesInTx(tx, { tenantId: ctx.tenantId, accountId: due.accountId, userId: null, config: ctx.config }, state, instants);
      created += occurrences.length;
      await tx.execute(sql`RELEASE SAVEPOINT content_extend_series`);
    } catch (error) {
      if (!isAppError(error)) throw error;
      await tx.execute(sql`ROLLBACK TO SAVEPOINT content_extend_series`);
      ctx.logger.warn({ postId: due.postId, err: error }, 'content: a recurring series could not be extended');
    }
  }
  return created;
}
