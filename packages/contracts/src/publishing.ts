import { z } from 'zod';

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
