import type { MediaAsset, MediaAssetList, MediaAssetListQuery, MediaRenditionName, MediaUsage, UpdateMediaAssetBody } from '@omni/contracts/media';
import type { Config } from '../../../kernel/config.js';
import { assertCan, can, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { badRequest, conflict, forbidden, notFound } from '../../../kernel/errors.js';
import { enqueueJob } from '../../../kernel/jobs/jobs.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getBlobStore } from '../../../kernel/storage/index.js';
import { purgeAssetJob } from '../media.jobs.js';
import { resolveMediaLimits } from '../media.limits.js';
import { mediaPermissions } from '../media.permissions.js';
import {
  adjustUsage,
  countHolds,
  selectAsset,
  selectAssets,
  selectRenditions,
  selectUsage,
  updateAssetDeleted,
  updateAssetDetails,
  type AssetRow,
  type RenditionRow,
} from '../media.queries.js';
import { countedBytes } from './process-asset.js';

const renditionOrder: MediaRenditionName[] = ['original', 'thumb', 'medium', 'facebook', 'instagram', 'x', 'linkedin', 'pinterest'];

/** Assets as the console sees them, with URLs signed for MEDIA_URL_TTL_SECONDS (one signature per stored object). */
export async function toAssetDtos(config: Config, rows: AssetRow[], renditions: RenditionRow[], holds: Map<string, number>): Promise<MediaAsset[]> {
  const store = getBlobStore(config);
  const urls = new Map<string, string>();
  const urlOf = async (key: string) => {
    let url = urls.get(key);
    if (!url) {
      url = await store.signedGetUrl(key, config.MEDIA_URL_TTL_SECONDS);
      urls.set(key, url);
    }
    return url;
  };
  const byAsset = new Map<string, RenditionRow[]>();
  for (const rendition of renditions) byAsset.set(rendition.assetId, [...(byAsset.get(rendition.assetId) ?? []), rendition]);
  return Promise.all(
    rows.map(async (row) => {
      const own = row.status === 'ready' ? (byAsset.get(row.id) ?? []) : [];
      own.sort((a, b) => renditionOrder.indexOf(a.name as MediaRenditionName) - renditionOrder.indexOf(b.name as MediaRenditionName));
      const dtos = await Promise.all(
        own.map(async (rendition) => ({
          name: rendition.name as MediaRenditionName,
          mimeType: rendition.mimeType,
          width: rendition.width,
          height: rendition.height,
          byteSize: rendition.byteSize,
          url: await urlOf(rendition.storageKey),
        })),
      );
      const find = (name: MediaRenditionName) => dtos.find((rendition) => rendition.name === name)?.url ?? null;
      return {
        id: row.id,
        accountId: row.accountId,
        kind: row.kind,
        status: row.status,
        mimeType: row.mimeType,
        originalName: row.originalName,
        byteSize: row.byteSize,
        width: row.width,
        height: row.height,
        durationMs: row.durationMs,
        altText: row.altText,
        tags: row.tags,
        failureReason: row.failureReason,
        createdBy: row.createdBy,
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
        thumbUrl: find('thumb'),
        mediumUrl: find('medium') ?? (row.kind === 'video' ? find('original') : null),
        renditions: dtos,
        inUse: (holds.get(row.id) ?? 0) > 0,
      };
    }),
  );
}

async function loadDtos(ctx: ServiceContext, tx: Tx, rows: AssetRow[]): Promise<MediaAsset[]> {
  const ids = rows.map((row) => row.id);
  const [renditions, holds] = [await selectRenditions(tx, ids), await countHolds(tx, ids)];
  return toAssetDtos(ctx.config, rows, renditions, holds);
}

/** An asset of the library the actor sees (the active account's or tenant-wide), or 404. */
function requireVisible(ctx: ServiceContext, row: AssetRow | null): AssetRow {
  if (!row || row.status === 'deleted' || (row.accountId !== null && row.accountId !== ctx.accountId)) throw notFound('Media asset');
  return row;
}

function encodeCursor(row: AssetRow): string {
  return Buffer.from(`${row.createdAtText}|${row.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(Date.parse(createdAt))) throw badRequest('media.invalid_cursor', 'The cursor is not valid.');
  return { createdAt, id };
}

export async function listAssets(ctx: ServiceContext, query: MediaAssetListQuery): Promise<MediaAssetList> {
  assertCan(ctx, mediaPermissions.read);
  requireTenant(ctx);
  return withTenantRead(ctx, async (tx) => {
    const rows = await selectAssets(tx, { accountId: ctx.accountId, kind: query.kind, tag: query.tag, q: query.q, after: query.cursor ? decodeCursor(query.cursor) : undefined, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return { items: await loadDtos(ctx, tx, page), nextCursor: rows.length > query.limit ? encodeCursor(page.at(-1)!) : null };
  });
}

export async function getAsset(ctx: ServiceContext, id: string): Promise<MediaAsset> {
  assertCan(ctx, mediaPermissions.read);
  requireTenant(ctx);
  return withTenantRead(ctx, async (tx) => (await loadDtos(ctx, tx, [requireVisible(ctx, await selectAsset(tx, id))]))[0]!);
}

/** Editors change any asset; uploaders their own. */
function assertMayChange(ctx: ServiceContext, row: AssetRow): void {
  if (can(ctx, mediaPermissions.manage)) return;
  assertCan(ctx, mediaPermissions.upload);
  if (row.createdBy !== requireActor(ctx).userId) throw forbidden('Only editors may change media other people uploaded (media:manage).');
}

export async function updateAsset(ctx: ServiceContext, id: string, body: UpdateMediaAssetBody): Promise<MediaAsset> {
  assertCan(ctx, mediaPermissions.upload);
  requireTenant(ctx);
  const dto = await withTenant(ctx, async (tx) => {
    const row = requireVisible(ctx, await selectAsset(tx, id, { lock: true }));
    assertMayChange(ctx, row);
    const updated = await updateAssetDetails(tx, id, { altText: body.altText, tags: body.tags ? [...new Set(body.tags)] : undefined });
    return (await loadDtos(ctx, tx, [updated!]))[0]!;
  });
  ctx.audit.targetType = 'media_asset';
  ctx.audit.targetId = id;
  return dto;
}

/**
 * Delete an asset nothing uses: marked deleted and its quota released in one transaction, blobs purged by
 * a job. An asset with holds (a post uses it) is 409 media.in_use.
 */
export async function deleteAsset(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, mediaPermissions.upload);
  const tenantId = requireTenant(ctx);
  await withTenant(ctx, async (tx) => {
    const row = requireVisible(ctx, await selectAsset(tx, id, { lock: true }));
    assertMayChange(ctx, row);
    const holds = (await countHolds(tx, [id])).get(id) ?? 0;
    if (holds > 0) {
      throw conflict('media.in_use', `This file is used by ${holds === 1 ? 'a post or another item' : `${holds} posts or other items`}; remove it from them before deleting it.`);
    }
    const counted = countedBytes(row, await selectRenditions(tx, [id]));
    await updateAssetDeleted(tx, id);
    await adjustUsage(tx, { tenantId, bytes: -counted, assets: row.status === 'failed' ? 0 : -1 });
    await enqueueJob(tx, purgeAssetJob, { assetId: id }, { tenantId, key: `purge:${id}` });
  });
  ctx.audit.targetType = 'media_asset';
  ctx.audit.targetId = id;
}

export async function getUsage(ctx: ServiceContext): Promise<MediaUsage> {
  assertCan(ctx, mediaPermissions.read);
  const tenantId = requireTenant(ctx);
  return withTenantRead(ctx, async (tx) => {
    const limits = await resolveMediaLimits(tx, ctx.config, tenantId);
    const usage = await selectUsage(tx, tenantId);
    return { plan: limits.plan, bytesUsed: usage.bytesUsed, quotaBytes: limits.quotaBytes, assetCount: usage.assetCount, maxImageBytes: limits.maxImageBytes, maxVideoBytes: limits.maxVideoBytes };
  });
}

/** Usage before an upload starts and the plan's limits, for the ingest. */
export async function readUploadAllowance(ctx: { db: ServiceContext['db']; config: Config; tenantId: string }) {
  return withTenantRead(ctx, async (tx) => ({ limits: await resolveMediaLimits(tx, ctx.config, ctx.tenantId), usage: await selectUsage(tx, ctx.tenantId) }));
}

