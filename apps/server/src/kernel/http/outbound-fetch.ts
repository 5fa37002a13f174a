import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';

/**
 * The outbound fetch policy (docs/decisions/008-media-fetch-policy.md): how the server downloads anything a
 * user named by URL — post media (social providers), feed documents and images imported into the media
 * library. Without limits that is a server-side request forgery ("import" http://169.254.169.254/… and
 * the worker fetches cloud credentials for you).
 *
 * - https only, from an allowlisted origin, or from any origin when `origins` is 'public' (feeds, URL
 *   imports: every address must then be global unicast). http only to loopback, and loopback at all, only
 *   when allowLoopback (development, tests).
 * - Names are resolved by us and every address checked; the socket connects to the checked address (the
 *   check runs inside the connection's lookup), so DNS rebinding between check and connect is impossible.
 *   Only global unicast addresses pass (ipaddr.js ranges); private, loopback, link-local, unique-local,
 *   CGNAT, metadata and other special ranges are refused unless listed in allowedNetworks (metadata
 *   endpoints only when listed as that single address).
 * - Redirects are followed by hand (at most maxRedirects), each hop checked like the first.
 * - A size cap and one deadline for the whole download, redirects included.
 * Refusals throw OutboundRefusal saying why; the URL is quoted without its query string, which may carry
 * a signature. Non-2xx answers throw OutboundHttpError, transport failures OutboundTransportError.
 */

export type ResolvedAddress = { address: string; family: number };
export type OutboundResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type OutboundFetchOptions = {
  /** Exact origins (or https://*.example.com for subdomains), or 'public': any origin on a global address. */
  origins: string[] | 'public';
  maxBytes: number;
  timeoutMs: number;
  allowLoopback?: boolean;
  /** CIDRs opened explicitly (e.g. an S3-compatible store on the LAN). */
  allowedNetworks?: string[];
  maxRedirects?: number;
  resolve?: OutboundResolver;
  /** The word messages start with ("media", "feed"). */
  subject?: string;
  /** Appended to an origin refusal: where the allowlist is configured and what to do instead. */
  originHint?: string;
  /** Appended to a size refusal, e.g. the variable that sets the cap. */
  sizeHint?: string;
  userAgent?: string;
  accept?: string;
};

export type OutboundResponse = {
  /** The final URL after redirects. */
  url: string;
  status: number;
  headers: IncomingMessage['headers'];
  contentType: string | null;
  /** Empty for 304 Not Modified. */
  bytes: Uint8Array<ArrayBuffer>;
};

/** A request other than a plain GET (workflows' http_request); redirects keep method and body only on 307/308. */
export type OutboundRequestOptions = {
  headers?: Record<string, string>;
  /** Default GET. */
  method?: string;
  body?: string | Uint8Array;
  /** Resolve with any final status (its body read under the size cap) instead of throwing OutboundHttpError. */
  anyStatus?: boolean;
};

export type OutboundFetcher = {
  /** Download under the policy. 2xx and 304 (for conditional requests) resolve; other statuses throw OutboundHttpError (unless anyStatus). */
  fetch(url: string, options?: OutboundRequestOptions): Promise<OutboundResponse>;
  /** The URL-level checks only (scheme, credentials, origin, IP literal), for URLs handed on to others. */
  check(url: string): string;
};

/** The policy refused the URL, an address it resolves to, a redirect or the size: never worth retrying. */
export class OutboundRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusal';
  }
}

/** The origin answered with a status other than 2xx/304. */
export class OutboundHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'OutboundHttpError';
  }
}

/** The connection failed, timed out or was cut: usually worth retrying later. `cause` is the socket error. */
export class OutboundTransportError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'OutboundTransportError';
  }
}

type AllowedOrigin = { protocol: string; host: string; port: string; wildcard: boolean };
type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

type Policy = {
  origins: AllowedOrigin[] | 'public';
  allowLoopback: boolean;
  allowedNetworks: Network[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  resolve: OutboundResolver;
  subject: string;
  originHint: string;
  sizeHint: string;
  userAgent: string;
  accept: string;
};

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

function parseAllowedOrigin(value: string): AllowedOrigin {
  const wildcard = value.includes('://*.');
  const url = new URL(wildcard ? value.replace('://*.', '://') : value);
  return { protocol: url.protocol, host: url.hostname, port: url.port, wildcard };
}

/** The URL as quoted in messages: no credentials, no query (signed URLs carry secrets there). */
export function describeUrl(url: URL): string {
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
function addressRefusal(policy: Policy, value: string, protocol: string): string | null {
  const address = parseAddress(value);
  if (!address) return `${value}, which is not an IP address`;
  const isLoopback = address.range() === 'loopback';
  const refusal = rangeRefusal(policy, address);
  if (protocol !== 'http:') return refusal;
  if (isLoopback && policy.allowLoopback) return null;
  return refusal ?? 'a non-loopback address, which needs https';
}

function rangeRefusal(policy: Policy, address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
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

function isAllowedOrigin(policy: Policy, url: URL): boolean {
  if (policy.origins === 'public') return true;
  const host = bareHostname(url).toLowerCase();
  return policy.origins.some((origin) => {
    if (origin.protocol !== url.protocol || origin.port !== url.port) return false;
    const allowedHost = origin.host.startsWith('[') ? origin.host.slice(1, -1) : origin.host;
    return origin.wildcard ? host.endsWith(`.${allowedHost}`) : host === allowedHost;
  });
}

/** The URL-level checks (no DNS): scheme, credentials, origin allowlist, and an IP literal's range. */
function checkUrl(policy: Policy, raw: string, what = policy.subject): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefusal(`${what} "${raw.slice(0, 200)}" is not a valid URL`);
  }
  const described = describeUrl(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefusal(`${what} ${described} must use https`);
  if (url.protocol === 'http:' && !policy.allowLoopback) throw new OutboundRefusal(`${what} ${described} must use https`);
  if (url.username || url.password) throw new OutboundRefusal(`${what} ${described} may not carry credentials`);
  if (!isAllowedOrigin(policy, url)) throw new OutboundRefusal(`${what} ${described} is not from an allowed origin${policy.originHint}`);
  const host = bareHostname(url);
  if (ipaddr.isValid(host)) {
    const refusal = addressRefusal(policy, host, url.protocol);
    if (refusal) throw new OutboundRefusal(`${what} ${described} points to ${refusal}`);
  } else if (url.protocol === 'http:' && host !== 'localhost') {
    throw new OutboundRefusal(`${what} ${described} must use https`);
  }
  return url;
}

/** The refusal inside a request error, if the policy caused it (lookup errors may arrive wrapped). */
function findRefusal(error: unknown): OutboundRefusal | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    if (current instanceof OutboundRefusal) return current;
    const inner = (current as { errors?: unknown[] }).errors?.find((candidate) => candidate instanceof OutboundRefusal);
    if (inner) return inner as OutboundRefusal;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** A net lookup that resolves through the policy's resolver and refuses any address the policy refuses. */
function guardedLookup(policy: Policy, url: URL) {
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
            callback(new OutboundRefusal(`${policy.subject} ${describeUrl(url)}: ${hostname} resolves to ${entry.address}, ${refusal}`), '');
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

type OutgoingRequest = { method: string; headers: Record<string, string>; body?: string | Uint8Array };

function requestOnce(policy: Policy, url: URL, signal: AbortSignal, outgoing: OutgoingRequest): Promise<IncomingMessage> {
  const { method, body } = outgoing;
  const headers = body === undefined ? outgoing.headers : { ...outgoing.headers, 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) };
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method,
      // A fresh connection per request: a pooled socket must never carry a request past the lookup check.
      agent: false,
      lookup: guardedLookup(policy, url),
      signal,
      headers: { accept: policy.accept, 'user-agent': policy.userAgent, ...headers },
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end(body);
  });
}

async function readCapped(policy: Policy, url: URL, response: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const { maxBytes } = policy;
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new OutboundRefusal(`${policy.subject} ${describeUrl(url)} is ${declared} bytes, over the ${maxBytes}-byte limit${policy.sizeHint}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      throw new OutboundRefusal(`${policy.subject} ${describeUrl(url)} is over the ${maxBytes}-byte limit${policy.sizeHint}`);
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

async function fetchUnderPolicy(policy: Policy, raw: string, options: OutboundRequestOptions): Promise<OutboundResponse> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let url = checkUrl(policy, raw);
  let outgoing: OutgoingRequest = { method: options.method ?? 'GET', headers: options.headers ?? {}, body: options.body };
  for (let redirects = 0; ; redirects += 1) {
    let response: IncomingMessage;
    try {
      response = await requestOnce(policy, url, signal, outgoing);
    } catch (error) {
      throw findRefusal(error) ?? new OutboundTransportError(`${policy.subject} ${describeUrl(url)} could not be downloaded`, error);
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (redirectStatuses.has(status) && location) {
      response.resume();
      if (redirects >= policy.maxRedirects) throw new OutboundRefusal(`${policy.subject} ${describeUrl(url)} redirects more than ${policy.maxRedirects} times`);
      let target: string;
      try {
        target = new URL(location, url).toString();
      } catch {
        throw new OutboundRefusal(`${policy.subject} ${describeUrl(url)} redirects to an invalid URL`);
      }
      url = checkUrl(policy, target, `${policy.subject} ${describeUrl(url)} redirects to`);
      // As browsers do: 303 (and 301/302 after a POST) continue as a GET without the body; 307/308 repeat the request.
      if (status === 303 || ((status === 301 || status === 302) && outgoing.method === 'POST')) {
        const headers = Object.fromEntries(Object.entries(outgoing.headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
        outgoing = { method: outgoing.method === 'HEAD' ? 'HEAD' : 'GET', headers };
      }
      continue;
    }
    const contentType = typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : null;
    if (status === 304) {
      response.resume();
      return { url: url.toString(), status, headers: response.headers, contentType, bytes: new Uint8Array(0) };
    }
    if ((status < 200 || status >= 300) && !options.anyStatus) {
      response.resume();
      throw new OutboundHttpError(`${policy.subject} ${describeUrl(url)} could not be downloaded (HTTP ${status})`, status);
    }
    try {
      const bytes = await readCapped(policy, url, response);
      return { url: url.toString(), status, headers: response.headers, contentType, bytes };
    } catch (error) {
      if (error instanceof OutboundRefusal) throw error;
      throw new OutboundTransportError(`${policy.subject} ${describeUrl(url)} was cut off`, error);
    }
  }
}

export function createOutboundFetcher(options: OutboundFetchOptions): OutboundFetcher {
  const policy: Policy = {
    origins: options.origins === 'public' ? 'public' : options.origins.map(parseAllowedOrigin),
    allowLoopback: options.allowLoopback ?? false,
    allowedNetworks: (options.allowedNetworks ?? []).map((cidr) => ipaddr.parseCIDR(cidr)),
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs,
    maxRedirects: options.maxRedirects ?? 5,
    resolve: options.resolve ?? ((hostname) => dns.lookup(hostname, { all: true, verbatim: true })),
    subject: options.subject ?? 'URL',
    originHint: options.originHint ?? '',
    sizeHint: options.sizeHint ?? '',
    userAgent: options.userAgent ?? 'Omni-Fetch/1',
    accept: options.accept ?? '*/*',
  };
  return {
    fetch: (url, fetchOptions = {}) => fetchUnderPolicy(policy, url, fetchOptions),
    check: (url) => checkUrl(policy, url).toString(),
  };
}
