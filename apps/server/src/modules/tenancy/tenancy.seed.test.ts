import type { AuthSession } from '@omni/contracts/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { seedDemoPlatform } from '../../seed.js';

describe('demo seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DEMO_PASSWORD: 'demo-password-for-tests' });
  });
  afterAll(() => t.close());

  it('creates the demo platform once, returns the same logins again, and every login works with its role', async () => {
    const logins = await seedDemoPlatform(t.kernel);
    const countRows = async () =>
      (await t.owner.query(`SELECT (SELECT count(*) FROM users WHERE email = ANY($1)) AS users, (SELECT count(*) FROM tenants WHERE slug = 'northwind') AS tenants`, [logins.map((login) => login.email)])).rows[0];
    const before = await countRows();
    const again = await seedDemoPlatform(t.kernel);
    expect(again).toEqual(logins);
    expect(await countRows()).toEqual(before);
    expect(Number(before.users)).toBe(9);
    expect(Number(before.tenants)).toBe(1);

    expect(logins.map((login) => login.email)).toEqual([
      'admin@omni.local',
      'owner@northwind.test',
      'admin@northwind.test',
      'member@northwind.test',
      'bella.admin@northwind.test',
      'bella.editor@northwind.test',
      'bella.contributor@northwind.test',
      'bella.viewer@northwind.test',
      'bella.client@northwind.test',
    ]);
    expect(new Set(logins.map((login) => login.password))).toEqual(new Set(['demo-password-for-tests']));

    const accounts = await t.owner.query(`SELECT a.id, a.name FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug = 'northwind' ORDER BY a.created_at`);
    expect(accounts.rows.map((row) => row.name).sort()).toEqual(['Bella Café', 'Urban Threads']);
    const bellaId = accounts.rows.find((row) => row.name === 'Bella Café')!.id;

    const sessions: AuthSession[] = [];
    for (const login of logins) {
      const response = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email: login.email, password: login.password } });
      expect(response.statusCode, login.email).toBe(200);
      sessions.push(response.json<AuthSession>());
    }
    const [root, owner, admin, member, accountAdmin, editor, contributor, viewer, client] = sessions;
    expect(root!.user).toMatchObject({ isSuperAdmin: true, emailVerified: true });
    expect(owner!.scope).toMatchObject({ tenantRole: 'owner' });
    expect(admin!.scope).toMatchObject({ tenantRole: 'admin' });
    expect(member!.scope).toMatchObject({ tenantRole: 'member' });
    for (const [session, role] of [[accountAdmin, 'admin'], [editor, 'editor'], [contributor, 'contributor'], [viewer, 'viewer'], [client, 'client']] as const) {
      expect(session!.scope).toEqual({ tenantId: owner!.scope!.tenantId, accountId: bellaId, tenantRole: null, accountRole: role });
      expect(session!.user.emailVerified).toBe(true);
    }

    const tenant = await request(t.app, { url: '/api/tenant', token: owner!.accessToken });
    expect(tenant.json()).toMatchObject({ name: 'Northwind Agency', slug: 'northwind', industry: 'marketing_agency', branding: { colors: { primary: '#0f766e' } } });
    const profiles = await t.owner.query('SELECT count(*)::int AS n FROM profiles WHERE account_id = $1', [bellaId]);
    expect(profiles.rows[0].n).toBe(8);
    const theme = await request(t.app, { url: '/t/northwind/theme.css' });
    expect(theme.body).toContain('--omni-color-primary:#0f766e');
  });

  it('gives Bella Café a Sandbox feed with published posts (history, engagement) and posts scheduled for the coming days', async () => {
    await seedDemoPlatform(t.kernel);
    await seedDemoPlatform(t.kernel);
    const login = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email: 'bella.editor@northwind.test', password: 'demo-password-for-tests' } });
    const token = login.json<AuthSession>().accessToken;

    const connections = (await request(t.app, { url: '/api/social/connections', token })).json().items;
    expect(connections).toEqual([expect.objectContaining({ network: 'sandbox', status: 'active', destination: expect.objectContaining({ name: 'Bella Café · Sandbox' }) })]);
    const targets = (await request(t.app, { url: '/api/publishing/targets', token })).json().items as Array<{ id: string; status: string; scheduledAt: string; connectionId: string }>;
    expect(targets.map((target) => target.status).sort()).toEqual(['published', 'published', 'published', 'scheduled', 'scheduled', 'scheduled']);
    expect(new Set(targets.map((target) => target.connectionId))).toEqual(new Set([connections[0].id]));
    for (const target of targets.filter((item) => item.status === 'scheduled')) {
      expect(new Date(target.scheduledAt).getTime()).toBeGreaterThan(Date.now());
      const second = new Date(target.scheduledAt).getTime() / 1000;
      expect((await t.owner.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = $1', [`publishing.dispatch:${second}`])).rows[0].n).toBe(1);
    }
    for (const target of targets.filter((item) => item.status === 'published')) {
      const detail = (await request(t.app, { url: `/api/publishing/targets/${target.id}`, token })).json();
      expect(new Date(detail.publishedAt).getTime()).toBeLessThan(Date.now());
      expect(detail.transitions.map((transition: { to: string }) => transition.to)).toEqual(['scheduled', 'publishing', 'published']);
      expect(detail.attempts).toEqual([expect.objectContaining({ attemptNumber: 1, outcome: 'published' })]);
      expect(detail.latestMetrics.likes).toBeGreaterThan(0);
      expect(detail.externalUrl).toMatch(/^\/connections\?sandboxPost=sandbox_/);
    }
    const posts = (await request(t.app, { url: '/api/social/sandbox/posts', token })).json().items;
    expect(posts).toHaveLength(3);
    expect((await request(t.app, { url: '/api/publishing/settings', token })).json()).toMatchObject({ timezone: 'Europe/Rome', lateAfterSecondsIsDefault: true });
  });
});
