import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { AppError } from '../errors.js';
import type { OmniModule } from '../module.js';
import { createHttpServer } from './server.js';

/** A module with routes that exercise each way a request can fail. */
const failingRoutes: OmniModule = {
  name: 'test-failures',
  async routes(app) {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.post('/test/echo', { schema: { body: z.object({ name: z.string().min(1), count: z.number().int() }) } }, async (request) => request.body);
    routes.get('/test/locked', async () => {
      throw new AppError('locked', 'auth.account_locked', 'Too many attempts.', { retryAfterSeconds: 90, unlockAt: '2030-01-01T00:00:00Z' });
    });
    routes.get('/test/bug', async () => {
      throw new Error('connection string postgres://omni:hunter2@db leaked');
    });
    routes.get('/test/items/:id', { schema: { params: z.object({ id: z.string() }) } }, async (request) => ({ id: request.params.id }));
    routes.get('/test/bad-response', { schema: { response: { 200: z.object({ id: z.uuid() }) } } }, async () => ({ id: 'not-a-uuid' }));
  },
};

describe('problem+json error responses', () => {
  let t: TestApp;
  let server: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp();
    server = await createHttpServer({ ...t.kernel, config: { ...t.kernel.config, BODY_LIMIT_BYTES: 2048 } }, [failingRoutes]);
    await server.ready();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  function expectProblem(response: Awaited<ReturnType<FastifyInstance['inject']>>, status: number) {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const body = response.json();
    expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), code: expect.any(String), detail: expect.any(String), requestId: expect.any(String) });
    return body;
  }

  it('answers a body over the size limit with 413', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x'.repeat(4096), count: 1 } });
    const body = expectProblem(response, 413);
    expect(body).toMatchObject({ code: 'request.too_large', detail: 'The request body is too large.' });
  });

  it('answers malformed JSON with 400', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": "x",' });
    expect(expectProblem(response, 400).code).toBe('request.invalid_json');
  });

  it('answers an empty JSON body with 400', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(expectProblem(response, 400).code).toBe('request.invalid_json');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('answers a %s body with 415', async (contentType) => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': contentType }, payload: 'name=x' });
    const body = expectProblem(response, 415);
    expect(body).toMatchObject({ code: 'request.unsupported_media_type', detail: expect.stringContaining('application/json') });
  });

  it('answers a body that fails its schema with 400 request.invalid and one entry per bad field', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', payload: { name: '', count: 'many' } });
    const body = expectProblem(response, 400);
    expect(body.code).toBe('request.invalid');
    expect(body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['body.count', 'body.name']);
  });

  it('renders an AppError with its status, code, extra details and retry-after header', async () => {
    const response = await server.inject({ url: '/test/locked' });
    const body = expectProblem(response, 423);
    expect(body).toMatchObject({ code: 'auth.account_locked', detail: 'Too many attempts.', unlockAt: '2030-01-01T00:00:00Z', title: 'Locked' });
    expect(body.retryAfterSeconds).toBeUndefined();
    expect(response.headers['retry-after']).toBe('90');
  });

  it('answers an unexpected error with 500 server.error and does not reveal its message', async () => {
    const response = await server.inject({ url: '/test/bug' });
    const body = expectProblem(response, 500);
    expect(body.code).toBe('server.error');
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('postgres://');
  });

  it('answers a response that breaks its own schema with 500 server.error, not the invalid data', async () => {
    const response = await server.inject({ url: '/test/bad-response' });
    expectProblem(response, 500);
    expect(response.body).not.toContain('not-a-uuid');
  });

  it('answers an unknown route with 404 route.not_found, and a known path with the wrong method with a problem', async () => {
    expect(expectProblem(await server.inject({ url: '/test/none' }), 404).code).toBe('route.not_found');
    const wrongMethod = await server.inject({ method: 'DELETE', url: '/test/echo' });
    expect(wrongMethod.statusCode).toBeGreaterThanOrEqual(400);
    expect(wrongMethod.statusCode).toBeLessThan(500);
    expect(wrongMethod.headers['content-type']).toContain('application/problem+json');
  });

  it('answers a path parameter longer than the router allows with 414 problem+json', async () => {
    const response = await server.inject({ url: `/test/items/${'a'.repeat(500)}` });
    expect(expectProblem(response, 414).code).toBe('request.parameter_too_long');
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('answers a path parameter with broken percent-encoding with 400 problem+json', async () => {
    const response = await server.inject({ url: '/test/items/%E0%A4%A' });
    expect(expectProblem(response, 400).code).toBe('request.invalid_url');
  });

  it.each([
    ['a body string', { method: 'POST' as const, url: '/test/echo', payload: { name: 'a\u0000b', count: 1 } }],
    ['a body key', { method: 'POST' as const, url: '/test/echo', payload: { name: 'a', count: 1, 'x\u0000': true } }],
    ['a query value', { method: 'GET' as const, url: '/test/items/1?filter=a%00b' }],
    ['a path parameter', { method: 'GET' as const, url: '/test/items/a%00b' }],
  ])('refuses a NUL character in %s with 400 before any route sees it', async (_label, options) => {
    const response = await server.inject(options);
    expect(expectProblem(response, 400).code).toBe('request.invalid_character');
  });

  it('keeps a well-formed caller request id and replaces one that is not', async () => {
    const kept = await server.inject({ url: '/test/none', headers: { 'x-request-id': 'caller-supplied-42' } });
    expect(kept.json().requestId).toBe('caller-supplied-42');
    const replaced = await server.inject({ url: '/test/none', headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.headers['x-request-id']).toBe(replaced.json().requestId);
  });
});
