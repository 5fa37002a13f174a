import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import type { Config } from '../../../kernel/config.js';
import { classifyTransportError } from './http-client.js';
import { ProviderError } from './provider.js';

/**
 * The media fetch policy (docs/decisions/008-media-fetch-policy.md). A post's media URLs come from the
 * people who write posts, and providers either download them (X, LinkedIn, Pinterest videos) or hand them
 * to the network (Facebook, Instagram, Pinterest images). Without limits that is a server-side request
 * forgery: "post" http://169.254.169.254/… and the worker fetches cloud credentials for you.
 *
 * - Only https, from an allowlisted origin (MEDIA_FETCH_ALLOWED_ORIGINS; empty: PUBLIC_URL's origin).
 *   http only to loopback, and loopback at all, only when MEDIA_FETCH_ALLOW_LOOPBACK (development, tests).
 * - Names are resolved by us and every address checked; the socket connects to the checked address (the
 *   check runs inside the connection's lookup), so DNS rebinding between check and connect is impossible.
 *   Only global unicast addresses pass (ipaddr.js ranges); private, loopback, link-local, unique-local,
 *   CGNAT, metadata and other special ranges are refused unless listed in MEDIA_FETCH_ALLOWED_NETWORKS
 *   (metadata endpoints only when listed as that single address).
 * - Redirects are followed by hand (at most 5), each hop checked like the first.
 * - A size cap (MEDIA_FETCH_MAX_BYTES) and one deadline for the whole download (MEDIA_FETCH_TIMEOUT_MS).
 * Every refusal is a ProviderError 'rejected' saying why; the URL is quoted without its query string,
 * which may carry a signature.
 */

export type ResolvedAddress = { address: string; family: number };
export type MediaResolver = (hostname: string) => Promise<ResolvedAddress[]>;

type AllowedOrigin = { protocol: string; host: string; port: string; wildcard: boolean };
type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

export type MediaFetchPolicy = {
  allowedOrigins: AllowedOrigin[];
  allowLoopback: boolean;
  allowedNetworks: Network[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  resolve: MediaResolver;
};

export type DownloadedMedia = { bytes: Uint8Array<ArrayBuffer>; contentType: string | null };

/** Cloud instance metadata endpoints (AWS/GCP/Azure/OpenStack, AWS IPv6, ECS task, Alibaba). */
const metadataAddresses = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200'].map((value) => ipaddr.parse(value).toNormalizedString()));

const rangeDescriptions: Record<string, string> = {
  private: 'a private address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a private (unique local) address',
  carrierGradeNat: 'a carrier-grade NAT address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
};

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const defaultMaxRedirects = 5;

/** A refusal by the policy; becomes ProviderError('rejected') at the provider boundary. */
class MediaRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaRefusal';
  }
}

function parseAllowedOrigin(value: string): AllowedOrigin {
  const wildcard = value.includes('://*.');
  const url = new URL(wildcard ? value.replace('://*.', '://') : value);
  return { protocol: url.protocol, host: url.hostname, port: url.port, wildcard };
}

export function createMediaFetchPolicy(config: Config, options: { resolve?: MediaResolver } = {}): MediaFetchPolicy {
  const origins = config.MEDIA_FETCH_ALLOWED_ORIGINS.length > 0 ? config.MEDIA_FETCH_ALLOWED_ORIGINS : [new URL(config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).origin];
  return {
    allowedOrigins: origins.map(parseAllowedOrigin),
    allowLoopback: config.MEDIA_FETCH_ALLOW_LOOPBACK,
    allowedNetworks: config.MEDIA_FETCH_ALLOWED_NETWORKS.map((cidr) => ipaddr.parseCIDR(cidr)),
    maxBytes: config.MEDIA_FETCH_MAX_BYTES,
    timeoutMs: config.MEDIA_FETCH_TIMEOUT_MS,
    maxRedirects: defaultMaxRedirects,
    resolve: options.resolve ?? ((hostname) => dns.lookup(hostname, { all: true, verbatim: true })),
  };
}

/** The URL as quoted in messages: no credentials, no query (signed URLs carry secrets there). */
function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function parseAddress(value: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(value)) return null;
  const address = ipaddr.parse(value);
  // ::ffff:10.0.0.1 is 10.0.0.1 on the wire.
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

function isInNetwork(address: ipaddr.IPv4 | ipaddr.IPv6, network: Network): boolean {
  return address.kind() === network[0].kind() && address.match(network);
}

/** Why this address may not be fetched from, or null when it may. */
function addressRefusal(policy: MediaFetchPolicy, value: string, protocol: string): string | null {
  const address = parseAddress(value);
  if (!address) return `${value}, which is not an IP address`;
  const isLoopback = address.range() === 'loopback';
  const refusal = rangeRefusal(policy, address);
  if (protocol !== 'http:') return refusal;
  if (isLoopback && policy.allowLoopback) return null;
  return refusal ?? 'a non-loopback address, which needs https';
}

function rangeRefusal(policy: MediaFetchPolicy, address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  const range = address.range();
  if (metadataAddresses.has(address.toNormalizedString())) {
    const listedAlone = policy.allowedNetworks.some((network) => isInNetwork(address, network) && network[1] === (address.kind() === 'ipv4' ? 32 : 128));
    return listedAlone ? null : 'a cloud metadata address';
  }
  if (policy.allowedNetworks.some((network) => isInNetwork(address, network))) return null;
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.allowLoopback) return null;
  return rangeDescriptions[range] ?? `a special-purpose address (${range})`;
}

function isAllowedOrigin(policy: MediaFetchPolicy, url: URL): boolean {
  const host = bareHostname(url).toLowerCase();
  return policy.allowedOrigins.some((origin) => {
    if (origin.protocol !== url.protocol || origin.port !== url.port) return false;
    const allowedHost = origin.host.startsWith('[') ? origin.host.slice(1, -1) : origin.host;
    return origin.wildcard ? host.endsWith(`.${allowedHost}`) : host === allowedHost;
  });
}

/** The URL-level checks (no DNS): scheme, credentials, origin allowlist, and an IP literal's range. */
function checkUrl(policy: MediaFetchPolicy, raw: string, what = 'media'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MediaRefusal(`${what} "${raw.slice(0, 200)}" is not a valid URL`);
  }
  const described = describeUrl(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MediaRefusal(`${what} ${described} must use https`);
  if (url.protocol === 'http:' && !policy.allowLoopback) throw new MediaRefusal(`${what} ${described} must use https`);
  if (url.username || url.password) throw new MediaRefusal(`${what} ${described} may not carry credentials`);
  if (!isAllowedOrigin(policy, url)) {
    throw new MediaRefusal(`${what} ${described} is not from an allowed origin (MEDIA_FETCH_ALLOWED_ORIGINS): upload it to the media library or allow its origin`);
  }
  const host = bareHostname(url);
  if (ipaddr.isValid(host)) {
    const refusal = addressRefusal(policy, host, url.protocol);
    if (refusal) throw new MediaRefusal(`${what} ${described} points to ${refusal}`);
  } else if (url.protocol === 'http:' && host !== 'localhost') {
    throw new MediaRefusal(`${what} ${described} must use https`);
  }
  return url;
}

function toRejected(network: string, refusal: MediaRefusal): ProviderError {
  return new ProviderError('rejected', `${network}: ${refusal.message}`, { networkCode: 'media_refused' });
}

/** The refusal inside a request error, if the policy caused it (lookup errors may arrive wrapped). */
function findRefusal(error: unknown): MediaRefusal | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    if (current instanceof MediaRefusal) return current;
    const inner = (current as { errors?: unknown[] }).errors?.find((candidate) => candidate instanceof MediaRefusal);
    if (inner) return inner as MediaRefusal;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** A net lookup that resolves through the policy's resolver and refuses any address the policy refuses. */
function guardedLookup(policy: MediaFetchPolicy, url: URL) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    policy.resolve(hostname).then(
      (resolved) => {
        const wanted = options.family === 4 || options.family === 6 ? resolved.filter((entry) => entry.family === options.family) : resolved;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '');
          return;
        }
        // Every address must pass: a name answering with one public and one private address is refused.
        for (const entry of resolved) {
          const refusal = addressRefusal(policy, entry.address, url.protocol);
          if (refusal) {
            callback(new MediaRefusal(`media ${describeUrl(url)}: ${hostname} resolves to ${entry.address}, ${refusal}`), '');
            return;
          }
        }
        if (options.all) callback(null, wanted.map((entry) => ({ address: entry.address, family: entry.family })));
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, ''),
    );
  };
}

function requestOnce(policy: MediaFetchPolicy, url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'GET',
      // A fresh connection per request: a pooled socket must never carry a request past the lookup check.
      agent: false,
      lookup: guardedLookup(policy, url),
      signal,
      headers: { accept: 'image/*,video/*;q=0.9,*/*;q=0.5', 'user-agent': 'Omni-MediaFetch/1' },
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}

async function readCapped(url: URL, response: IncomingMessage, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new MediaRefusal(`media ${describeUrl(url)} is ${declared} bytes, over the ${maxBytes}-byte limit (MEDIA_FETCH_MAX_BYTES)`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      throw new MediaRefusal(`media ${describeUrl(url)} is over the ${maxBytes}-byte limit (MEDIA_FETCH_MAX_BYTES)`);
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Download one media file under the policy; refusals are 'rejected', transport trouble 'retryable'. */
export async function fetchMedia(network: string, policy: MediaFetchPolicy, raw: string): Promise<DownloadedMedia> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  try {
    let url = checkUrl(policy, raw);
    for (let redirects = 0; ; redirects += 1) {
      let response: IncomingMessage;
      try {
        response = await requestOnce(policy, url, signal);
      } catch (error) {
        const refusal = findRefusal(error);
        if (refusal) throw refusal;
        throw classifyTransportError(`${network} media download`, error, false);
      }
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (redirectStatuses.has(status) && location) {
        response.resume();
        if (redirects >= policy.maxRedirects) throw new MediaRefusal(`media ${describeUrl(url)} redirects more than ${policy.maxRedirects} times`);
        let target: string;
        try {
          target = new URL(location, url).toString();
        } catch {
          throw new MediaRefusal(`media ${describeUrl(url)} redirects to an invalid URL`);
        }
        url = checkUrl(policy, target, `media ${describeUrl(url)} redirects to`);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        const kind = status >= 500 || status === 429 ? 'retryable' : 'rejected';
        throw new ProviderError(kind, `${network}: media ${describeUrl(url)} could not be downloaded (HTTP ${status})`, { status });
      }
      try {
        const bytes = await readCapped(url, response, policy.maxBytes);
        const contentType = response.headers['content-type'];
        return { bytes, contentType: typeof contentType === 'string' ? contentType : null };
      } catch (error) {
        if (error instanceof MediaRefusal) throw error;
        throw classifyTransportError(`${network} media download`, error, false);
      }
    }
  } catch (error) {
    if (error instanceof MediaRefusal) throw toRejected(network, error);
    throw error;
  }
}

/**
 * Check a media URL without fetching it: for networks that download the URL themselves (Facebook,
 * Instagram, Pinterest images), and before any upload starts. Throws ProviderError('rejected').
 */
export function requireAllowedMediaUrl(network: string, policy: MediaFetchPolicy, raw: string): string {
  try {
    return checkUrl(policy, raw).toString();
  } catch (error) {
    if (error instanceof MediaRefusal) throw toRejected(network, error);
    throw error;
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
