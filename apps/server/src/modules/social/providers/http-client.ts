import { ProviderError, type ProviderTokens } from './provider.js';

/**
 * The HTTP plumbing shared by the providers: one request with a timeout, and the classification of
 * transport failures and HTTP statuses into ProviderError kinds (provider.ts). Media downloads live in
 * media-fetch.ts, under the media fetch policy.
 */

export type HttpResponse = {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or null when the body is empty or not JSON. */
  body: unknown;
  text: string;
};

export type HttpRequest = {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams | FormData | Uint8Array<ArrayBuffer>;
  timeoutMs: number;
  /**
   * True for requests that create something on the network (a post). A timeout or a connection lost
   * after sending such a request may mean it was accepted: that is unknown_outcome, never retryable.
   * Reads, token calls and media uploads (an orphaned upload is harmless) are safe to repeat.
   */
  createsContent: boolean;
};

/** Error codes that mean the connection was never established, so the request cannot have been sent. */
const connectFailureCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** Send one request. Transport failures become ProviderErrors; any HTTP status is returned as is. */
export async function sendHttpRequest(network: string, request: HttpRequest): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    throw classifyTransportError(network, error, request.createsContent);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // The status line arrived but the body was cut off: for a create the network has answered, yet we
    // cannot read what it created.
    throw classifyTransportError(network, error, request.createsContent);
  }
  let body: unknown = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** A transport failure as a ProviderError: refused connections are retryable, a lost create is unknown_outcome. */
export function classifyTransportError(network: string, error: unknown, createsContent: boolean): ProviderError {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : '';
  if (code && connectFailureCodes.has(code)) {
    return new ProviderError('retryable', `${network}: could not connect (${code})`, { networkCode: code });
  }
  const description = name === 'TimeoutError' || name === 'AbortError' ? 'request timed out' : `connection lost (${code ?? name ?? 'unknown'})`;
  if (createsContent) {
    return new ProviderError('unknown_outcome', `${network}: ${description} after the request was sent; it may have been accepted`, {
      networkCode: code ?? name,
    });
  }
  return new ProviderError('retryable', `${network}: ${description}`, { networkCode: code ?? name });
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** Seconds until an epoch-seconds reset header (X's x-rate-limit-reset); null when absent. */
export function secondsUntilEpoch(value: string | null, now: Date = new Date()): number | null {
  if (!value || !/^\d+$/.test(value.trim())) return null;
  return Math.max(0, Number.parseInt(value.trim(), 10) - Math.floor(now.getTime() / 1000));
}

/** When a 429 carries no usable hint, wait a minute: every network's rate windows are at least that long. */
const defaultRetryAfterSeconds = 60;

/**
 * The shared status classification for API (not token) calls: 429 → rate_limited, 401 → refresh_needed,
 * 5xx → retryable, any other 4xx → rejected with the network's message.
 */
export function classifyHttpFailure(
  network: string,
  response: HttpResponse,
  input: { message: string | null; networkCode: string | null; retryAfterSeconds?: number | null },
): ProviderError {
  const status = response.status;
  const message = `${network}: ${input.message ?? `HTTP ${status}`}`;
  const details = { status, ...(input.networkCode ? { networkCode: input.networkCode } : {}) };
  if (status === 429) {
    const retryAfterSeconds = input.retryAfterSeconds ?? parseRetryAfter(response.headers.get('retry-after')) ?? defaultRetryAfterSeconds;
    return new ProviderError('rate_limited', message, { ...details, retryAfterSeconds });
  }
  if (status === 401) return new ProviderError('refresh_needed', message, details);
  if (status >= 500) return new ProviderError('retryable', message, details);
  return new ProviderError('rejected', message, details);
}

/**
 * Classify a failed OAuth token call (RFC 6749 §5.2 error body). invalid_grant means the code or refresh
 * token is dead: the user has to reconnect.
 */
export function classifyTokenFailure(network: string, response: HttpResponse): ProviderError {
  const body = (response.body ?? {}) as { error?: unknown; error_description?: unknown; message?: unknown };
  const code = typeof body.error === 'string' ? body.error : null;
  const description =
    typeof body.error_description === 'string' ? body.error_description : typeof body.message === 'string' ? body.message : null;
  const message = `${network}: token request failed: ${[code, description].filter(Boolean).join(': ') || `HTTP ${response.status}`}`;
  const details = { status: response.status, ...(code ? { networkCode: code } : {}) };
  if (code === 'invalid_grant') return new ProviderError('disconnected', message, details);
  if (response.status === 429) {
    return new ProviderError('rate_limited', message, {
      ...details,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) ?? defaultRetryAfterSeconds,
    });
  }
  if (response.status >= 500) return new ProviderError('retryable', message, details);
  return new ProviderError('rejected', message, details);
}

/** The standard OAuth token response (RFC 6749 §5.1) as the providers read it. */
export type OAuthTokenBody = {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  refresh_token_expires_in?: unknown;
  refresh_token_expires_at?: unknown;
  scope?: unknown;
};

/**
 * Read a token endpoint's answer (RFC 6749 §5.1) into ProviderTokens, or throw the classified failure.
 * `deadRefreshCode`: the error code with which this network answers a dead refresh token besides
 * invalid_grant (X and LinkedIn use invalid_request), which means the grant is gone: disconnected.
 */
export function readTokenResponse(
  network: string,
  response: HttpResponse,
  options: { now: Date; refreshing: boolean; deadRefreshCode?: string },
): ProviderTokens {
  if (response.status !== 200) {
    const error = classifyTokenFailure(network, response);
    if (options.refreshing && options.deadRefreshCode && response.status === 400 && error.details.networkCode === options.deadRefreshCode) {
      throw new ProviderError('disconnected', error.message, error.details);
    }
    throw error;
  }
  const body = (response.body ?? {}) as OAuthTokenBody;
  const accessToken = nonEmptyString(body.access_token);
  if (!accessToken) throw new ProviderError('retryable', `${network}: token response without access_token`, { status: response.status });
  return {
    accessToken,
    refreshToken: nonEmptyString(body.refresh_token),
    expiresAt: expiryFromSeconds(body.expires_in, options.now),
    refreshExpiresAt:
      typeof body.refresh_token_expires_at === 'number'
        ? new Date(body.refresh_token_expires_at * 1000)
        : expiryFromSeconds(body.refresh_token_expires_in, options.now),
    scopes: splitScopes(body.scope),
  };
}

export function expiryFromSeconds(value: unknown, now: Date): Date | null {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
  if (seconds === null || seconds <= 0) return null;
  return new Date(now.getTime() + seconds * 1000);
}

/** A refresh token the network sent, or null: an empty string is "none", never a replacement. */
export function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function splitScopes(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : [];
}

export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/**
 * Poll a network's processing status (uploaded videos) until it settles: check() answers 'done', 'failed'
 * with a reason, or 'pending'. Waits grow 1, 2, 4 … up to 15 s between checks; when the budget runs out
 * nothing has been posted yet, so the attempt is retryable.
 */
export async function waitForProcessing(
  network: string,
  check: () => Promise<{ state: 'done' } | { state: 'failed'; reason: string } | { state: 'pending'; checkAfterSeconds?: number }>,
  budgetMs: number,
): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt += 1) {
    const result = await check();
    if (result.state === 'done') return;
    if (result.state === 'failed') throw new ProviderError('rejected', `${network}: the media was refused: ${result.reason}`);
    if (Date.now() > deadline) throw new ProviderError('retryable', `${network}: the media is still processing; try again later`);
    const seconds = result.checkAfterSeconds ?? Math.min(2 ** attempt, 15);
    await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(seconds, 0), 30) * 1000));
  }
}
