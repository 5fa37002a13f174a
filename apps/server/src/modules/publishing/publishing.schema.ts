import { bigint, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Drizzle mirror of migrations/0004_publishing.sql, 0006_publishing_settings.sql and 0022_publish_metrics_due.sql (the SQL holds the checks, indexes and row-level
 * security). The queries use raw SQL for locking and window functions; these definitions document the
 * shape and type the rows.
 */
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const publishTargets = pgTable('publish_targets', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  connectionId: uuid('connection_id').notNull(),
  network: text('network').notNull(),
  content: jsonb('content').notNull(),
  scheduledAt: at('scheduled_at').notNull(),
  status: text('status').notNull(),
  attemptCount: integer('attempt_count').notNull().default(0),
  /** Attempts before the latest retry by a person; PUBLISH_MAX_ATTEMPTS counts the ones after it. */
  attemptBase: integer('attempt_base').notNull().default(0),
  nextAttemptAt: at('next_attempt_at'),
  dispatchedAt: at('dispatched_at'),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  externalId: text('external_id'),
  externalUrl: text('external_url'),
  lastError: text('last_error'),
  lastErrorKind: text('last_error_kind'),
  publishedAt: at('published_at'),
  /** The first engagement snapshot is due then and not queued yet (0022): publishing.queue-metrics queues it. */
  metricsDueAt: at('metrics_due_at'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const publishTargetTransitions = pgTable('publish_target_transitions', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  tenantId: uuid('tenant_id').notNull(),
  targetId: uuid('target_id').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  reason: text('reason').notNull(),
  at: at('at').notNull().defaultNow(),
});

export const publishAttempts = pgTable('publish_attempts', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  targetId: uuid('target_id').notNull(),
  attemptNumber: integer('attempt_number').notNull(),
  idempotencyKey: text('idempotency_key').notNull(),
  startedAt: at('started_at').notNull().defaultNow(),
  finishedAt: at('finished_at'),
  outcome: text('outcome'),
  errorKind: text('error_kind'),
  errorMessage: text('error_message'),
  /** The target's connection and network, copied by a trigger (0005): the rate windows count by them. */
  connectionId: uuid('connection_id').notNull(),
  network: text('network').notNull(),
  /** A 429's Retry-After: the connection is not called again before this. */
  retryNotBefore: at('retry_not_before'),
});

export const engagementMetrics = pgTable('engagement_metrics', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  tenantId: uuid('tenant_id').notNull(),
  targetId: uuid('target_id').notNull(),
  collectedAt: at('collected_at').notNull().defaultNow(),
  likes: integer('likes'),
  comments: integer('comments'),
  shares: integer('shares'),
  impressions: integer('impressions'),
  clicks: integer('clicks'),
});

/** Per-account publishing settings (0006); no row means the defaults. */
export const publishingSettings = pgTable('publishing_settings', {
  accountId: uuid('account_id').primaryKey(),
  tenantId: uuid('tenant_id').notNull(),
  lateAfterSeconds: integer('late_after_seconds'),
  timezone: text('timezone'),
  updatedBy: uuid('updated_by'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
