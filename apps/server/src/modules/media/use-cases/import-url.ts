import type { MediaAsset } from '@omni/contracts/media';
import { Readable } from 'node:stream';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError } from '../../../kernel/errors.js';
import { createOutboundFetcher, OutboundHttpError, OutboundRefusal, type OutboundResolver } from '../../../kernel/http/outbound-fetch.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { selectRenditions } from '../media.queries.js';
import { ingestMedia, sanitizeOriginalName } from './ingest.js';
import { readUploadAllowance, toAssetDtos } from './library.js';

export type ImportMediaInput = {
  tenantId: string;
  /** null: the tenant-wide library. */
  accountId: string | null;
  url: string;
  /** null for the system (e.g. a feed). */
  createdBy: string | null;
  altText?: string;
  tags?: string[];
};

/**
 * Bring an image or video at a URL into the library (feeds: an article's image): downloaded under the
 * outbound fetch policy (any public https origin, every address global unicast, redirects checked, at most
 * the plan's size for the larger kind, MEDIA_FETCH_TIMEOUT_MS), then exactly like an upload — type from the
 * bytes, size and quota limits, processing job. Not in a transaction: call it before the caller's.
 * Refusals are AppErrors (415/413 as for uploads; 422 media.import_refused for the fetch policy or an
 * origin's 4xx); transport failures and 5xx are thrown as they are (worth a retry).
 */
export async function importMediaFromUrl(kernel: Kernel, input: ImportMediaInput, options: { resolve?: OutboundResolver } = {}): Promise<MediaAsset> {
  const { limits, usage } = await readUploadAllowance({ db: kernel.db, config: kernel.config, tenantId: input.tenantId });
  const fetcher = createOutboundFetcher({
    origins: 'public',
    allowLoopback: kernel.config.MEDIA_FETCH_ALLOW_LOOPBACK,
    allowedNetworks: kernel.config.MEDIA_FETCH_ALLOWED_NETWORKS,
    maxBytes: Math.max(limits.maxImageBytes, limits.maxVideoBytes),
    timeoutMs: kernel.config.MEDIA_FETCH_TIMEOUT_MS,
    resolve: options.resolve,
    subject: 'media',
    sizeHint: ` of the ${limits.plan} plan`,
    userAgent: 'Omni-MediaImport/1',
    accept: 'image/*,video/*;q=0.9',
  });
  let downloaded;
  try {
    downloaded = await fetcher.fetch(input.url);
  } catch (error) {
    if (error instanceof OutboundRefusal) throw new AppError('unprocessable', 'media.import_refused', error.message);
    if (error instanceof OutboundHttpError && error.status < 500 && error.status !== 429) throw new AppError('unprocessable', 'media.import_refused', error.message);
    throw error;
  }
  const lastSegment = new URL(downloaded.url).pathname.split('/').pop() ?? '';
  let name: string;
  try {
    name = sanitizeOriginalName(decodeURIComponent(lastSegment));
  } catch {
    name = sanitizeOriginalName(lastSegment);
  }
  const asset = await ingestMedia(kernel, {
    tenantId: input.tenantId,
    accountId: input.accountId,
    createdBy: input.createdBy,
    originalName: name,
    altText: input.altText?.slice(0, 1000) ?? '',
    tags: input.tags ?? [],
    body: Readable.from([Buffer.from(downloaded.bytes)]),
    limits,
    bytesUsed: usage.bytesUsed,
  });
  return withTenantRead({ db: kernel.db, tenantId: input.tenantId }, async (tx) => (await toAssetDtos(kernel.config, [asset], await selectRenditions(tx, [asset.id]), new Map()))[0]!);
}
