import { sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The only file that reads or writes the media tables (raw SQL: atomic quota updates, row locks).
 * Usage changes only by UPDATE … SET bytes_used = bytes_used + n [WHERE bytes_used + n <= quota].
 */

export type AssetStatus = 'processing' | 'ready' | 'failed' | 'deleted';
export type AssetKind = 'image' | 'video';

export type AssetRow = {
  id: string;
  tenantId: string;
  accountId: string | null;
  kind: AssetKind;
  status: AssetStatus;
  mimeType: string;
  originalName: string;
  byteSize: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  sha256: string;
  storagePrefix: string;
  altText: string;
  tags: string[];
  failureReason: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** created_at as PostgreSQL prints it (keyset cursors keep microseconds). */
  createdAtText: string;
};

export type RenditionRow = {
  assetId: string;
  name: string;
  mimeType: string;
  width: number | null;
  height: number | null;
  byteSize: number;
  storageKey: string;
};

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const asNullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

const assetColumns = sql`id, tenant_id, account_id, kind, status, mime_type, original_name, byte_size, width, height, duration_ms, sha256,
  storage_prefix, alt_text, tags, failure_reason, created_by, created_at, created_at::text AS created_at_text, updated_at, deleted_at`;

function toAssetRow(row: Record<string, unknown>): AssetRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: (row.account_id as string | null) ?? null,
    kind: row.kind as AssetKind,
    status: row.status as AssetStatus,
    mimeType: row.mime_type as string,
    originalName: row.original_name as string,
    byteSize: Number(row.byte_size),
    width: asNullableNumber(row.width),
    height: asNullableNumber(row.height),
    durationMs: asNullableNumber(row.duration_ms),
    sha256: row.sha256 as string,
    storagePrefix: row.storage_prefix as string,
    altText: row.alt_text as string,
    tags: (row.tags as string[] | null) ?? [],
    failureReason: (row.failure_reason as string | null) ?? null,
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: asDate(row.created_at),
    createdAtText: row.created_at_text as string,
    updatedAt: asDate(row.updated_at),
    deletedAt: row.deleted_at ? asDate(row.deleted_at) : null,
  };
}

const textArray = (values: string[]) => sql`${`{${values.map((value) => `"${value.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`}::text[]`;
const uuidArray = (values: string[]) => sql`${`{${values.join(',')}}`}::uuid[]`;

/** The plan name of a tenant (tenants.plan, the seam billing replaces: resolveMediaLimits). */
export async function selectTenantPlan(tx: Tx, tenantId: string): Promise<string | null> {
  const rows = await tx.execute<{ plan: string }>(sql`SELECT plan FROM tenants WHERE id = ${tenantId}`);
  return rows.rows[0]?.plan ?? null;
}

export type UsageRow = { bytesUsed: number; assetCount: number };

export async function selectUsage(tx: Tx, tenantId: string): Promise<UsageRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`SELECT bytes_used, asset_count FROM media_usage WHERE tenant_id = ${tenantId}`);
  const row = rows.rows[0];
  return { bytesUsed: row ? Number(row.bytes_used) : 0, assetCount: row ? Number(row.asset_count) : 0 };
}

/**
 * Reserve bytes for one new asset against the quota, atomically: the row is created on first use, then
 * one UPDATE adds the bytes only while the total stays within the quota (concurrent reservations serialize
 * on the row and re-check). False: over quota, nothing changed.
 */
export async function reserveUsage(tx: Tx, input: { tenantId: string; bytes: number; quotaBytes: number }): Promise<boolean> {
  await tx.execute(sql`INSERT INTO media_usage (tenant_id) VALUES (${input.tenantId}) ON CONFLICT (tenant_id) DO NOTHING`);
  const rows = await tx.execute(sql`
    UPDATE media_usage SET bytes_used = bytes_used + ${input.bytes}, asset_count = asset_count + 1, updated_at = now()
     WHERE tenant_id = ${input.tenantId} AND bytes_used + ${input.bytes} <= ${input.quotaBytes}
     RETURNING bytes_used`);
  return rows.rows.length === 1;
}

/** Correct usage by a delta (processing's real sizes, releases on failure and deletion). */
export async function adjustUsage(tx: Tx, input: { tenantId: string; bytes: number; assets: number }): Promise<void> {
  if (input.bytes === 0 && input.assets === 0) return;
  await tx.execute(sql`INSERT INTO media_usage (tenant_id) VALUES (${input.tenantId}) ON CONFLICT (tenant_id) DO NOTHING`);
  await tx.execute(sql`
    UPDATE media_usage SET bytes_used = GREATEST(0, bytes_used + ${input.bytes}), asset_count = GREATEST(0, asset_count + ${input.assets}), updated_at = now()
     WHERE tenant_id = ${input.tenantId}`);
}

export type NewAsset = {
  id: string;
  tenantId: string;
  accountId: string | null;
  kind: AssetKind;
  mimeType: string;
  originalName: string;
  byteSize: number;
  sha256: string;
  storagePrefix: string;
  altText: string;
  tags: string[];
  createdBy: string | null;
};

export async function insertAsset(tx: Tx, asset: NewAsset): Promise<AssetRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO media_assets (id, tenant_id, account_id, kind, mime_type, original_name, byte_size, sha256, storage_prefix, alt_text, tags, created_by)
    VALUES (${asset.id}, ${asset.tenantId}, ${asset.accountId}, ${asset.kind}, ${asset.mimeType}, ${asset.originalName}, ${asset.byteSize},
            ${asset.sha256}, ${asset.storagePrefix}, ${asset.altText}, ${textArray(asset.tags)}, ${asset.createdBy})
    RETURNING ${assetColumns}`);
  return toAssetRow(rows.rows[0]!);
}

export async function selectAsset(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<AssetRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`SELECT ${assetColumns} FROM media_assets WHERE id = ${id} ${options.lock ? sql`FOR UPDATE` : sql``}`);
  const row = rows.rows[0];
  return row ? toAssetRow(row) : null;
}

export async function selectAssetsByIds(tx: Tx, ids: string[]): Promise<AssetRow[]> {
  if (ids.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`SELECT ${assetColumns} FROM media_assets WHERE id = ANY(${uuidArray(ids)})`);
  return rows.rows.map(toAssetRow);
}

export type AssetFilter = {
  /** The active account: its assets and the tenant-wide ones; null: tenant-wide only. */
  accountId: string | null;
  kind?: AssetKind;
  tag?: string;
  q?: string;
  after?: { createdAt: string; id: string };
  limit: number;
};

/** Library listing, newest first, without deleted assets. */
export async function selectAssets(tx: Tx, filter: AssetFilter): Promise<AssetRow[]> {
  const pattern = filter.q ? `%${filter.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%` : null;
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${assetColumns} FROM media_assets
     WHERE status <> 'deleted'
       AND (account_id IS NULL ${filter.accountId ? sql`OR account_id = ${filter.accountId}` : sql``})
       ${filter.kind ? sql`AND kind = ${filter.kind}` : sql``}
       ${filter.tag ? sql`AND tags @> ${textArray([filter.tag])}` : sql``}
       ${pattern ? sql`AND (original_name ILIKE ${pattern} OR alt_text ILIKE ${pattern})` : sql``}
       ${filter.after ? sql`AND (created_at, id) < (${filter.after.createdAt}::timestamptz, ${filter.after.id}::uuid)` : sql``}
     ORDER BY created_at DESC, id DESC
     LIMIT ${filter.limit}`);
  return rows.rows.map(toAssetRow);
}

export async function updateAssetDetails(tx: Tx, id: string, changes: { altText?: string; tags?: string[] }): Promise<AssetRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    UPDATE media_assets SET
      alt_text = ${changes.altText === undefined ? sql`alt_text` : sql`${changes.altText}`},
      tags = ${changes.tags === undefined ? sql`tags` : textArray(changes.tags)},
      updated_at = now()
     WHERE id = ${id} RETURNING ${assetColumns}`);
  const row = rows.rows[0];
  return row ? toAssetRow(row) : null;
}

export async function updateAssetProcessed(
  tx: Tx,
  id: string,
  result: { status: 'ready' | 'failed'; mimeType?: string; byteSize?: number; width?: number | null; height?: number | null; durationMs?: number | null; failureReason?: string | null },
): Promise<void> {
  await tx.execute(sql`
    UPDATE media_assets SET status = ${result.status},
      mime_type = COALESCE(${result.mimeType ?? null}, mime_type),
      byte_size = COALESCE(${result.byteSize ?? null}::bigint, byte_size),
      width = ${result.width ?? null}, height = ${result.height ?? null}, duration_ms = ${result.durationMs ?? null},
      failure_reason = ${result.failureReason ?? null}, updated_at = now()
     WHERE id = ${id}`);
}

export async function updateAssetDeleted(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`UPDATE media_assets SET status = 'deleted', deleted_at = now(), updated_at = now() WHERE id = ${id}`);
}

function toRenditionRow(row: Record<string, unknown>): RenditionRow {
  return {
    assetId: row.asset_id as string,
    name: row.name as string,
    mimeType: row.mime_type as string,
    width: asNullableNumber(row.width),
    height: asNullableNumber(row.height),
    byteSize: Number(row.byte_size),
    storageKey: row.storage_key as string,
  };
}

export async function selectRenditions(tx: Tx, assetIds: string[]): Promise<RenditionRow[]> {
  if (assetIds.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT asset_id, name, mime_type, width, height, byte_size, storage_key FROM media_renditions WHERE asset_id = ANY(${uuidArray(assetIds)})`);
  return rows.rows.map(toRenditionRow);
}

/** Replace an asset's renditions (processing re-runs overwrite). */
export async function replaceRenditions(tx: Tx, tenantId: string, assetId: string, renditions: Omit<RenditionRow, 'assetId'>[]): Promise<void> {
  await tx.execute(sql`DELETE FROM media_renditions WHERE asset_id = ${assetId}`);
  for (const rendition of renditions) {
    await tx.execute(sql`
      INSERT INTO media_renditions (tenant_id, asset_id, name, mime_type, width, height, byte_size, storage_key)
      VALUES (${tenantId}, ${assetId}, ${rendition.name}, ${rendition.mimeType}, ${rendition.width}, ${rendition.height}, ${rendition.byteSize}, ${rendition.storageKey})`);
  }
}

/** How many holds each asset has (assets without any are absent). */
export async function countHolds(tx: Tx, assetIds: string[]): Promise<Map<string, number>> {
  if (assetIds.length === 0) return new Map();
  const rows = await tx.execute<{ asset_id: string; holds: number }>(sql`
    SELECT asset_id, count(*)::int AS holds FROM media_asset_holds WHERE asset_id = ANY(${uuidArray(assetIds)}) GROUP BY asset_id`);
  return new Map(rows.rows.map((row) => [row.asset_id, Number(row.holds)]));
}

/** Make the holder's holds exactly these assets. */
export async function replaceHolds(tx: Tx, input: { tenantId: string; holder: string; assetIds: string[] }): Promise<void> {
  await tx.execute(sql`DELETE FROM media_asset_holds WHERE holder = ${input.holder} AND NOT (asset_id = ANY(${uuidArray(input.assetIds)}))`);
  if (input.assetIds.length === 0) return;
  await tx.execute(sql`
    INSERT INTO media_asset_holds (tenant_id, asset_id, holder)
    SELECT ${input.tenantId}, asset_id, ${input.holder} FROM unnest(${uuidArray(input.assetIds)}) AS asset_id
    ON CONFLICT (asset_id, holder) DO NOTHING`);
}

export async function deleteHolds(tx: Tx, holder: string): Promise<void> {
  await tx.execute(sql`DELETE FROM media_asset_holds WHERE holder = ${holder}`);
}

/** Whether any asset is still processing under this storage prefix (the orphan sweep keeps those). */
export async function selectProcessingPrefixes(tx: Tx, prefixes: string[]): Promise<Set<string>> {
  if (prefixes.length === 0) return new Set();
  const rows = await tx.execute<{ storage_prefix: string }>(sql`
    SELECT storage_prefix FROM media_assets WHERE status = 'processing' AND storage_prefix = ANY(${textArray(prefixes)})`);
  return new Set(rows.rows.map((row) => row.storage_prefix));
}
