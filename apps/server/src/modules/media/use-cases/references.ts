import { parseMediaReference, type MediaAssetKind, type MediaAssetStatus, type MediaRenditionName } from '@omni/contracts/media';
import type { VariantRulesMedia } from '@omni/contracts/network-rules';
import type { Config } from '../../../kernel/config.js';
import type { Database, Tx } from '../../../kernel/db/database.js';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { getBlobStore } from '../../../kernel/storage/index.js';
import { deleteHolds, replaceHolds, selectAssetsByIds, selectRenditions } from '../media.queries.js';

/** What other modules need of the kernel to call media: the database and configuration. */
export type MediaKernel = { db: Database; config: Config };

/**
 * Make `holder` (e.g. content.post:<uuid>) hold exactly these assets, in the caller's transaction; an asset
 * with any hold cannot be deleted (409 media.in_use). Ids of assets that do not exist in the tenant fail
 * the foreign key: validate references first (getAssetsForValidation).
 */
export async function holdAssets(tx: Tx, input: { holder: string; assetIds: string[] }): Promise<void> {
  const tenantId = await currentTenant(tx);
  await replaceHolds(tx, { tenantId, holder: input.holder, assetIds: [...new Set(input.assetIds)] });
}

/** Drop every hold of `holder`, in the caller's transaction. */
export async function releaseAssets(tx: Tx, holder: string): Promise<void> {
  await deleteHolds(tx, holder);
}

async function currentTenant(tx: Tx): Promise<string> {
  const result = await tx.$client.query<{ tenant_id: string | null }>(`SELECT nullif(current_setting('app.tenant_id', true), '') AS tenant_id`);
  const tenantId = result.rows[0]?.tenant_id;
  if (!tenantId) throw new Error('holdAssets runs inside withTenant');
  return tenantId;
}

export type RenditionFacts = { mimeType: string; width: number | null; height: number | null; byteSize: number };

/** An asset as validation sees it: the original's facts (VariantRulesMedia) plus its status and each rendition's. */
export type MediaAssetForValidation = VariantRulesMedia & {
  assetId: string;
  kind: MediaAssetKind;
  status: MediaAssetStatus;
  accountId: string | null;
  renditions: Partial<Record<MediaRenditionName, RenditionFacts>>;
};

/**
 * In the caller's transaction (tenant-scoped: another tenant's ids are simply absent): the assets among
 * `ids`, keyed by id. Deleted assets are present with status 'deleted' so callers can say so.
 */
export async function getAssetsForValidation(tx: Tx, ids: string[]): Promise<Map<string, MediaAssetForValidation>> {
  const unique = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const rows = await selectAssetsByIds(tx, unique);
  const renditions = await selectRenditions(tx, rows.map((row) => row.id));
  const result = new Map<string, MediaAssetForValidation>();
  for (const row of rows) {
    const own: MediaAssetForValidation['renditions'] = {};
    for (const rendition of renditions) {
      if (rendition.assetId === row.id) own[rendition.name as MediaRenditionName] = { mimeType: rendition.mimeType, width: rendition.width, height: rendition.height, byteSize: rendition.byteSize };
    }
    result.set(row.id, {
      assetId: row.id,
      kind: row.kind,
      status: row.status,
      accountId: row.accountId,
      mimeType: row.mimeType,
      width: row.width,
      height: row.height,
      durationMs: row.durationMs,
      byteSize: row.byteSize,
      altText: row.altText || null,
      renditions: own,
    });
  }
  return result;
}

export type AssetUrlRequest = { assetId: string; rendition: MediaRenditionName };

/**
 * URLs for the console and approval pages, signed for MEDIA_URL_TTL_SECONDS, in the order asked; null for
 * an asset that is not ready (or not the tenant's) or lacks the rendition (videos have no thumb).
 */
export async function signAssetUrls(ctx: MediaKernel & { tenantId: string | null }, refs: AssetUrlRequest[]): Promise<Array<AssetUrlRequest & { url: string | null }>> {
  if (refs.length === 0) return [];
  const keys = await readyRenditionKeys(ctx, ctx.tenantId, refs.map((ref) => ref.assetId));
  const store = getBlobStore(ctx.config);
  return Promise.all(
    refs.map(async (ref) => {
      const key = keys.get(ref.assetId)?.get(ref.rendition);
      return { ...ref, url: key ? await store.signedGetUrl(key.storageKey, ctx.config.MEDIA_URL_TTL_SECONDS) : null };
    }),
  );
}

async function readyRenditionKeys(ctx: MediaKernel, tenantId: string | null, assetIds: string[]) {
  return withTenantRead({ db: ctx.db, tenantId }, async (tx) => {
    const rows = (await selectAssetsByIds(tx, [...new Set(assetIds)])).filter((row) => row.status === 'ready');
    const renditions = await selectRenditions(tx, rows.map((row) => row.id));
    const byAsset = new Map<string, Map<string, { storageKey: string; mimeType: string }>>();
    for (const row of rows) byAsset.set(row.id, new Map());
    for (const rendition of renditions) byAsset.get(rendition.assetId)?.set(rendition.name, { storageKey: rendition.storageKey, mimeType: rendition.mimeType });
    return byAsset;
  });
}

/** A media reference that cannot be published: the asset was deleted, is not ready, or is not the tenant's. */
export class MediaReferenceError extends Error {
  constructor(
    message: string,
    readonly reference: string,
  ) {
    super(message);
    this.name = 'MediaReferenceError';
  }
}

/**
 * Just before a provider call: replace every omni-media://<asset>/<rendition> in content.media[].url with
 * a URL signed for MEDIA_NETWORK_URL_TTL_SECONDS (networks may fetch asynchronously), and its mimeType with
 * the rendition's. Other URLs pass unchanged (the media fetch policy checks them). Throws
 * MediaReferenceError when an asset is unknown to the tenant, deleted or not ready: publishing turns it
 * into a rejected attempt.
 */
export async function resolveMediaReferences<T extends { media: Array<{ url: string; mimeType?: string | null }> }>(ctx: MediaKernel, tenantId: string, content: T): Promise<T> {
  const parsed = content.media.map((item) => parseMediaReference(item.url));
  const wanted = parsed.filter((ref) => ref !== null);
  if (wanted.length === 0) return content;
  const keys = await readyRenditionKeys(ctx, tenantId, wanted.map((ref) => ref.assetId));
  const store = getBlobStore(ctx.config);
  const media = await Promise.all(
    content.media.map(async (item, index) => {
      const ref = parsed[index];
      if (!ref) return item;
      const rendition = keys.get(ref.assetId)?.get(ref.rendition);
      if (!rendition) {
        const reason = keys.has(ref.assetId) ? `has no ${ref.rendition} rendition` : 'was deleted from the library (or is not ready)';
        throw new MediaReferenceError(`media ${ref.assetId} ${reason}`, item.url);
      }
      return { ...item, url: await store.signedGetUrl(rendition.storageKey, ctx.config.MEDIA_NETWORK_URL_TTL_SECONDS), mimeType: rendition.mimeType };
    }),
  );
  return { ...content, media };
}
