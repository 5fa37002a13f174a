import type { AiRun } from '@omni/contracts/ai';
import type { CampaignDetail, CampaignPerformance, SubmitCampaignDraftsResult } from '@omni/contracts/campaigns';
import type { Post } from '@omni/contracts/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { withTenant } from '../../kernel/db/tenancy.js';
import { seedPostForTarget } from '../content/index.js';
import { seedPublishedTarget } from '../publishing/index.js';
import { seedSandboxPost } from '../social/index.js';

/**
 * Generate from the brief (docs/design/ai-agents.md §7) with the default offline provider: the strategist's
 * result (confidence ≤ 0.6) waits for review under the default policy; approval in the approvals inbox
 * creates the drafts as content posts with their source and predictions; policy off creates them right
 * after the run; a rejection creates nothing; the campaign's drafts go to content review; performance
 * compares predictions with a published post's engagement.
 */
describe('campaigns: generate from a brief, drafts, review and performance', () => {
  let t: TestApp;

  type Team = { owner: RegisteredTenant; reviewer: { token: string; userId: string }; feed: string };

  const campaignBody = (overrides: Record<string, unknown> = {}) => ({
    name: 'Autumn menu',
    goal: 'awareness',
    audience: 'coffee lovers in the old town',
    channels: ['sandbox', 'x'],
    startsOn: '2030-09-02',
    endsOn: '2030-09-22',
    kpis: [{ metric: 'impressions', target: 4000 }],
    brief: 'Launch the autumn menu of Bella Café: pumpkin spice latte, cinnamon rolls and a new chai with cardamom.',
    ...overrides,
  });

  async function team(): Promise<Team> {
    const owner = await registerTenant(t.app);
    const reviewer = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const feed = (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: 'Café feed' } })).json().id as string;
    return { owner, reviewer, feed };
  }

  async function createCampaign(token: string, overrides: Record<string, unknown> = {}): Promise<CampaignDetail> {
    const response = await request(t.app, { method: 'POST', url: '/api/campaigns', token, payload: campaignBody(overrides) });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CampaignDetail>();
  }

  const generate = (token: string, id: string, payload: Record<string, unknown> = {}) => request(t.app, { method: 'POST', url: `/api/campaigns/${id}/generate`, token, payload });
  const getCampaign = async (token: string, id: string) => (await request(t.app, { url: `/api/campaigns/${id}`, token })).json<CampaignDetail>();
  const getPost = async (token: string, id: string) => (await request(t.app, { url: `/api/content/posts/${id}`, token })).json<Post>();
  const setPolicy = async (tenant: RegisteredTenant, mode: 'off' | 'always' | 'below') => {
    const response = await request(t.app, {
      method: 'PUT',
      url: '/api/ai/hitl-policies',
      token: tenant.token,
      payload: { workflowType: 'content_generation', mode, threshold: 0.8, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject' },
    });
    expect(response.statusCode, response.body).toBe(200);
  };

  /**
   * Run due jobs until `check` holds (bounded): test files share one queue, and another test process may be
   * running one of this test's jobs at the moment this one drains.
   */
  async function settle(check: () => Promise<boolean>): Promise<void> {
    for (let round = 0; round < 60; round += 1) {
      await t.drainJobs();
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('the expected state was never reached');
  }
  const runStatusIs = (token: string, id: string, statuses: string[]) => async () => statuses.includes((await getCampaign(token, id)).latestRun?.status ?? '');

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('queues the strategist, refuses a second generation while the first waits for review, and creates the drafts once a reviewer approves', async () => {
    const { owner, reviewer, feed } = await team();
    const campaign = await createCampaign(owner.token);

    const queued = await generate(owner.token, campaign.id);
    expect(queued.statusCode, queued.body).toBe(202);
    const run = queued.json<{ run: AiRun }>().run;
    expect(run).toMatchObject({ agent: 'campaign-strategist', status: 'queued', workflowType: 'content_generation', subject: { type: 'campaign', id: campaign.id }, requestedBy: owner.user.id });
    expect(run.input).toMatchObject({ goal: 'awareness', channels: ['sandbox', 'x'], startsOn: '2030-09-02', endsOn: '2030-09-22', audience: 'coffee lovers in the old town' });
    expect((await getCampaign(owner.token, campaign.id)).latestRun).toMatchObject({ id: run.id, status: 'queued' });
    const twice = await generate(owner.token, campaign.id);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('campaigns.generation_running');

    await settle(runStatusIs(owner.token, campaign.id, ['awaiting_review', 'approved', 'failed']));
    const waiting = (await getCampaign(owner.token, campaign.id)).latestRun!;
    expect(waiting).toMatchObject({ status: 'awaiting_review', provider: 'offline' });
    expect(waiting.confidence).toBeLessThanOrEqual(0.6);
    expect(waiting.approvalRequestId).not.toBeNull();
    expect((await generate(owner.token, campaign.id)).statusCode).toBe(409);
    const deleting = await request(t.app, { method: 'DELETE', url: `/api/campaigns/${campaign.id}`, token: owner.token });
    expect(deleting.statusCode).toBe(409);
    expect(deleting.json().code).toBe('campaigns.generation_running');
    expect((await getCampaign(owner.token, campaign.id)).posts).toEqual([]);

    const decided = await request(t.app, { method: 'POST', url: `/api/approvals/${waiting.approvalRequestId}/decision`, token: reviewer.token, payload: { outcome: 'approved' } });
    expect(decided.statusCode, decided.body).toBe(200);
    await settle(async () => (await getCampaign(owner.token, campaign.id)).strategy !== null);

    const planned = await getCampaign(owner.token, campaign.id);
    expect(planned.status).toBe('planned');
    expect(planned.latestRun).toMatchObject({ id: run.id, status: 'approved', decidedBy: reviewer.userId });
    expect(planned.strategy).toMatchObject({ runId: run.id, tone: 'friendly', channelPlan: [{ network: 'sandbox', postsPerWeek: 1 }, { network: 'x', postsPerWeek: 1 }] });
    expect(planned.strategy!.summary).toMatch(/3-week awareness campaign/);
    // One draft per channel per week, planned at the strategist's suggested times.
    const output = (planned.latestRun!.output as { drafts: Array<{ network: string; text: string; suggestedAt: string }> }).drafts;
    expect(output).toHaveLength(6);
    expect(planned.postCount).toBe(6);
    expect(planned.posts.map((post) => post.plannedAt).sort()).toEqual(output.map((draft) => new Date(draft.suggestedAt).toISOString()).sort());
    expect(planned.posts.every((post) => post.role === 'generated' && post.status === 'draft')).toBe(true);

    for (const entry of planned.posts) {
      const post = await getPost(owner.token, entry.postId);
      const draft = output.find((candidate) => new Date(candidate.suggestedAt).toISOString() === post.plannedAt)!;
      expect(post).toMatchObject({ status: 'draft', baseText: draft.text, tags: ['campaign'], createdBy: owner.user.id, source: { kind: 'campaign', campaignId: campaign.id, runId: run.id } });
      expect(post.title).toMatch(/^Autumn menu · (Sandbox|X) · week [123]$/);
      expect(entry.predicted).toEqual([expect.objectContaining({ network: draft.network, basis: 'default' })]);
      if (draft.network === 'sandbox') {
        expect(post.destinations).toEqual([{ connectionId: feed, network: 'sandbox' }]);
      } else {
        // No X connection: the draft has no destination, and the editor shows why.
        expect(post.destinations).toEqual([]);
        expect(post.issues.map((issue) => issue.code)).toContain('content.no_destination');
      }
    }
    expect(planned.posts.filter((post) => post.title?.endsWith('week 1')).length).toBe(2);

    // The job is keyed by run and re-checks the campaign: running it again creates nothing more.
    await t.owner.query(`SELECT graphile_worker.add_job('campaigns.apply-strategy', json_build_object('tenantId', $1::text, 'data', json_build_object('runId', $2::text, 'campaignId', $3::text)))`, [
      owner.tenant.id,
      run.id,
      campaign.id,
    ]);
    await t.drainJobs();
    expect((await getCampaign(owner.token, campaign.id)).postCount).toBe(6);

    // Send the drafts to review: those with a destination go in; the X ones are skipped with the reason.
    const submitted = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/submit`, token: owner.token, payload: {} });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const result = submitted.json<SubmitCampaignDraftsResult>();
    const sandboxPosts = planned.posts.filter((post) => post.networks.includes('sandbox')).map((post) => post.postId);
    expect(result.submitted.sort()).toEqual(sandboxPosts.sort());
    expect(result.skipped).toHaveLength(3);
    expect(result.skipped.every((skip) => skip.code === 'content.validation_failed' && /social connection/.test(skip.message))).toBe(true);
    for (const postId of sandboxPosts) {
      expect(await getPost(owner.token, postId)).toMatchObject({ status: 'in_review', reviewStage: 'internal' });
      const pending = await t.owner.query(`SELECT 1 FROM approval_requests WHERE subject_type = 'post' AND subject_id = $1 AND status = 'pending'`, [postId]);
      expect(pending.rowCount).toBe(1);
    }
    const again = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/submit`, token: owner.token, payload: { postIds: [sandboxPosts[0], campaign.id] } });
    expect(again.json<SubmitCampaignDraftsResult>()).toEqual({
      submitted: [],
      skipped: [
        { postId: campaign.id, code: 'campaigns.post_not_linked', message: 'This post is not part of the campaign.' },
        expect.objectContaining({ postId: sandboxPosts[0], code: 'content.not_submittable' }),
      ],
    });
  });

  it('creates the drafts right after the run when the content-generation policy is off', async () => {
    const { owner } = await team();
    await setPolicy(owner, 'off');
    const campaign = await createCampaign(owner.token, { channels: ['sandbox'], startsOn: '2030-10-01', endsOn: '2030-10-07' });
    const queued = await generate(owner.token, campaign.id, { brief: 'A week of cinnamon rolls: fresh every morning, with a coffee for three euros.' });
    expect(queued.statusCode, queued.body).toBe(202);
    await settle(async () => (await getCampaign(owner.token, campaign.id)).postCount > 0);
    const done = await getCampaign(owner.token, campaign.id);
    expect(done.brief).toBe('A week of cinnamon rolls: fresh every morning, with a coffee for three euros.');
    expect(done.latestRun).toMatchObject({ status: 'approved', decidedBy: null });
    expect(done.latestRun!.decisionNote).toMatch(/^auto: review off/);
    expect(done).toMatchObject({ status: 'planned', postCount: 1 });
    expect(done.posts[0]).toMatchObject({ role: 'generated', networks: ['sandbox'], predicted: [expect.objectContaining({ network: 'sandbox' })] });
  });

  it('creates nothing when the reviewer rejects the strategy, and the campaign can be generated again', async () => {
    const { owner, reviewer } = await team();
    const campaign = await createCampaign(owner.token);
    expect((await generate(owner.token, campaign.id)).statusCode).toBe(202);
    await settle(runStatusIs(owner.token, campaign.id, ['awaiting_review', 'approved', 'failed']));
    const waiting = (await getCampaign(owner.token, campaign.id)).latestRun!;
    const decided = await request(t.app, { method: 'POST', url: `/api/approvals/${waiting.approvalRequestId}/decision`, token: reviewer.token, payload: { outcome: 'rejected', note: 'Too generic' } });
    expect(decided.statusCode, decided.body).toBe(200);
    await settle(runStatusIs(owner.token, campaign.id, ['rejected']));
    await t.drainJobs();
    const after = await getCampaign(owner.token, campaign.id);
    expect(after).toMatchObject({ status: 'draft', strategy: null, postCount: 0, posts: [], latestRun: { status: 'rejected', decidedBy: reviewer.userId } });
    expect((await t.owner.query(`SELECT 1 FROM posts WHERE tenant_id = $1 AND source->>'campaignId' = $2`, [owner.tenant.id, campaign.id])).rowCount).toBe(0);
    const retry = await generate(owner.token, campaign.id);
    expect(retry.statusCode, retry.body).toBe(202);
    expect(retry.json<{ run: AiRun }>().run.id).not.toBe(waiting.id);
  });

  it('refuses to generate without a brief (422 with the path)', async () => {
    const { owner } = await team();
    const campaign = await createCampaign(owner.token, { brief: '' });
    const refused = await generate(owner.token, campaign.id);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'campaigns.brief_missing', errors: [{ path: 'body.brief' }] });
    expect((await getCampaign(owner.token, campaign.id)).latestRun).toBeNull();
  });

  it('reports predicted against actual engagement of a published post, totals and KPI progress', async () => {
    const { owner, feed } = await team();
    const campaign = await createCampaign(owner.token, {
      channels: ['sandbox'],
      kpis: [{ metric: 'impressions', target: 4000 }, { metric: 'engagement_rate', target: 0.1 }, { metric: 'posts_published', target: 4 }],
    });
    const publishedAt = new Date(Date.now() - 3 * 86_400_000);
    const engagement = { likes: 120, comments: 30, shares: 10, impressions: 2000, clicks: 40 };
    const text = 'Pumpkin spice latte is back at Bella Café!';
    const publishedPost = await withTenant({ db: t.kernel.db, tenantId: owner.tenant.id }, async (tx) => {
      const targetId = await seedPublishedTarget(tx, {
        tenantId: owner.tenant.id,
        accountId: owner.accountId,
        connectionId: feed,
        network: 'sandbox',
        createdBy: owner.user.id,
        text,
        link: null,
        publishedAt,
        engagement,
        publish: (idempotencyKey) => seedSandboxPost(tx, { tenantId: owner.tenant.id, connectionId: feed, text, link: null, idempotencyKey, publishedAt, engagement }),
      });
      return seedPostForTarget(tx, { tenantId: owner.tenant.id, accountId: owner.accountId, authorId: owner.user.id, connectionId: feed, targetId, at: publishedAt, status: 'published', post: { baseText: text } });
    });
    const draft = (await request(t.app, { method: 'POST', url: '/api/content/posts', token: owner.token, payload: { baseText: 'Cinnamon rolls next week', destinations: [feed] } })).json<Post>().id;
    for (const postId of [publishedPost, draft]) {
      const linked = await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.id}/posts`, token: owner.token, payload: { postId } });
      expect(linked.statusCode, linked.body).toBe(200);
    }

    const response = await request(t.app, { url: `/api/campaigns/${campaign.id}/performance`, token: owner.token });
    expect(response.statusCode, response.body).toBe(200);
    const performance = response.json<CampaignPerformance>();
    const predicted = (await getCampaign(owner.token, campaign.id)).posts.find((post) => post.postId === publishedPost)!.predicted[0]!.rate;
    // The post's own engagement counts in its account's history (1 sample: still the industry default).
    expect(performance.posts.find((row) => row.postId === publishedPost)).toEqual({
      postId: publishedPost,
      network: 'sandbox',
      status: 'published',
      predictedRate: predicted,
      actualRate: 0.1,
      impressions: 2000,
      interactions: 200,
    });
    expect(performance.posts.find((row) => row.postId === draft)).toMatchObject({ status: 'draft', actualRate: null, impressions: 0, interactions: 0 });
    expect(performance.totals).toMatchObject({ postsPublished: 1, impressions: 2000, likes: 120, comments: 30, shares: 10, clicks: 40, interactions: 200, engagementRate: 0.1 });
    expect(performance.totals.predictedEngagementRate).toBeCloseTo(predicted, 6);
    expect(performance.kpis).toEqual([
      { metric: 'impressions', target: 4000, actual: 2000, progress: 0.5 },
      { metric: 'engagement_rate', target: 0.1, actual: 0.1, progress: 1 },
      { metric: 'posts_published', target: 4, actual: 1, progress: 0.25 },
    ]);
  });
});
