import type { AuthSession } from '@omni/contracts/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { withSystemAccessRead } from '../../kernel/db/tenancy.js';
import { seedDemoPlatform } from '../../seed.js';
import { summarizeEngagementByHour } from '../publishing/index.js';

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
    const targets = (await request(t.app, { url: '/api/publishing/targets?limit=100', token })).json().items as Array<{ id: string; status: string; scheduledAt: string; connectionId: string }>;
    // Eight weeks of three posts and the three of the past days; three planned through publishing and one through the editor's path.
    expect(targets.filter((target) => target.status === 'published')).toHaveLength(27);
    expect(targets.filter((target) => target.status === 'scheduled')).toHaveLength(4);
    expect(targets).toHaveLength(31);
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
    const posts = (await request(t.app, { url: '/api/social/sandbox/posts?limit=100', token })).json().items;
    expect(posts).toHaveLength(27);
    expect((await request(t.app, { url: '/api/publishing/settings', token })).json()).toMatchObject({ timezone: 'Europe/Rome', lateAfterSecondsIsDefault: true });
  });

  it('gives Bella Café content for every step: published and scheduled posts mapped to their targets, drafts, a post in review, templates and a blog webhook', async () => {
    await seedDemoPlatform(t.kernel);
    await seedDemoPlatform(t.kernel);
    const tokenOf = async (email: string) =>
      (await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password: 'demo-password-for-tests' } })).json<AuthSession>().accessToken;
    const editor = await tokenOf('bella.editor@northwind.test');

    type Summary = { id: string; title: string | null; status: string; excerpt: string };
    const list = (await request(t.app, { url: '/api/content/posts?limit=100', token: editor })).json<{ items: Summary[]; total: number }>();
    const byStatus = (status: string) => list.items.filter((post) => post.status === status);
    expect(list.total).toBe(34);
    expect(byStatus('published')).toHaveLength(27);
    expect(byStatus('scheduled')).toHaveLength(4);
    expect(byStatus('draft').map((post) => post.title).sort()).toEqual(['Pistachio cornetto', 'Staff playlist']);
    expect(byStatus('in_review').map((post) => post.title)).toEqual(['Live jazz Friday']);

    // A published post is the content behind its publishing target: its occurrence is published, and the
    // target it maps to went out on the Sandbox feed.
    const autumn = list.items.find((post) => post.excerpt.startsWith('Our autumn menu is here'))!;
    const detail = (await request(t.app, { url: `/api/content/posts/${autumn.id}`, token: editor })).json();
    expect(detail).toMatchObject({ status: 'published', baseLink: 'https://bella-cafe.example/menu', destinations: [expect.objectContaining({ network: 'sandbox' })] });
    expect(detail.occurrences).toEqual([expect.objectContaining({ status: 'published', sequence: 0 })]);
    const mapped = await t.owner.query(
      `SELECT t.status, t.content->>'text' AS text FROM post_targets pt JOIN publish_targets t ON t.id = pt.target_id WHERE pt.post_id = $1`,
      [autumn.id],
    );
    expect(mapped.rows).toEqual([{ status: 'published', text: expect.stringContaining('Our autumn menu is here') }]);
    // Every scheduled post has a scheduled target of its own, the one scheduled through the editor's path included.
    for (const post of byStatus('scheduled')) {
      const targets = await t.owner.query(`SELECT t.status FROM post_targets pt JOIN publish_targets t ON t.id = pt.target_id WHERE pt.post_id = $1`, [post.id]);
      expect(targets.rows, post.excerpt).toEqual([{ status: 'scheduled' }]);
    }

    // The post in review waits for an editor: the contributor asked, editors were notified.
    const inbox = (await request(t.app, { url: '/api/approvals', token: editor })).json().items;
    expect(inbox).toEqual([expect.objectContaining({ summary: 'Live jazz Friday', stage: 'internal', status: 'pending', requestedBy: expect.objectContaining({ name: 'Carlos Contributor' }) })]);
    expect((await request(t.app, { url: '/api/notifications/unread-count', token: editor })).json()).toMatchObject({ count: 1 });

    const templates = (await request(t.app, { url: '/api/content/templates', token: editor })).json().items as Array<{ id: string; name: string }>;
    expect(templates.map((template) => template.name).sort()).toEqual(['Daily special', 'New blog article']);
    const rendered = await request(t.app, { method: 'POST', url: `/api/content/templates/${templates.find((template) => template.name === 'Daily special')!.id}/render`, token: editor, payload: { values: { dish: 'Lasagne' } } });
    expect(rendered.json().bodies.base).toBe('Today’s special at Bella Café: Lasagne (ask at the counter). See you soon ☕');

    const webhooks = (await request(t.app, { url: '/api/feeds/webhooks', token: editor })).json().items;
    expect(webhooks).toEqual([
      expect.objectContaining({ name: 'Bella Café blog', status: 'active', templateId: templates.find((template) => template.name === 'New blog article')!.id }),
    ]);

    // Best times learn from the account's history: ≥ 20 published Sandbox posts with metrics in 90 days,
    // each weekly slot with several samples, and evenings doing better than lunchtimes.
    const accountId = (await t.owner.query(`SELECT id FROM accounts WHERE slug = 'bella-cafe'`)).rows[0].id as string;
    const buckets = await withSystemAccessRead(t.kernel, 'test: demo engagement', (tx) =>
      summarizeEngagementByHour(tx, { accountId, network: 'sandbox', since: new Date(Date.now() - 90 * 24 * 3600_000), timeZone: 'UTC' }),
    );
    expect(buckets.reduce((sum, bucket) => sum + bucket.samples, 0)).toBe(27);
    const weekly = buckets.filter((bucket) => bucket.samples >= 2);
    expect(weekly).toHaveLength(3);
    const at = (hour: number) => weekly.find((bucket) => bucket.hour === hour)!;
    expect(at(17).meanScore).toBeGreaterThan(at(7).meanScore);
    expect(at(7).meanScore).toBeGreaterThan(at(11).meanScore);
    expect(new Set(weekly.map((bucket) => bucket.scoreKind))).toEqual(new Set(['per_impression']));
    // …and the calendar's suggestions for the Sandbox feed are learned ones where a slot beats the feed's mean
    // (the evening scoring best; never the weak lunchtime), the industry defaults filling the rest.
    type Slot = { source: string; samples: number; score: number; local: string };
    const suggestions = (await request(t.app, { url: '/api/content/best-times?network=sandbox&days=14', token: editor })).json();
    expect(suggestions).toMatchObject({ network: 'sandbox', timeZone: 'Europe/Rome', source: 'learned', samples: 27 });
    const learned = (suggestions.slots as Slot[]).filter((slot) => slot.source === 'learned');
    expect(learned.length).toBeGreaterThan(0);
    expect(learned.every((slot) => slot.samples >= 2)).toBe(true);
    // 11:00 UTC is 12:00 or 13:00 in Rome.
    expect(learned.filter((slot) => [12, 13].includes(Number(slot.local.slice(11, 13))))).toEqual([]);
    const best = [...learned].sort((a, b) => b.score - a.score)[0]!;
    // 17:00 UTC is 18:00 or 19:00 in Rome (winter or summer time).
    expect(Number(best.local.slice(11, 13))).toBeGreaterThanOrEqual(18);
  });
});
