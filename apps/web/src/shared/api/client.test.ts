import { describe, expect, it, vi } from 'vitest';
import { createApiClient, REFRESH_TOKEN_KEY, type KeyValueStorage } from './client';
import { ProblemError, fieldNameOf, problemFromResponse, splitFieldErrors } from './problem';

const user = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'ada@example.com',
  name: 'Ada',
  locale: 'en',
  timezone: 'UTC',
  avatarUrl: null,
  emailVerified: true,
  isSuperAdmin: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function json(status: number, body: unknown, contentType = 'application/json') {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}

function session(n: number) {
  return { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, tokenType: 'Bearer' as const, expiresIn: 900, user, scope: null };
}

/** A fake server: access tokens listed in `valid` are accepted; /api/auth/refresh issues the next pair. */
function fakeServer(options: { refreshFails?: boolean; valid?: Set<string> } = {}) {
  const valid = options.valid ?? new Set<string>();
  let issued = 1;
  const refreshCalls: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    if (url.endsWith('/api/auth/refresh')) {
      refreshCalls.push(JSON.parse(String(init?.body)).refreshToken);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (options.refreshFails) return json(401, { status: 401, code: 'auth.refresh_reused', detail: 'Session ended.' }, 'application/problem+json');
      issued += 1;
      valid.add(`access-${issued}`);
      return json(200, session(issued));
    }
    const token = headers.authorization?.replace('Bearer ', '');
    if (!token || !valid.has(token)) return json(401, { status: 401, code: 'auth.unauthenticated', detail: 'Sign in.' }, 'application/problem+json');
    return json(200, { ok: true, url });
  });
  return { fetchMock, refreshCalls, valid };
}

describe('API client token refresh', () => {
  it('shares one refresh between concurrent requests that all got 401', async () => {
    const server = fakeServer();
    const storage = memoryStorage({ [REFRESH_TOKEN_KEY]: 'refresh-1' });
    const client = createApiClient({ fetch: server.fetchMock as typeof fetch, storage });
    client.applySession(session(1)); // access-1 is not in `valid`: the server treats it as expired

    const results = await Promise.all([client.get('/api/a'), client.get('/api/b'), client.get('/api/c')]);

    expect(results).toHaveLength(3);
    expect(server.refreshCalls).toEqual(['refresh-1']);
    expect(storage.data.get(REFRESH_TOKEN_KEY)).toBe('refresh-2');
    expect(client.getAccessToken()).toBe('access-2');
  });

  it('retries a request refused with an already-replaced token without refreshing again', async () => {
    const server = fakeServer();
    const storage = memoryStorage({ [REFRESH_TOKEN_KEY]: 'refresh-1' });
    const client = createApiClient({ fetch: server.fetchMock as typeof fetch, storage });
    client.applySession(session(1));
    await client.get('/api/first');
    const token = await client.refreshAccessToken('access-1');
    expect(token).toBe('access-2');
    expect(server.refreshCalls).toHaveLength(1);
  });

  it('signs out when the refresh is refused, and every waiting request fails', async () => {
    const server = fakeServer({ refreshFails: true });
    const storage = memoryStorage({ [REFRESH_TOKEN_KEY]: 'refresh-1' });
    const client = createApiClient({ fetch: server.fetchMock as typeof fetch, storage });
    client.applySession(session(1));
    const states: string[] = [];
    client.subscribe(() => states.push(client.getState().status));

    const outcomes = await Promise.allSettled([client.get('/api/a'), client.get('/api/b')]);

    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(server.refreshCalls).toHaveLength(1);
    expect(client.getState()).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(storage.data.has(REFRESH_TOKEN_KEY)).toBe(false);
    expect(states).toContain('signed-out');
  });

  it('restores a session from the stored refresh token before the first request', async () => {
    const server = fakeServer();
    const storage = memoryStorage({ [REFRESH_TOKEN_KEY]: 'refresh-1' });
    const client = createApiClient({ fetch: server.fetchMock as typeof fetch, storage });
    expect(client.getState().status).toBe('loading');
    await client.restoreSession();
    expect(client.getState().status).toBe('signed-in');
    await client.get('/api/after');
    expect(server.refreshCalls).toEqual(['refresh-1']);
  });

  it('does not refresh for requests made without authentication (wrong password stays a 401)', async () => {
    const fetchMock = vi.fn(async () =>
      json(401, { status: 401, code: 'auth.invalid_credentials', detail: 'The email or password is incorrect.' }, 'application/problem+json'),
    );
    const client = createApiClient({ fetch: fetchMock as typeof fetch, storage: memoryStorage() });
    const error = await client.post('/api/auth/login', { email: 'a@b.c', password: 'x' }, { auth: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).code).toBe('auth.invalid_credentials');
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

describe('problem+json mapping', () => {
  it('turns a validation problem into messages per form field and leftovers', async () => {
    const problem = await problemFromResponse(
      json(
        400,
        {
          status: 400,
          code: 'request.invalid',
          detail: 'The request has 3 invalid fields.',
          errors: [
            { path: 'body.email', message: 'Enter a valid email address.' },
            { path: 'body.email', message: 'Email is too long.' },
            { path: 'body.colors.primary', message: 'Use a hex colour.' },
            { path: 'query.limit', message: 'Limit must be at most 100.' },
          ],
        },
        'application/problem+json',
      ),
    );
    const { fields, other } = splitFieldErrors(problem, ['email', 'colors']);
    expect(fields).toEqual({ email: 'Enter a valid email address.', colors: 'Use a hex colour.' });
    expect(other).toEqual(['Limit must be at most 100.']);
  });

  it('keeps a readable error when the body is not problem+json', async () => {
    const problem = await problemFromResponse(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(problem.status).toBe(502);
    expect(problem.code).toBe('http.502');
    expect(problem.fieldErrors).toEqual([]);
  });

  it('strips the request location from field paths', () => {
    expect(fieldNameOf('body.tenantSlug')).toBe('tenantSlug');
    expect(fieldNameOf('params.id')).toBe('id');
    expect(fieldNameOf('name')).toBe('name');
  });
});
