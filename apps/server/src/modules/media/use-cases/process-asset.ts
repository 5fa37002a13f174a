import { renditionSpecs, type RenditionSpec } from '@omni/contracts/network-rules';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createFile, MP4BoxBuffer, type Movie } from 'mp4box';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { withTenant } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { getBlobStore, type BlobStore } from '../../../kernel/storage/index.js';
import { renditionKey, uploadKey } from '../media.keys.js';
import { adjustUsage, replaceRenditions, selectAsset, selectRenditions, updateAssetProcessed, type AssetRow, type RenditionRow } from '../media.queries.js';

type Rendition = Omit<RenditionRow, 'assetId'>;
type Output = { data: Buffer; mimeType: string; width: number; height: number };

const networkRenditions = ['facebook', 'instagram', 'x', 'linkedin', 'pinterest'] as const;
const qualitySteps = [85, 75, 65, 55, 45];

/**
 * The bytes an asset takes from the quota: its stored original plus every other distinct stored object of
 * its renditions (renditions with identical output share one). Failed and deleted assets take nothing.
 */
export function countedBytes(asset: Pick<AssetRow, 'status' | 'byteSize'>, renditions: Pick<RenditionRow, 'name' | 'storageKey' | 'byteSize'>[]): number {
  if (asset.status === 'failed' || asset.status === 'deleted') return 0;
  const originalKey = renditions.find((rendition) => rendition.name === 'original')?.storageKey;
  const others = new Map<string, number>();
  for (const rendition of renditions) if (rendition.storageKey !== originalKey) others.set(rendition.storageKey, rendition.byteSize);
  return asset.byteSize + [...others.values()].reduce((sum, bytes) => sum + bytes, 0);
}

class UnreadableMedia extends Error {}

const formatNames: Record<string, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP', 'image/gif': 'GIF', 'video/mp4': 'MP4', 'video/quicktime': 'MOV' };

/** The sanitized original: EXIF orientation applied, re-encoded in its own format, every metadata block dropped. */
async function sanitizeImage(raw: Buffer, mimeType: string, maxPixels: number): Promise<Output> {
  const options = { limitInputPixels: maxPixels, failOn: 'error' as const };
  let image: Sharp;
  switch (mimeType) {
    case 'image/gif':
      // Animated GIFs keep their frames; GIF has no EXIF orientation.
      image = sharp(raw, { ...options, animated: true }).gif();
      break;
    case 'image/png':
      image = sharp(raw, options).rotate().png();
      break;
    case 'image/webp':
      image = sharp(raw, options).rotate().webp({ quality: 90 });
      break;
    default:
      image = sharp(raw, options).rotate().jpeg({ quality: 90 });
  }
  const { data, info } = await image.toBuffer({ resolveWithObject: true });
  return { data, mimeType, width: info.width, height: info.pageHeight ?? info.height };
}

function targetSize(spec: RenditionSpec, width: number, height: number, scale: number): { width: number; height: number } {
  let factor = scale;
  if (spec.maxLongestSide) factor = Math.min(factor, spec.maxLongestSide / Math.max(width, height));
  if (spec.maxWidth) factor = Math.min(factor, spec.maxWidth / width);
  factor = Math.min(factor, 1);
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

/** One rendition of the sanitized original, per its spec (network-rules.ts renditionSpecs). */
export async function renderRendition(original: Output, spec: RenditionSpec, options: { hasAlpha: boolean; animated: boolean; maxPixels: number }): Promise<Output> {
  if (spec.keepAnimatedGifUpToBytes && options.animated && original.data.length <= spec.keepAnimatedGifUpToBytes) return original;
  const png = spec.format === 'jpeg_or_png' && options.hasAlpha;
  for (let scale = 1; scale > 0.05; scale *= 0.75) {
    const size = targetSize(spec, original.width, original.height, scale);
    for (const quality of spec.maxBytes ? qualitySteps : [qualitySteps[0]!]) {
      let image = sharp(original.data, { limitInputPixels: options.maxPixels }).resize(size.width, size.height, { fit: 'fill' });
      if (spec.format === 'webp') image = image.webp({ quality });
      else if (png) image = image.png({ compressionLevel: 9 });
      else image = image.flatten({ background: '#ffffff' }).jpeg({ quality });
      const { data, info } = await image.toBuffer({ resolveWithObject: true });
      if (!spec.maxBytes || data.length <= spec.maxBytes) {
        return { data, mimeType: spec.format === 'webp' ? 'image/webp' : png ? 'image/png' : 'image/jpeg', width: info.width, height: info.height };
      }
      if (png) break;
    }
  }
  throw new UnreadableMedia(`The image cannot be made small enough for ${spec.name}.`);
}

/** Sanitized original and every rendition; identical outputs share one stored object. */
async function processImage(store: BlobStore, asset: AssetRow, raw: Buffer, maxPixels: number): Promise<{ original: Output; renditions: Rendition[] }> {
  let original: Output;
  let metadata: Metadata;
  try {
    original = await sanitizeImage(raw, asset.mimeType, maxPixels);
    metadata = await sharp(original.data, { limitInputPixels: maxPixels }).metadata();
  } catch (error) {
    throw new UnreadableMedia(`The image is damaged or not a real ${formatNames[asset.mimeType] ?? 'image'} (${(error as Error).message.slice(0, 120)}).`);
  }
  const originalKey = renditionKey(asset.storagePrefix, 'original', original.mimeType);
  const keysByHash = new Map<string, string>([[createHash('sha256').update(original.data).digest('hex'), originalKey]]);
  const toStore: Array<[string, Buffer, string]> = [[originalKey, original.data, original.mimeType]];
  const renditions: Rendition[] = [{ name: 'original', mimeType: original.mimeType, width: original.width, height: original.height, byteSize: original.data.length, storageKey: originalKey }];
  const options = { hasAlpha: metadata.hasAlpha === true, animated: (metadata.pages ?? 1) > 1, maxPixels };
  for (const spec of Object.values(renditionSpecs)) {
    const output = await renderRendition(original, spec, options);
    const digest = createHash('sha256').update(output.data).digest('hex');
    let key = keysByHash.get(digest);
    if (!key) {
      key = renditionKey(asset.storagePrefix, spec.name, output.mimeType);
      keysByHash.set(digest, key);
      toStore.push([key, output.data, output.mimeType]);
    }
    renditions.push({ name: spec.name, mimeType: output.mimeType, width: output.width, height: output.height, byteSize: output.data.length, storageKey: key });
  }
  for (const [key, data, contentType] of toStore) await store.put(key, Readable.from([data]), { contentType });
  return { original, renditions };
}

/** Duration and dimensions from the ISO-BMFF boxes (MP4, MOV), read as a stream until the movie header is parsed. */
async function probeVideo(stream: Readable): Promise<{ durationMs: number; width: number | null; height: number | null }> {
  const file = createFile();
  let movie: Movie | null = null;
  let failure: string | null = null;
  file.onReady = (info) => {
    movie = info;
  };
  file.onError = (_module, message) => {
    failure = message;
  };
  let offset = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const copy = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy, offset));
    offset += chunk.byteLength;
    if (movie || failure) break;
  }
  stream.destroy();
  file.flush();
  const found = movie as Movie | null;
  if (!found || failure || !found.timescale) throw new UnreadableMedia('The video is damaged or not a real MP4 or MOV file (no readable movie header).');
  const video = found.videoTracks[0];
  // Some writers leave the header durations at 0; the sample table then carries it.
  const seconds = Math.max(found.duration / found.timescale, ...found.tracks.map((track) => (track.timescale ? Math.max(track.duration, track.samples_duration ?? 0) / track.timescale : 0)));
  return {
    durationMs: Math.round(seconds * 1000),
    width: video?.video?.width ?? video?.track_width ?? null,
    height: video?.video?.height ?? video?.track_height ?? null,
  };
}

async function deletePrefix(store: BlobStore, prefix: string): Promise<void> {
  for await (const item of store.list(`${prefix}/`)) await store.delete(item.key);
}

/**
 * media.process-asset: turn an upload into a ready asset (idempotent; a re-run overwrites). Images are
 * re-encoded by sharp with orientation applied and all metadata dropped; the sanitized original replaces
 * the raw upload, which is deleted, so no URL for unsanitized bytes ever exists. Videos are probed and
 * kept as uploaded. Usage is corrected to the bytes stored in the transaction that marks the asset ready.
 * Unreadable files → failed, blobs deleted, quota released.
 */
export async function processAsset(kernel: Kernel, tenantId: string, assetId: string): Promise<void> {
  const scope = { db: kernel.db, tenantId };
  const store = getBlobStore(kernel.config);
  const asset = await withTenant(scope, (tx) => selectAsset(tx, assetId));
  if (!asset || asset.status === 'deleted' || asset.status === 'failed') return;
  const rawKey = uploadKey(asset.storagePrefix);
  const existing = await withTenant(scope, (tx) => selectRenditions(tx, [assetId]));
  const sourceKey = (await store.head(rawKey)) ? rawKey : existing.find((rendition) => rendition.name === 'original')?.storageKey;
  if (!sourceKey) throw new Error(`Asset ${assetId} has neither an upload nor an original to process`);

  let result: { byteSize: number; width: number | null; height: number | null; durationMs: number | null; mimeType: string; renditions: Rendition[] } | { failure: string };
  try {
    if (asset.kind === 'image') {
      const raw = await buffer(await store.get(sourceKey));
      const { original, renditions } = await processImage(store, asset, raw, kernel.config.MEDIA_MAX_INPUT_PIXELS);
      result = { byteSize: original.data.length, width: original.width, height: original.height, durationMs: null, mimeType: original.mimeType, renditions };
    } else {
      const probe = await probeVideo(await store.get(sourceKey));
      const originalKey = renditionKey(asset.storagePrefix, 'original', asset.mimeType);
      let byteSize = asset.byteSize;
      if (sourceKey !== originalKey) ({ bytes: byteSize } = await store.put(originalKey, await store.get(sourceKey), { contentType: asset.mimeType }));
      // No renditions without a transcoder: every network name points at the original.
      const renditions = (['original', ...networkRenditions] as const).map((name) => ({ name, mimeType: asset.mimeType, width: probe.width, height: probe.height, byteSize, storageKey: originalKey }));
      result = { byteSize, width: probe.width, height: probe.height, durationMs: probe.durationMs, mimeType: asset.mimeType, renditions };
    }
  } catch (error) {
    if (!(error instanceof UnreadableMedia)) throw error;
    result = { failure: error.message };
  }

  const outcome = await withTenant(scope, async (tx) => {
    const current = await selectAsset(tx, assetId, { lock: true });
    if (!current || current.status === 'deleted' || current.status === 'failed') return 'gone' as const;
    const before = countedBytes(current, await selectRenditions(tx, [assetId]));
    if ('failure' in result) {
      await replaceRenditions(tx, tenantId, assetId, []);
      await updateAssetProcessed(tx, assetId, { status: 'failed', failureReason: result.failure });
      await adjustUsage(tx, { tenantId, bytes: -before, assets: -1 });
      return 'failed' as const;
    }
    await replaceRenditions(tx, tenantId, assetId, result.renditions);
    await updateAssetProcessed(tx, assetId, { status: 'ready', mimeType: result.mimeType, byteSize: result.byteSize, width: result.width, height: result.height, durationMs: result.durationMs });
    const after = countedBytes({ status: 'ready', byteSize: result.byteSize }, result.renditions);
    await adjustUsage(tx, { tenantId, bytes: after - before, assets: 0 });
    return 'ready' as const;
  });
  if (outcome === 'ready') await store.delete(rawKey);
  // Deleted while processing, or unreadable: nothing of it stays stored.
  else await deletePrefix(store, asset.storagePrefix);
}

export { deletePrefix };
