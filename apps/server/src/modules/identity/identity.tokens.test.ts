import type { AuthSession } from '@omni/contracts/identity';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, testConfig, type TestApp } from '../../../test/harness.js';
import { createTestTenant, createTestUser, signIn } from '../../../test/factories/identity.js';

const secret = testConfig().JWT_SECRET;
const encoder = new TextEncoder();

type Claims = Record<string, unknown>;

async function sign(claims: Claims, options: { key?: string; kid?: string; audience?: string; issuer?: string; expiresAt?: number; issuedAt?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: options.kid ?? 'k1' })
    .setIssuer(options.issuer ?? 'omni')
    .setAudience(options.audience ?? 'omni-api')
    .setIssuedAt(options.issuedAt ?? now)
    .setExpirationTime(options.expiresAt ?? now + 600)
    .sign(encoder.encode(options.key ?? secret));
}

describe('identity access tokens', () => {
  let t: TestApp;
  let session: AuthSession;
  let claims: Claims;
  beforeAll(async () => {
    t = await createTestApp();
    const { user, email } = await createTestUser(t);
    await createTestTenant(t, user.id);
    session = await signIn(t, email);
    claims = decodeJwt(session.accessToken);
  });
  afterAll(() => t.close());

  const profile = (token: string) => request(t.app, { method: 'GET', url: '/api/auth/profile', token });

  async function expectRefused(token: string) {
    const response = await profile(token);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().code).toMatch(/^auth\./);
    return response.json() as { code: string };
  }

  it('issues HS256 tokens with the key id and the documented claims', () => {
    expect(decodeProtectedHeader(session.accessToken)).toMatchObject({ alg: 'HS256', kid: 'k1' });
    expect(claims).toMatchObject({ iss: 'omni', aud: 'omni-api', sub: session.user.id, tid: session.scope!.tenantId, trl: 'owner', sa: false });
    expect(typeof claims.sid).toBe('string');
    expect((claims.exp as number) - Math.floor(claims.iat as number)).toBe(900);
  });

  it('accepts a token this test signs itself with the real key (so the refusals below are about one flaw each)', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    const token = await sign(custom);
    expect((await profile(token)).statusCode).toBe(200);
  });

  it('refuses alg "none"', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    const token = new UnsecuredJWT(custom).setIssuer('omni').setAudience('omni-api').setIssuedAt().setExpirationTime('10m').encode();
    await expectRefused(token);
  });

  it('refuses a token signed with another key', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    await expectRefused(await sign(custom, { key: 'some-other-secret-some-other-secret-0123456' }));
  });

  it('refuses an expired token with auth.token_expired', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    const now = Math.floor(Date.now() / 1000);
    const refused = await expectRefused(await sign(custom, { issuedAt: now - 2000, expiresAt: now - 1000 }));
    expect(refused.code).toBe('auth.token_expired');
  });

  it('refuses a token whose tenant claim was tampered with', async () => {
    const [header, payload, signature] = session.accessToken.split('.');
    const tampered = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')), tid: randomUUID() };
    const forged = `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`;
    await expectRefused(forged);
  });

  it('refuses a token for another audience or issuer', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    await expectRefused(await sign(custom, { audience: 'someone-else' }));
    await expectRefused(await sign(custom, { issuer: 'not-omni' }));
  });

  it('refuses a token with an unknown key id', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    await expectRefused(await sign(custom, { kid: 'k9' }));
  });

  it('refuses a correctly signed token with malformed claims', async () => {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...custom } = claims;
    await expectRefused(await sign({ ...custom, tid: 'not-a-uuid' }));
    await expectRefused(await sign({ ...custom, trl: 'emperor' }));
  });

  it('refuses an unsupported authorization scheme and a garbage bearer token', async () => {
    const basic = await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(401);
    await expectRefused('garbage');
  });
});

describe('identity signing key rotation', () => {
  let before: TestApp;
  let after: TestApp;
  let withoutPrevious: TestApp;
  const oldSecret = 'old-signing-secret-old-signing-secret-0123';
  const newSecret = 'new-signing-secret-new-signing-secret-4567';
  beforeAll(async () => {
    before = await createTestApp({ JWT_SECRET: oldSecret, JWT_KEY_ID: 'k1' });
    after = await createTestApp({ JWT_SECRET: newSecret, JWT_KEY_ID: 'k2', JWT_PREVIOUS_SECRETS: `k1:${oldSecret}` });
    withoutPrevious = await createTestApp({ JWT_SECRET: newSecret, JWT_KEY_ID: 'k2' });
  });
  afterAll(async () => {
    await before.close();
    await after.close();
    await withoutPrevious.close();
  });

  it('still accepts tokens signed with a previous key and signs new ones with the current key', async () => {
    const { email } = await createTestUser(before);
    const oldSession = await signIn(before, email);
    expect(decodeProtectedHeader(oldSession.accessToken).kid).toBe('k1');

    expect((await request(after.app, { method: 'GET', url: '/api/auth/profile', token: oldSession.accessToken })).statusCode).toBe(200);
    const retired = await request(withoutPrevious.app, { method: 'GET', url: '/api/auth/profile', token: oldSession.accessToken });
    expect(retired.statusCode).toBe(401);

    const refreshed = await request(after.app, { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: oldSession.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const newToken = (refreshed.json() as AuthSession).accessToken;
    expect(decodeProtectedHeader(newToken).kid).toBe('k2');
    expect((await request(withoutPrevious.app, { method: 'GET', url: '/api/auth/profile', token: newToken })).statusCode).toBe(200);
    expect((await request(before.app, { method: 'GET', url: '/api/auth/profile', token: newToken })).statusCode).toBe(401);
  });
});

describe('identity OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('documents every /api/auth route from the contract schemas', async () => {
    const document = (await request(t.app, { method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const expected: [string, string][] = [
      ['/api/auth/login', 'post'], ['/api/auth/refresh', 'post'], ['/api/auth/logout', 'post'], ['/api/auth/profile', 'get'],
      ['/api/auth/profile', 'patch'], ['/api/auth/password', 'post'], ['/api/auth/password/forgot', 'post'], ['/api/auth/password/reset', 'post'],
      ['/api/auth/email/verify', 'post'], ['/api/auth/email/resend', 'post'], ['/api/auth/magic-link', 'post'], ['/api/auth/magic-link/verify', 'post'],
      ['/api/auth/sessions', 'get'], ['/api/auth/sessions/{id}', 'delete'], ['/api/auth/sessions/revoke-others', 'post'], ['/api/auth/switch', 'post'],
      ['/api/auth/api-keys', 'get'], ['/api/auth/api-keys', 'post'], ['/api/auth/api-keys/{id}', 'delete'], ['/api/auth/permissions', 'get'],
    ];
    for (const [path, method] of expected) expect(document.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
