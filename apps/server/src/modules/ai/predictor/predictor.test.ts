import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJob, registerJob } from '../../../kernel/jobs/jobs.js';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { isAppError } from '../../../kernel/errors.js';
import { createPublishingTenant, type PublishingTenant } from '../../../../test/factories/publishing.js';
import { createTestApp, type TestApp } from '../../../../test/harness.js';
import { fitRidge, predictRidge } from './ridge.js';
import { defaultEngagementRates, predictPerformance, trainPredictorsJob, type PerformancePrediction, type PredictionInput } from './index.js';

/**
 * The performance predictor (design §5) on the real tables: published targets and engagement snapshots
 * seeded as publishing stores them, models trained by the `ai.train-predictors` job, predictions read in the
 * tenant's read-only transaction.
 */

const day = 86_400_000;

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

type Post = { at: Date; text: string; media: number; link: string | null; impressions: number; engagement: number };

/**
 * Posts whose engagement per impression depends on the features: evenings (17–21 UTC) +1.5 points, media
 * +1.2 points, each hashtag +0.2 points, on a 2 % base, with noise of ±0.3 points.
 */
function generatePosts(count: number, seed: number, input: { mediaEffect?: number } = {}): Post[] {
  const next = random(seed);
  const mediaEffect = input.mediaEffect ?? 0.012;
  return Array.from({ length: count }, (_, index) => {
    const hour = Math.floor(next() * 24);
    const daysAgo = 2 + Math.floor(next() * 150);
    const at = new Date(Math.floor((Date.now() - daysAgo * day) / day) * day + hour * 3600_000);
    const media = next() < 0.5 ? 1 : 0;
    const hashtags = Math.floor(next() * 4);
    const text = `Post ${index} ${'word '.repeat(Math.floor(next() * 30))}${Array.from({ length: hashtags }, (_, tag) => `#tag${tag}`).join(' ')}`;
    const evening = hour >= 17 && hour < 22 ? 1 : 0;
    const rate = 0.02 + 0.015 * evening + mediaEffect * media + 0.002 * hashtags + (next() - 0.5) * 0.006;
    const impressions = 10_000;
    return { at, text, media, link: null, impressions, engagement: Math.max(0, Math.round(rate * impressions)) };
  });
}

describe('performance predictor', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    if (!t.jobs.has(trainPredictorsJob.id)) registerJob(t.jobs, trainPredictorsJob);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Published targets with one engagement snapshot each, as publishing records them (owner SQL, one statement). */
  async function seedPosts(tenant: PublishingTenant, posts: Post[], network = 'sandbox'): Promise<void> {
    if (posts.length === 0) return;
    const items = posts.map((post) => ({
      id: randomUUID(),
      content: { text: post.text, media: Array.from({ length: post.media }, (_, index) => ({ url: `https://cdn.example.com/${index}.jpg`, kind: 'image' })), link: post.link, options: {} },
      at: post.at.toISOString(),
      likes: post.engagement,
      impressions: post.impressions,
    }));
    await t.owner.query(
      `WITH items AS (SELECT * FROM json_to_recordset($4::json) AS i(id uuid, content jsonb, at timestamptz, likes int, impressions int)),
            targets AS (
              INSERT INTO publish_targets (id, tenant_id, account_id, connection_id, network, content, scheduled_at, status, idempotency_key, published_at)
              SELECT i.id, $1, $2, $3, $5, i.content, i.at, 'published', 'omni-' || i.id, i.at FROM items i RETURNING id)
       INSERT INTO engagement_metrics (tenant_id, target_id, collected_at, likes, comments, shares, clicks, impressions)
       SELECT $1, i.id, i.at + interval '1 day', i.likes, 0, 0, 0, i.impressions FROM items i JOIN targets USING (id)`,
      [tenant.tenant.id, tenant.accountId, tenant.connectionId, JSON.stringify(items), network],
    );
  }

  const predict = (tenant: PublishingTenant, input: Omit<PredictionInput, 'accountId'> & { accountId?: string }): Promise<PerformancePrediction> =>
    withTenantRead({ db: t.kernel.db, tenantId: tenant.tenant.id }, (tx) => predictPerformance(tx, { accountId: tenant.accountId, ...input }));

  const runTenantTraining = (tenant: PublishingTenant) =>
    executeJob(t.kernel, trainPredictorsJob as never, { tenantId: tenant.tenant.id, data: {} }, { jobId: randomUUID(), attempt: 1 });

  const storedModels = async (tenant: PublishingTenant) =>
    (await t.owner.query<{ network: string; n: number; r2: number; coefficients: { intercept: number; weights: number[] }; trained_at: Date }>(
      'SELECT network, n, r2, coefficients, trained_at FROM ai_models WHERE tenant_id = $1 ORDER BY network',
      [tenant.tenant.id],
    )).rows;

  /** A draft on the next weekday at `hour` UTC. */
  const draftAt = (hour: number, media: number, hashtags: string[] = []) => {
    const base = new Date(Math.floor(Date.now() / day) * day + day);
    while (base.getUTCDay() === 0 || base.getUTCDay() === 6) base.setTime(base.getTime() + day);
    return { text: `Draft ${'word '.repeat(15)}`, at: new Date(base.getTime() + hour * 3600_000), mediaCount: media, hasLink: false, hashtags };
  };

  it('learns that evening posts and media do better, and predicts held-out posts better than their mean', async () => {
    const tenant = await createPublishingTenant(t);
    await seedPosts(tenant, generatePosts(120, 1));
    await runTenantTraining(tenant);

    const [model] = await storedModels(tenant);
    expect(model).toMatchObject({ network: 'sandbox', n: 120 });
    expect(model!.r2).toBeGreaterThan(0.5);

    const network = 'sandbox';
    const morningPlain = await predict(tenant, { network, draft: draftAt(9, 0) });
    const eveningPlain = await predict(tenant, { network, draft: draftAt(19, 0) });
    const morningMedia = await predict(tenant, { network, draft: draftAt(9, 2) });
    expect(morningPlain.basis).toBe('model');
    expect(morningPlain.samples).toBe(120);
    expect(eveningPlain.rate - morningPlain.rate).toBeGreaterThan(0.008);
    expect(morningMedia.rate - morningPlain.rate).toBeGreaterThan(0.006);
    expect(morningPlain.low).toBeLessThan(morningPlain.rate);
    expect(morningPlain.high).toBeGreaterThan(morningPlain.rate);
    expect(morningPlain.confidence).toBeGreaterThan(0.5);
    expect(morningPlain.confidence).toBeLessThanOrEqual(0.9);
    expect(morningPlain.explanation).toMatch(/120 of the account's published sandbox posts/);

    // Held out: posts from the same process that the model never saw.
    const heldOut = generatePosts(60, 99);
    const actual = heldOut.map((post) => post.engagement / post.impressions);
    const predicted: number[] = [];
    let covered = 0;
    for (const [index, post] of heldOut.entries()) {
      const prediction = await predict(tenant, { network, draft: { text: post.text, at: post.at, mediaCount: post.media, hasLink: false } });
      predicted.push(prediction.rate);
      if (actual[index]! >= prediction.low && actual[index]! <= prediction.high) covered += 1;
    }
    const mean = actual.reduce((sum, value) => sum + value, 0) / actual.length;
    const sse = actual.reduce((sum, value, index) => sum + (value - predicted[index]!) ** 2, 0);
    const sst = actual.reduce((sum, value) => sum + (value - mean) ** 2, 0);
    expect(1 - sse / sst).toBeGreaterThan(0);
    // Most held-out outcomes fall inside their 95 % prediction interval.
    expect(covered / heldOut.length).toBeGreaterThan(0.8);
  });

  it('falls back to the industry default below 5 posts, the account median from 5 to 29, and a model from 30', async () => {
    const tenant = await createPublishingTenant(t);
    const draft = draftAt(10, 0);
    const network = 'sandbox';

    const none = await predict(tenant, { network, draft });
    expect(none).toMatchObject({ basis: 'default', samples: 0, confidence: 0.3, rate: defaultEngagementRates.sandbox, scoreKind: 'per_impression' });
    expect(none.low).toBeLessThan(none.rate);
    expect(none.high).toBeGreaterThan(none.rate);
    const linkedin = await predict(tenant, { network: 'linkedin', draft });
    expect(linkedin.rate).toBe(defaultEngagementRates.linkedin);

    const posts = generatePosts(30, 5);
    await seedPosts(tenant, posts.slice(0, 4));
    expect(await predict(tenant, { network, draft })).toMatchObject({ basis: 'default', samples: 4 });

    await seedPosts(tenant, posts.slice(4, 5));
    const five = await predict(tenant, { network, draft });
    const sortedFive = posts.slice(0, 5).map((post) => post.engagement / post.impressions).sort((a, b) => a - b);
    expect(five).toMatchObject({ basis: 'history', samples: 5, rate: sortedFive[2] });
    expect(five.confidence).toBeGreaterThan(0.3);

    await seedPosts(tenant, posts.slice(5, 29));
    const twentyNine = await predict(tenant, { network, draft });
    const sorted = posts.slice(0, 29).map((post) => post.engagement / post.impressions).sort((a, b) => a - b);
    expect(twentyNine).toMatchObject({ basis: 'history', samples: 29, rate: sorted[14] });

    // No stored model yet: the 30th post makes the model usable at once (fitted from the history in memory).
    await seedPosts(tenant, posts.slice(29, 30));
    const thirty = await predict(tenant, { network, draft });
    expect(thirty).toMatchObject({ basis: 'model', samples: 30 });
    expect(await storedModels(tenant)).toEqual([]);
  });

  it('trains once per tenant and day however often the nightly job fires, and a rerun rewrites the same model', async () => {
    const tenant = await createPublishingTenant(t);
    await seedPosts(tenant, generatePosts(40, 21));
    const date = new Date().toISOString().slice(0, 10);
    const key = `ai-train:${tenant.tenant.id}:${date}`;

    for (let run = 0; run < 2; run += 1) await executeJob(t.kernel, trainPredictorsJob as never, { tenantId: null, data: {} }, { jobId: randomUUID(), attempt: 1 });
    const queued = await t.owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM graphile_worker._private_jobs WHERE key = $1`, [key]);
    expect(queued.rows[0]!.count).toBe(1);

    await t.drainJobs();
    const first = await storedModels(tenant);
    expect(first).toHaveLength(1);
    expect(first[0]!.n).toBe(40);

    await runTenantTraining(tenant);
    const second = await storedModels(tenant);
    expect(second).toHaveLength(1);
    expect(second[0]!.coefficients).toEqual(first[0]!.coefficients);
    expect(second[0]!.trained_at.getTime()).toBeGreaterThanOrEqual(first[0]!.trained_at.getTime());

    // The stored model is what predictions use while it is fresh.
    const prediction = await predict(tenant, { network: 'sandbox', draft: draftAt(19, 1) });
    expect(prediction).toMatchObject({ basis: 'model', samples: 40 });
  });

  it("never learns from another tenant's posts", async () => {
    const owner = await createPublishingTenant(t);
    const other = await createPublishingTenant(t);
    // The other tenant's media hurt; the owner's help.
    await seedPosts(other, generatePosts(60, 31, { mediaEffect: -0.015 }));
    await seedPosts(owner, generatePosts(60, 32));
    await runTenantTraining(owner);
    await runTenantTraining(other);

    const plain = await predict(owner, { network: 'sandbox', draft: draftAt(9, 0) });
    const withMedia = await predict(owner, { network: 'sandbox', draft: draftAt(9, 1) });
    expect(plain.samples).toBe(60);
    expect(withMedia.rate).toBeGreaterThan(plain.rate);

    const owned = await storedModels(owner);
    expect(owned.map((model) => model.n)).toEqual([60]);

    // The other tenant's account asked for from the owner's tenant: nothing is visible, so the default.
    const crossed = await predict(owner, { accountId: other.accountId, network: 'sandbox', draft: draftAt(9, 1) });
    expect(crossed).toMatchObject({ basis: 'default', samples: 0 });
  });

  it('rejects an invalid draft with a 400 problem naming the field', async () => {
    const tenant = await createPublishingTenant(t);
    const error = await predict(tenant, { network: 'sandbox', draft: { text: 'Hi', at: 'not a date', mediaCount: -1, hasLink: false } }).catch((caught: unknown) => caught);
    expect(isAppError(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: 'ai.invalid_prediction_input' });
    const paths = ((error as { details?: { errors?: Array<{ path: string }> } }).details?.errors ?? []).map((item) => item.path);
    expect(paths).toEqual(expect.arrayContaining(['draft.at', 'draft.mediaCount']));
  });
});

describe('ridge regression', () => {
  it('recovers the coefficients of a linear relation and ignores a constant feature', () => {
    const next = random(7);
    const rows = Array.from({ length: 60 }, () => [next() * 10, next() < 0.5 ? 1 : 0, 5]);
    const outcomes = rows.map(([x, flag]) => 2 + 0.5 * x! - 3 * flag! + (next() - 0.5) * 0.01);
    const model = fitRidge(rows, outcomes);
    expect(model.lambda).toBeLessThanOrEqual(1);
    expect(model.weights[0]! / model.scales[0]!).toBeCloseTo(0.5, 1);
    expect(model.weights[1]! / model.scales[1]!).toBeCloseTo(-3, 1);
    expect(model.weights[2]).toBe(0);
    expect(model.r2).toBeGreaterThan(0.99);
    expect(model.looR2).toBeGreaterThan(0.99);
    const prediction = predictRidge(model, [4, 1, 5]);
    expect(prediction.value).toBeCloseTo(2 + 2 - 3, 1);
    expect(prediction.standardError).toBeGreaterThan(0);
  });

  it('chooses a large penalty when the features are noise', () => {
    const next = random(11);
    const rows = Array.from({ length: 40 }, () => Array.from({ length: 8 }, () => next()));
    const outcomes = rows.map(() => next());
    const model = fitRidge(rows, outcomes);
    expect(model.lambda).toBeGreaterThanOrEqual(10);
    expect(model.looR2).toBeLessThan(0.1);
  });

  it('refuses fewer rows than features need', () => {
    expect(() => fitRidge([[1, 2], [3, 4]], [1, 2])).toThrow(/too few/);
  });
});
