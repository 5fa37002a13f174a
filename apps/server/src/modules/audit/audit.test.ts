import type { AuditEntry, AuditList } from '@omni/contracts/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { addMember, createSuperAdmin, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { flushAuditWrites } from './index.js';

describe('audit: one entry per mutating request', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
  });
  afterAll(() => t.close());

  const readAudit = async (query: string, token = owner.token): Promise<AuditEntry[]> => {
    await flushAuditWrites();
    const response = await request(t.app, { url: `/api/audit?${query}`, token });
    expect(response.statusCode).toBe(200);
    return response.json<AuditList>().items;
  };

  it('records actor, tenant, action, target, status, IP, user agent and request id of a mutation', async () => {
    const requestId = `req-${uniqueSuffix()}`;
    const created = await request(t.app, {
      method: 'POST',
      url: '/api/accounts',
      token: owner.token,
      payload: { name: 'Audited client' },
      headers: { 'user-agent': 'audit-test/1.0', 'x-request-id': requestId },
      remoteAddress: '203.0.113.7',
    });
    expect(created.statusCode).toBe(201);
    const entries = await readAudit('action=account.create');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      tenantId: owner.tenant.id,
      actor: { userId: owner.user.id, name: owner.user.name, email: owner.email },
      apiKeyId: null,
      action: 'account.create',
      targetType: 'account',
      targetId: created.json().id,
      statusCode: 201,
      ip: '203.0.113.7',
      userAgent: 'audit-test/1.0',
      requestId,
      metadata: {},
    });
  });

  it('records refused mutations too, falls back to the :id parameter, and skips reads', async () => {
    const member = await addMember(t, owner.token, { role: 'member' });
    const refused = await request(t.app, { method: 'PATCH', url: `/api/accounts/${owner.accountId}`, token: member.token, payload: { name: 'Nope' } });
    expect(refused.statusCode).toBe(403);
    const entries = await readAudit(`actorUserId=${member.userId}&action=account.update`);
    expect(entries).toEqual([expect.objectContaining({ statusCode: 403, targetType: 'account', targetId: owner.accountId })]);

    await request(t.app, { url: '/api/accounts', token: member.token });
    expect(await readAudit(`actorUserId=${member.userId}&action=${encodeURIComponent('GET /api/accounts')}`)).toEqual([]);
  });

  it('records the tenant a registration created and never stores request bodies', async () => {
    const password = `secret-${uniqueSuffix()}-passphrase`;
    const tenant = await registerTenant(t.app, { password });
    await flushAuditWrites();
    const rows = await t.owner.query("SELECT tenant_id, action, target_type, target_id, metadata FROM audit_log WHERE action = 'tenancy.register' AND tenant_id = $1", [tenant.tenant.id]);
    expect(rows.rows).toEqual([{ tenant_id: tenant.tenant.id, action: 'tenancy.register', target_type: 'tenant', target_id: tenant.tenant.id, metadata: expect.objectContaining({ slug: tenant.tenant.slug }) }]);
    const leaked = await t.owner.query('SELECT count(*)::int AS n FROM audit_log WHERE metadata::text LIKE $1 OR user_agent LIKE $1', [`%${password}%`]);
    expect(leaked.rows[0].n).toBe(0);
  });

  it('records API-key actors', async () => {
    const created = await request(t.app, { method: 'POST', url: '/api/auth/api-keys', token: owner.token, payload: { name: 'ci', scopes: ['accounts:create', 'accounts:read'] } });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json();
    const viaKey = await request(t.app, { method: 'POST', url: '/api/accounts', headers: { 'x-api-key': secret }, payload: { name: 'From a key' } });
    expect(viaKey.statusCode).toBe(201);
    const entries = await readAudit(`action=account.create&actorUserId=${owner.user.id}`);
    expect(entries.find((entry) => entry.targetId === viaKey.json().id)).toMatchObject({ apiKeyId: apiKey.id, actor: { userId: owner.user.id } });
  });

  it('lets tenant admins read their own tenant only, and refuses members', async () => {
    const admin = await addMember(t, owner.token, { role: 'admin' });
    const member = await addMember(t, owner.token, { role: 'member' });
    const other = await registerTenant(t.app);
    await request(t.app, { method: 'POST', url: '/api/accounts', token: other.token, payload: { name: 'Other tenant client' } });

    const seen = await readAudit('limit=100', admin.token);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((entry) => entry.tenantId === owner.tenant.id)).toBe(true);
    await flushAuditWrites();
    const denied = await request(t.app, { url: '/api/audit', token: member.token });
    expect(denied.statusCode).toBe(403);
    const accountAdmin = await addMember(t, owner.token, { role: 'admin', accountId: owner.accountId });
    expect((await request(t.app, { url: '/api/audit', token: accountAdmin.token })).statusCode).toBe(403);
    expect((await request(t.app, { url: '/api/audit' })).statusCode).toBe(401);
  });

  it('filters by action, actor, target type and time, and pages with a cursor', async () => {
    const tenant = await registerTenant(t.app);
    for (const name of ['A', 'B', 'C']) await request(t.app, { method: 'POST', url: '/api/accounts', token: tenant.token, payload: { name } });
    const start = new Date(Date.now() - 60_000).toISOString();
    const read = (query: string) => readAudit(query, tenant.token);

    expect(await read('action=account.create')).toHaveLength(3);
    expect(await read('targetType=tenant')).toHaveLength(1);
    expect(await read(`actorUserId=${tenant.user.id}&action=account.create`)).toHaveLength(3);
    expect(await read(`from=${encodeURIComponent(start)}&action=account.create`)).toHaveLength(3);
    expect(await read(`to=${encodeURIComponent(start)}`)).toHaveLength(0);

    const collected: string[] = [];
    let cursor: string | null = null;
    do {
      await flushAuditWrites();
      const page = await request(t.app, { url: `/api/audit?action=account.create&limit=2${cursor ? `&cursor=${cursor}` : ''}`, token: tenant.token });
      const body = page.json<AuditList>();
      collected.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(collected).toHaveLength(3);
    expect(new Set(collected).size).toBe(3);
    expect(collected.map(Number)).toEqual([...collected.map(Number)].sort((a, b) => b - a));

    const bad = await request(t.app, { url: '/api/audit?from=yesterday', token: tenant.token });
    expect(bad.statusCode).toBe(400);
  });

  it('shows every tenant and platform-level entries to super admins only', async () => {
    const root = await createSuperAdmin(t);
    const target = await registerTenant(t.app);
    const suspended = await request(t.app, { method: 'POST', url: `/api/platform/tenants/${target.tenant.id}/suspend`, token: root.token, payload: { reason: 'Audit test' } });
    expect(suspended.statusCode).toBe(200);
    await request(t.app, { method: 'POST', url: `/api/platform/tenants/${target.tenant.id}/reactivate`, token: root.token });
    await flushAuditWrites();

    const platform = await request(t.app, { url: `/api/platform/audit?action=platform.tenant.suspend&actorUserId=${root.userId}`, token: root.token });
    expect(platform.statusCode).toBe(200);
    expect(platform.json<AuditList>().items).toEqual([
      expect.objectContaining({ tenantId: null, targetType: 'tenant', targetId: target.tenant.id, metadata: { reason: 'Audit test' }, actor: expect.objectContaining({ userId: root.userId }) }),
    ]);
    const oneTenant = await request(t.app, { url: `/api/platform/audit?tenantId=${target.tenant.id}`, token: root.token });
    expect(oneTenant.json<AuditList>().items.map((item) => item.action)).toEqual(['tenancy.register']);
    const everyTenant = await request(t.app, { url: '/api/platform/audit?action=tenancy.register&limit=100', token: root.token });
    expect(new Set(everyTenant.json<AuditList>().items.map((item) => item.tenantId)).size).toBeGreaterThan(1);

    expect((await request(t.app, { url: '/api/platform/audit', token: owner.token })).statusCode).toBe(403);
    // The tenant's own log does not show platform-level entries about it.
    const ownView = await readAudit('limit=100', target.token);
    expect(ownView.map((entry) => entry.action)).not.toContain('platform.tenant.suspend');
  });

  it('does not audit routes that opt out', async () => {
    const tenant = await registerTenant(t.app);
    const refreshed = await request(t.app, { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: tenant.session.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const created = await request(t.app, { method: 'POST', url: '/api/accounts', token: refreshed.json().accessToken, payload: { name: 'Control' } });
    await flushAuditWrites();
    const count = async (requestId: unknown) => (await t.owner.query('SELECT count(*)::int AS n FROM audit_log WHERE request_id = $1', [requestId])).rows[0].n;
    expect(await count(refreshed.headers['x-request-id'])).toBe(0);
    expect(await count(created.headers['x-request-id'])).toBe(1);
  });
});
