import type { MyMemberships, RegisterResult } from '@omni/contracts/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { addMember, createAccount, registerTenant, signIn, switchScope, testPassword } from '../../../test/factories/tenancy.js';

describe('tenancy: registration and the switcher', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const register = (payload: Record<string, unknown>) => request(t.app, { method: 'POST', url: '/api/auth/register', payload });

  it('creates the user, the tenant, an owner membership and a first account, signs in there and queues the verification mail', async () => {
    const suffix = uniqueSuffix();
    const email = `founder-${suffix}@example.test`;
    const response = await register({ name: 'Fay Founder', email, password: testPassword, tenantName: `Fay's Studio ${suffix}`, industry: 'talent' });
    expect(response.statusCode).toBe(201);
    const session = response.json<RegisterResult>();
    expect(session).toMatchObject({ tokenType: 'Bearer', user: { email, name: 'Fay Founder', emailVerified: false } });
    expect(session.tenant).toMatchObject({ name: `Fay's Studio ${suffix}`, slug: `fay-s-studio-${suffix}`, industry: 'talent', status: 'active' });
    expect(session.scope).toMatchObject({ tenantId: session.tenant.id, tenantRole: 'owner', accountRole: null });
    expect(JSON.stringify(session)).not.toContain(testPassword);

    const memberships = await t.owner.query('SELECT role, account_id FROM memberships WHERE tenant_id = $1 AND user_id = $2', [session.tenant.id, session.user.id]);
    expect(memberships.rows).toEqual([{ role: 'owner', account_id: null }]);
    const accounts = await t.owner.query('SELECT id, name, status FROM accounts WHERE tenant_id = $1', [session.tenant.id]);
    expect(accounts.rows).toEqual([{ id: session.scope!.accountId, name: `Fay's Studio ${suffix}`, status: 'active' }]);
    const mails = await t.owner.query("SELECT template, text_body FROM mail_messages WHERE to_address = $1", [email]);
    expect(mails.rows).toHaveLength(1);
    expect(mails.rows[0].template).toMatch(/verify/);
    expect(mails.rows[0].text_body).toContain('/verify-email?token=');

    const tenant = await request(t.app, { url: '/api/tenant', token: session.accessToken });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.json()).toMatchObject({ id: session.tenant.id, plan: 'starter', branding: { colors: { primary: expect.stringMatching(/^#/) } } });
  });

  it('refuses a taken slug with 409 tenant.slug_taken and leaves no user behind', async () => {
    const first = await registerTenant(t.app);
    const email = `second-${uniqueSuffix()}@example.test`;
    const response = await register({ name: 'Sam Second', email, password: testPassword, tenantName: 'Another', tenantSlug: first.tenant.slug.toUpperCase() });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'tenant.slug_taken' });
    const users = await t.owner.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
    expect(users.rows[0].n).toBe(0);
  });

  it('steps around a taken slug when it derives the slug from the tenant name', async () => {
    const name = `Acme ${uniqueSuffix()}`;
    const first = await registerTenant(t.app, { tenantName: name, tenantSlug: undefined });
    const second = await registerTenant(t.app, { tenantName: name, tenantSlug: undefined });
    expect(second.tenant.slug).toBe(`${first.tenant.slug}-2`);
  });

  it('refuses reserved and malformed slugs with a field error', async () => {
    for (const tenantSlug of ['www', 'api', 'admin', 't', 'Bad Slug', '-edge']) {
      const response = await register({ name: 'Ray', email: `ray-${uniqueSuffix()}@example.test`, password: testPassword, tenantName: 'Ray Co', tenantSlug });
      expect(response.statusCode, tenantSlug).toBe(400);
      expect(response.json().errors[0].path).toBe('body.tenantSlug');
    }
    const derived = await registerTenant(t.app, { tenantName: 'Admin', tenantSlug: undefined });
    expect(derived.tenant.slug).not.toBe('admin');
    expect(derived.tenant.slug).toMatch(/^admin-/);
  });

  it('refuses an email that already has an account with 409 user.email_taken', async () => {
    const first = await registerTenant(t.app);
    const response = await register({ name: 'Dup', email: first.email, password: testPassword, tenantName: 'Dup Co' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'user.email_taken' });
  });

  it('refuses bad input with problem+json, never a 5xx', async () => {
    const response = await register({ name: '', email: 'not-an-email', password: 'short', tenantName: 'x', industry: 'mining' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'request.invalid' });
    expect(response.json().errors.map((error: { path: string }) => error.path)).toEqual(
      expect.arrayContaining(['body.name', 'body.email', 'body.password', 'body.tenantName', 'body.industry']),
    );
  });

  it('lists every tenant and enterable account for the switcher, and switching moves the session there', async () => {
    const mine = await registerTenant(t.app);
    const other = await registerTenant(t.app);
    const extra = await createAccount(t.app, mine.token, 'Second client');
    // Make the first owner an admin of the other tenant through an invitation accepted while signed in.
    const invited = await request(t.app, { method: 'POST', url: '/api/invitations', token: other.token, payload: { email: mine.email, role: 'admin' } });
    expect(invited.statusCode).toBe(201);
    const mail = await t.owner.query("SELECT text_body FROM mail_messages WHERE to_address = $1 AND template = 'tenancy.invitation'", [mine.email]);
    const token = /token=([\w-]+)/.exec(mail.rows[0].text_body)![1];
    const accepted = await request(t.app, { method: 'POST', url: '/api/invitations/accept', token: mine.token, payload: { token } });
    expect(accepted.statusCode).toBe(200);
    const session = accepted.json();

    const list = await request(t.app, { url: '/api/me/memberships', token: session.accessToken });
    expect(list.statusCode).toBe(200);
    const items = list.json<MyMemberships>().items;
    expect(items.map((item) => [item.tenant.id, item.role])).toEqual(
      expect.arrayContaining([[mine.tenant.id, 'owner'], [other.tenant.id, 'admin']]),
    );
    const own = items.find((item) => item.tenant.id === mine.tenant.id)!;
    expect(own.accounts.map((account) => account.id)).toEqual(expect.arrayContaining([mine.accountId, extra.id]));
    expect(own.accounts.every((account) => account.role === 'admin')).toBe(true);

    const switched = await switchScope(t.app, session.accessToken, mine.tenant.id, extra.id);
    expect(switched.scope).toEqual({ tenantId: mine.tenant.id, accountId: extra.id, tenantRole: 'owner', accountRole: null });
    const denied = await request(t.app, { method: 'POST', url: '/api/auth/switch', token: switched.accessToken, payload: { tenantId: (await registerTenant(t.app)).tenant.id } });
    expect(denied.statusCode).toBe(403);
  });

  it('documents the tenancy and audit routes in the OpenAPI document from the contract schemas', async () => {
    const document = (await request(t.app, { url: '/openapi.json' })).json();
    for (const path of ['/api/auth/register', '/api/accounts/{id}', '/api/invitations/accept', '/api/platform/tenants/{id}/suspend', '/t/{slug}/theme.css', '/api/audit', '/api/platform/audit']) {
      expect(document.paths[path], path).toBeDefined();
    }
    expect(document.paths['/api/auth/register'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'email', 'password', 'tenantName']),
    );
  });

  it('signs a user in to their highest tenant role by default, before older lower roles', async () => {
    const first = await registerTenant(t.app);
    const second = await registerTenant(t.app);
    const person = await addMember(t, first.token, { role: 'member' });
    await request(t.app, { method: 'POST', url: '/api/invitations', token: second.token, payload: { email: person.email, role: 'owner' } });
    const mail = await t.owner.query("SELECT text_body FROM mail_messages WHERE to_address = $1 AND template = 'tenancy.invitation' ORDER BY created_at DESC LIMIT 1", [person.email]);
    const token = /token=([\w-]+)/.exec(mail.rows[0].text_body)![1];
    expect((await request(t.app, { method: 'POST', url: '/api/invitations/accept', token: person.token, payload: { token } })).statusCode).toBe(200);

    const session = await signIn(t.app, person.email);
    expect(session.scope).toEqual({ tenantId: second.tenant.id, accountId: second.accountId, tenantRole: 'owner', accountRole: null });
    const owner = await signIn(t.app, first.email);
    expect(owner.scope).toEqual({ tenantId: first.tenant.id, accountId: first.accountId, tenantRole: 'owner', accountRole: null });
  });
});
