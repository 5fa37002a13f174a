import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { createTestUser, listMailTo, signIn } from '../../../test/factories/identity.js';
import { backoffSecondsAfter, evaluateLoginGate } from './identity.lockout.js';

type Outcome = { status: number; code: string | null; hasRetryAfter: boolean };

describe('identity sign-in lockout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOCKOUT_THRESHOLD: '4', LOCKOUT_MINUTES: '15' });
  });
  afterAll(() => t.close());

  async function attempt(email: string, password: string): Promise<Outcome & { retryAfter: string | undefined }> {
    const response = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const body = response.json();
    return { status: response.statusCode, code: body.code ?? null, hasRetryAfter: response.headers['retry-after'] !== undefined, retryAfter: response.headers['retry-after'] as string | undefined };
  }

  /** Fail until the account is locked, recording every answer; backoff answers (429) are retried until they pass. */
  async function failUntilLocked(email: string): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (let failures = 0; failures < 4; failures += 1) {
      let outcome = await attempt(email, 'wrong password!');
      if (outcome.status === 429) {
        outcomes.push({ status: outcome.status, code: outcome.code, hasRetryAfter: outcome.hasRetryAfter });
        outcome = await vi.waitFor(
          async () => {
            const next = await attempt(email, 'wrong password!');
            expect(next.status).not.toBe(429);
            return next;
          },
          { timeout: 10_000, interval: 300 },
        );
      }
      outcomes.push({ status: outcome.status, code: outcome.code, hasRetryAfter: outcome.hasRetryAfter });
    }
    return outcomes;
  }

  it('slows down, then locks the account, refuses even the right password and mails a notice', async () => {
    const { email, password } = await createTestUser(t);
    expect((await attempt(email, 'wrong password!')).code).toBe('auth.invalid_credentials');
    expect((await attempt(email, 'wrong password!')).hasRetryAfter).toBe(false);
    const third = await attempt(email, 'wrong password!');
    expect(third).toMatchObject({ status: 401, code: 'auth.invalid_credentials', retryAfter: '1' });
    const throttled = await attempt(email, password);
    expect(throttled).toMatchObject({ status: 429, code: 'auth.too_many_attempts', hasRetryAfter: true });

    // Let the short backoff pass (as time would), then fail once more: the threshold locks the account.
    await t.owner.query(`UPDATE users SET last_failed_login_at = now() - interval '1 hour' WHERE email = $1`, [email]);
    const locked = await attempt(email, 'wrong password!');
    expect(locked).toMatchObject({ status: 423, code: 'auth.account_locked', hasRetryAfter: true });
    expect(Number(locked.retryAfter)).toBeGreaterThan(14 * 60);

    const rightPassword = await attempt(email, password);
    expect(rightPassword).toMatchObject({ status: 423, code: 'auth.account_locked' });

    const notices = await listMailTo(t, email, 'identity.account-locked');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ tenant_id: null });
    expect(notices[0]!.text_body).toContain('15 minutes');

    // Once the lock has run out, the right password works again and resets the counter.
    await t.owner.query(`UPDATE users SET locked_until = now() - interval '1 second', last_failed_login_at = now() - interval '1 hour' WHERE email = $1`, [email]);
    await signIn(t, email, password);
    const row = await t.owner.query('SELECT failed_login_count, locked_until FROM users WHERE email = $1', [email]);
    expect(row.rows[0]).toEqual({ failed_login_count: 0, locked_until: null });
  });

  it('answers an unknown email exactly like an existing account, step by step', async () => {
    const known = await createTestUser(t);
    const unknownEmail = `nobody-${uniqueSuffix()}@example.test`;
    const knownOutcomes = await failUntilLocked(known.email);
    const unknownOutcomes = await failUntilLocked(unknownEmail);
    expect(knownOutcomes.at(-1)).toMatchObject({ status: 423, code: 'auth.account_locked' });
    expect(unknownOutcomes).toEqual(knownOutcomes);
    expect(await attempt(unknownEmail, known.password)).toMatchObject({ status: 423, code: 'auth.account_locked' });
    expect(await listMailTo(t, unknownEmail)).toHaveLength(0);
  });

  it('resets the failure count after a successful sign-in', async () => {
    const { email, password } = await createTestUser(t);
    await attempt(email, 'wrong password!');
    await attempt(email, 'wrong password!');
    await signIn(t, email, password);
    expect(await attempt(email, 'wrong password!')).toMatchObject({ status: 401, hasRetryAfter: false });
    expect(await attempt(email, 'wrong password!')).toMatchObject({ status: 401, hasRetryAfter: false });
  });

  it('counts failures per account whatever the IP', async () => {
    const { email, password } = await createTestUser(t);
    let ip = 0;
    const attemptFromNewIp = (pw: string) =>
      request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password: pw }, headers: { 'x-forwarded-for': `10.0.0.${(ip += 1)}` } });
    for (let failures = 0; failures < 4; ) {
      const response = await attemptFromNewIp('wrong password!');
      if (response.statusCode === 429) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        continue;
      }
      failures += 1;
    }
    const fromElsewhere = await attemptFromNewIp(password);
    expect(fromElsewhere.statusCode).toBe(423);
    expect(fromElsewhere.json()).toMatchObject({ code: 'auth.account_locked' });
  });

  it('treats the email case-insensitively', async () => {
    const { email, password } = await createTestUser(t);
    const session = await signIn(t, email.toUpperCase(), password);
    expect(session.user.email).toBe(email);
  });
});

describe('identity legacy password hashes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  for (const variant of ['$2a$', '$2b$', '$2y$']) {
    it(`verifies a ${variant} bcrypt hash and upgrades it to argon2id at sign-in`, async () => {
      const password = 'imported-legacy-password';
      const legacyHash = bcrypt.hashSync(password, 4).replace(/^\$2[ab]\$/, variant);
      const { email, user } = await createTestUser(t, { passwordHash: legacyHash });
      const stored = await t.owner.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
      expect(stored.rows[0].password_hash).toBe(legacyHash);

      expect((await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password: 'not the password' } })).statusCode).toBe(401);
      await signIn(t, email, password);
      const upgraded = await t.owner.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
      expect(upgraded.rows[0].password_hash).toMatch(/^\$argon2id\$/);
      await signIn(t, email, password);
    });
  }

  it('hashes new passwords with argon2id', async () => {
    const { user } = await createTestUser(t);
    const stored = await t.owner.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('identity lockout rules', () => {
  it('grows the backoff only after half the threshold and caps it', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((count) => backoffSecondsAfter(count, 10))).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8]);
    expect(backoffSecondsAfter(40, 10)).toBe(60);
  });

  it('reports a lock before a backoff, and opens when both have passed', () => {
    const config = { LOCKOUT_THRESHOLD: 10 };
    const now = 1_000_000;
    expect(evaluateLoginGate({ failedCount: 10, lastFailedAtMs: now - 500, lockedUntilMs: now + 60_000 }, config, now)).toEqual({ kind: 'locked', retryAfterSeconds: 60 });
    expect(evaluateLoginGate({ failedCount: 8, lastFailedAtMs: now - 1000, lockedUntilMs: null }, config, now)).toEqual({ kind: 'backoff', retryAfterSeconds: 3 });
    expect(evaluateLoginGate({ failedCount: 8, lastFailedAtMs: now - 5000, lockedUntilMs: null }, config, now)).toEqual({ kind: 'open' });
    expect(evaluateLoginGate({ failedCount: 10, lastFailedAtMs: now - 15 * 60_000, lockedUntilMs: now - 1 }, config, now)).toEqual({ kind: 'open' });
  });
});

describe('identity per-account rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3', LOCKOUT_THRESHOLD: '100' });
  });
  afterAll(() => t.close());

  it('limits requests per email across IPs, without affecting other emails', async () => {
    const target = `target-${uniqueSuffix()}@example.test`;
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      const response = await request(t.app, {
        method: 'POST',
        url: '/api/auth/magic-link',
        payload: { email: index % 2 === 0 ? target : target.toUpperCase() },
        headers: { 'x-forwarded-for': `10.1.0.${index + 1}` },
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.json()).toMatchObject({ code: 'auth.rate_limited' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const login = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email: target, password: 'whatever it is' } });
    expect(login.statusCode).toBe(429);
    const other = await request(t.app, { method: 'POST', url: '/api/auth/magic-link', payload: { email: `other-${uniqueSuffix()}@example.test` } });
    expect(other.statusCode).toBe(202);
  });
});
