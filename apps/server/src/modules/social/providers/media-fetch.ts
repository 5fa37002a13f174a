import type { Config } from '../../../kernel/config.js';
import {
  createOutboundFetcher,
  OutboundHttpError,
  OutboundRefusal,
  OutboundTransportError,
  type OutboundFetcher,
  type OutboundResolver,
  type ResolvedAddress,
} from '../../../kernel/http/outbound-fetch.js';
import { mediaFetchAllowedOrigins } from '../../../kernel/storage/index.js';
import { classifyTransportError } from './http-client.js';
import { ProviderError } from './provider.js';

/**
 * The media fetch policy (docs/decisions/008-media-fetch-policy.md), for the providers: a post's media
 * URLs come from the people who write posts, and providers either download them (X, LinkedIn, Pinterest
 * videos) or hand them to the network (Facebook, Instagram, Pinterest images). The address, redirect, size
 * and deadline rules live in kernel/http/outbound-fetch.ts (shared with feeds and URL imports); this file
 * binds them to MEDIA_FETCH_* and turns refusals into ProviderError 'rejected' (networkCode media_refused),
 * HTTP and transport failures into 'rejected'/'retryable' as the publishing engine expects.
 * Allowed origins: MEDIA_FETCH_ALLOWED_ORIGINS; empty means PUBLIC_URL's origin, plus the S3 bucket's
 * origin when media are stored in S3.
 */

export type { ResolvedAddress };
export type MediaResolver = OutboundResolver;

export type MediaFetchPolicy = { fetcher: OutboundFetcher };

export type DownloadedMedia = { bytes: Uint8Array<ArrayBuffer>; contentType: string | null };

export function createMediaFetchPolicy(config: Config, options: { resolve?: MediaResolver } = {}): MediaFetchPolicy {
  return {
    fetcher: createOutboundFetcher({
      origins: mediaFetchAllowedOrigins(config),
      allowLoopback: config.MEDIA_FETCH_ALLOW_LOOPBACK,
      allowedNetworks: config.MEDIA_FETCH_ALLOWED_NETWORKS,
      maxBytes: config.MEDIA_FETCH_MAX_BYTES,
      timeoutMs: config.MEDIA_FETCH_TIMEOUT_MS,
      resolve: options.resolve,
      subject: 'media',
      originHint: ' (MEDIA_FETCH_ALLOWED_ORIGINS): upload it to the media library or allow its origin',
      sizeHint: ' (MEDIA_FETCH_MAX_BYTES)',
      userAgent: 'Omni-MediaFetch/1',
      accept: 'image/*,video/*;q=0.9,*/*;q=0.5',
    }),
  };
}

function toProviderError(network: string, error: unknown): unknown {
  if (error instanceof OutboundRefusal) return new ProviderError('rejected', `${network}: ${error.message}`, { networkCode: 'media_refused' });
  if (error instanceof OutboundHttpError) {
    const kind = error.status >= 500 || error.status === 429 ? 'retryable' : 'rejected';
    return new ProviderError(kind, `${network}: ${error.message}`, { status: error.status });
  }
  if (error instanceof OutboundTransportError) return classifyTransportError(`${network} media download`, error.cause, false);
  return error;
}

/** Download one media file under the policy; refusals are 'rejected', transport trouble 'retryable'. */
export async function fetchMedia(network: string, policy: MediaFetchPolicy, raw: string): Promise<DownloadedMedia> {
  try {
    const response = await policy.fetcher.fetch(raw);
    return { bytes: response.bytes, contentType: response.contentType };
  } catch (error) {
    throw toProviderError(network, error);
  }
}

/**
 * Check a media URL without fetching it: for networks that download the URL themselves (Facebook,
 * Instagram, Pinterest images), and before any upload starts. Throws ProviderError('rejected').
 */
export function requireAllowedMediaUrl(network: string, policy: MediaFetchPolicy, raw: string): string {
  try {
    return policy.fetcher.check(raw);
  } catch (error) {
    throw toProviderError(network, error);
  }
}

/** What a provider holds: the policy bound to its network. */
export type MediaFetcher = {
  download(url: string): Promise<DownloadedMedia>;
  /** Every URL must pass the URL-level checks; call before the first side effect of a publish. */
  requireAllowed(urls: string[]): void;
};

export function createMediaFetcher(network: string, config: Config, options: { resolve?: MediaResolver } = {}): MediaFetcher {
  const policy = createMediaFetchPolicy(config, options);
  return {
    download: (url) => fetchMedia(network, policy, url),
    requireAllowed(urls) {
      for (const url of urls) requireAllowedMediaUrl(network, policy, url);
    },
  };
}
