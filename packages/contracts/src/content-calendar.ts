import { z } from 'zod';
import { contentNetworkSchema, reviewStageSchema, scheduleConflictSchema } from './content.js';
import { publishTargetStatusSchema } from './publishing.js';

/**
 * Content calendar and best-time suggestions (docs/design/content-studio.md §7.1, §7.3). Times are ISO
 * instants; `timeZone` says which clock the calendar is drawn in (the account's, null: the viewer's own).
 */

const instantSchema = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' });
const timestampSchema = z.iso.datetime();

/** The longest span one calendar request may cover: a month view with its overflow weeks. */
export const calendarMaxRangeDays = 62;
/** The longest span best times look ahead. */
export const bestTimesMaxDays = 14;

/**
 * A query parameter that may repeat (`?network=x&network=facebook`); a single value arrives as a string,
 * a comma-separated list is accepted too.
 */
function repeatable<T extends z.ZodType>(item: T, max = 50) {
  return z.preprocess(
    (value) => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === 'string' ? part.split(',').map((piece) => piece.trim()).filter(Boolean) : [part]))),
    z.array(item).max(max, `At most ${max} values.`).optional(),
  );
}

/** What a calendar item's status can be: a post's before scheduling, an occurrence's after. */
export const calendarItemStatusSchema = z.enum(['draft', 'in_review', 'changes_requested', 'rejected', 'approved', 'scheduled', 'published', 'partially_published', 'failed', 'needs_attention']);
export type CalendarItemStatus = z.infer<typeof calendarItemStatusSchema>;

export const calendarQuerySchema = z.object({
  from: instantSchema,
  to: instantSchema,
  /** Other accounts than the active one: tenant owners and admins only. */
  accountId: repeatable(z.uuid('Account ids must be UUIDs.'), 20),
  network: repeatable(contentNetworkSchema),
  connectionId: repeatable(z.uuid('Connection ids must be UUIDs.')),
  status: repeatable(calendarItemStatusSchema),
  tag: repeatable(z.string().trim().toLowerCase().min(1).max(40)),
});
export type CalendarQuery = z.infer<typeof calendarQuerySchema>;

export const calendarTargetSchema = z.object({
  targetId: z.uuid(),
  connectionId: z.uuid(),
  network: contentNetworkSchema,
  /** The connection's destination (page, profile, board), null when the connection is gone. */
  destinationName: z.string().nullable(),
  status: publishTargetStatusSchema,
  scheduledAt: timestampSchema,
  publishedAt: timestampSchema.nullable(),
  /** Where the published post lives on the network. */
  externalUrl: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type CalendarTarget = z.infer<typeof calendarTargetSchema>;

export const calendarItemSchema = z.object({
  postId: z.uuid(),
  accountId: z.uuid(),
  /** Null for a post not scheduled yet (shown at its planned time). */
  occurrenceId: z.uuid().nullable(),
  at: timestampSchema,
  title: z.string().nullable(),
  excerpt: z.string(),
  status: calendarItemStatusSchema,
  reviewStage: reviewStageSchema.nullable(),
  tags: z.array(z.string()),
  networks: z.array(contentNetworkSchema),
  isRecurring: z.boolean(),
  ab: z.object({ network: contentNetworkSchema, winner: z.enum(['A', 'B']).nullable() }).nullable(),
  targets: z.array(calendarTargetSchema),
  /** What this item meets on its connections (gap, daily cap, network window); only for items still to go out. */
  conflicts: z.array(scheduleConflictSchema),
});
export type CalendarItem = z.infer<typeof calendarItemSchema>;

export const calendarSchema = z.object({
  items: z.array(calendarItemSchema),
  /** The account's IANA zone (the first account's when several are shown); null: none set. */
  timeZone: z.string().nullable(),
});
export type Calendar = z.infer<typeof calendarSchema>;

export const bestTimesQuerySchema = z.object({
  network: contentNetworkSchema,
  /** Skip slots that conflict on this connection (default: on any connection of the network). */
  connectionId: z.uuid('Connection ids must be UUIDs.').optional(),
  /** Start of the search (default: now). */
  from: instantSchema.optional(),
  days: z.coerce.number('Days must be a number.').int('Days must be a whole number.').min(1, 'Look at least 1 day ahead.').max(bestTimesMaxDays, `Look at most ${bestTimesMaxDays} days ahead.`).default(7),
  /** The viewer's zone, used only when the account has none. */
  timeZone: z.string().min(1).max(64).optional(),
});
export type BestTimesQuery = z.infer<typeof bestTimesQuerySchema>;

export const bestTimeSourceSchema = z.enum(['learned', 'default']);
export type BestTimeSource = z.infer<typeof bestTimeSourceSchema>;

export const bestTimeSlotSchema = z.object({
  at: timestampSchema,
  /** The wall-clock time in the zone, "YYYY-MM-DDTHH:mm". */
  local: z.string(),
  source: bestTimeSourceSchema,
  /** Learned: the bucket's engagement shrunk toward the network mean; default: null. */
  score: z.number().nullable(),
  /** Published posts with metrics in the slot's (weekday, hour) bucket. */
  samples: z.number().int(),
});
export type BestTimeSlot = z.infer<typeof bestTimeSlotSchema>;

export const bestTimesSchema = z.object({
  network: contentNetworkSchema,
  timeZone: z.string(),
  /** learned once the account has enough published posts with metrics on the network. */
  source: bestTimeSourceSchema,
  /** Published posts with metrics on the network in the last 90 days. */
  samples: z.number().int(),
  /** How many such posts make the suggestions learned. */
  threshold: z.number().int(),
  slots: z.array(bestTimeSlotSchema),
});
export type BestTimes = z.infer<typeof bestTimesSchema>;
