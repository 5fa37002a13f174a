import { z } from 'zod';

/**
 * Feeds (blog-to-social): RSS/Atom subscriptions polled by the worker, signed inbound webhooks per tenant,
 * and the articles ("entries") both receive. Each new entry becomes a draft post in review.
 */

const timestampSchema = z.iso.datetime();
const uuidSchema = z.uuid('Id must be a UUID.');

/** A feed or article URL: http(s), at most 2048 characters (the server's fetch policy decides the rest). */
export const feedUrlSchema = z.url({ protocol: /^https?$/, error: 'Use an https URL.' }).trim().max(2048, 'URL must be at most 2048 characters.');

export const feedSubscriptionStatusSchema = z.enum(['active', 'paused', 'failing']);
export type FeedSubscriptionStatus = z.infer<typeof feedSubscriptionStatusSchema>;
export const feedBackfillSchema = z.enum(['none', 'latest']);
export type FeedBackfill = z.infer<typeof feedBackfillSchema>;

const connectionIdsSchema = z.array(uuidSchema).max(20, 'At most 20 connections.');
const templateIdSchema = uuidSchema.nullable();
const pollIntervalSchema = z.number().int('Whole minutes.').min(1).max(10_080, 'At most one week (10080 minutes).');

export const feedSubscriptionSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  url: z.string(),
  title: z.string().nullable(),
  format: z.enum(['rss', 'atom']).nullable(),
  status: feedSubscriptionStatusSchema,
  pollIntervalMinutes: z.number().int(),
  lastPolledAt: timestampSchema.nullable(),
  nextPollAt: timestampSchema,
  consecutiveFailures: z.number().int(),
  lastError: z.string().nullable(),
  templateId: z.uuid().nullable(),
  connectionIds: z.array(z.uuid()),
  backfill: feedBackfillSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type FeedSubscription = z.infer<typeof feedSubscriptionSchema>;

export const feedSubscriptionListSchema = z.object({ items: z.array(feedSubscriptionSchema) });
export type FeedSubscriptionList = z.infer<typeof feedSubscriptionListSchema>;

export const createFeedSubscriptionBodySchema = z.object({
  url: feedUrlSchema,
  templateId: templateIdSchema.default(null),
  connectionIds: connectionIdsSchema.default([]),
  /** At least FEEDS_POLL_MIN_MINUTES (the server says which). Default 30. */
  pollIntervalMinutes: pollIntervalSchema.default(30),
  /** none: the first poll records existing entries without drafts; latest: the newest one becomes a draft. */
  backfill: feedBackfillSchema.default('none'),
});
export type CreateFeedSubscriptionBody = z.infer<typeof createFeedSubscriptionBodySchema>;
export type CreateFeedSubscriptionInput = z.input<typeof createFeedSubscriptionBodySchema>;

export const updateFeedSubscriptionBodySchema = z.object({
  templateId: templateIdSchema.optional(),
  connectionIds: connectionIdsSchema.optional(),
  pollIntervalMinutes: pollIntervalSchema.optional(),
  /** Pause or resume; resuming a failing subscription polls it again now. */
  status: z.enum(['active', 'paused']).optional(),
});
export type UpdateFeedSubscriptionBody = z.infer<typeof updateFeedSubscriptionBodySchema>;

export const feedPreviewBodySchema = z.object({ url: feedUrlSchema });
export type FeedPreviewBody = z.infer<typeof feedPreviewBodySchema>;

export const feedPreviewEntrySchema = z.object({
  key: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  publishedAt: timestampSchema.nullable(),
  imageUrl: z.string().nullable(),
});
export const feedPreviewSchema = z.object({
  url: z.string(),
  title: z.string().nullable(),
  format: z.enum(['rss', 'atom']),
  link: z.string().nullable(),
  /** Newest first, at most 10. */
  entries: z.array(feedPreviewEntrySchema),
});
export type FeedPreview = z.infer<typeof feedPreviewSchema>;

export const feedPollResultSchema = z.object({
  subscription: feedSubscriptionSchema,
  outcome: z.enum(['new_entries', 'no_new_entries', 'not_modified', 'failed']),
  newEntries: z.number().int(),
});
export type FeedPollResult = z.infer<typeof feedPollResultSchema>;

export const feedIdParamsSchema = z.object({ id: uuidSchema });

// ------------------------------------------------------------------------------------------ webhooks

export const feedWebhookEndpointSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  name: z.string(),
  /** Where the blog posts its articles (public; the id is not a secret, the signature is what counts). */
  url: z.string(),
  templateId: z.uuid().nullable(),
  connectionIds: z.array(z.uuid()),
  status: z.enum(['active', 'disabled']),
  lastReceivedAt: timestampSchema.nullable(),
  /** After a rotation the previous secret still verifies until then. */
  previousSecretExpiresAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type FeedWebhookEndpoint = z.infer<typeof feedWebhookEndpointSchema>;

export const feedWebhookEndpointListSchema = z.object({ items: z.array(feedWebhookEndpointSchema) });
export type FeedWebhookEndpointList = z.infer<typeof feedWebhookEndpointListSchema>;

/** Returned once, at creation and rotation: the secret is never shown again. */
export const feedWebhookSecretSchema = z.object({
  endpoint: feedWebhookEndpointSchema,
  secret: z.string(),
  /** The header a sender computes: Omni-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>. */
  signatureHeader: z.literal('Omni-Signature'),
});
export type FeedWebhookSecret = z.infer<typeof feedWebhookSecretSchema>;

export const createFeedWebhookBodySchema = z.object({
  name: z.string().trim().min(1, 'Name the endpoint.').max(120, 'Name must be at most 120 characters.'),
  templateId: templateIdSchema.default(null),
  connectionIds: connectionIdsSchema.default([]),
});
export type CreateFeedWebhookBody = z.infer<typeof createFeedWebhookBodySchema>;
export type CreateFeedWebhookInput = z.input<typeof createFeedWebhookBodySchema>;

export const updateFeedWebhookBodySchema = z.object({
  name: z.string().trim().min(1, 'Name the endpoint.').max(120, 'Name must be at most 120 characters.').optional(),
  templateId: templateIdSchema.optional(),
  connectionIds: connectionIdsSchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
});
export type UpdateFeedWebhookBody = z.infer<typeof updateFeedWebhookBodySchema>;

/** The article a blog posts to its webhook endpoint (JSON body, signed). */
export const webhookArticleSchema = z.object({
  /** The article's stable id on the blog: a second delivery with the same id is a duplicate. */
  id: z.string().trim().min(1).max(500),
  title: z.string().trim().min(1).max(500),
  url: feedUrlSchema,
  summary: z.string().max(5000).optional(),
  contentHtml: z.string().max(200_000).optional(),
  imageUrl: feedUrlSchema.optional(),
  author: z.string().trim().max(200).optional(),
  publishedAt: z.iso.datetime({ offset: true }).optional(),
  tags: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
});
export type WebhookArticle = z.infer<typeof webhookArticleSchema>;

export const webhookAcceptedSchema = z.object({ entryId: z.uuid(), duplicate: z.boolean() });
export type WebhookAccepted = z.infer<typeof webhookAcceptedSchema>;

export const webhookEndpointParamsSchema = z.object({ endpointId: uuidSchema });

// ------------------------------------------------------------------------------------------ entries

export const feedEntryStatusSchema = z.enum(['pending', 'skipped', 'drafted', 'failed']);
export type FeedEntryStatus = z.infer<typeof feedEntryStatusSchema>;

export const feedEntrySchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  sourceType: z.enum(['feed', 'webhook']),
  sourceId: z.uuid(),
  title: z.string(),
  url: z.string().nullable(),
  imageUrl: z.string().nullable(),
  publishedAt: timestampSchema.nullable(),
  receivedAt: timestampSchema,
  status: feedEntryStatusSchema,
  postId: z.uuid().nullable(),
  error: z.string().nullable(),
});
export type FeedEntry = z.infer<typeof feedEntrySchema>;

export const feedEntryListQuerySchema = z.object({
  sourceType: z.enum(['feed', 'webhook']).optional(),
  sourceId: uuidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type FeedEntryListQuery = z.infer<typeof feedEntryListQuerySchema>;

export const feedEntryListSchema = z.object({ items: z.array(feedEntrySchema) });
export type FeedEntryList = z.infer<typeof feedEntryListSchema>;
