import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchAndDrain, findQueuedJob, makeDue } from '../../../test/factories/publishing.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * A/B comparison against the real publishing module: publishing B queues content.compare-ab (key
 * ab:<postId>) for 73 h after B went out; the comparison sums each variant's latest engagement (per
 * impression when both have impressions), marks the better one, records a tie within 5 % as no winner;
 * an editor overrides (the person recorded), a contributor may not (403).
 */
describe('content: A/B comparison', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;
  let contributor: { token: string; userId: string };
  let feed: string;

  const targetsOf = async (postId: string) =>
    (
      await t.owner.query<{ target_id: string; variant_id: string; published_at: Date | null; status: string }>(
        `SELECT pt.target_id, pt.variant_id, p.published_at, p.status FROM post_targets pt JOIN publish_targets p ON p.id = pt.target_id WHERE pt.post_id = $1 ORDER BY p.scheduled_at`,
        [postId],
      )
    ).rows;
  const recordMetrics = (targetId: string, metrics: { likes: number; comments?: number; shares?: number; clicks?: number; impressions: number | null }) =>
    t.owner.query(
      `INSERT INTO engagement_metrics (tenant_id, target_id, collected_at, likes, comments, shares, clicks, impressions) VALUES ($1, $2, now(), $3, $4, $5, $6, $7)`,
      [tenant.tenant.id, targetId, metrics.likes, metrics.comments ?? 0, metrics.shares ?? 0, metrics.clicks ?? 0, metrics.impressions],
    );
  const abOf = async (postId: string, token = tenant.token) => request(t.app, { url: `/api/content/posts/${postId}/ab`, token });

  /** An A/B post on the feed whose two variants are published; returns the post and its A and B targets. */
  const publishedAbTest = async (name: string) => {
    const created = await request(t.app, {
      method: 'POST',
      url: '/api/content/posts',
      token: tenant.token,
      payload: {
        baseText: name,
        destinations: [feed],
        ab: { network: 'sandbox', gapMinutes: 60 },
        variants: [{ network: 'sandbox', abLabel: 'A', text: `${name}: short` }, { network: 'sandbox', abLabel: 'B', text: `${name}: long` }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const post = created.json();
    const scheduled = await request(t.app, { method: 'POST', url: `/api/content/posts/${post.id}/schedule`, token: tenant.token, payload: { at: new Date(Date.now() + 3600_000).toISOString(), acknowledgeConflicts: true } });
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    const [a, b] = await targetsOf(post.id);
    await makeDue(t, a!.target_id, 120);
    await makeDue(t, b!.target_id, 60);
    await dispatchAndDrain(t, a!.target_id, b!.target_id);
    await t.drainJobs();
    const [publishedA, publishedB] = await targetsOf(post.id);
    expect([publishedA!.status, publishedB!.status]).toEqual(['published', 'published']);
    const variantA = post.variants.find((variant: { abLabel: string }) => variant.abLabel === 'A').id as string;
    const variantB = post.variants.find((variant: { abLabel: string }) => variant.abLabel === 'B').id as string;
    return { postId: post.id as string, a: publishedA!, b: publishedB!, variantA, variantB };
  };
  /** Run the queued comparison now (its time, 73 h after B, has come). */
  const runComparison = async (postId: string) => {
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`ab:${postId}`]);
    await t.drainJobs();
  };

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await registerTenant(t.app);
    contributor = await addMember(t, tenant.token, { role: 'contributor', accountId: tenant.accountId });
    feed = (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: 'A/B feed' } })).json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('queues the comparison 73 h after B is published (key ab:<postId>) and marks the better variant per impression', async () => {
    const test = await publishedAbTest('Croissant copy');
    const queued = await findQueuedJob(t, `ab:${test.postId}`);
    expect(queued?.task).toBe('content.compare-ab');
    expect(new Date(queued!.run_at).getTime()).toBe(new Date(test.b.published_at!).getTime() + 73 * 3600_000);
    expect((await abOf(test.postId)).json()).toMatchObject({ winnerVariantId: null, decidedAt: null, result: null });

    // A has more engagement in absolute terms, B per impression.
    await recordMetrics(test.a.target_id, { likes: 40, comments: 5, impressions: 2000 });
    await recordMetrics(test.b.target_id, { likes: 30, clicks: 6, impressions: 900 });
    await runComparison(test.postId);
    const outcome = (await abOf(test.postId)).json();
    expect(outcome).toMatchObject({ winnerVariantId: test.variantB, winnerLabel: 'B', decidedBy: null, result: { metric: 'engagement_rate', tie: false } });
    expect(outcome.decidedAt).toBeTruthy();
    expect(outcome.result.A).toMatchObject({ variantId: test.variantA, engagement: 45, impressions: 2000, score: 45 / 2000 });
    expect(outcome.result.B).toMatchObject({ variantId: test.variantB, engagement: 36, impressions: 900, score: 36 / 900 });
    expect((await request(t.app, { url: `/api/content/posts/${test.postId}`, token: tenant.token })).json().ab.winnerVariantId).toBe(test.variantB);
    const events = await t.owner.query(`SELECT payload FROM outbox_events WHERE type = 'content.ab_winner_marked' AND payload->>'postId' = $1`, [test.postId]);
    expect(events.rows.map((row) => row.payload)).toEqual([expect.objectContaining({ winnerVariantId: test.variantB, decidedBy: null })]);
    const told = await t.owner.query(`SELECT user_id, title, body FROM notifications WHERE kind = 'content.ab_winner_marked' AND subject_id = $1`, [test.postId]);
    expect(told.rows).toEqual([expect.objectContaining({ user_id: tenant.user.id, title: expect.stringContaining('version B won'), body: expect.stringContaining('engagement per impression') })]);
  });

  it('compares plain engagement when a variant lacks impressions, and records a tie within 5 % as no winner', async () => {
    const plain = await publishedAbTest('Plain counts');
    await recordMetrics(plain.a.target_id, { likes: 10, impressions: null });
    await recordMetrics(plain.b.target_id, { likes: 25, impressions: 500 });
    await runComparison(plain.postId);
    expect((await abOf(plain.postId)).json()).toMatchObject({ winnerLabel: 'B', result: { metric: 'engagement', tie: false } });

    const close = await publishedAbTest('Close call');
    await recordMetrics(close.a.target_id, { likes: 100, impressions: 1000 });
    await recordMetrics(close.b.target_id, { likes: 97, impressions: 1000 });
    await runComparison(close.postId);
    const tie = (await abOf(close.postId)).json();
    expect(tie).toMatchObject({ winnerVariantId: null, winnerLabel: null, decidedBy: null, result: { tie: true, metric: 'engagement_rate' } });
    expect(tie.decidedAt).toBeTruthy();
    const events = await t.owner.query(`SELECT 1 FROM outbox_events WHERE type = 'content.ab_winner_marked' AND payload->>'postId' = $1`, [close.postId]);
    expect(events.rows).toEqual([]);
    const told = await t.owner.query(`SELECT 1 FROM notifications WHERE kind = 'content.ab_winner_marked' AND subject_id = $1`, [close.postId]);
    expect(told.rows).toEqual([]);
  });

  it('lets an editor override the winner (recorded with the person), refuses a contributor (403) and a foreign variant (422)', async () => {
    const test = await publishedAbTest('Override me');
    await recordMetrics(test.a.target_id, { likes: 50, impressions: 1000 });
    await recordMetrics(test.b.target_id, { likes: 10, impressions: 1000 });
    await runComparison(test.postId);
    expect((await abOf(test.postId)).json().winnerLabel).toBe('A');

    const refused = await request(t.app, { method: 'POST', url: `/api/content/posts/${test.postId}/ab/winner`, token: contributor.token, payload: { variantId: test.variantB } });
    expect(refused.statusCode).toBe(403);
    const foreign = await request(t.app, { method: 'POST', url: `/api/content/posts/${test.postId}/ab/winner`, token: tenant.token, payload: { variantId: crypto.randomUUID() } });
    expect(foreign.statusCode).toBe(422);
    expect((await abOf(test.postId, contributor.token)).json()).toMatchObject({ winnerLabel: 'A', decidedBy: null });

    const marked = await request(t.app, { method: 'POST', url: `/api/content/posts/${test.postId}/ab/winner`, token: tenant.token, payload: { variantId: test.variantB } });
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json()).toMatchObject({ winnerVariantId: test.variantB, winnerLabel: 'B', decidedBy: tenant.user.id, result: { tie: false } });

    // A later comparison records its numbers but keeps the person's choice.
    await recordMetrics(test.a.target_id, { likes: 80, impressions: 1000 });
    await t.owner.query(`SELECT graphile_worker.add_job('content.compare-ab', json_build_object('tenantId', $1::text, 'data', json_build_object('postId', $2::text)), job_key => $3)`, [tenant.tenant.id, test.postId, `ab:${test.postId}`]);
    await t.drainJobs();
    const after = (await abOf(test.postId)).json();
    expect(after).toMatchObject({ winnerLabel: 'B', decidedBy: tenant.user.id });
    expect(after.result.A.engagement).toBe(80);
  });

  it('refuses a winner before the test has run (409) and for a post without an A/B test', async () => {
    const created = await request(t.app, {
      method: 'POST',
      url: '/api/content/posts',
      token: tenant.token,
      payload: { baseText: 'Not yet', destinations: [feed], ab: { network: 'sandbox' }, variants: [{ network: 'sandbox', abLabel: 'A', text: 'a' }, { network: 'sandbox', abLabel: 'B', text: 'b' }] },
    });
    const variantId = created.json().variants[0].id;
    const early = await request(t.app, { method: 'POST', url: `/api/content/posts/${created.json().id}/ab/winner`, token: tenant.token, payload: { variantId } });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('content.ab_not_published');
    const single = await request(t.app, { method: 'POST', url: '/api/content/posts', token: tenant.token, payload: { baseText: 'One-off', destinations: [feed] } });
    expect((await abOf(single.json().id)).statusCode).toBe(409);
    expect((await abOf(crypto.randomUUID())).statusCode).toBe(404);
  });
});
