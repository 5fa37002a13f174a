import type { ApiKey, AuthSession, CreatedApiKey } from '@omni/contracts/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { createTestTenant, createTestUser, signIn } from '../../../test/factories/identity.js';
import { sha256Hex } from '../../kernel/crypto/tokens.js';
import { definePermissions } from '../../kernel/access.js';
import { withSystemAccess } from '../../kernel/db/tenancy.js';
import { markUserSessionsStale } from './index.js';

// A permission of this test file's own, so the scope tests do not depend on other modules' names.
definePermissions({ 'identity_test:read': { tenantRole: 'member' } });
const otherScope = 'identity_test:read';

describe('identity API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function signedInOwner() {
    const { user, email } = await createTestUser(t);
    const tenant = await createTestTenant(t, user.id, { tenantRole: 'owner' });
    const session = await signIn(t, email);
    expect(session.scope?.tenantId).toBe(tenant.tenantId);
    return { user, tenant, session };
  }

  async function createKey(session: AuthSession, payload: Record<string, unknown>) {
    return request(t.app, { method: 'POST', url: '/api/auth/api-keys', token: session.accessToken, payload });
  }

  it('lists the permissions a key may hold', async () => {
    const { session } = await signedInOwner();
    const response = await request(t.app, { method: 'GET', url: '/api/auth/permissions', token: session.accessToken });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual(expect.arrayContaining(['api_keys:manage', otherScope]));
  });

  it('creates a key shown once, stored as a hash, that authenticates in its tenant', async () => {
    const { user, tenant, session } = await signedInOwner();
    const created = await createKey(session, { name: 'CI deploys', scopes: ['api_keys:manage'] });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json() as CreatedApiKey;
    expect(secret).toMatch(/^omni_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`omni_${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({ name: 'CI deploys', scopes: ['api_keys:manage'], accountId: null, revokedAt: null, lastUsedAt: null });

    const stored = await t.owner.query('SELECT key_hash, tenant_id, user_id FROM api_keys WHERE id = $1', [apiKey.id]);
    expect(stored.rows[0]).toEqual({ key_hash: sha256Hex(secret), tenant_id: tenant.tenantId, user_id: user.id });

    const viaHeader = await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } });
    expect(viaHeader.statusCode).toBe(200);
    const listed = viaHeader.json().items as (ApiKey & { secret?: string })[];
    expect(listed.map((item) => item.id)).toContain(apiKey.id);
    expect(JSON.stringify(listed)).not.toContain(secret);
    const viaScheme = await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { authorization: `ApiKey ${secret}` } });
    expect(viaScheme.statusCode).toBe(200);
    expect(viaScheme.json()).toMatchObject({ id: user.id });

    const used = await t.owner.query('SELECT last_used_at FROM api_keys WHERE id = $1', [apiKey.id]);
    expect(used.rows[0].last_used_at).not.toBeNull();
  });

  it('records the last use at most once a minute', async () => {
    const { session } = await signedInOwner();
    const { apiKey, secret } = (await createKey(session, { name: 'Sync', scopes: ['api_keys:manage'] })).json() as CreatedApiKey;
    await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } });
    const first = (await t.owner.query('SELECT last_used_at FROM api_keys WHERE id = $1', [apiKey.id])).rows[0].last_used_at as Date;
    await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } });
    const second = (await t.owner.query('SELECT last_used_at FROM api_keys WHERE id = $1', [apiKey.id])).rows[0].last_used_at as Date;
    expect(second.getTime()).toBe(first.getTime());
    await t.owner.query(`UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [apiKey.id]);
    await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } });
    const third = (await t.owner.query('SELECT last_used_at FROM api_keys WHERE id = $1', [apiKey.id])).rows[0].last_used_at as Date;
    expect(third.getTime()).toBeGreaterThan(first.getTime());
  });

  it('refuses what the key has no scope for, even when its creator could', async () => {
    const { session } = await signedInOwner();
    const { secret } = (await createKey(session, { name: 'Narrow', scopes: [otherScope] })).json() as CreatedApiKey;
    const denied = await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'auth.forbidden' });
  });

  it('rejects unknown scopes and past expiry dates with clear errors', async () => {
    const { session } = await signedInOwner();
    const unknown = await createKey(session, { name: 'Bad', scopes: ['api_keys:manage', 'nuclear:launch'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'api_key.scope_unknown', errors: [{ path: 'scopes.1' }] });
    const past = await createKey(session, { name: 'Old', scopes: ['api_keys:manage'], expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({ code: 'api_key.expiry_past' });
    const empty = await createKey(session, { name: 'Empty', scopes: [] });
    expect(empty.statusCode).toBe(400);
  });

  it('does not let a key mint a key with more scopes than its own', async () => {
    const { session } = await signedInOwner();
    const { secret } = (await createKey(session, { name: 'Minter', scopes: ['api_keys:manage'] })).json() as CreatedApiKey;
    const escalate = await request(t.app, {
      method: 'POST',
      url: '/api/auth/api-keys',
      headers: { 'x-api-key': secret },
      payload: { name: 'Stronger', scopes: ['api_keys:manage', otherScope] },
    });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json()).toMatchObject({ code: 'api_key.scope_exceeds_creator' });
  });

  it('refuses revoked, expired, malformed and unknown keys with 401', async () => {
    const { session } = await signedInOwner();
    const { apiKey, secret } = (await createKey(session, { name: 'Temp', scopes: ['api_keys:manage'] })).json() as CreatedApiKey;

    const tamperedSecret = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const wrong = await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { 'x-api-key': tamperedSecret } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'auth.api_key_invalid' });
    const malformed = await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { 'x-api-key': 'hello' } });
    expect(malformed.statusCode).toBe(401);

    await t.owner.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [apiKey.id]);
    const expired = await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { 'x-api-key': secret } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 'auth.api_key_expired' });
    await t.owner.query('UPDATE api_keys SET expires_at = NULL WHERE id = $1', [apiKey.id]);
    expect((await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { 'x-api-key': secret } })).statusCode).toBe(200);

    const revoke = await request(t.app, { method: 'DELETE', url: `/api/auth/api-keys/${apiKey.id}`, token: session.accessToken });
    expect(revoke.statusCode).toBe(204);
    const revoked = await request(t.app, { method: 'GET', url: '/api/auth/profile', headers: { 'x-api-key': secret } });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toMatchObject({ code: 'auth.api_key_revoked' });
    expect(revoked.headers['content-type']).toContain('application/problem+json');

    const listed = (await request(t.app, { method: 'GET', url: '/api/auth/api-keys', token: session.accessToken })).json().items as ApiKey[];
    expect(listed.find((item) => item.id === apiKey.id)?.revokedAt).not.toBeNull();
  });

  it("does not let one user revoke another user's key", async () => {
    const owner = await signedInOwner();
    const other = await signedInOwner();
    const { apiKey } = (await createKey(owner.session, { name: 'Mine', scopes: ['api_keys:manage'] })).json() as CreatedApiKey;
    const attempt = await request(t.app, { method: 'DELETE', url: `/api/auth/api-keys/${apiKey.id}`, token: other.session.accessToken });
    expect(attempt.statusCode).toBe(404);
    expect(attempt.json()).toMatchObject({ code: 'api_key.not_found' });
  });

  it("acts with the creator's current membership: a removed member's key stops working", async () => {
    const { user, tenant, session } = await signedInOwner();
    const { secret } = (await createKey(session, { name: 'Ex-member', scopes: ['api_keys:manage'] })).json() as CreatedApiKey;
    expect((await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } })).statusCode).toBe(200);

    await t.owner.query('DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2', [tenant.tenantId, user.id]);
    await withSystemAccess(t.kernel, 'test:membership-removed', (tx) => markUserSessionsStale(tx, user.id));
    const refused = await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'auth.api_key_no_access' });
  });

  it('scopes a key to an account of the active tenant, never to a foreign one', async () => {
    const { tenant, session } = await signedInOwner();
    const stranger = await signedInOwner();
    const scoped = await createKey(session, { name: 'Account bot', scopes: ['api_keys:manage'], accountId: tenant.accountId });
    expect(scoped.statusCode).toBe(201);
    const { apiKey, secret } = scoped.json() as CreatedApiKey;
    expect(apiKey.accountId).toBe(tenant.accountId);
    expect((await request(t.app, { method: 'GET', url: '/api/auth/api-keys', headers: { 'x-api-key': secret } })).statusCode).toBe(200);

    const foreign = await createKey(session, { name: 'Elsewhere', scopes: ['api_keys:manage'], accountId: stranger.tenant.accountId });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'tenant.no_access' });
  });

  it('needs an active tenant to create a key', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    expect(session.scope).toBeNull();
    const response = await createKey(session, { name: 'Nowhere', scopes: ['api_keys:manage'] });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'tenant.none_active' });
  });

  it('refuses session-only actions to API keys', async () => {
    const { session } = await signedInOwner();
    const { secret } = (await createKey(session, { name: 'Robot', scopes: ['api_keys:manage'] })).json() as CreatedApiKey;
    const response = await request(t.app, { method: 'POST', url: '/api/auth/sessions/revoke-others', headers: { 'x-api-key': secret } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'auth.session_required' });
  });
});
