import { z } from 'zod';

/**
 * Recurring posts and A/B comparison (docs/design/content-studio.md §6.2, §7.4): a post's recurrence rule
 * (RFC 5545 RRULE without DTSTART, expanded in the wall-clock time of its zone), the preview of the next
 * occurrences, and the outcome of an A/B test with the winner override.
 */

const timestampSchema = z.iso.datetime();
const instantSchema = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' });

/** An RRULE body ("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10"); an optional leading "RRULE:" is accepted. */
export const recurrenceRuleSchema = z.string().trim().min(1, 'A recurrence needs a rule, e.g. FREQ=WEEKLY;BYDAY=TU.').max(500, 'A recurrence rule has at most 500 characters.');

/** A post's recurrence: the rule and the IANA zone its wall-clock times are read in. */
export const recurrenceSchema = z.object({
  rule: recurrenceRuleSchema,
  timeZone: z.string().trim().min(1).max(64),
});
export type Recurrence = z.infer<typeof recurrenceSchema>;

export const recurrencePreviewBodySchema = recurrenceSchema.extend({
  /** The first occurrence (DTSTART). */
  startsAt: instantSchema,
  limit: z.number().int().min(1).max(20).default(10),
});
export type RecurrencePreviewBody = z.infer<typeof recurrencePreviewBodySchema>;

export const recurrencePreviewSchema = z.object({
  /** The first `limit` occurrences: the instant and the wall-clock time in the zone ("2030-03-26T09:00"). */
  occurrences: z.array(z.object({ at: timestampSchema, local: z.string() })),
  /** How many occurrences the series has; null when it never ends. */
  total: z.number().int().nullable(),
  /** The last occurrence; null when the series never ends. */
  endsAt: timestampSchema.nullable(),
});
export type RecurrencePreview = z.infer<typeof recurrencePreviewSchema>;

// ---------------------------------------------------------------- A/B

const abLabel = z.enum(['A', 'B']);

export const abVariantResultSchema = z.object({
  variantId: z.uuid(),
  /** Published targets of the variant with an engagement snapshot / in all. */
  measuredTargets: z.number().int(),
  targets: z.number().int(),
  /** Likes + comments + shares + clicks of the latest snapshot of each target, summed. */
  engagement: z.number(),
  /** Summed impressions; null when a target has none. */
  impressions: z.number().nullable(),
  /** The compared score: engagement per impression (metric engagement_rate) or engagement. */
  score: z.number(),
});
export const abResultSchema = z.object({
  A: abVariantResultSchema,
  B: abVariantResultSchema,
  metric: z.enum(['engagement_rate', 'engagement']),
  /** Within 5 % of each other: no winner. */
  tie: z.boolean(),
  comparedAt: timestampSchema,
});
export type AbResult = z.infer<typeof abResultSchema>;

export const abOutcomeSchema = z.object({
  postId: z.uuid(),
  network: z.string(),
  variants: z.array(z.object({ id: z.uuid(), label: abLabel })),
  winnerVariantId: z.uuid().nullable(),
  winnerLabel: abLabel.nullable(),
  decidedAt: timestampSchema.nullable(),
  /** The person who marked the winner; null with decidedAt: the automatic comparison. */
  decidedBy: z.uuid().nullable(),
  /** The comparison (73 h after B was published); null until it ran. */
  result: abResultSchema.nullable(),
});
export type AbOutcome = z.infer<typeof abOutcomeSchema>;

export const abWinnerBodySchema = z.object({ variantId: z.uuid('Name the winning variant by its id.') });
export type AbWinnerBody = z.infer<typeof abWinnerBodySchema>;
