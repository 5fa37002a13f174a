import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchAndDrain, makeDue } from '../../../test/factories/publishing.js';
import { addMember, createAccount, registerTenant, switchScope, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * GET /api/content/calendar (design §7.1) against the real content and publishing modules: the range cap,
 * occurrences and planned posts in one sorted list, filters, other accounts for tenant admins only,
 * target statuses with the published URL, and each item's conflicts.
 */
describe('content calendar', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let feedA: string;
  let feedB: string;

  const day = 86_400_000;
  const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3600_000);
  const sandbox = async (token: string, name: string) => {
    const response = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token, payload: { name } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const createPost = async (token: string, payload: Record<string, unknown>) => {
    const response = await request(t.app, { method: 'POST', url: '/api/content/posts', token, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const schedule = async (token: string, id: string, at: Date, acknowledgeConflicts = false) => {
    const response = await request(t.app, { method: 'POST', url: `/api/content/posts/${id}/schedule`, token, payload: { at: at.toISOString(), acknowledgeConflicts } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const calendar = (token: string, from: Date, to: Date, extra = '') =>
    request(t.app, { url: `/api/content/calendar?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}${extra}`, token });
  const titles = (response: { json(): { items: Array<{ title: string | null }> } }) => response.json().items.map((item) => item.title);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    feedA = await sandbox(owner.token, 'Feed A');
    feedB = await sandbox(owner.token, 'Feed B');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 422 for a reversed range or one longer than 62 days, and 400 for a malformed time', async () => {
    const from = new Date('2030-01-01T00:00:00Z');
    const reversed = await calendar(owner.token, from, from);
    expect(reversed.statusCode).toBe(422);
    expect(reversed.json()).toMatchObject({ code: 'content.calendar_range_invalid' });
    const tooLong = await calendar(owner.token, from, new Date(from.getTime() + 62 * day + 1000));
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json()).toMatchObject({ code: 'content.calendar_range_too_long' });
    expect(tooLong.json().detail).toContain('62 days');
    expect((await calendar(owner.token, from, new Date(from.getTime() + 62 * day))).statusCode).toBe(200);
    const malformed = await request(t.app, { url: '/api/content/calendar?from=yesterday&to=2030-01-02T00:00:00Z', token: owner.token });
    expect(malformed.statusCode).toBe(400);
    expect((await request(t.app, { url: `/api/content/calendar?from=${from.toISOString()}&to=2030-01-02T00:00:00Z` })).statusCode).toBe(401);
  });

  it('lists scheduled occurrences and planned posts by time, with target statuses, destination names and the conflicts of each', async () => {
    const base = hoursFromNow(48);
    const first = await createPost(owner.token, { title: 'Breakfast', baseText: 'Croissants at 7', destinations: [feedA], tags: ['food'] });
    await schedule(owner.token, first.id, base);
    const close = await createPost(owner.token, { title: 'Too close', baseText: 'Espresso at 7:10', destinations: [feedA] });
    await schedule(owner.token, close.id, new Date(base.getTime() + 10 * 60_000), true);
    await createPost(owner.token, { title: 'Planned promo', baseText: 'Summer promo', plannedAt: new Date(base.getTime() + 3 * 3600_000).toISOString(), destinations: [feedB], tags: ['promo'] });
    await createPost(owner.token, { title: 'Later', baseText: 'Outside the range', plannedAt: new Date(base.getTime() + 10 * day).toISOString(), destinations: [feedB] });
    await createPost(owner.token, { title: 'Undated', baseText: 'No time yet', destinations: [feedB] });

    const response = await calendar(owner.token, new Date(base.getTime() - 3600_000), new Date(base.getTime() + day));
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.timeZone).toBeNull();
    expect(titles(response)).toEqual(['Breakfast', 'Too close', 'Planned promo']);
    const [breakfast, tooClose, promo] = body.items;
    expect(breakfast).toMatchObject({
      postId: first.id,
      accountId: owner.accountId,
      occurrenceId: expect.any(String),
      at: base.toISOString(),
      status: 'scheduled',
      excerpt: 'Croissants at 7',
      tags: ['food'],
      networks: ['sandbox'],
      isRecurring: false,
      ab: null,
      targets: [expect.objectContaining({ connectionId: feedA, network: 'sandbox', destinationName: 'Feed A', status: 'scheduled', scheduledAt: base.toISOString(), publishedAt: null, externalUrl: null })],
    });
    expect(breakfast.conflicts).toEqual([expect.objectContaining({ kind: 'too_close', connectionId: feedA, otherPostId: close.id, limit: 30 })]);
    expect(tooClose.conflicts).toEqual([expect.objectContaining({ kind: 'too_close', otherPostId: first.id })]);
    expect(promo).toMatchObject({ occurrenceId: null, status: 'draft', targets: [], conflicts: [], tags: ['promo'] });

    // A planned (not yet scheduled) post meets the same rules at its planned time.
    await createPost(owner.token, { title: 'Crowding in', baseText: 'Planned next to breakfast', plannedAt: new Date(base.getTime() + 5 * 60_000).toISOString(), destinations: [feedA] });
    const again = (await calendar(owner.token, new Date(base.getTime() - 3600_000), new Date(base.getTime() + day))).json();
    const crowding = again.items.find((item: { title: string }) => item.title === 'Crowding in');
    expect(crowding).toMatchObject({ occurrenceId: null, status: 'draft' });
    expect(crowding.conflicts.map((conflict: { kind: string }) => conflict.kind)).toEqual(['too_close']);
  });

  it('filters by network, connection, status and tag (repeated or comma-separated values)', async () => {
    const base = hoursFromNow(20 * 24);
    const scheduled = await createPost(owner.token, { title: 'F scheduled A', baseText: 'One', destinations: [feedA], tags: ['launch'] });
    await schedule(owner.token, scheduled.id, base);
    await createPost(owner.token, { title: 'F draft B', baseText: 'Two', plannedAt: new Date(base.getTime() + 3600_000).toISOString(), destinations: [feedB], tags: ['launch', 'promo'] });
    const range: [Date, Date] = [new Date(base.getTime() - 3600_000), new Date(base.getTime() + day)];

    expect(titles(await calendar(owner.token, ...range))).toEqual(['F scheduled A', 'F draft B']);
    expect(titles(await calendar(owner.token, ...range, '&network=sandbox'))).toEqual(['F scheduled A', 'F draft B']);
    expect(titles(await calendar(owner.token, ...range, '&network=x'))).toEqual([]);
    expect(titles(await calendar(owner.token, ...range, `&connectionId=${feedB}`))).toEqual(['F draft B']);
    expect(titles(await calendar(owner.token, ...range, `&connectionId=${feedA}&connectionId=${feedB}`))).toEqual(['F scheduled A', 'F draft B']);
    expect(titles(await calendar(owner.token, ...range, '&status=scheduled'))).toEqual(['F scheduled A']);
    expect(titles(await calendar(owner.token, ...range, '&status=draft,scheduled'))).toEqual(['F scheduled A', 'F draft B']);
    expect(titles(await calendar(owner.token, ...range, '&tag=PROMO'))).toEqual(['F draft B']);
    expect(titles(await calendar(owner.token, ...range, '&tag=promo&status=scheduled'))).toEqual([]);
    const badStatus = await calendar(owner.token, ...range, '&status=sleeping');
    expect(badStatus.statusCode).toBe(400);
    const badNetwork = await calendar(owner.token, ...range, '&network=myspace');
    expect(badNetwork.statusCode).toBe(400);
  });

  it('shows other accounts only to tenant owners and admins (403 for an account editor), and never another tenant’s', async () => {
    const tenant = await registerTenant(t.app);
    const second = await createAccount(t.app, tenant.token, 'Second shop');
    const secondScope = await switchScope(t.app, tenant.token, tenant.tenant.id, second.id);
    const base = hoursFromNow(72);
    const ownFeed = await sandbox(tenant.token, 'Shop one');
    const secondFeed = await sandbox(secondScope.accessToken, 'Shop two');
    await createPost(tenant.token, { title: 'In one', baseText: 'One', plannedAt: base.toISOString(), destinations: [ownFeed] });
    await createPost(secondScope.accessToken, { title: 'In two', baseText: 'Two', plannedAt: new Date(base.getTime() + 60_000).toISOString(), destinations: [secondFeed] });
    await request(t.app, { method: 'PUT', url: '/api/publishing/settings', token: tenant.token, payload: { lateAfterSeconds: 3600, timezone: 'Europe/Berlin' } });
    const range: [Date, Date] = [new Date(base.getTime() - 3600_000), new Date(base.getTime() + 3600_000)];

    expect(titles(await calendar(tenant.token, ...range))).toEqual(['In one']);
    const both = await calendar(tenant.token, ...range, `&accountId=${tenant.accountId}&accountId=${second.id}`);
    expect(both.statusCode, both.body).toBe(200);
    expect(both.json().items.map((item: { title: string; accountId: string }) => [item.title, item.accountId])).toEqual([['In one', tenant.accountId], ['In two', second.id]]);
    expect(both.json().timeZone).toBe('Europe/Berlin');

    const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    expect(titles(await calendar(editor.token, ...range))).toEqual(['In one']);
    expect(titles(await calendar(editor.token, ...range, `&accountId=${tenant.accountId}`))).toEqual(['In one']);
    const refused = await calendar(editor.token, ...range, `&accountId=${tenant.accountId}&accountId=${second.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'content.calendar_account_forbidden' });

    // Another tenant's account id shows nothing of it, even to that other tenant's owner.
    const foreign = await calendar(owner.token, ...range, `&accountId=${second.id}`);
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json().items).toEqual([]);
  });

  it('shows a published occurrence with its external URL and no conflicts', async () => {
    const tenant = await registerTenant(t.app);
    const feed = await sandbox(tenant.token, 'Live feed');
    const at = hoursFromNow(0.5);
    const draft = await createPost(tenant.token, { title: 'Going live', baseText: `Live ${Date.now()}`, destinations: [feed] });
    await schedule(tenant.token, draft.id, at);
    const range: [Date, Date] = [hoursFromNow(-2), hoursFromNow(2)];
    const [scheduled] = (await calendar(tenant.token, ...range)).json().items;
    const targetId = scheduled.targets[0].targetId;

    await makeDue(t, targetId);
    await dispatchAndDrain(t, targetId);
    let item = scheduled;
    for (let round = 0; round < 60 && item.status !== 'published'; round += 1) {
      await t.drainJobs();
      item = (await calendar(tenant.token, ...range)).json().items[0];
      if (item.status !== 'published') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const detail = (await request(t.app, { url: `/api/publishing/targets/${targetId}`, token: tenant.token })).json();
    expect(detail.externalUrl).toContain('sandboxPost=');
    expect(item).toMatchObject({
      postId: draft.id,
      status: 'published',
      conflicts: [],
      targets: [expect.objectContaining({ targetId, status: 'published', externalUrl: detail.externalUrl, publishedAt: expect.any(String) })],
    });
    expect((await calendar(tenant.token, ...range, '&status=published')).json().items).toHaveLength(1);
  });
});
