import { z } from 'zod';
import { timeZoneSchema } from './identity.js';

/**
 * Publishing: post targets (one post on one social connection), scheduled, published exactly once,
 * with their attempts, state transitions and engagement metrics.
 */

const timestampSchema = z.iso.datetime();
const instantSchema = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' });

export const publishTargetStatusSchema = z.enum(['scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled', 'late']);
export type PublishTargetStatus = z.infer<typeof publishTargetStatusSchema>;

const httpUrlSchema = z
  .string()
  .trim()
  .max(2048, 'URL must be at most 2048 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'Use an http(s) URL.');

export const publishMediaSchema = z.object({
  url: httpUrlSchema,
  kind: z.enum(['image', 'video']),
  altText: z.string().trim().max(1000, 'Alt text must be at most 1000 characters.').nullable().default(null),
  mimeType: z.string().trim().max(100).nullable().default(null),
});

export const publishContentSchema = z
  .object({
    text: z.string().max(20_000, 'Text must be at most 20,000 characters.').default(''),
    media: z.array(publishMediaSchema).max(20, 'At most 20 media items.').default([]),
    link: httpUrlSchema.nullable().default(null),
    /** Network-specific fields, e.g. { boardId, title } for Pinterest. */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((content) => content.text.trim().length > 0 || content.media.length > 0, {
    message: 'A post needs text or at least one media item.',
    path: ['text'],
  });
export type PublishContentInput = z.input<typeof publishContentSchema>;
export type PublishContentBody = z.infer<typeof publishContentSchema>;

export const createPublishTargetBodySchema = z.object({
  connectionId: z.uuid('Connection id must be a UUID.'),
  content: publishContentSchema,
  /** null or absent: publish now. */
  scheduledAt: instantSchema.nullable().optional(),
});
export type CreatePublishTargetBody = z.infer<typeof createPublishTargetBodySchema>;

export const reschedulePublishTargetBodySchema = z.object({ scheduledAt: instantSchema });
export type ReschedulePublishTargetBody = z.infer<typeof reschedulePublishTargetBodySchema>;

export const publishTargetIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });

export const publishTargetSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  connectionId: z.uuid(),
  network: z.string(),
  content: z.object({
    text: z.string(),
    media: z.array(z.object({ url: z.string(), kind: z.enum(['image', 'video']), altText: z.string().nullable(), mimeType: z.string().nullable() })),
    link: z.string().nullable(),
    options: z.record(z.string(), z.unknown()),
  }),
  scheduledAt: timestampSchema,
  status: publishTargetStatusSchema,
  attemptCount: z.number().int(),
  nextAttemptAt: timestampSchema.nullable(),
  externalId: z.string().nullable(),
  externalUrl: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorKind: z.string().nullable(),
  publishedAt: timestampSchema.nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type PublishTarget = z.infer<typeof publishTargetSchema>;

export const publishAttemptSchema = z.object({
  attemptNumber: z.number().int(),
  startedAt: timestampSchema,
  finishedAt: timestampSchema.nullable(),
  outcome: z.enum(['published', 'retry', 'failed', 'unknown_outcome']).nullable(),
  errorKind: z.string().nullable(),
  errorMessage: z.string().nullable(),
});
export type PublishAttempt = z.infer<typeof publishAttemptSchema>;

export const publishTransitionSchema = z.object({
  from: publishTargetStatusSchema.nullable(),
  to: publishTargetStatusSchema,
  reason: z.string(),
  at: timestampSchema,
});
export type PublishTransition = z.infer<typeof publishTransitionSchema>;

export const engagementMetricsSchema = z.object({
  collectedAt: timestampSchema,
  likes: z.number().int().nullable(),
  comments: z.number().int().nullable(),
  shares: z.number().int().nullable(),
  impressions: z.number().int().nullable(),
  clicks: z.number().int().nullable(),
});
export type EngagementMetricsSnapshot = z.infer<typeof engagementMetricsSchema>;

export const publishTargetDetailSchema = publishTargetSchema.extend({
  attempts: z.array(publishAttemptSchema),
  transitions: z.array(publishTransitionSchema),
  latestMetrics: engagementMetricsSchema.nullable(),
});
export type PublishTargetDetail = z.infer<typeof publishTargetDetailSchema>;

export const publishTargetListQuerySchema = z.object({
  status: publishTargetStatusSchema.optional(),
  network: z.string().trim().min(1).max(40, 'Network must be at most 40 characters.').optional(),
  connectionId: z.uuid('Connection id must be a UUID.').optional(),
  /** Scheduled at or after. */
  from: instantSchema.optional(),
  /** Scheduled before. */
  to: instantSchema.optional(),
  limit: z.coerce.number().int('Limit must be a whole number.').min(1, 'Limit must be at least 1.').max(100, 'Limit must be at most 100.').default(25),
  cursor: z.string().min(1).max(500).optional(),
});
export type PublishTargetListQuery = z.infer<typeof publishTargetListQuerySchema>;

export const publishTargetListSchema = z.object({ items: z.array(publishTargetSchema), nextCursor: z.string().nullable() });
export type PublishTargetList = z.infer<typeof publishTargetListSchema>;

/**
 * A person's verdict on an unconfirmed post (they looked on the network): it is there (published; the
 * post's id and address when they have them), or it is not (retry: publish again now, with a new
 * idempotency key; fail: give up). `note` is added to the recorded reason.
 */
const resolutionNoteSchema = z.string().trim().max(500, 'The note must be at most 500 characters.').optional();
export const resolvePublishTargetBodySchema = z.discriminatedUnion(
  'outcome',
  [
    z
      .object({
        outcome: z.literal('published'),
        externalId: z.string().trim().min(1, 'The post id cannot be empty.').max(500, 'The post id must be at most 500 characters.').optional(),
        url: httpUrlSchema.optional(),
        note: resolutionNoteSchema,
      })
      .strict(),
    z.object({ outcome: z.literal('not_published'), action: z.enum(['retry', 'fail'], 'Choose retry or fail.'), note: resolutionNoteSchema }).strict(),
  ],
  'Choose an outcome: published or not_published.',
);
export type ResolvePublishTargetBody = z.infer<typeof resolvePublishTargetBodySchema>;

/** Retry a failed or late post: now, or at `scheduledAt`. */
export const retryPublishTargetBodySchema = z.object({ scheduledAt: instantSchema.optional() }).strict();
export type RetryPublishTargetBody = z.infer<typeof retryPublishTargetBodySchema>;

/** Bounds of the missed-post allowance (seconds), as the database checks them. */
export const lateAfterSecondsBounds = { min: 60, max: 30 * 24 * 3600 } as const;

/**
 * The active account's publishing settings. Missed-post policy: a post missed while no worker ran is still
 * published when at most `lateAfterSeconds` late, else marked late. `timezone`: the zone the console plans
 * and shows the account's posts in (null: each viewer's own).
 */
export const publishingSettingsSchema = z.object({
  accountId: z.uuid(),
  lateAfterSeconds: z.number().int(),
  /** True when the account keeps the server's default allowance. */
  lateAfterSecondsIsDefault: z.boolean(),
  defaultLateAfterSeconds: z.number().int(),
  timezone: z.string().nullable(),
  updatedBy: z.uuid().nullable(),
  updatedAt: timestampSchema.nullable(),
});
export type PublishingSettings = z.infer<typeof publishingSettingsSchema>;

export const updatePublishingSettingsBodySchema = z
  .object({
    /** null: back to the server's default. */
    lateAfterSeconds: z
      .number('The allowance must be a number of seconds.')
      .int('The allowance must be a whole number of seconds.')
      .min(lateAfterSecondsBounds.min, 'Allow at least 60 seconds.')
      .max(lateAfterSecondsBounds.max, 'Allow at most 30 days.')
      .nullable(),
    timezone: timeZoneSchema.nullable(),
  })
  .strict();
export type UpdatePublishingSettingsBody = z.infer<typeof updatePublishingSettingsBodySchema>;
