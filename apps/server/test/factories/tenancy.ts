import type { AuthSession } from '@omni/contracts/identity';
import type { Account, Invitation, MemberRole, RegisterResult } from '@omni/contracts/tenancy';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { withSystemAccess } from '../../src/kernel/db/tenancy.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { createUser } from '../../src/modules/identity/index.js';
import { request, uniqueSuffix, type TestApp } from '../harness.js';

/** Helpers that build tenants and people through the API, the way a client would. */

export const testPassword = 'correct horse battery staple';

export type RegisteredTenant = {
  token: string;
  session: RegisterResult;
  tenant: RegisterResult['tenant'];
  user: RegisterResult['user'];
  email: string;
  password: string;
  /** The first account, created with the tenant. */
  accountId: string;
};

/** POST /api/auth/register with unique email and slug; the owner's session is returned. */
export async function registerTenant(
  app: FastifyInstance,
  overrides: Partial<{ name: string; email: string; password: string; tenantName: string; tenantSlug: string; industry: string }> = {},
): Promise<RegisteredTenant> {
  const suffix = uniqueSuffix();
  const body = {
    name: 'Owen Owner',
    email: `owner-${suffix}@example.test`,
    password: testPassword,
    tenantName: `Agency ${suffix}`,
    tenantSlug: `agency-${suffix}`,
    ...overrides,
  };
  const response = await request(app, { method: 'POST', url: '/api/auth/register', payload: body });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  const session = response.json<RegisterResult>();
  return {
    token: session.accessToken,
    session,
    tenant: session.tenant,
    user: session.user,
    email: body.email,
    password: body.password,
    accountId: session.scope!.accountId!,
  };
}

export async function signIn(app: FastifyInstance, email: string, password = testPassword): Promise<AuthSession> {
  const response = await request(app, { method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return response.json<AuthSession>();
}

/** POST /api/auth/switch to a tenant/account; the new session's access token carries that scope. */
export async function switchScope(app: FastifyInstance, token: string, tenantId: string, accountId: string | null = null): Promise<AuthSession> {
  const response = await request(app, { method: 'POST', url: '/api/auth/switch', token, payload: { tenantId, accountId } });
  if (response.statusCode !== 200) throw new Error(`switch failed: ${response.statusCode} ${response.body}`);
  return response.json<AuthSession>();
}

export async function createAccount(app: FastifyInstance, token: string, name = `Client ${uniqueSuffix()}`): Promise<Account> {
  const response = await request(app, { method: 'POST', url: '/api/accounts', token, payload: { name } });
  if (response.statusCode !== 201) throw new Error(`create account failed: ${response.statusCode} ${response.body}`);
  return response.json<Account>();
}

/** The token of the newest invitation mailed to this address (read from the mail outbox as the DB owner). */
export async function readInvitationToken(owner: pg.Pool, email: string): Promise<string> {
  const { rows } = await owner.query<{ text_body: string }>(
    `SELECT text_body FROM mail_messages WHERE to_address = $1 AND template = 'tenancy.invitation' ORDER BY created_at DESC LIMIT 1`,
    [email],
  );
  const match = /accept-invitation\?token=([A-Za-z0-9_%-]+)/.exec(rows[0]?.text_body ?? '');
  if (!match) throw new Error(`no invitation mail for ${email}`);
  return decodeURIComponent(match[1]!);
}

export async function invite(
  app: FastifyInstance,
  token: string,
  input: { email?: string; role: MemberRole; accountId?: string | null },
): Promise<Invitation & { email: string }> {
  const email = input.email ?? `invitee-${uniqueSuffix()}@example.test`;
  const response = await request(app, { method: 'POST', url: '/api/invitations', token, payload: { email, role: input.role, accountId: input.accountId ?? null } });
  if (response.statusCode !== 201) throw new Error(`invite failed: ${response.statusCode} ${response.body}`);
  return response.json<Invitation>();
}

/**
 * Invite a new person with a role and accept as a new user: their session (scoped to the invited
 * tenant/account) and email.
 */
export async function addMember(
  t: TestApp,
  inviterToken: string,
  input: { role: MemberRole; accountId?: string | null; name?: string },
): Promise<{ session: AuthSession; token: string; email: string; userId: string }> {
  const invitation = await invite(t.app, inviterToken, input);
  const invitationToken = await readInvitationToken(t.owner, invitation.email);
  const response = await request(t.app, {
    method: 'POST',
    url: '/api/invitations/accept',
    payload: { token: invitationToken, name: input.name ?? `Person ${input.role}`, password: testPassword },
  });
  if (response.statusCode !== 200) throw new Error(`accept failed: ${response.statusCode} ${response.body}`);
  const session = response.json<AuthSession>();
  return { session, token: session.accessToken, email: invitation.email, userId: session.user.id };
}

/** A platform super admin (created directly: no API makes one), signed in. */
export async function createSuperAdmin(t: { app: FastifyInstance; kernel: Kernel }): Promise<{ token: string; email: string; userId: string }> {
  const email = `root-${uniqueSuffix()}@example.test`;
  const user = await withSystemAccess(t.kernel, 'test: super admin', (tx) =>
    createUser(tx, { email, name: 'Root Admin', password: testPassword, emailVerified: true, isSuperAdmin: true }),
  );
  const session = await signIn(t.app, email);
  return { token: session.accessToken, email, userId: user.id };
}
