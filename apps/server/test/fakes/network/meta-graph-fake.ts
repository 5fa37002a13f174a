import { fakeNumericId, fakeToken, type FakeErrorRenderer, type FakeHttpServer, type FakeRequest, type FakeReply, type FakeRoute } from './fake-http-server.js';

/**
 * What the Facebook and Instagram fakes share: Meta's Graph API error format, the token endpoint
 * (GET /{version}/oauth/access_token: code exchange and fb_exchange_token extension) and GET /me/accounts.
 * Graph reads take access_token from the query, writes from the form body (as the providers send them).
 */
export const metaAppId = 'meta-app-id';
export const metaAppSecret = 'meta-app-secret';

/** Graph error bodies: { error: { message, type, code, error_subcode, fbtrace_id } }. */
export const metaErrors: FakeErrorRenderer = {
  render(status, message, kind) {
    const base = { message, type: 'OAuthException', fbtrace_id: fakeToken('trace') };
    switch (kind) {
      case 'rate_limited':
        return { error: { ...base, message: 'Application request limit reached', code: 4, error_subcode: 2446079, is_transient: true } };
      case 'server_error':
        return { error: { ...base, message: 'An unexpected error has occurred. Please retry your request later.', type: 'FacebookApiException', code: 2, is_transient: true } };
      case 'token_expired':
        return { error: { ...base, message: 'Error validating access token: Session has expired', code: 190, error_subcode: 463 } };
      case 'unauthorized':
        return { error: { ...base, message: 'Invalid OAuth access token - Cannot parse access token', code: 190 } };
      case 'rejected':
        return { error: { ...base, type: 'GraphMethodException', code: 100, message } };
      default:
        return { error: { ...base, type: 'GraphMethodException', code: status === 404 ? 803 : 100, message } };
    }
  },
  rateLimitHeaders(retryAfterSeconds) {
    return { 'retry-after': String(retryAfterSeconds), 'x-app-usage': JSON.stringify({ call_count: 100, total_time: 40, total_cputime: 30 }) };
  },
};

export type FakePage = {
  id: string;
  name: string;
  accessToken: string;
  tasks: string[];
  instagramAccount: { id: string; username: string; name: string } | null;
};

export type MetaFakeState = {
  codes: Map<string, { redirectUri: string | null }>;
  pages: FakePage[];
  /** Token calls as received, for assertions (redirect_uri, grant types). */
  tokenRequests: Array<Record<string, string>>;
  /** When true, fb_exchange_token refuses (the grant was revoked: 190/460). */
  revoked: boolean;
  longLivedSeconds: number;
  /** paging.next URLs point here instead of at the fake itself (a client must not follow them). */
  pagingOrigin: string | null;
};

export function createMetaFakeState(pages: Array<Omit<FakePage, 'accessToken'>>): MetaFakeState {
  return {
    codes: new Map(),
    pages: pages.map((page) => ({ ...page, accessToken: fakeToken('EAAPage') })),
    tokenRequests: [],
    revoked: false,
    longLivedSeconds: 5_184_000,
    pagingOrigin: null,
  };
}

/** Graph's largest page for the edges the fakes serve; a bigger limit is silently capped, as Meta does. */
export const graphMaxLimit = 100;

/**
 * One page of an edge as Graph answers it (https://developers.facebook.com/docs/graph-api/results):
 * { data, paging: { cursors: { before, after }, next } }, next only while items remain. Cursors are
 * opaque (here: the base64 offset); next repeats the request's query with after=<cursor>.
 */
export function graphPage(state: MetaFakeState, server: FakeHttpServer, request: FakeRequest, items: unknown[]): FakeReply {
  const limit = Math.min(Math.max(Number(request.query.get('limit') ?? '25') || 25, 1), graphMaxLimit);
  const after = request.query.get('after');
  const offset = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) || 0 : 0;
  const data = items.slice(offset, offset + limit);
  const cursor = (position: number) => Buffer.from(String(position), 'utf8').toString('base64url');
  const paging: Record<string, unknown> = { cursors: { before: cursor(offset), after: cursor(offset + data.length) } };
  if (offset + data.length < items.length) {
    const next = new URL(`${state.pagingOrigin ?? server.url}${request.path}`);
    for (const [name, value] of request.query) if (name !== 'after') next.searchParams.set(name, value);
    next.searchParams.set('after', cursor(offset + data.length));
    paging.next = next.toString();
  }
  return { status: 200, body: { data, paging } };
}

/** Add pages the person manages (each with a page token the fake accepts), e.g. to exceed one page of 100. */
export function addMetaPages(state: MetaFakeState, server: FakeHttpServer, count: number, options: { withInstagram: boolean; namePrefix?: string }): FakePage[] {
  const added: FakePage[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = `1${fakeNumericId()}`;
    const name = `${options.namePrefix ?? 'Page'} ${index + 1}`;
    const page: FakePage = {
      id,
      name,
      accessToken: fakeToken('EAAPage'),
      tasks: ['CREATE_CONTENT', 'MANAGE'],
      instagramAccount: options.withInstagram ? { id: `178414${fakeNumericId()}`, username: name.toLowerCase().replace(/\W+/g, '_'), name } : null,
    };
    server.allowAccessToken(page.accessToken);
    state.pages.push(page);
    added.push(page);
  }
  return added;
}

/** Graph's timestamp format: 2025-01-31T09:00:00+0000. */
export function graphTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

export function graphError(status: number, code: number, message: string, subcode?: number): FakeReply {
  return { status, body: { error: { message, type: code === 190 ? 'OAuthException' : 'GraphMethodException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: fakeToken('trace') } } };
}

/** access_token from the query (reads) or the form (writes). */
export function accessTokenOf(request: FakeRequest): string | null {
  return request.query.get('access_token') ?? request.form?.get('access_token') ?? null;
}

/** A 190 unless the request carries a token the server accepts. */
export function requireToken(server: FakeHttpServer, request: FakeRequest): FakeReply | null {
  const token = accessTokenOf(request);
  if (!token || !server.isAccessTokenValid(token)) return graphError(400, 190, 'Error validating access token: The session is invalid.', 467);
  return null;
}

export const versionPrefix = String.raw`^\/v\d+\.\d+`;

export function metaAuthRoutes(state: MetaFakeState, serverOf: () => FakeHttpServer, accountFields: (page: FakePage) => Record<string, unknown>): FakeRoute[] {
  return [
    {
      method: 'GET',
      pattern: new RegExp(`${versionPrefix}\\/oauth\\/access_token$`),
      operation: 'token',
      authenticated: false,
      handle(request) {
        const query = Object.fromEntries(request.query.entries());
        state.tokenRequests.push(query);
        if (query.client_id !== metaAppId || query.client_secret !== metaAppSecret) return graphError(400, 1, 'Error validating client secret.');
        const server = serverOf();
        if (query.grant_type === 'fb_exchange_token') {
          if (state.revoked) return graphError(400, 190, 'Error validating access token: The user has not authorized application.', 458);
          if (!query.fb_exchange_token || !server.isAccessTokenValid(query.fb_exchange_token)) {
            return graphError(400, 190, 'Error validating access token: Session has expired.', 463);
          }
          const longLived = fakeToken('EAALong');
          server.allowAccessToken(longLived);
          return { status: 200, body: { access_token: longLived, token_type: 'bearer', expires_in: state.longLivedSeconds } };
        }
        const code = query.code ?? '';
        const issued = state.codes.get(code);
        if (!issued) return graphError(400, 100, 'This authorization code has been used.', 36009);
        state.codes.delete(code);
        if (issued.redirectUri !== null && issued.redirectUri !== query.redirect_uri) {
          return graphError(400, 100, 'Error validating verification code. Please make sure your redirect_uri is identical.', 36008);
        }
        const shortLived = fakeToken('EAAShort');
        server.allowAccessToken(shortLived);
        return { status: 200, body: { access_token: shortLived, token_type: 'bearer', expires_in: 5183 } };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${versionPrefix}\\/me\\/accounts$`),
      operation: 'destinations',
      authenticated: false,
      handle(request) {
        const refused = requireToken(serverOf(), request);
        if (refused) return refused;
        return graphPage(state, serverOf(), request, state.pages.map((page) => accountFields(page)));
      },
    },
  ];
}

/** An authorization code the token endpoint accepts once (optionally only with this redirect_uri). */
export function issueMetaCode(state: MetaFakeState, redirectUri: string | null = null): string {
  const code = fakeToken('AQCode');
  state.codes.set(code, { redirectUri });
  return code;
}

/** A long-lived user token valid right now, as after a connect. */
export function grantMetaToken(server: FakeHttpServer): string {
  const token = fakeToken('EAALong');
  server.allowAccessToken(token);
  return token;
}

export function defaultPages(withInstagram: boolean): Array<Omit<FakePage, 'accessToken'>> {
  return [
    { id: `1${fakeNumericId()}`, name: 'Corner Bakery', tasks: ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'], instagramAccount: withInstagram ? { id: `178414${fakeNumericId()}`, username: 'cornerbakery', name: 'Corner Bakery' } : null },
    { id: `1${fakeNumericId()}`, name: 'Harbour Cafe', tasks: ['ANALYZE', 'CREATE_CONTENT'], instagramAccount: null },
    { id: `1${fakeNumericId()}`, name: 'Read-only Page', tasks: ['ANALYZE'], instagramAccount: null },
  ];
}

export function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
