import { acceptedMediaTypes, unsupportedMediaTypeMessage, type AcceptedMediaType } from '@omni/contracts/media';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { withTenant } from '../../../kernel/db/tenancy.js';
import { AppError } from '../../../kernel/errors.js';
import { enqueueJob } from '../../../kernel/jobs/jobs.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { getBlobStore } from '../../../kernel/storage/index.js';
import { processAssetJob } from '../media.jobs.js';
import { assetPrefix, uploadKey } from '../media.keys.js';
import { describeKindLimit, type MediaLimits } from '../media.limits.js';
import { insertAsset, reserveUsage, type AssetRow } from '../media.queries.js';

/** file-type needs this many leading bytes to recognise every format it knows. */
const sniffBytes = 4100;

export type IngestInput = {
  tenantId: string;
  accountId: string | null;
  createdBy: string | null;
  originalName: string;
  altText: string;
  tags: string[];
  /** The file's bytes, read once, in order. */
  body: AsyncIterable<Buffer | Uint8Array>;
  limits: MediaLimits;
  /** Bytes already used when the upload started: the stream stops as soon as it cannot fit. */
  bytesUsed: number;
};

export const quotaExceeded = (limits: MediaLimits) =>
  new AppError('payload_too_large', 'media.quota_exceeded', `This upload does not fit in the ${Math.round(limits.quotaBytes / (1024 * 1024))} MB of media storage your plan includes. Delete unused files or upgrade.`);

/** For display only: no directories, no control characters, at most 255 characters. */
export function sanitizeOriginalName(name: string | null | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return cleaned || 'upload';
}

class StreamLimit extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

async function readHead(iterator: AsyncIterator<Buffer | Uint8Array>): Promise<{ head: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < sniffBytes) {
    const next = await iterator.next();
    if (next.done) return { head: Buffer.concat(chunks), ended: true };
    const chunk = Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(chunks), ended: false };
}

async function* iterate(iterator: AsyncIterator<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield Buffer.from(next.value);
}

/** Read and discard the rest of the body, so the client gets the answer instead of a reset connection. */
async function drain(iterator: AsyncIterator<unknown>): Promise<void> {
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next());
  } catch {
    // The body failing while it is being discarded changes nothing.
  }
}

/**
 * Take one file into the library: decide its type from the first bytes (415 for anything but JPEG, PNG,
 * WebP, GIF, MP4 or MOV, whatever its name), stream it to storage as upload.raw while counting against the
 * kind's size limit and the remaining quota (413 mid-stream, nothing kept), then in one transaction reserve
 * the quota atomically (413 when a concurrent upload took it), insert the asset (processing) and enqueue its
 * processing. On any failure no blob, row or usage remains.
 */
export async function ingestMedia(kernel: Kernel, input: IngestInput): Promise<AssetRow> {
  const iterator = input.body[Symbol.asyncIterator]();
  const { head, ended } = await readHead(iterator);
  const detected = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (!detected || !(acceptedMediaTypes as readonly string[]).includes(detected.mime)) {
    await drain(iterator);
    throw new AppError('unsupported_media_type', 'media.unsupported_type', unsupportedMediaTypeMessage, { detected: detected?.mime ?? null });
  }
  const mimeType = detected.mime as AcceptedMediaType;
  const kind = mimeType.startsWith('video/') ? 'video' : 'image';
  const maxBytes = kind === 'image' ? input.limits.maxImageBytes : input.limits.maxVideoBytes;
  const remaining = Math.max(0, input.limits.quotaBytes - input.bytesUsed);

  const assetId = randomUUID();
  const prefix = assetPrefix(input.tenantId, assetId);
  const key = uploadKey(prefix);
  const store = getBlobStore(kernel.config);
  const hash = createHash('sha256');
  let counted = 0;
  async function* whole(): AsyncGenerator<Buffer> {
    yield head;
    if (!ended) yield* iterate(iterator);
  }
  // Counted and limited as storage pulls the bytes (nothing flows before the store reads).
  async function* limited(): AsyncGenerator<Buffer> {
    for await (const chunk of whole()) {
      counted += chunk.length;
      if (counted > maxBytes) throw new StreamLimit(new AppError('payload_too_large', 'media.file_too_large', describeKindLimit(kind, input.limits), { maxBytes }));
      if (counted > remaining) throw new StreamLimit(quotaExceeded(input.limits));
      hash.update(chunk);
      yield chunk;
    }
  }
  const source = Readable.from(limited());

  let stored: number;
  try {
    ({ bytes: stored } = await store.put(key, source, { contentType: 'application/octet-stream' }));
  } catch (error) {
    source.destroy();
    await store.delete(key).catch(() => undefined);
    if (error instanceof StreamLimit) {
      await drain(iterator);
      throw error.error;
    }
    throw error;
  }

  try {
    return await withTenant({ db: kernel.db, tenantId: input.tenantId }, async (tx) => {
      if (!(await reserveUsage(tx, { tenantId: input.tenantId, bytes: stored, quotaBytes: input.limits.quotaBytes }))) throw quotaExceeded(input.limits);
      const asset = await insertAsset(tx, {
        id: assetId,
        tenantId: input.tenantId,
        accountId: input.accountId,
        kind,
        mimeType,
        originalName: sanitizeOriginalName(input.originalName),
        byteSize: stored,
        sha256: hash.digest('hex'),
        storagePrefix: prefix,
        altText: input.altText,
        tags: input.tags,
        createdBy: input.createdBy,
      });
      await enqueueJob(tx, processAssetJob, { assetId }, { tenantId: input.tenantId, key: `process:${assetId}` });
      return asset;
    });
  } catch (error) {
    await store.delete(key).catch(() => undefined);
    throw error;
  }
}
