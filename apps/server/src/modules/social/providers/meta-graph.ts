import type { Config } from '../../../kernel/config.js';
import { expiryFromSeconds, nonEmptyString, parseRetryAfter, sendHttpRequest, type HttpResponse } from './http-client.js';
import { ProviderError, type ProviderTokens, type PublishContent } from './provider.js';

/**
 * What Facebook Pages and Instagram Business share: both are Meta Graph API clients behind one Facebook
 * Login app (FACEBOOK_APP_ID/SECRET). Tokens: the login code becomes a short-lived user token, which is
 * exchanged at once for a long-lived one (~60 days); "refreshing" exchanges the long-lived token for a
 * fresh one (refreshModel 'extend') and needs the current token to be still valid.
 *
 * Errors (https://developers.facebook.com/docs/graph-api/guides/error-handling): the body is
 * { error: { message, type, code, error_subcode, is_transient, fbtrace_id } } and the code decides.
 */
export type GraphError = { message: string; type: string | null; code: number | null; subcode: number | null; isTransient: boolean };

/** Subcodes of 190/102 after which only a new login helps (deauthorized, password changed, checkpoint, …). */
const reloginSubcodes = new Set([458, 459, 460, 464, 467, 492]);
/** Application, user, page and business-use-case rate limits. */
const rateLimitCodes = new Set([4, 17, 32, 341, 613]);
const defaultRateLimitWaitSeconds = 60;

export function readGraphError(response: HttpResponse): GraphError | null {
  const error = (response.body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return null;
  const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null);
  return {
    message: typeof error.message === 'string' ? error.message : 'Graph API error',
    type: typeof error.type === 'string' ? error.type : null,
    code: numberOrNull(error.code),
    subcode: numberOrNull(error.error_subcode),
    isTransient: error.is_transient === true,
  };
}

/**
 * Classify a failed Graph call. `phase` 'refresh' means the failing call was itself a token exchange: an
 * invalid token there cannot be refreshed any further, so it is 'disconnected'.
 */
export function classifyGraphFailure(network: string, response: HttpResponse, phase: 'api' | 'refresh' = 'api'): ProviderError {
  const graph = readGraphError(response);
  const status = response.status;
  const networkCode = graph?.code !== null && graph?.code !== undefined ? `${graph.code}${graph.subcode ? `/${graph.subcode}` : ''}` : undefined;
  const message = `${network}: ${graph?.message ?? `HTTP ${status}`}`;
  const details = { status, ...(networkCode ? { networkCode } : {}) };
  const code = graph?.code ?? null;

  if (status === 429 || (code !== null && (rateLimitCodes.has(code) || (code >= 80001 && code <= 80014)))) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after')) ?? defaultRateLimitWaitSeconds;
    return new ProviderError('rate_limited', message, { ...details, retryAfterSeconds });
  }
  if (code === 190 || code === 102) {
    // Expired (463) or unspecified: a still-valid long-lived token can be extended, so try a refresh once.
    // Deauthorization, a password change or a checkpoint needs the person to log in again.
    const needsLogin = phase === 'refresh' || (graph?.subcode !== null && graph?.subcode !== undefined && reloginSubcodes.has(graph.subcode));
    return new ProviderError(needsLogin ? 'disconnected' : 'refresh_needed', message, details);
  }
  // Missing or revoked permissions (10, 200–299): the grant must be renewed by a new login.
  if (code === 10 || (code !== null && code >= 200 && code <= 299)) return new ProviderError('disconnected', message, details);
  if (status >= 500 || code === 1 || code === 2 || graph?.isTransient) return new ProviderError('retryable', message, details);
  if (status === 401) return new ProviderError(phase === 'refresh' ? 'disconnected' : 'refresh_needed', message, details);
  return new ProviderError('rejected', message, details);
}

export type MetaGraphClient = {
  readonly graphUrl: string;
  get(path: string, query: Record<string, string>, options?: { accessToken?: string }): Promise<Record<string, unknown>>;
  /**
   * Read an edge page by page (https://developers.facebook.com/docs/graph-api/results): follow
   * paging.next until there is none, maxPages were read, or isDone(page) says later pages cannot matter
   * (a lookup that reached items older than its window). A next URL on another origin than the Graph
   * API's is never followed: our access token goes nowhere else. isComplete is false when maxPages ended
   * the read while more pages remained.
   */
  list(
    path: string,
    query: Record<string, string>,
    options: { accessToken: string; maxPages: number; isDone?: (page: Array<Record<string, unknown>>) => boolean },
  ): Promise<{ items: Array<Record<string, unknown>>; isComplete: boolean }>;
  /** POST form-encoded parameters. createsContent: a lost response may mean the post exists. */
  post(path: string, form: Record<string, string>, options: { accessToken: string; createsContent: boolean }): Promise<Record<string, unknown>>;
  exchangeCode(input: { code: string; redirectUri: string }): Promise<ProviderTokens>;
  extendToken(accessToken: string): Promise<ProviderTokens>;
};

export function createMetaGraphClient(network: string, config: Config, graphBaseUrl: string, scopes: string[]): MetaGraphClient {
  const graphUrl = `${graphBaseUrl.replace(/\/$/, '')}/${config.FACEBOOK_GRAPH_VERSION}`;
  const timeoutMs = config.SOCIAL_HTTP_TIMEOUT_MS;
  const appId = config.FACEBOOK_APP_ID ?? '';
  const appSecret = config.FACEBOOK_APP_SECRET ?? '';

  const graphOrigin = new URL(graphUrl).origin;

  function url(path: string, query: Record<string, string>): string {
    const search = new URLSearchParams(query).toString();
    return `${graphUrl}${path}${search ? `?${search}` : ''}`;
  }

  async function getUrl(target: string, phase: 'api' | 'refresh' = 'api') {
    const response = await sendHttpRequest(network, { method: 'GET', url: target, headers: { accept: 'application/json' }, timeoutMs, createsContent: false });
    if (response.status < 200 || response.status >= 300 || readGraphError(response)) throw classifyGraphFailure(network, response, phase);
    if (!response.body || typeof response.body !== 'object') throw new ProviderError('retryable', `${network}: unreadable response`, { status: response.status });
    return response.body as Record<string, unknown>;
  }

  function get(path: string, query: Record<string, string>, options: { accessToken?: string; phase?: 'api' | 'refresh' } = {}) {
    return getUrl(url(path, options.accessToken ? { ...query, access_token: options.accessToken } : query), options.phase);
  }

  /** The next page's URL with our token, or null at the end (or when it points anywhere but the Graph API). */
  function nextPageUrl(body: Record<string, unknown>, accessToken: string): string | null {
    const next = (body.paging as { next?: unknown } | undefined)?.next;
    if (typeof next !== 'string') return null;
    let parsed: URL;
    try {
      parsed = new URL(next);
    } catch {
      return null;
    }
    if (parsed.origin !== graphOrigin) return null;
    parsed.searchParams.set('access_token', accessToken);
    return parsed.toString();
  }

  async function tokenCall(query: Record<string, string>, phase: 'api' | 'refresh'): Promise<ProviderTokens> {
    const now = new Date();
    const body = await get('/oauth/access_token', { client_id: appId, client_secret: appSecret, ...query }, { phase });
    const accessToken = nonEmptyString(body.access_token);
    if (!accessToken) throw new ProviderError('retryable', `${network}: token response without access_token`);
    // Meta has no refresh token; the long-lived user token is what gets extended.
    return { accessToken, refreshToken: null, expiresAt: expiryFromSeconds(body.expires_in, now), refreshExpiresAt: null, scopes };
  }

  return {
    graphUrl,
    get: (path, query, options) => get(path, query, options),
    async list(path, query, { accessToken, maxPages, isDone }) {
      const items: Array<Record<string, unknown>> = [];
      let body = await get(path, query, { accessToken });
      for (let page = 1; ; page += 1) {
        const data = graphData(body);
        items.push(...data);
        const next = nextPageUrl(body, accessToken);
        if (!next || data.length === 0 || isDone?.(data)) return { items, isComplete: true };
        if (page >= maxPages) return { items, isComplete: false };
        body = await getUrl(next);
      }
    },
    async post(path, form, options) {
      const response = await sendHttpRequest(network, {
        method: 'POST',
        url: `${graphUrl}${path}`,
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form, access_token: options.accessToken }),
        timeoutMs,
        createsContent: options.createsContent,
      });
      if (response.status < 200 || response.status >= 300 || readGraphError(response)) throw classifyGraphFailure(network, response);
      if (!response.body || typeof response.body !== 'object') {
        // A 2xx we cannot read after a create: the post may exist.
        throw new ProviderError(options.createsContent ? 'unknown_outcome' : 'retryable', `${network}: unreadable response`, { status: response.status });
      }
      return response.body as Record<string, unknown>;
    },
    async exchangeCode({ code, redirectUri }) {
      const shortLived = await tokenCall({ redirect_uri: redirectUri, code }, 'api');
      // Exchange at once: short-lived tokens last about an hour, long-lived ones about 60 days.
      return tokenCall({ grant_type: 'fb_exchange_token', fb_exchange_token: shortLived.accessToken }, 'api');
    },
    extendToken(accessToken) {
      return tokenCall({ grant_type: 'fb_exchange_token', fb_exchange_token: accessToken }, 'refresh');
    },
  };
}

/** The Facebook Login dialog both Meta providers send the browser to. */
export function buildFacebookLoginUrl(config: Config, input: { state: string; redirectUri: string; scopes: string[]; codeChallenge: string | null }): string {
  const query = new URLSearchParams({
    client_id: config.FACEBOOK_APP_ID ?? '',
    redirect_uri: input.redirectUri,
    state: input.state,
    response_type: 'code',
    scope: input.scopes.join(','),
  });
  if (input.codeChallenge) {
    query.set('code_challenge', input.codeChallenge);
    query.set('code_challenge_method', 'S256');
  }
  return `${config.FACEBOOK_DIALOG_URL.replace(/\/$/, '')}/${config.FACEBOOK_GRAPH_VERSION}/dialog/oauth?${query.toString()}`;
}

/** Text as posts are compared when reconciling: networks trim and normalise line endings. */
export function normalizePostText(text: string): string {
  return text.replace(/\r\n/g, '\n').trim();
}

/** The text a post carries on the network: the link, when the network takes none separately, is appended. */
export function requireContentForLookup(network: string, content: PublishContent | undefined): PublishContent {
  if (!content) throw new ProviderError('rejected', `${network}: posts can only be looked up by their text; pass the content that was sent`);
  return content;
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whether a Graph timestamp ("2025-01-31T09:00:00+0000") is before `epochMs`; unreadable ones are not. */
export function isOlderThan(value: unknown, epochMs: number): boolean {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) && time < epochMs;
}

/**
 * The answer of findPublished once the lookup read its pages: the oldest post with the text that was sent
 * (a later identical post is somebody's repeat), else null — but only when the whole window was read. A
 * scan cut short by its page limit cannot say "absent" (the engine would resend): it answers 'rejected',
 * which leaves the target unconfirmed for a person.
 */
export function pickOldestMatch(
  network: string,
  listing: { items: Array<Record<string, unknown>>; isComplete: boolean },
  fields: { text: string; time: string },
  sentText: string,
  earliest: number,
): Record<string, unknown> | null {
  const match = listing.items
    .filter((item) => !isOlderThan(item[fields.time], earliest))
    .filter((item) => typeof item[fields.text] === 'string' && normalizePostText(item[fields.text] as string) === sentText)
    .sort((left, right) => String(left[fields.time] ?? '').localeCompare(String(right[fields.time] ?? '')))[0];
  if (match) return match;
  if (!listing.isComplete) {
    throw new ProviderError('rejected', `${network}: too many posts since the attempt (${listing.items.length} read) to tell whether it was published; check the destination by hand`);
  }
  return null;
}

export function graphData(body: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(body.data) ? (body.data as Array<Record<string, unknown>>) : [];
}
