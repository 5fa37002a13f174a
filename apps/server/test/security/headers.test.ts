import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness.js';

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('sends helmet’s protective headers on API responses and on errors (404, 401)', async () => {
    for (const url of ['/healthz', '/api/no-such-route', '/api/auth/profile']) {
      const response = await t.app.inject({ url });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("object-src 'none'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'self'");
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    }
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example' });
  });
  afterAll(() => t.close());

  it('allows an origin on the CORS_ORIGINS list, with credentials', async () => {
    const response = await t.app.inject({ url: '/healthz', headers: { origin: 'https://app.example' } });
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-expose-headers']).toContain('retry-after');
  });

  it('gives an origin not on the list no access-control-allow-origin', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.evil.test', 'http://app.example', 'null']) {
      const response = await t.app.inject({ url: '/healthz', headers: { origin } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('answers a preflight from an allowed origin and gives a refused origin nothing to act on', async () => {
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/login',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(allowed.headers['access-control-allow-methods']).toContain('POST');
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers the request over the limit with 429 problem+json and retry-after', async () => {
    const statuses: number[] = [];
    let last;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      last = await t.app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.7' });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers['content-type']).toContain('application/problem+json');
    expect(last!.json()).toMatchObject({ status: 429, code: 'rate_limited', detail: expect.any(String) });
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts each client address separately', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) await t.app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.8' });
    const other = await t.app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.9' });
    expect(other.statusCode).toBe(200);
  });

  it('cannot be dodged by a client that sends its own x-forwarded-for', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await t.app.inject({ url: '/openapi.json', remoteAddress: '198.51.100.20', headers: { 'x-forwarded-for': `192.0.2.${attempt + 1}` } });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('uses x-forwarded-for when a proxy on the local network forwards the request', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await t.app.inject({ url: '/openapi.json', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '198.51.100.30' } });
    }
    const sameClient = await t.app.inject({ url: '/openapi.json', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '198.51.100.30' } });
    expect(sameClient.statusCode).toBe(429);
    const otherClient = await t.app.inject({ url: '/openapi.json', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '198.51.100.31' } });
    expect(otherClient.statusCode).toBe(200);
  });

  it('never limits the health, readiness and metrics probes', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await t.app.inject({ url: '/healthz', remoteAddress: '203.0.113.10' });
      expect(response.statusCode).toBe(200);
    }
  });
});
