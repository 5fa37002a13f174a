import type { AuthSession, Scope, User } from '@omni/contracts/identity';
import { NetworkError, ProblemError, problemFromResponse } from './problem';

/**
 * The one HTTP client of the console. The access token lives in memory only; the refresh token in
 * localStorage (so a reload or a new tab stays signed in). Every 401 on an authenticated request goes
 * through `refreshAccessToken`, which is single-flight: concurrent 401s share one refresh, and a refresh
 * that the server refuses signs the user out.
 */
export type AuthState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason: SignOutReason | null }
  | { status: 'signed-in'; user: User; scope: Scope | null };

export type SignOutReason = 'user' | 'expired';

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type ApiClientOptions = {
  baseUrl?: string;
  fetch?: typeof fetch;
  storage?: KeyValueStorage;
  /** Serialises refreshes across browser tabs (Web Locks); without it, only within this tab. */
  lock?: <T>(name: string, run: () => Promise<T>) => Promise<T>;
};

export type RequestOptions = {
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
  /** false: send no token and never refresh (sign-in, registration, public lookups). */
  auth?: boolean;
  signal?: AbortSignal;
};

export const REFRESH_TOKEN_KEY = 'omni.refreshToken';

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '';
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const storage = options.storage ?? safeLocalStorage();
  const lock = options.lock ?? ((_name, run) => run());

  let accessToken: string | null = null;
  let state: AuthState = storage.getItem(REFRESH_TOKEN_KEY) ? { status: 'loading' } : { status: 'signed-out', reason: null };
  let refreshInFlight: Promise<string> | null = null;
  const listeners = new Set<() => void>();

  function setState(next: AuthState) {
    state = next;
    for (const listener of listeners) listener();
  }

  /** Adopt a session the server issued (sign-in, refresh, switch, invitation, magic link). */
  function applySession(session: AuthSession) {
    accessToken = session.accessToken;
    storage.setItem(REFRESH_TOKEN_KEY, session.refreshToken);
    setState({ status: 'signed-in', user: session.user, scope: session.scope });
  }

  function clearSession(reason: SignOutReason) {
    accessToken = null;
    storage.removeItem(REFRESH_TOKEN_KEY);
    refreshInFlight = null;
    setState({ status: 'signed-out', reason });
  }

  function buildUrl(path: string, query?: RequestOptions['query']) {
    const url = `${baseUrl}${path}`;
    if (!query) return url;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return search ? `${url}?${search}` : url;
  }

  async function send(method: string, path: string, requestOptions: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (requestOptions.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      return await fetchImpl(buildUrl(path, requestOptions.query), {
        method,
        headers,
        body: requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body),
        signal: requestOptions.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new NetworkError(error);
    }
  }

  /**
   * Get a fresh access token. `staleToken` is the token a request was refused with: when another caller
   * already replaced it, that newer token is returned without asking the server again.
   */
  function refreshAccessToken(staleToken: string | null): Promise<string> {
    if (accessToken && accessToken !== staleToken) return Promise.resolve(accessToken);
    if (refreshInFlight) return refreshInFlight;
    const attempt = lock('omni-refresh', async () => {
      // Read the token at the last moment: another tab may have rotated it while we waited for the lock.
      const refreshToken = storage.getItem(REFRESH_TOKEN_KEY);
      if (!refreshToken) {
        clearSession('expired');
        throw new ProblemError({ status: 401, code: 'auth.unauthenticated', detail: 'Sign in to continue.' });
      }
      const response = await send('POST', '/api/auth/refresh', { body: { refreshToken } }, null);
      if (!response.ok) {
        const problem = await problemFromResponse(response);
        // The server refused the refresh token (expired, revoked, reused): the session is over.
        if (response.status === 401 || response.status === 400 || response.status === 403) clearSession('expired');
        throw problem;
      }
      const session = (await response.json()) as AuthSession;
      applySession(session);
      return session.accessToken;
    });
    refreshInFlight = attempt;
    const clear = () => {
      if (refreshInFlight === attempt) refreshInFlight = null;
    };
    attempt.then(clear, clear);
    return attempt;
  }

  async function request<T>(method: string, path: string, requestOptions: RequestOptions = {}): Promise<T> {
    const authenticated = requestOptions.auth !== false;
    let token = authenticated ? accessToken : null;
    if (authenticated && !token && storage.getItem(REFRESH_TOKEN_KEY)) token = await refreshAccessToken(null);
    let response = await send(method, path, requestOptions, token);
    if (response.status === 401 && authenticated && token) {
      token = await refreshAccessToken(token);
      response = await send(method, path, requestOptions, token);
    }
    if (!response.ok) {
      const problem = await problemFromResponse(response);
      if (problem.status === 401 && authenticated && token) clearSession('expired');
      throw problem;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    request,
    get: <T>(path: string, requestOptions?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, requestOptions),
    post: <T>(path: string, body?: unknown, requestOptions?: Omit<RequestOptions, 'body'>) => request<T>('POST', path, { ...requestOptions, body }),
    put: <T>(path: string, body?: unknown, requestOptions?: Omit<RequestOptions, 'body'>) => request<T>('PUT', path, { ...requestOptions, body }),
    patch: <T>(path: string, body?: unknown, requestOptions?: Omit<RequestOptions, 'body'>) => request<T>('PATCH', path, { ...requestOptions, body }),
    delete: <T = void>(path: string, requestOptions?: Omit<RequestOptions, 'body'>) => request<T>('DELETE', path, requestOptions),
    applySession,
    refreshAccessToken,
    /** Restore the session from the stored refresh token (at start-up). */
    async restoreSession(): Promise<void> {
      if (!storage.getItem(REFRESH_TOKEN_KEY)) {
        if (state.status === 'loading') setState({ status: 'signed-out', reason: null });
        return;
      }
      try {
        await refreshAccessToken(null);
      } catch (error) {
        // Offline: keep the stored token for the next attempt, but let the app render the sign-in page.
        if (state.status === 'loading') setState({ status: 'signed-out', reason: error instanceof NetworkError ? null : 'expired' });
      }
    },
    /** Sign out here and on the server (best effort: the local session ends even when offline). */
    async signOut(): Promise<void> {
      const refreshToken = storage.getItem(REFRESH_TOKEN_KEY);
      const token = accessToken;
      clearSession('user');
      if (token || refreshToken) {
        await send('POST', '/api/auth/logout', { body: refreshToken ? { refreshToken } : {} }, token).catch(() => undefined);
      }
    },
    /** Another tab signed in, refreshed or signed out: follow it. */
    handleStorageChange(key: string | null, newValue: string | null) {
      if (key !== REFRESH_TOKEN_KEY && key !== null) return;
      if (!newValue && state.status === 'signed-in') {
        accessToken = null;
        setState({ status: 'signed-out', reason: 'user' });
      }
    },
    /** Update the signed-in user after a profile change or email verification. */
    updateUser(user: User) {
      if (state.status === 'signed-in') setState({ ...state, user });
    },
    getState: () => state,
    /** Resolves once the start-up session restore has finished (signed in or out). */
    settled(): Promise<void> {
      if (state.status !== 'loading') return Promise.resolve();
      return new Promise((resolve) => {
        const listener = () => {
          if (state.status === 'loading') return;
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
      });
    },
    getAccessToken: () => accessToken,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function safeLocalStorage(): KeyValueStorage {
  try {
    if (typeof localStorage !== 'undefined') return localStorage;
  } catch {
    // Storage blocked (privacy mode): fall through to memory.
  }
  const memory = new Map<string, string>();
  return {
    getItem: (key) => memory.get(key) ?? null,
    setItem: (key, value) => void memory.set(key, value),
    removeItem: (key) => void memory.delete(key),
  };
}

/** Web Locks when the browser has them: two tabs never present the same refresh token at once. */
export function browserLock<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) {
    return navigator.locks.request(name, run) as Promise<T>;
  }
  return run();
}
