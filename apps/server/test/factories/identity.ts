import type { AuthSession } from '@omni/contracts/identity';
import { expect } from 'vitest';
import { withSystemAccess } from '../../src/kernel/db/tenancy.js';
import { createUser, type UserRecord } from '../../src/modules/identity/index.js';
import { request, uniqueSuffix, type TestApp } from '../harness.js';

/**
 * Factories for identity tests. Users go through identity's own createUser; tenants, accounts and
 * memberships are written directly as the database owner, so these tests do not depend on tenancy's
 * HTTP routes (only on its membership directory, wired in modules.ts).
 */
export const defaultTestPassword = 'correct horse battery staple';

export type TestUser = { user: UserRecord; email: string; password: string };

export async function createTestUser(
  t: TestApp,
  options: { email?: string; password?: string; name?: string; passwordHash?: string; isSuperAdmin?: boolean } = {},
): Promise<TestUser> {
  const email = options.email ?? `user-${uniqueSuffix()}@example.test`;
  const password = options.password ?? defaultTestPassword;
  const user = await withSystemAccess(t.kernel, 'test:factory', (tx) =>
    createUser(tx, {
      email,
      name: options.name ?? 'Test User',
      password,
      isSuperAdmin: options.isSuperAdmin,
      ...(options.passwordHash ? { passwordHash: options.passwordHash } : {}),
    }),
  );
  return { user, email, password };
}

export type TestTenant = { tenantId: string; accountId: string; slug: string };

/** A tenant with one account; the user gets a tenant-level role (and optionally an account role). */
export async function createTestTenant(
  t: TestApp,
  userId: string,
  options: { tenantRole?: 'owner' | 'admin' | 'member' | null; accountRole?: 'admin' | 'editor' | 'contributor' | 'viewer' | 'client' | null } = {},
): Promise<TestTenant> {
  const slug = `t-${uniqueSuffix()}`;
  const tenant = await t.owner.query<{ id: string }>('INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id', [`Tenant ${slug}`, slug]);
  const tenantId = tenant.rows[0]!.id;
  const account = await t.owner.query<{ id: string }>('INSERT INTO accounts (tenant_id, name, slug) VALUES ($1, $2, $3) RETURNING id', [
    tenantId,
    'Main account',
    'main',
  ]);
  const accountId = account.rows[0]!.id;
  const tenantRole = options.tenantRole === undefined ? 'owner' : options.tenantRole;
  if (tenantRole) await addTestMembership(t, { tenantId, userId, accountId: null, role: tenantRole });
  if (options.accountRole) await addTestMembership(t, { tenantId, userId, accountId, role: options.accountRole });
  return { tenantId, accountId, slug };
}

export async function addTestMembership(t: TestApp, input: { tenantId: string; userId: string; accountId: string | null; role: string }): Promise<void> {
  await t.owner.query('INSERT INTO memberships (tenant_id, account_id, user_id, role) VALUES ($1, $2, $3, $4)', [
    input.tenantId,
    input.accountId,
    input.userId,
    input.role,
  ]);
}

/** Sign in through the API and return the AuthSession (fails the test on anything but 200). */
export async function signIn(t: TestApp, email: string, password: string = defaultTestPassword, userAgent = 'vitest'): Promise<AuthSession> {
  const response = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password }, headers: { 'user-agent': userAgent } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as AuthSession;
}

export type StoredMail = { id: string; subject: string; text_body: string; html_body: string | null; template: string; tenant_id: string | null };

/** Emails queued to an address (newest first), read from the outbox as the owner. */
export async function listMailTo(t: TestApp, to: string, template?: string): Promise<StoredMail[]> {
  const result = await t.owner.query<StoredMail>(
    `SELECT id, subject, text_body, html_body, template, tenant_id FROM mail_messages
      WHERE to_address = $1 AND ($2::text IS NULL OR template = $2) ORDER BY created_at DESC, id DESC`,
    [to, template ?? null],
  );
  return result.rows;
}

/** The token of the newest link of this kind mailed to the address, e.g. linkToken(t, email, '/reset-password'). */
export async function linkToken(t: TestApp, to: string, path: string): Promise<string> {
  const mails = await listMailTo(t, to);
  const pattern = new RegExp(`${path.replace(/[/-]/g, '\\$&')}\\?token=([A-Za-z0-9_-]+)`);
  for (const mail of mails) {
    const match = pattern.exec(mail.text_body);
    if (match) return match[1]!;
  }
  throw new Error(`no ${path} link was mailed to ${to}`);
}
