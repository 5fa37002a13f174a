import type { AuthSession } from '@omni/contracts/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { createTestTenant, createTestUser, linkToken, listMailTo, signIn } from '../../../test/factories/identity.js';
import { sha256Hex } from '../../kernel/crypto/tokens.js';

describe('identity email links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://app.omni.test/' });
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown, token?: string) => request(t.app, { method: 'POST', url, payload: payload as object, token });

  it('resets a password once with an emailed link, revoking every session and clearing the lockout', async () => {
    const { email, password, user } = await createTestUser(t);
    const session = await signIn(t, email, password);
    await t.owner.query(`UPDATE users SET failed_login_count = 12, locked_until = now() + interval '1 hour' WHERE id = $1`, [user.id]);

    const forgot = await post('/api/auth/password/forgot', { email: email.toUpperCase() });
    expect(forgot.statusCode).toBe(202);
    expect(forgot.body).toBe('');
    const mail = (await listMailTo(t, email, 'identity.password-reset'))[0]!;
    expect(mail.tenant_id).toBeNull();
    expect(mail.text_body).toContain('https://app.omni.test/reset-password?token=');
    expect(mail.html_body).toContain('href="https://app.omni.test/reset-password?token=');
    const token = await linkToken(t, email, '/reset-password');
    const stored = await t.owner.query('SELECT count(*)::int AS n FROM one_time_tokens WHERE token_hash = $1', [sha256Hex(token)]);
    expect(stored.rows[0].n).toBe(1);

    const weak = await post('/api/auth/password/reset', { token, newPassword: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0]).toMatchObject({ path: 'body.newPassword' });

    const reset = await post('/api/auth/password/reset', { token, newPassword: 'my fresh reset password' });
    expect(reset.statusCode).toBe(204);
    const oldAccess = await request(t.app, { method: 'GET', url: '/api/auth/profile', token: session.accessToken });
    expect(oldAccess.json()).toMatchObject({ code: 'auth.session_revoked' });
    expect((await post('/api/auth/refresh', { refreshToken: session.refreshToken })).statusCode).toBe(401);

    const fresh = await signIn(t, email, 'my fresh reset password');
    expect(fresh.user.emailVerified).toBe(true);
    expect((await post('/api/auth/login', { email, password })).statusCode).toBe(401);

    const again = await post('/api/auth/password/reset', { token, newPassword: 'another password again' });
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'auth.token_used' });
  });

  it('refuses an expired reset link and an unknown one', async () => {
    const { email } = await createTestUser(t);
    await post('/api/auth/password/forgot', { email });
    const token = await linkToken(t, email, '/reset-password');
    await t.owner.query(`UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [sha256Hex(token)]);
    const expired = await post('/api/auth/password/reset', { token, newPassword: 'my fresh reset password' });
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ code: 'auth.token_expired' });

    const unknown = await post('/api/auth/password/reset', { token: 'x'.repeat(43), newPassword: 'my fresh reset password' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'auth.token_invalid' });
  });

  it('issues reset links that live one hour, and a newer link replaces the older one', async () => {
    const { email } = await createTestUser(t);
    await post('/api/auth/password/forgot', { email });
    const first = await linkToken(t, email, '/reset-password');
    const lifetime = await t.owner.query('SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM one_time_tokens WHERE token_hash = $1', [sha256Hex(first)]);
    expect(lifetime.rows[0].seconds).toBe(3600);
    await post('/api/auth/password/forgot', { email });
    const second = await linkToken(t, email, '/reset-password');
    expect(second).not.toBe(first);
    expect((await post('/api/auth/password/reset', { token: first, newPassword: 'my fresh reset password' })).statusCode).toBe(410);
    expect((await post('/api/auth/password/reset', { token: second, newPassword: 'my fresh reset password' })).statusCode).toBe(204);
  });

  it('answers 202 for an unknown email and sends nothing', async () => {
    const email = `ghost-${uniqueSuffix()}@example.test`;
    expect((await post('/api/auth/password/forgot', { email })).statusCode).toBe(202);
    expect((await post('/api/auth/magic-link', { email })).statusCode).toBe(202);
    expect(await listMailTo(t, email)).toHaveLength(0);
  });

  it('verifies the email address with a link sent on request', async () => {
    const { email } = await createTestUser(t);
    const session = await signIn(t, email);
    expect(session.user.emailVerified).toBe(false);

    const resend = await post('/api/auth/email/resend', undefined, session.accessToken);
    expect(resend.statusCode).toBe(202);
    const mail = (await listMailTo(t, email, 'identity.verify-email'))[0]!;
    expect(mail.text_body).toContain('https://app.omni.test/verify-email?token=');
    const token = await linkToken(t, email, '/verify-email');
    const lifetime = await t.owner.query('SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM one_time_tokens WHERE token_hash = $1', [sha256Hex(token)]);
    expect(lifetime.rows[0].seconds).toBe(48 * 3600);

    const verified = await post('/api/auth/email/verify', { token });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ email, emailVerified: true });
    expect((await post('/api/auth/email/verify', { token })).json()).toMatchObject({ code: 'auth.token_used' });

    // Already verified: a resend sends nothing more.
    await post('/api/auth/email/resend', undefined, session.accessToken);
    expect(await listMailTo(t, email, 'identity.verify-email')).toHaveLength(1);
  });

  it('signs in with a single-use magic link that expires after 15 minutes', async () => {
    const { email, user } = await createTestUser(t);
    const tenant = await createTestTenant(t, user.id);
    expect((await post('/api/auth/magic-link', { email })).statusCode).toBe(202);
    const mail = (await listMailTo(t, email, 'identity.magic-link'))[0]!;
    expect(mail.text_body).toContain('https://app.omni.test/magic-link?token=');
    const token = await linkToken(t, email, '/magic-link');
    const lifetime = await t.owner.query('SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM one_time_tokens WHERE token_hash = $1', [sha256Hex(token)]);
    expect(lifetime.rows[0].seconds).toBe(15 * 60);

    const signedIn = await post('/api/auth/magic-link/verify', { token });
    expect(signedIn.statusCode).toBe(200);
    const session = signedIn.json() as AuthSession;
    expect(session.user).toMatchObject({ id: user.id, emailVerified: true });
    expect(session.scope?.tenantId).toBe(tenant.tenantId);
    expect((await request(t.app, { method: 'GET', url: '/api/auth/profile', token: session.accessToken })).statusCode).toBe(200);

    const reused = await post('/api/auth/magic-link/verify', { token });
    expect(reused.statusCode).toBe(410);
    expect(reused.json()).toMatchObject({ code: 'auth.token_used' });
  });

  it('lets exactly one of several parallel uses of a magic link through', async () => {
    const { email } = await createTestUser(t);
    await post('/api/auth/magic-link', { email });
    const token = await linkToken(t, email, '/magic-link');
    const responses = await Promise.all(Array.from({ length: 8 }, () => post('/api/auth/magic-link/verify', { token })));
    expect(responses.filter((response) => response.statusCode === 200)).toHaveLength(1);
  });

  it('does not accept a link meant for another purpose', async () => {
    const { email } = await createTestUser(t);
    await post('/api/auth/magic-link', { email });
    const token = await linkToken(t, email, '/magic-link');
    const misuse = await post('/api/auth/password/reset', { token, newPassword: 'my fresh reset password' });
    expect(misuse.statusCode).toBe(400);
    expect(misuse.json()).toMatchObject({ code: 'auth.token_invalid' });
  });
});
