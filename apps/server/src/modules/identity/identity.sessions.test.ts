import type { AuthSession } from '@omni/contracts/identity';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { createTestTenant, createTestUser, signIn } from '../../../test/factories/identity.js';
import { sha256Hex } from '../../kernel/crypto/tokens.js';
import { withSystemAccess } from '../../kernel/db/tenancy.js';
import { markUserSessionsStale } from './index.js';

describe('identity sessions and refresh tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const refresh = (refreshToken: string) => request(t.app, { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
  const profile = (token: string) => request(t.app, { method: 'GET', url: '/api/auth/profile', token });

  it('signs in, refreshes with rotation and signs out', async () => {
    const { user, email } = await createTestUser(t);
    const tenant = await createTestTenant(t, user.id);
    const session = await signIn(t, email);
    expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: user.id, email, emailVerified: false, isSuperAdmin: false } });
    expect(session.scope).toMatchObject({ tenantId: tenant.tenantId, tenantRole: 'owner' });
    expect(JSON.stringify(session.user)).not.toContain('argon2');

    const me = await profile(session.accessToken);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: user.id, email });

    const refreshed = await refresh(session.refreshToken);
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json() as AuthSession;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(next.scope).toMatchObject({ tenantId: tenant.tenantId, tenantRole: 'owner' });
    expect((await profile(next.accessToken)).statusCode).toBe(200);

    const logout = await request(t.app, { method: 'POST', url: '/api/auth/logout', token: next.accessToken, payload: {} });
    expect(logout.statusCode).toBe(204);
    const afterLogout = await profile(next.accessToken);
    expect(afterLogout.statusCode).toBe(401);
    expect(afterLogout.json()).toMatchObject({ code: 'auth.session_revoked' });
    expect((await refresh(next.refreshToken)).json()).toMatchObject({ code: 'auth.session_revoked' });
  });

  it('stores refresh tokens only as hashes', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const stored = await t.owner.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE token_hash = $1', [session.refreshToken]);
    expect(stored.rows[0].n).toBe(0);
  });

  it('gives exactly one successor when one refresh token is used 50 times in parallel: every answer carries it', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(session.refreshToken)));
    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 50 }, () => 200));
    const successors = new Set(responses.map((response) => (response.json() as AuthSession).refreshToken));
    expect(successors.size).toBe(1);
    const family = await t.owner.query(
      `SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)`,
      [sha256Hex(session.refreshToken)],
    );
    expect(family.rows[0].n).toBe(2);
    const successor = responses[0]!.json() as AuthSession;
    expect((await profile(successor.accessToken)).statusCode).toBe(200);
    const again = await refresh(successor.refreshToken);
    expect(again.statusCode).toBe(200);
    // The losers did not revoke the family.
    expect((await profile((again.json() as AuthSession).accessToken)).statusCode).toBe(200);
  });

  it('gives a client whose answer was lost (a reload mid-refresh) the same successor, until that successor is used', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const lost = (await refresh(session.refreshToken)).json() as AuthSession;
    const kept = await t.owner.query('SELECT successor_secret FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(session.refreshToken)]);
    expect(kept.rows[0].successor_secret).toEqual(expect.any(String));
    expect(kept.rows[0].successor_secret).not.toContain(lost.refreshToken);

    const replayed = await refresh(session.refreshToken);
    expect(replayed.statusCode).toBe(200);
    expect((replayed.json() as AuthSession).refreshToken).toBe(lost.refreshToken);
    expect((await profile((replayed.json() as AuthSession).accessToken)).statusCode).toBe(200);

    const next = (await refresh(lost.refreshToken)).json() as AuthSession;
    const forgotten = await t.owner.query('SELECT successor_secret FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(session.refreshToken)]);
    expect(forgotten.rows[0].successor_secret).toBeNull();
    const stale = await refresh(session.refreshToken);
    expect(stale.statusCode).toBe(401);
    expect(stale.json()).toMatchObject({ code: 'auth.refresh_superseded' });
    expect((await refresh(next.refreshToken)).statusCode).toBe(200);
  });

  it('refuses an unknown refresh token with problem+json', async () => {
    const response = await refresh('not-a-real-refresh-token-at-all');
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'auth.refresh_invalid' });
  });

  it('refuses a refresh token past its idle lifetime, and any token of a session past its absolute lifetime', async () => {
    const { email } = await createTestUser(t);
    const idle = await signIn(t, email);
    await t.owner.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [idle.refreshToken]);
    const idleRefresh = await refresh(idle.refreshToken);
    expect(idleRefresh.statusCode).toBe(401);
    expect(idleRefresh.json()).toMatchObject({ code: 'auth.refresh_expired' });

    const old = await signIn(t, email);
    const sessionId = (decodeJwt(old.accessToken) as { sid: string }).sid;
    await t.owner.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);
    expect((await refresh(old.refreshToken)).json()).toMatchObject({ code: 'auth.refresh_expired' });
  });

  it('caps a refresh token at the idle lifetime and never past the session', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const lifetimes = await t.owner.query(
      `SELECT extract(epoch FROM rt.expires_at - rt.created_at)::int AS token_seconds, extract(epoch FROM s.expires_at - s.created_at)::int AS session_seconds
         FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id WHERE rt.token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      [session.refreshToken],
    );
    expect(lifetimes.rows[0]).toEqual({ token_seconds: 14 * 24 * 3600, session_seconds: 60 * 24 * 3600 });
  });

  it('signs out with the access token alone and no body', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const response = await request(t.app, { method: 'POST', url: '/api/auth/logout', token: session.accessToken });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await profile(session.accessToken)).statusCode).toBe(401);
  });

  it('lists sessions per device with the current one flagged, and revokes one', async () => {
    const { email } = await createTestUser(t);
    const laptop = await signIn(t, email, undefined, 'Laptop browser');
    const phone = await signIn(t, email, undefined, 'Phone app');

    const list = await request(t.app, { method: 'GET', url: '/api/auth/sessions', token: laptop.accessToken });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; userAgent: string; current: boolean; ip: string }[];
    expect(items).toHaveLength(2);
    const current = items.find((item) => item.current)!;
    const other = items.find((item) => !item.current)!;
    expect(current.userAgent).toBe('Laptop browser');
    expect(other.userAgent).toBe('Phone app');
    expect(current.ip).toBeTruthy();

    const revoke = await request(t.app, { method: 'DELETE', url: `/api/auth/sessions/${other.id}`, token: laptop.accessToken });
    expect(revoke.statusCode).toBe(204);
    const phoneProfile = await profile(phone.accessToken);
    expect(phoneProfile.statusCode).toBe(401);
    expect(phoneProfile.json()).toMatchObject({ code: 'auth.session_revoked' });
    const phoneRefresh = await refresh(phone.refreshToken);
    expect(phoneRefresh.statusCode).toBe(401);
    expect(phoneRefresh.json()).toMatchObject({ code: 'auth.session_revoked' });
    expect((await profile(laptop.accessToken)).statusCode).toBe(200);

    const remaining = await request(t.app, { method: 'GET', url: '/api/auth/sessions', token: laptop.accessToken });
    expect(remaining.json().items).toHaveLength(1);
  });

  it("does not let a user revoke someone else's session", async () => {
    const alice = await createTestUser(t);
    const bob = await createTestUser(t);
    const aliceSession = await signIn(t, alice.email);
    const bobSession = await signIn(t, bob.email);
    const bobSessions = await request(t.app, { method: 'GET', url: '/api/auth/sessions', token: bobSession.accessToken });
    const bobSessionId = bobSessions.json().items[0].id as string;
    const attempt = await request(t.app, { method: 'DELETE', url: `/api/auth/sessions/${bobSessionId}`, token: aliceSession.accessToken });
    expect(attempt.statusCode).toBe(404);
    expect(attempt.json()).toMatchObject({ code: 'session.not_found' });
    expect((await profile(bobSession.accessToken)).statusCode).toBe(200);
  });

  it('revokes every other session and keeps the current one', async () => {
    const { email } = await createTestUser(t);
    const first = await signIn(t, email);
    const second = await signIn(t, email);
    const third = await signIn(t, email);
    const response = await request(t.app, { method: 'POST', url: '/api/auth/sessions/revoke-others', token: third.accessToken });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ revoked: 2 });
    expect((await profile(first.accessToken)).statusCode).toBe(401);
    expect((await profile(second.accessToken)).statusCode).toBe(401);
    expect((await profile(third.accessToken)).statusCode).toBe(200);
  });

  it('signs out with only the refresh token when the access token is gone', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const response = await request(t.app, { method: 'POST', url: '/api/auth/logout', payload: { refreshToken: session.refreshToken } });
    expect(response.statusCode).toBe(204);
    expect((await refresh(session.refreshToken)).json()).toMatchObject({ code: 'auth.session_revoked' });
  });

  it('changes the password, signing out the other sessions only', async () => {
    const { email, password } = await createTestUser(t);
    const current = await signIn(t, email);
    const other = await signIn(t, email);

    const wrong = await request(t.app, {
      method: 'POST',
      url: '/api/auth/password',
      token: current.accessToken,
      payload: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'auth.invalid_current_password' });

    const short = await request(t.app, {
      method: 'POST',
      url: '/api/auth/password',
      token: current.accessToken,
      payload: { currentPassword: password, newPassword: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0]).toMatchObject({ path: 'body.newPassword', message: 'Password must be at least 10 characters long.' });

    const changed = await request(t.app, {
      method: 'POST',
      url: '/api/auth/password',
      token: current.accessToken,
      payload: { currentPassword: password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await profile(current.accessToken)).statusCode).toBe(200);
    expect((await profile(other.accessToken)).json()).toMatchObject({ code: 'auth.session_revoked' });
    expect((await refresh(other.refreshToken)).statusCode).toBe(401);

    const oldLogin = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password } });
    expect(oldLogin.statusCode).toBe(401);
    await signIn(t, email, 'a brand new passphrase');
  });

  it('refuses tokens issued before a membership change and serves fresh claims after a refresh', async () => {
    const { user, email } = await createTestUser(t);
    const tenant = await createTestTenant(t, user.id, { tenantRole: 'member' });
    const session = await signIn(t, email);
    expect(session.scope?.tenantRole).toBe('member');

    await t.owner.query(`UPDATE memberships SET role = 'admin' WHERE tenant_id = $1 AND user_id = $2 AND account_id IS NULL`, [tenant.tenantId, user.id]);
    await withSystemAccess(t.kernel, 'test:roles-changed', (tx) => markUserSessionsStale(tx, user.id));

    const stale = await profile(session.accessToken);
    expect(stale.statusCode).toBe(401);
    expect(stale.json()).toMatchObject({ code: 'auth.token_stale' });

    const refreshed = await refresh(session.refreshToken);
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json() as AuthSession;
    expect(next.scope).toMatchObject({ tenantId: tenant.tenantId, tenantRole: 'admin' });
    expect((await profile(next.accessToken)).statusCode).toBe(200);
  });

  it('picks up a revocation made by another process within a poll', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const sessions = await request(t.app, { method: 'GET', url: '/api/auth/sessions', token: session.accessToken });
    const sessionId = sessions.json().items[0].id as string;
    // As if another API instance revoked it: straight in the database, no in-process notice.
    await t.owner.query(`UPDATE sessions SET revoked_at = now(), revoked_reason = 'test' WHERE id = $1`, [sessionId]);
    await vi.waitFor(async () => expect((await profile(session.accessToken)).statusCode).toBe(401), { timeout: 10_000, interval: 250 });
  });

  it('switches the active tenant, spending the older refresh tokens', async () => {
    const { user, email } = await createTestUser(t);
    const first = await createTestTenant(t, user.id, { tenantRole: 'owner' });
    const second = await createTestTenant(t, user.id, { tenantRole: 'member' });
    const stranger = await createTestUser(t);
    const foreign = await createTestTenant(t, stranger.user.id);
    const session = await signIn(t, email);
    const target = session.scope?.tenantId === first.tenantId ? second : first;

    const denied = await request(t.app, { method: 'POST', url: '/api/auth/switch', token: session.accessToken, payload: { tenantId: foreign.tenantId } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'tenant.no_access' });

    const switched = await request(t.app, { method: 'POST', url: '/api/auth/switch', token: session.accessToken, payload: { tenantId: target.tenantId } });
    expect(switched.statusCode).toBe(200);
    const next = switched.json() as AuthSession;
    expect(next.scope?.tenantId).toBe(target.tenantId);
    expect(next.scope?.tenantRole).toBe(target === first ? 'owner' : 'member');

    const oldRefresh = await refresh(session.refreshToken);
    expect(oldRefresh.statusCode).toBe(401);
    expect(oldRefresh.json()).toMatchObject({ code: 'auth.refresh_superseded' });
    const refreshed = await refresh(next.refreshToken);
    expect(refreshed.statusCode).toBe(200);
    expect((refreshed.json() as AuthSession).scope?.tenantId).toBe(target.tenantId);
  });

  it('reads and validates the profile', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const updated = await request(t.app, {
      method: 'PATCH',
      url: '/api/auth/profile',
      token: session.accessToken,
      payload: { name: 'Ada Lovelace', locale: 'pt-br', timezone: 'Europe/Lisbon', avatarUrl: 'https://cdn.example.test/ada.png' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Ada Lovelace', locale: 'pt-BR', timezone: 'Europe/Lisbon', avatarUrl: 'https://cdn.example.test/ada.png' });

    const badZone = await request(t.app, { method: 'PATCH', url: '/api/auth/profile', token: session.accessToken, payload: { timezone: 'Mars/Olympus' } });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().errors[0].path).toBe('body.timezone');
    const badLocale = await request(t.app, { method: 'PATCH', url: '/api/auth/profile', token: session.accessToken, payload: { locale: 'not a locale' } });
    expect(badLocale.statusCode).toBe(400);
    expect(badLocale.json().errors[0].path).toBe('body.locale');
    const utc = await request(t.app, { method: 'PATCH', url: '/api/auth/profile', token: session.accessToken, payload: { timezone: 'UTC', avatarUrl: null } });
    expect(utc.json()).toMatchObject({ timezone: 'UTC', avatarUrl: null, name: 'Ada Lovelace' });
  });

  it('answers 401 problem+json on protected routes without credentials', async () => {
    const response = await request(t.app, { method: 'GET', url: '/api/auth/sessions' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'auth.unauthenticated' });
  });

  it('still refreshes when the client sends an expired or broken access token along', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const response = await request(t.app, { method: 'POST', url: '/api/auth/refresh', token: 'broken.token.value', payload: { refreshToken: session.refreshToken } });
    expect(response.statusCode).toBe(200);
  });
});

describe('identity refresh token reuse after the grace window', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REFRESH_REUSE_GRACE_SECONDS: '0' });
  });
  afterAll(() => t.close());

  it('revokes the whole session when a spent refresh token comes back', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    const rotated = await request(t.app, { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: session.refreshToken } });
    expect(rotated.statusCode).toBe(200);
    const successor = rotated.json() as AuthSession;

    const reuse = await request(t.app, { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: session.refreshToken } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ code: 'auth.refresh_reused' });

    const successorRefresh = await request(t.app, { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: successor.refreshToken } });
    expect(successorRefresh.statusCode).toBe(401);
    expect(successorRefresh.json()).toMatchObject({ code: 'auth.session_revoked' });
    const successorProfile = await request(t.app, { method: 'GET', url: '/api/auth/profile', token: successor.accessToken });
    expect(successorProfile.json()).toMatchObject({ code: 'auth.session_revoked' });
  });
});
