import type { PlatformTenantList } from '@omni/contracts/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { addMember, createAccount, createSuperAdmin, registerTenant, switchScope } from '../../../test/factories/tenancy.js';
import { reloadSuspendedTenants } from './tenancy.guards.js';

describe('tenancy: platform administration and suspended tenants', () => {
  let t: TestApp;
  let root: { token: string };
  beforeAll(async () => {
    t = await createTestApp();
    root = await createSuperAdmin(t);
  });
  afterAll(() => t.close());

  const suspend = (id: string, token = root.token) => request(t.app, { method: 'POST', url: `/api/platform/tenants/${id}/suspend`, token, payload: { reason: 'Unpaid invoices' } });
  const reactivate = (id: string, token = root.token) => request(t.app, { method: 'POST', url: `/api/platform/tenants/${id}/reactivate`, token });

  it('refuses every request acting in a suspended tenant, by token or by host, and reactivation restores them', async () => {
    const owner = await registerTenant(t.app);
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const hostHeaders = { host: `${owner.tenant.slug}.localhost` };
    expect((await request(t.app, { url: '/api/public/tenant', headers: hostHeaders })).statusCode).toBe(200);

    const suspended = await suspend(owner.tenant.id);
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json()).toMatchObject({ id: owner.tenant.id, status: 'suspended', suspendedReason: 'Unpaid invoices', suspendedAt: expect.any(String) });

    const attempts = [
      { url: '/api/tenant', token: owner.token },
      { url: '/api/accounts', token: editor.token },
      { method: 'POST' as const, url: '/api/accounts', token: owner.token, payload: { name: 'Blocked' } },
      { method: 'PATCH' as const, url: '/api/tenant', token: owner.token, payload: { name: 'Blocked' } },
      { url: '/api/members', token: owner.token },
      { url: '/api/auth/profile', token: owner.token },
      { url: '/api/public/tenant', headers: hostHeaders },
    ];
    for (const attempt of attempts) {
      const response = await request(t.app, attempt);
      expect(response.statusCode, attempt.url).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'tenant.suspended', detail: expect.stringContaining('suspended') });
    }
    expect((await t.owner.query("SELECT count(*)::int AS n FROM accounts WHERE tenant_id = $1 AND name = 'Blocked'", [owner.tenant.id])).rows[0].n).toBe(0);

    // The switcher and sign-out stay open, and a suspended tenant is never entered.
    const memberships = await request(t.app, { url: '/api/me/memberships', token: owner.token });
    expect(memberships.statusCode).toBe(200);
    expect(memberships.json().items[0].tenant).toMatchObject({ id: owner.tenant.id, status: 'suspended' });
    const enter = await request(t.app, { method: 'POST', url: '/api/auth/switch', token: owner.token, payload: { tenantId: owner.tenant.id } });
    expect(enter.statusCode).toBe(403);
    const signIn = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email: owner.email, password: owner.password } });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json().scope).toBeNull();

    const restored = await reactivate(owner.tenant.id);
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ status: 'active', suspendedAt: null, suspendedReason: null });
    expect((await request(t.app, { url: '/api/tenant', token: owner.token })).statusCode).toBe(200);
    expect((await request(t.app, { url: '/api/accounts', token: editor.token })).statusCode).toBe(200);
    expect((await request(t.app, { url: '/api/public/tenant', headers: hostHeaders })).statusCode).toBe(200);
  });

  it('picks up a suspension made by another process at the next poll', async () => {
    const owner = await registerTenant(t.app);
    await t.owner.query("UPDATE tenants SET status = 'suspended', suspended_at = now() WHERE id = $1", [owner.tenant.id]);
    await reloadSuspendedTenants(t.kernel);
    expect((await request(t.app, { url: '/api/tenant', token: owner.token })).json()).toMatchObject({ code: 'tenant.suspended' });
    await t.owner.query("UPDATE tenants SET status = 'active', suspended_at = NULL WHERE id = $1", [owner.tenant.id]);
    await reloadSuspendedTenants(t.kernel);
    expect((await request(t.app, { url: '/api/tenant', token: owner.token })).statusCode).toBe(200);
  });

  it('lets a member of a suspended tenant switch to another tenant', async () => {
    const suspendedOwner = await registerTenant(t.app);
    const otherOwner = await registerTenant(t.app);
    const invited = await request(t.app, { method: 'POST', url: '/api/invitations', token: otherOwner.token, payload: { email: suspendedOwner.email, role: 'member' } });
    expect(invited.statusCode).toBe(201);
    const mail = await t.owner.query("SELECT text_body FROM mail_messages WHERE to_address = $1 AND template = 'tenancy.invitation'", [suspendedOwner.email]);
    const token = /token=([\w-]+)/.exec(mail.rows[0].text_body)![1];
    const accepted = await request(t.app, { method: 'POST', url: '/api/invitations/accept', token: suspendedOwner.token, payload: { token } });
    const back = await switchScope(t.app, accepted.json().accessToken, suspendedOwner.tenant.id);

    expect((await suspend(suspendedOwner.tenant.id)).statusCode).toBe(200);
    expect((await request(t.app, { url: '/api/tenant', token: back.accessToken })).statusCode).toBe(403);
    const moved = await switchScope(t.app, back.accessToken, otherOwner.tenant.id);
    const tenant = await request(t.app, { url: '/api/tenant', token: moved.accessToken });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.json()).toMatchObject({ id: otherOwner.tenant.id });
  });

  it('keeps suspension and the tenant list to super admins', async () => {
    const owner = await registerTenant(t.app);
    expect((await suspend(owner.tenant.id, owner.token)).statusCode).toBe(403);
    expect((await reactivate(owner.tenant.id, owner.token)).statusCode).toBe(403);
    expect((await request(t.app, { url: '/api/platform/tenants', token: owner.token })).statusCode).toBe(403);
    expect((await request(t.app, { url: '/api/platform/tenants' })).statusCode).toBe(401);
    expect((await suspend('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('lists tenants with search, status filter, cursor paging and member/account counts', async () => {
    const marker = `zebra${uniqueSuffix()}`;
    const first = await registerTenant(t.app, { tenantName: `${marker} One` });
    const second = await registerTenant(t.app, { tenantName: `${marker} Two` });
    await createAccount(t.app, second.token, 'Extra');
    await addMember(t, second.token, { role: 'member' });
    await addMember(t, second.token, { role: 'viewer', accountId: second.accountId });
    expect((await suspend(first.tenant.id)).statusCode).toBe(200);

    const all = await request(t.app, { url: `/api/platform/tenants?q=${marker}`, token: root.token });
    expect(all.statusCode).toBe(200);
    const items = all.json<PlatformTenantList>().items;
    expect(items.map((item) => item.id)).toEqual([second.tenant.id, first.tenant.id]);
    expect(items[0]).toMatchObject({ memberCount: 3, accountCount: 2, status: 'active' });
    expect(items[1]).toMatchObject({ memberCount: 1, accountCount: 1, status: 'suspended', suspendedReason: 'Unpaid invoices' });

    const suspendedOnly = await request(t.app, { url: `/api/platform/tenants?q=${marker}&status=suspended`, token: root.token });
    expect(suspendedOnly.json().items.map((item: { id: string }) => item.id)).toEqual([first.tenant.id]);

    const page1 = await request(t.app, { url: `/api/platform/tenants?q=${marker}&limit=1`, token: root.token });
    const body1 = page1.json<PlatformTenantList>();
    expect(body1.items.map((item) => item.id)).toEqual([second.tenant.id]);
    expect(body1.nextCursor).toEqual(expect.any(String));
    const page2 = await request(t.app, { url: `/api/platform/tenants?q=${marker}&limit=1&cursor=${body1.nextCursor}`, token: root.token });
    expect(page2.json()).toMatchObject({ items: [{ id: first.tenant.id }], nextCursor: null });

    const bySlug = await request(t.app, { url: `/api/platform/tenants?q=${first.tenant.slug}`, token: root.token });
    expect(bySlug.json().items.map((item: { id: string }) => item.id)).toEqual([first.tenant.id]);
    const wildcard = await request(t.app, { url: `/api/platform/tenants?q=${encodeURIComponent('%')}`, token: root.token });
    expect(wildcard.statusCode).toBe(200);
    expect(wildcard.json().items).toEqual([]);
  });

  it('refuses a platform tenant with a taken slug', async () => {
    const existing = await registerTenant(t.app);
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/platform/tenants',
      token: root.token,
      payload: { name: 'Copy', slug: existing.tenant.slug, industry: 'other', ownerEmail: `copy-${uniqueSuffix()}@example.test` },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'tenant.slug_taken' });
  });
});
