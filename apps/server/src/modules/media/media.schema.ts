import { bigint, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Drizzle mirror of migrations/0007_media.sql (the SQL holds the checks, indexes and row-level security).
 * The queries use raw SQL (atomic quota updates, locks); these definitions document the shape.
 */
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const mediaAssets = pgTable('media_assets', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id'),
  kind: text('kind').notNull(),
  status: text('status').notNull(),
  mimeType: text('mime_type').notNull(),
  originalName: text('original_name').notNull(),
  byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
  width: integer('width'),
  height: integer('height'),
  durationMs: integer('duration_ms'),
  sha256: text('sha256').notNull(),
  storagePrefix: text('storage_prefix').notNull(),
  altText: text('alt_text').notNull(),
  tags: text('tags').array().notNull(),
  failureReason: text('failure_reason'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull(),
  updatedAt: at('updated_at').notNull(),
  deletedAt: at('deleted_at'),
});

export const mediaRenditions = pgTable(
  'media_renditions',
  {
    tenantId: uuid('tenant_id').notNull(),
    assetId: uuid('asset_id').notNull(),
    name: text('name').notNull(),
    mimeType: text('mime_type').notNull(),
    width: integer('width'),
    height: integer('height'),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    storageKey: text('storage_key').notNull(),
  },
  (table) => [primaryKey({ columns: [table.assetId, table.name] })],
);

export const mediaUsage = pgTable('media_usage', {
  tenantId: uuid('tenant_id').primaryKey(),
  bytesUsed: bigint('bytes_used', { mode: 'number' }).notNull(),
  assetCount: integer('asset_count').notNull(),
  updatedAt: at('updated_at').notNull(),
});

export const mediaAssetHolds = pgTable(
  'media_asset_holds',
  {
    tenantId: uuid('tenant_id').notNull(),
    assetId: uuid('asset_id').notNull(),
    holder: text('holder').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.assetId, table.holder] })],
);
