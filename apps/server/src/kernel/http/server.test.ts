import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';

describe('kernel HTTP server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness with the database and queue checked', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
  });

  it('renders unknown routes as problem+json with a request id', async () => {
    const response = await t.app.inject({ url: '/api/nope', headers: { 'x-request-id': 'test-request-1234' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'route.not_found', requestId: 'test-request-1234', title: 'Not Found' });
    expect(response.headers['x-request-id']).toBe('test-request-1234');
  });

  it('serves an OpenAPI 3.1 document and security headers', async () => {
    const response = await t.app.inject({ url: '/openapi.json' });
    expect(response.json().openapi).toBe('3.1.0');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('exposes Prometheus metrics', async () => {
    const response = await t.app.inject({ url: '/metrics' });
    expect(response.body).toContain('omni_http_request_duration_seconds');
  });
});
