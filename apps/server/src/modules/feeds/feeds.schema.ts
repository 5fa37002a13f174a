import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Drizzle mirrors of the feeds tables in migrations/0012_feeds.sql (the SQL is the source of truth:
 * constraints, indexes and row-level security live there). Columns ending in _encrypted hold
 * kernel/crypto/secrets.ts payloads, never plaintext.
 */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const feedSubscriptions = pgTable('feed_subscriptions', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  url: text('url').notNull(),
  title: text('title'),
  format: text('format', { enum: ['rss', 'atom'] }),
  status: text('status', { enum: ['active', 'paused', 'failing'] }).notNull().default('active'),
  pollIntervalMinutes: integer('poll_interval_minutes').notNull().default(30),
  etag: text('etag'),
  lastModified: text('last_modified'),
  lastPolledAt: timestamptz('last_polled_at'),
  nextPollAt: timestamptz('next_poll_at').notNull().defaultNow(),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  lastError: text('last_error'),
  firstPolledAt: timestamptz('first_polled_at'),
  templateId: uuid('template_id'),
  connectionIds: uuid('connection_ids').array().notNull().default([]),
  backfill: text('backfill', { enum: ['none', 'latest'] }).notNull().default('none'),
  createdBy: uuid('created_by'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const feedWebhookEndpoints = pgTable('feed_webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  name: text('name').notNull(),
  secretEncrypted: text('secret_encrypted').notNull(),
  previousSecretEncrypted: text('previous_secret_encrypted'),
  previousSecretExpiresAt: timestamptz('previous_secret_expires_at'),
  templateId: uuid('template_id'),
  connectionIds: uuid('connection_ids').array().notNull().default([]),
  status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
  lastReceivedAt: timestamptz('last_received_at'),
  createdBy: uuid('created_by'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const feedEntries = pgTable('feed_entries', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  sourceType: text('source_type', { enum: ['feed', 'webhook'] }).notNull(),
  sourceId: uuid('source_id').notNull(),
  entryKey: text('entry_key').notNull(),
  title: text('title').notNull(),
  url: text('url'),
  summary: text('summary'),
  contentHtml: text('content_html'),
  imageUrl: text('image_url'),
  author: text('author'),
  tags: text('tags').array().notNull().default([]),
  publishedAt: timestamptz('published_at'),
  receivedAt: timestamptz('received_at').notNull().defaultNow(),
  status: text('status', { enum: ['pending', 'skipped', 'drafted', 'failed'] }).notNull().default('pending'),
  postId: uuid('post_id'),
  error: text('error'),
  processedAt: timestamptz('processed_at'),
});

export const feedWebhookReceipts = pgTable(
  'feed_webhook_receipts',
  {
    tenantId: uuid('tenant_id').notNull(),
    endpointId: uuid('endpoint_id').notNull(),
    signatureSha256: text('signature_sha256').notNull(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.endpointId, table.signatureSha256] })],
);

export type SubscriptionRow = typeof feedSubscriptions.$inferSelect;
export type WebhookEndpointRow = typeof feedWebhookEndpoints.$inferSelect;
export type EntryRow = typeof feedEntries.$inferSelect;
export type NewEntry = typeof feedEntries.$inferInsert;
