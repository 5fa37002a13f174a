import type { CampaignDetail, CampaignList } from '@omni/contracts/campaigns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * Campaigns through the HTTP API: create, read, list, edit, archive and delete; validation (422 with the
 * field's path); viewers read but never write; another tenant's campaign is not found; links to posts
 * (predicted, one campaign per post) and unlinking that keeps the post.
 */
describe('campaigns: CRUD, validation, permissions and links', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let viewer: { token: string };
  let contributor: { token: string; userId: string };
  let feed: string;

  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Autumn menu launch',
    goal: 'awareness',
    audience: 'Coffee lovers in the old town',
    channels: ['sandbox'],
    startsOn: '2030-09-01',
    endsOn: '2030-09-28',
    kpis: [{ metric: 'impressions', target: 10_000 }, { metric: 'engagement_rate', target: 0.05 }],
    brief: 'Launch our autumn menu: pumpkin spice latte, cinnamon rolls and a new chai.',
    ...overrides,
  });
  const create = async (token: string, overrides: Record<string, unknown> = {}) => {
    const response = await request(t.app, { method: 'POST', url: '/api/campaigns', token, payload: body(overrides) });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CampaignDetail>();
  };
  const createPost = async (token: string, payload: Record<string, unknown>) => {
    const response = await request(t.app, { method: 'POST', url: '/api/content/posts', token, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    viewer = await addMember(t, owner.token, { role: 'viewer', accountId: owner.accountId });
    contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    feed = (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: 'Café feed' } })).json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a draft campaign with defaults, reads it, lists and searches it', async () => {
    const created = await create(owner.token, { audience: undefined, brief: undefined, kpis: undefined, budgetMicros: 250_000_000, currency: 'EUR' });
    expect(created).toMatchObject({
      name: 'Autumn menu launch',
      status: 'draft',
      audience: '',
      brief: '',
      kpis: [],
      budgetMicros: 250_000_000,
      currency: 'EUR',
      startsOn: '2030-09-01',
      endsOn: '2030-09-28',
      strategy: null,
      latestRun: null,
      postCount: 0,
      posts: [],
      createdBy: owner.user.id,
      accountId: owner.accountId,
    });
    const read = await request(t.app, { url: `/api/campaigns/${created.id}`, token: viewer.token });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json<CampaignDetail>().id).toBe(created.id);

    await create(owner.token, { name: 'Winter sale', goal: 'sales' });
    const searched = await request(t.app, { url: '/api/campaigns?q=winter', token: owner.token });
    expect(searched.json<CampaignList>().items.map((item) => item.name)).toEqual(['Winter sale']);
    const drafts = await request(t.app, { url: '/api/campaigns?status=draft&limit=1', token: owner.token });
    expect(drafts.json<CampaignList>()).toMatchObject({ total: 2, items: [{ name: 'Winter sale' }] });
  });

  it('refuses an end before the start with 422 and the field’s path, also when only one date changes', async () => {
    const refused = await request(t.app, { method: 'POST', url: '/api/campaigns', token: owner.token, payload: body({ startsOn: '2030-09-10', endsOn: '2030-09-01' }) });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'campaigns.invalid_dates', errors: [{ path: 'body.endsOn' }] });

    const campaign = await create(owner.token);
    const patched = await request(t.app, { method: 'PATCH', url: `/api/campaigns/${campaign.id}`, token: owner.token, payload: { startsOn: '2030-10-01' } });
    expect(patched.statusCode).toBe(422);
    expect(patched.json()).toMatchObject({ code: 'campaigns.invalid_dates', errors: [{ path: 'body.endsOn' }] });
    // Nothing was written.
    expect((await request(t.app, { url: `/api/campaigns/${campaign.id}`, token: owner.token })).json<CampaignDetail>().startsOn).toBe('2030-09-01');

    const duplicateKpi = await request(t.app, { method: 'POST', url: '/api/campaigns', token: owner.token, payload: body({ kpis: [{ metric: 'likes', target: 5 }, { metric: 'likes', target: 9 }] }) });
    expect(duplicateKpi.statusCode).toBe(422);
    expect(duplicateKpi.json()).toMatchObject({ code: 'campaigns.duplicate_kpi', errors: [{ path: 'body.kpis.1.metric' }] });

    const shapes = await request(t.app, { method: 'POST', url: '/api/campaigns', token: owner.token, payload: body({ startsOn: '2030-02-30', channels: [], currency: 'euro' }) });
    expect(shapes.statusCode).toBe(400);
    expect(shapes.json().errors.map((error: { path: string }) => error.path).sort()).toEqual(['body.channels', 'body.currency', 'body.startsOn']);
  });

  it('edits only what the patch names; an archived campaign changes only by leaving the archive', async () => {
    const campaign = await create(owner.token);
    const renamed = await request(t.app, { method: 'PATCH', url: `/api/campaigns/${campaign.id}`, token: contributor.token, payload: { name: 'Autumn menu 2030', channels: ['sandbox', 'x', 'sandbox'] } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json<CampaignDetail>()).toMatchObject({ name: 'Autumn menu 2030', channels: ['sandbox', 'x'], audience: campaign.audience, brief: campaign.brief, kpis: campaign.kpis });

    expect((await request(t.app, { method: 'PATCH', url: `/api/campaigns/${campaign.id}`, token: owner.token, payload: { status: 'archived' } })).statusCode).toBe(200);
    const refused = await request(t.app, { method: 'PATCH', url: `/api/campaigns/${campaign.id}`, token: owner.token, payload: { name: 'Sneaky' } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('campaigns.archived');
    const postId = await createPost(owner.token, { baseText: 'Cinnamon rolls are back', destinations: [feed] });
    const link = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/posts`, token: owner.token, payload: { postId } });
    expect(link.statusCode).toBe(409);
    const generate = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/generate`, token: owner.token, payload: {} });
    expect(generate.json().code).toBe('campaigns.archived');

    const back = await request(t.app, { method: 'PATCH', url: `/api/campaigns/${campaign.id}`, token: owner.token, payload: { status: 'planned', name: 'Autumn menu (again)' } });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json<CampaignDetail>()).toMatchObject({ status: 'planned', name: 'Autumn menu (again)' });
  });

  it('lets viewers read but not write (403), and needs ai:run to generate', async () => {
    const campaign = await create(owner.token);
    expect((await request(t.app, { url: '/api/campaigns', token: viewer.token })).statusCode).toBe(200);
    const writes = [
      { method: 'POST' as const, url: '/api/campaigns', payload: body() },
      { method: 'PATCH' as const, url: `/api/campaigns/${campaign.id}`, payload: { name: 'Viewer was here' } },
      { method: 'DELETE' as const, url: `/api/campaigns/${campaign.id}` },
      { method: 'POST' as const, url: `/api/campaigns/${campaign.id}/submit`, payload: {} },
    ];
    for (const write of writes) {
      const response = await request(t.app, { ...write, token: viewer.token });
      expect(response.statusCode, `${write.method} ${write.url}`).toBe(403);
    }
    // Contributors write campaigns but do not start AI runs (they cost money): editors and up do.
    const generate = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/generate`, token: contributor.token, payload: {} });
    expect(generate.statusCode).toBe(403);
    expect((await request(t.app, { url: `/api/campaigns/${campaign.id}`, token: owner.token })).json<CampaignDetail>().name).toBe('Autumn menu launch');
  });

  it('does not let another tenant see, change or delete a campaign (404)', async () => {
    const campaign = await create(owner.token);
    const other = await registerTenant(t.app);
    for (const call of [
      { method: 'GET' as const, url: `/api/campaigns/${campaign.id}` },
      { method: 'PATCH' as const, url: `/api/campaigns/${campaign.id}`, payload: { name: 'Hijacked' } },
      { method: 'DELETE' as const, url: `/api/campaigns/${campaign.id}` },
      { method: 'GET' as const, url: `/api/campaigns/${campaign.id}/performance` },
      { method: 'POST' as const, url: `/api/campaigns/${campaign.id}/generate`, payload: {} },
    ]) {
      const response = await request(t.app, { ...call, token: other.token });
      expect(response.statusCode, `${call.method} ${call.url}`).toBe(404);
      expect(response.json().code).toBe('campaign.not_found');
    }
    expect((await request(t.app, { url: '/api/campaigns', token: other.token })).json<CampaignList>().total).toBe(0);
    expect((await request(t.app, { url: `/api/campaigns/${campaign.id}`, token: owner.token })).json<CampaignDetail>().name).toBe('Autumn menu launch');
  });

  it('links a post with a prediction per network, refuses it twice or in a second campaign, and unlinking or deleting keeps the post', async () => {
    const campaign = await create(owner.token);
    const second = await create(owner.token, { name: 'Second campaign' });
    const postId = await createPost(contributor.token, { title: 'Chai', baseText: 'Our new chai is here: cardamom, ginger and cinnamon.', plannedAt: '2030-09-05T09:00:00Z', destinations: [feed] });

    const linked = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/posts`, token: contributor.token, payload: { postId } });
    expect(linked.statusCode, linked.body).toBe(200);
    const detail = linked.json<CampaignDetail>();
    expect(detail.postCount).toBe(1);
    expect(detail.posts).toEqual([
      expect.objectContaining({ postId, role: 'linked', title: 'Chai', status: 'draft', plannedAt: '2030-09-05T09:00:00.000Z', networks: ['sandbox'] }),
    ]);
    // A new account has no history: the industry default for the network, with its low confidence.
    expect(detail.posts[0]!.predicted).toEqual([expect.objectContaining({ network: 'sandbox', basis: 'default', confidence: 0.3, scoreKind: 'per_impression' })]);
    expect(detail.posts[0]!.predicted[0]!.rate).toBeGreaterThan(0);

    const twice = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/posts`, token: owner.token, payload: { postId } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('campaigns.post_already_linked');
    const elsewhere = await request(t.app, { method: 'POST', url: `/api/campaigns/${second.id}/posts`, token: owner.token, payload: { postId } });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json()).toMatchObject({ code: 'campaigns.post_in_other_campaign', campaignId: campaign.id });

    const strangersPost = await createPost((await registerTenant(t.app)).token, { baseText: 'Not yours' });
    const foreign = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/posts`, token: owner.token, payload: { postId: strangersPost } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('post.not_found');

    const unlinked = await request(t.app, { method: 'DELETE', url: `/api/campaigns/${campaign.id}/posts/${postId}`, token: owner.token });
    expect(unlinked.statusCode, unlinked.body).toBe(200);
    expect(unlinked.json<CampaignDetail>().posts).toEqual([]);
    const notLinked = await request(t.app, { method: 'DELETE', url: `/api/campaigns/${campaign.id}/posts/${postId}`, token: owner.token });
    expect(notLinked.statusCode).toBe(404);
    expect(notLinked.json().code).toBe('campaigns.post_not_linked');

    expect((await request(t.app, { method: 'POST', url: `/api/campaigns/${second.id}/posts`, token: owner.token, payload: { postId } })).statusCode).toBe(200);
    const deleted = await request(t.app, { method: 'DELETE', url: `/api/campaigns/${second.id}`, token: owner.token });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await request(t.app, { url: `/api/campaigns/${second.id}`, token: owner.token })).statusCode).toBe(404);
    const post = await request(t.app, { url: `/api/content/posts/${postId}`, token: owner.token });
    expect(post.statusCode).toBe(200);
    expect((await t.owner.query('SELECT 1 FROM campaign_posts WHERE post_id = $1', [postId])).rowCount).toBe(0);
  });
});
