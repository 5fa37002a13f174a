import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Drizzle mirrors of the social tables in migrations/0003_social.sql (the SQL is the source of truth:
 * constraints, indexes and row-level security live there). Columns ending in _encrypted hold
 * kernel/crypto/secrets.ts payloads, never plaintext.
 */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const socialConnections = pgTable('social_connections', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  network: text('network', { enum: ['facebook', 'instagram', 'pinterest', 'x', 'linkedin', 'sandbox'] }).notNull(),
  destinationId: text('destination_id').notNull(),
  destinationName: text('destination_name').notNull(),
  destinationKind: text('destination_kind', { enum: ['page', 'instagram_account', 'board', 'profile', 'organization', 'sandbox'] }).notNull(),
  destinationPictureUrl: text('destination_picture_url'),
  destinationMetadata: jsonb('destination_metadata').$type<Record<string, unknown>>().notNull().default({}),
  accessTokenEncrypted: text('access_token_encrypted'),
  refreshTokenEncrypted: text('refresh_token_encrypted'),
  destinationTokenEncrypted: text('destination_token_encrypted'),
  accessTokenExpiresAt: timestamptz('access_token_expires_at'),
  refreshTokenExpiresAt: timestamptz('refresh_token_expires_at'),
  scopes: text('scopes').array().notNull().default([]),
  status: text('status', { enum: ['active', 'needs_reconnect', 'disconnected'] }).notNull().default('active'),
  statusReason: text('status_reason'),
  problemNotifiedAt: timestamptz('problem_notified_at'),
  refreshFailures: integer('refresh_failures').notNull().default(0),
  lastRefreshNeededAt: timestamptz('last_refresh_needed_at'),
  lastRefreshedAt: timestamptz('last_refreshed_at'),
  connectedBy: uuid('connected_by'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const oauthStates = pgTable('oauth_states', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  userId: uuid('user_id').notNull(),
  network: text('network').notNull(),
  stateHash: text('state_hash').notNull(),
  codeVerifierEncrypted: text('code_verifier_encrypted'),
  redirectUri: text('redirect_uri').notNull(),
  reconnectConnectionId: uuid('reconnect_connection_id'),
  expiresAt: timestamptz('expires_at').notNull(),
  usedAt: timestamptz('used_at'),
  pendingEncrypted: text('pending_encrypted'),
  pendingExpiresAt: timestamptz('pending_expires_at'),
  completedAt: timestamptz('completed_at'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const sandboxPosts = pgTable('sandbox_posts', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  connectionId: uuid('connection_id').notNull(),
  text: text('text').notNull(),
  media: jsonb('media').$type<Array<{ url: string; kind: 'image' | 'video'; altText: string | null }>>().notNull().default([]),
  link: text('link'),
  options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
  idempotencyKey: text('idempotency_key').notNull(),
  externalId: text('external_id').notNull(),
  likes: integer('likes').notNull().default(0),
  comments: integer('comments').notNull().default(0),
  shares: integer('shares').notNull().default(0),
  impressions: integer('impressions').notNull().default(0),
  clicks: integer('clicks').notNull().default(0),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export type ConnectionRow = typeof socialConnections.$inferSelect;
export type OAuthStateRow = typeof oauthStates.$inferSelect;
export type SandboxPostRow = typeof sandboxPosts.$inferSelect;
