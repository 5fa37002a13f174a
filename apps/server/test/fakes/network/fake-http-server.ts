import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The machinery shared by the network fakes (test/fakes/pinterest.ts, x.ts, linkedin.ts): a real HTTP
 * server on 127.0.0.1 and a random port, a route table, bearer-token checks, and injectable failures.
 * Each fake supplies its own routes and renders errors in its network's wire format.
 */

/** Which kind of call an injected failure applies to. */
export type FakeOperation = 'token' | 'destinations' | 'publish' | 'media' | 'lookup' | 'metrics';

export type FakeFailure =
  /** 429 with the network's rate-limit headers (Retry-After, or X's x-rate-limit-reset). */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'server_error' }
  /** 401 as for an expired access token. */
  | { kind: 'token_expired' }
  /** The network refuses the content (400/403/422 with its message). */
  | { kind: 'rejected'; status?: number; message: string }
  /** Never answer: the client times out. */
  | { kind: 'hang' }
  /** Perform the call (a post is recorded), then destroy the socket before any response byte. */
  | { kind: 'response_lost' };

export type FakeRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  params: string[];
  rawBody: Buffer;
  /** JSON or urlencoded bodies, parsed; null otherwise. */
  json: unknown;
  form: URLSearchParams | null;
  /** The bearer token of the Authorization header, if any. */
  bearer: string | null;
  /** Multipart bodies, parsed on demand. */
  multipart(): Promise<FormData>;
};

export type FakeReply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer };

export type FakeRoute = {
  method: string;
  pattern: RegExp;
  operation: FakeOperation | null;
  /** False for the token endpoint and public media; true requires a valid bearer access token. */
  authenticated: boolean;
  handle(request: FakeRequest): FakeReply | Promise<FakeReply>;
};

export type FakeErrorRenderer = {
  /** The body for an error status in the network's format. */
  render(status: number, message: string, kind: FakeFailure['kind'] | 'unauthorized' | 'not_found'): unknown;
  /** Headers a 429 carries on this network. */
  rateLimitHeaders(retryAfterSeconds: number): Record<string, string>;
};

export type FakeHttpServer = {
  url: string;
  /**
   * Inject a failure for the next `times` calls of `operation` (default: the next publish call), after
   * letting `after` such calls succeed (e.g. fail the second post of a thread).
   */
  setFailure(failure: FakeFailure, options?: { operation?: FakeOperation; times?: number; after?: number }): void;
  clearFailures(): void;
  /**
   * Answer calls of `operation` only `ms` after handling them (the call has taken effect by then), as a
   * network that takes a while to respond; null removes it. A client that dies meanwhile never hears back.
   */
  setLatency(operation: FakeOperation, ms: number | null): void;
  /** Accept this bearer token for authenticated routes (tokens issued by the token endpoint are added too). */
  allowAccessToken(token: string): void;
  /** Make every access token issued so far invalid (401), as when they expire. */
  expireAccessTokens(): void;
  isAccessTokenValid(token: string): boolean;
  /** Requests seen so far, for assertions on the wire format. */
  requests: Array<{ method: string; path: string; query: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
};

/** A 1×1 PNG, served at /test-media/<name>.png so providers can download "the post's image". */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export async function startFakeHttpServer(routes: FakeRoute[], errors: FakeErrorRenderer): Promise<FakeHttpServer> {
  const failures: Array<{ failure: FakeFailure; operation: FakeOperation; remaining: number; skip: number }> = [];
  const latencies = new Map<FakeOperation, number>();
  const validTokens = new Set<string>();
  const requests: FakeHttpServer['requests'] = [];

  function takeFailure(operation: FakeOperation | null): FakeFailure | null {
    if (!operation) return null;
    const entry = failures.find((candidate) => candidate.operation === operation && candidate.remaining > 0);
    if (!entry) return null;
    if (entry.skip > 0) {
      entry.skip -= 1;
      return null;
    }
    entry.remaining -= 1;
    return entry.failure;
  }

  function send(response: ServerResponse, reply: FakeReply): void {
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    let payload: Buffer | string = '';
    if (reply.raw) payload = reply.raw;
    else if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers['content-type'] ??= 'application/json';
    }
    response.writeHead(reply.status, headers);
    response.end(payload);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://fake.local');
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, query: url.search, headers: request.headers, body: rawBody.toString('utf8') });

    if (method === 'GET' && url.pathname.startsWith('/test-media/')) {
      send(response, { status: 200, raw: tinyPng, headers: { 'content-type': 'image/png' } });
      return;
    }
    const route = routes.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname));
    if (!route) {
      send(response, { status: 404, body: errors.render(404, `No route ${method} ${url.pathname}`, 'not_found') });
      return;
    }
    const contentType = String(request.headers['content-type'] ?? '');
    let json: unknown = null;
    let form: URLSearchParams | null = null;
    if (contentType.includes('application/json') && rawBody.length > 0) json = JSON.parse(rawBody.toString('utf8'));
    if (contentType.includes('application/x-www-form-urlencoded')) form = new URLSearchParams(rawBody.toString('utf8'));
    const authorization = String(request.headers.authorization ?? '');
    const bearer = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : null;
    const fakeRequest: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      params: (route.pattern.exec(url.pathname) ?? []).slice(1).map((part) => decodeURIComponent(part)),
      rawBody,
      json,
      form,
      bearer,
      multipart: () => new Response(rawBody, { headers: { 'content-type': contentType } }).formData(),
    };

    const failure = takeFailure(route.operation);
    if (failure?.kind === 'hang') return;
    if (failure?.kind === 'rate_limited') {
      send(response, {
        status: 429,
        body: errors.render(429, 'Too Many Requests', 'rate_limited'),
        headers: errors.rateLimitHeaders(failure.retryAfterSeconds),
      });
      return;
    }
    if (failure?.kind === 'server_error') {
      send(response, { status: 500, body: errors.render(500, 'Internal error', 'server_error') });
      return;
    }
    if (failure?.kind === 'token_expired') {
      send(response, { status: 401, body: errors.render(401, 'The access token expired', 'token_expired') });
      return;
    }
    if (failure?.kind === 'rejected') {
      const status = failure.status ?? 400;
      send(response, { status, body: errors.render(status, failure.message, 'rejected') });
      return;
    }
    if (route.authenticated && (!bearer || !validTokens.has(bearer))) {
      send(response, { status: 401, body: errors.render(401, 'Invalid or expired access token', 'unauthorized') });
      return;
    }
    const reply = await route.handle(fakeRequest);
    const latency = route.operation ? latencies.get(route.operation) : undefined;
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    if (failure?.kind === 'response_lost') {
      // The call took effect (e.g. the post is recorded); the client never hears about it.
      request.socket.destroy();
      return;
    }
    send(response, reply);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        send(response, { status: 500, body: errors.render(500, error instanceof Error ? error.message : 'fake failure', 'server_error') });
      }
    });
  });
  const listening = await listenOnLoopback(server);

  return {
    url: listening.url,
    setFailure(failure, options = {}) {
      failures.push({ failure, operation: options.operation ?? 'publish', remaining: options.times ?? 1, skip: options.after ?? 0 });
    },
    setLatency(operation, ms) {
      if (ms === null) latencies.delete(operation);
      else latencies.set(operation, ms);
    },
    clearFailures() {
      failures.length = 0;
    },
    allowAccessToken(token) {
      validTokens.add(token);
    },
    expireAccessTokens() {
      validTokens.clear();
    },
    isAccessTokenValid(token) {
      return validTokens.has(token);
    },
    requests,
    close: listening.close,
  };
}

/**
 * Listen on 127.0.0.1 and a random port. close() destroys open sockets first (a hung request or a
 * keep-alive connection must not keep a test waiting) and resolves once the server has stopped.
 */
export async function listenOnLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

let sequence = 0;
/** Unique opaque tokens and ids for the fakes. */
export function fakeToken(prefix: string): string {
  sequence += 1;
  return `${prefix}-${Date.now().toString(36)}-${sequence}-${Math.random().toString(36).slice(2, 10)}`;
}

export function fakeNumericId(): string {
  sequence += 1;
  return `${Date.now()}${String(sequence).padStart(6, '0')}`;
}
