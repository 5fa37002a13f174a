import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countSandboxPosts,
  createPublishingTenant,
  createTarget,
  dispatchAndDrain,
  findQueuedJob,
  getTargetDetail,
  makeDue,
  queueFirstMetrics,
  readFirstMetrics,
  readTargetRow,
  waitUntilSettled,
  type PublishingTenant,
} from '../../../test/factories/publishing.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import type { Tx } from '../../kernel/db/database.js';
import { withSystemAccess } from '../../kernel/db/tenancy.js';
import { enqueueJob, executeJob } from '../../kernel/jobs/jobs.js';
import { getProvider, loadPublishingConnection, overrideProvider, ProviderError } from '../social/index.js';
import { collectMetricsJob, queueMetricsJob, sweepJob } from './publishing.jobs.js';
import { claimDueTargets } from './publishing.queries.js';
import { canTransition, retryDelaySeconds } from './publishing.state.js';
import { queueDueMetricsCollections } from './use-cases/collect-metrics.js';
import { dispatchDueTargets } from './use-cases/dispatch.js';
import { runStartedAttempt } from './use-cases/publish-target.js';

/** Leave a target as a worker that died mid-publish would: publishing, with attempt 1 open since `minutesAgo`. */
async function simulateCrashedAttempt(t: TestApp, targetId: string, minutesAgo: number): Promise<void> {
  await t.owner.query(
    `WITH target AS (
       UPDATE publish_targets SET status = 'publishing', attempt_count = 1, next_attempt_at = NULL, dispatched_at = NULL WHERE id = $1
       RETURNING tenant_id, id, idempotency_key)
     , attempt AS (
       INSERT INTO publish_attempts (tenant_id, target_id, attempt_number, idempotency_key, started_at)
       SELECT tenant_id, id, 1, idempotency_key, now() - make_interval(mins => $2) FROM target)
     INSERT INTO publish_target_transitions (tenant_id, target_id, from_status, to_status, reason, at)
     SELECT tenant_id, id, 'scheduled', 'publishing', 'attempt 1 started', now() - make_interval(mins => $2) FROM target`,
    [targetId, minutesAgo],
  );
}

/** Run the minute sweep now; then wait for the targets' reconciliation (another test process may run it). */
async function runSweep(t: TestApp, targetIds: string[] = [], includeUnconfirmed = true): Promise<void> {
  await withSystemAccess(t.kernel, 'test: run the sweeper', (tx) => enqueueJob(tx, sweepJob, {}, { tenantId: null }));
  await t.drainJobs();
  await waitUntilSettled(t, targetIds, includeUnconfirmed);
}

/**
 * Make the two tenants' targets due, one second apart in the order they were created, the first
 * `secondsAgo` ago (inside the caller's transaction, which rolls back: no worker ever sees them due).
 */
async function makeDueInCreationOrder(tx: Tx, tenantIds: [string, string], secondsAgo: number): Promise<void> {
  await tx.execute(sql`
    UPDATE publish_targets SET next_attempt_at = now() - make_interval(secs => ${secondsAgo}) + make_interval(secs => row_position)
      FROM (SELECT id AS target_id, row_number() OVER (ORDER BY created_at, id) AS row_position FROM publish_targets
             WHERE tenant_id IN (${tenantIds[0]}, ${tenantIds[1]})) ordered
     WHERE publish_targets.id = ordered.target_id`);
}

/** Sandbox targets holding a place under the network's concurrency cap (attempts other tests left open count). */
async function busyOnSandbox(tx: Tx): Promise<number> {
  const busy = await tx.execute<{ busy: number }>(sql`
    SELECT count(*)::int AS busy FROM publish_targets WHERE network = 'sandbox' AND (status = 'publishing' OR (status = 'scheduled' AND dispatched_at IS NOT NULL))`);
  return busy.rows[0]!.busy;
}

describe('publishing engine', () => {
  let t: TestApp;
  let tenant: PublishingTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createPublishingTenant(t);
  });
  afterAll(() => t?.close());

  it('publishes a post due now exactly once, recording the attempt and every transition', async () => {
    const target = await createTarget(t, tenant, { text: 'Due now', scheduledAt: null });
    await dispatchAndDrain(t, target.id);
    await dispatchAndDrain(t, target.id);

    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('published');
    expect(detail.externalId).toMatch(/^sandbox_/);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ attemptNumber: 1, outcome: 'published' });
    expect(detail.transitions.map((transition) => `${transition.from}→${transition.to}`)).toEqual(['null→scheduled', 'scheduled→publishing', 'publishing→published']);
    const row = await readTargetRow(t, target.id);
    expect(await countSandboxPosts(t, row.idempotency_key)).toBe(1);
    // Engagement: publishing marks the +1 h snapshot due and queues no job; the minute job queues it, in a
    // batch, at publishing + 1 h. (Test processes share the queue: another one's run may have queued it
    // already, never both.) It is a chain: only that snapshot is queued; each one queues the next.
    const published = await readFirstMetrics(t, target.id);
    const dueAt = published.publishedAt!.getTime() + 3600_000;
    expect([[dueAt, null], [null, dueAt]]).toContainEqual([published.dueAt?.getTime() ?? null, published.jobRunAt?.getTime() ?? null]);
    await queueFirstMetrics(t);
    expect(await readFirstMetrics(t, target.id)).toEqual({ publishedAt: published.publishedAt, dueAt: null, jobRunAt: new Date(dueAt) });
    expect(await findQueuedJob(t, `metrics:${target.id}:1`)).toMatchObject({ task: 'publishing.collect-metrics' });
    expect(await findQueuedJob(t, `metrics:${target.id}:6`)).toBeNull();
    expect(await findQueuedJob(t, `metrics:${target.id}:72`)).toBeNull();
  });

  /** The pending jobs with these keys: id, revision (bumped when a job is queued again), run_at, payload. */
  async function readQueuedJobs(keys: string[]) {
    const rows = await t.owner.query<{ key: string; id: string; revision: number; run_at: Date; task: string; payload: { tenantId: string; data: unknown } }>(
      `SELECT j.key, j.id, j.revision, j.run_at, t.identifier AS task, j.payload FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.key = ANY($1::text[]) ORDER BY j.key`,
      [keys],
    );
    return rows.rows;
  }

  /** Targets published now: `count` in the file's tenant, `otherCount` in a new one. */
  async function publishInTwoTenants(count: number, otherCount: number) {
    const other = await createPublishingTenant(t);
    const targets = [];
    for (let index = 0; index < count + otherCount; index += 1) {
      const owner = index < count ? tenant : other;
      targets.push({ tenantId: owner.tenant.id, ...(await createTarget(t, owner, { text: `Batch ${index}`, scheduledAt: null })) });
    }
    await dispatchAndDrain(t, ...targets.map((target) => target.id));
    for (const target of targets) expect((await readTargetRow(t, target.id)).status).toBe('published');
    return targets;
  }

  it('queues the first engagement snapshot of published targets of several tenants in one run, and only once', async () => {
    const targets = await publishInTwoTenants(3, 2);
    const keys = targets.map((target) => `metrics:${target.id}:1`);

    // One run of the minute job (cross-tenant: other test processes' targets too) queues all of them, each in its tenant.
    expect(queueMetricsJob.cron).toBe('* * * * *');
    await executeJob(t.kernel, queueMetricsJob, { tenantId: null, data: {} }, { jobId: 'queue-metrics', attempt: 1 });
    const queued = await readQueuedJobs(keys);
    expect(queued).toHaveLength(targets.length);
    for (const target of targets) {
      const first = await readFirstMetrics(t, target.id);
      expect(first.dueAt).toBeNull();
      expect(first.jobRunAt?.getTime()).toBe(first.publishedAt!.getTime() + 3600_000);
      expect(queued.find((job) => job.key === `metrics:${target.id}:1`)).toMatchObject({
        task: 'publishing.collect-metrics',
        payload: { tenantId: target.tenantId, data: { targetId: target.id, hoursAfterPublish: 1 } },
      });
    }

    // Once: the next run leaves these jobs as they are (not queued again: same job, same revision).
    await queueFirstMetrics(t);
    expect(await readQueuedJobs(keys)).toEqual(queued);
  });

  it('queues in batches: after a full batch the next one at once, up to the run’s limit; the next run goes on', async () => {
    const targets = await publishInTwoTenants(3, 2);
    const keys = targets.map((target) => `metrics:${target.id}:1`);
    // Put back any another test process queued meanwhile: five targets wait, so two batches of two are full.
    await t.owner.query(`DELETE FROM graphile_worker._private_jobs WHERE key = ANY($1::text[])`, [keys]);
    await t.owner.query(`UPDATE publish_targets SET metrics_due_at = published_at + interval '1 hour' WHERE id = ANY($1::uuid[])`, [targets.map((target) => target.id)]);

    expect(await queueDueMetricsCollections(t.kernel, { batch: 2, maxBatches: 2 })).toBe(4);
    const left = await t.owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM publish_targets WHERE id = ANY($1::uuid[]) AND metrics_due_at IS NOT NULL`, [
      targets.map((target) => target.id),
    ]);
    expect(left.rows[0]!.count).toBeGreaterThan(0);
    expect(await readQueuedJobs(keys)).toHaveLength(targets.length - left.rows[0]!.count);
    // The next run takes the rest; a batch that is not full ends it.
    await queueFirstMetrics(t);
    expect(await readQueuedJobs(keys)).toHaveLength(targets.length);
  });

  it('queues a dispatcher wake-up at the target’s time, so an idle system publishes without polling', async () => {
    const scheduledAt = new Date(Date.now() + 2 * 3600_000);
    scheduledAt.setMilliseconds(0);
    await createTarget(t, tenant, { scheduledAt: scheduledAt.toISOString() });
    const wakeUp = await findQueuedJob(t, `publishing.dispatch:${scheduledAt.getTime() / 1000}`);
    expect(wakeUp?.task).toBe('publishing.dispatch');
    expect(new Date(wakeUp!.run_at).getTime()).toBe(scheduledAt.getTime());
  });

  it('stores engagement snapshots collected after publishing', async () => {
    const target = await createTarget(t, tenant, { text: 'Measure me', scheduledAt: null });
    await dispatchAndDrain(t, target.id);
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    const post = await t.owner.query<{ id: string }>('SELECT id FROM sandbox_posts WHERE idempotency_key = $1', [key]);
    const engagement = await request(t.app, {
      method: 'POST',
      url: `/api/social/sandbox/posts/${post.rows[0]!.id}/engagement`,
      token: tenant.token,
      payload: { likes: 7, comments: 2, shares: 1, impressions: 120, clicks: 9 },
    });
    expect(engagement.statusCode).toBe(200);
    // The +1 h snapshot, queued by the minute job and brought forward.
    await queueFirstMetrics(t);
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`metrics:${target.id}:1`]);
    await t.drainJobs();

    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.latestMetrics).toMatchObject({ likes: 7, comments: 2, shares: 1, impressions: 120, clicks: 9 });
    // The next snapshot of the series, at publishing + 6 h; then +24 h, +72 h, and none after that.
    const published = (await t.owner.query<{ published_at: Date }>('SELECT published_at FROM publish_targets WHERE id = $1', [target.id])).rows[0]!.published_at;
    const next = await findQueuedJob(t, `metrics:${target.id}:6`);
    expect(new Date(next!.run_at).getTime()).toBe(published.getTime() + 6 * 3600_000);
    for (const [hours, following] of [[6, 24], [24, 72]] as const) {
      await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`metrics:${target.id}:${hours}`]);
      await t.drainJobs();
      expect(await findQueuedJob(t, `metrics:${target.id}:${hours}`)).toBeNull();
      expect(await findQueuedJob(t, `metrics:${target.id}:${following}`)).not.toBeNull();
    }
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`metrics:${target.id}:72`]);
    await t.drainJobs();
    const snapshots = await t.owner.query('SELECT count(*)::int AS count FROM engagement_metrics WHERE target_id = $1', [target.id]);
    expect(snapshots.rows[0]).toEqual({ count: 4 });
    const pending = await t.owner.query(`SELECT count(*)::int AS count FROM graphile_worker._private_jobs WHERE key LIKE $1`, [`metrics:${target.id}:%`]);
    expect(pending.rows[0]).toEqual({ count: 0 });
  });

  it('a snapshot whose attempts all fail still queues the next one of the series (only on its last attempt)', async () => {
    const target = await createTarget(t, tenant, { text: 'Metrics down', scheduledAt: null });
    await dispatchAndDrain(t, target.id);
    const sandbox = getProvider(t.kernel, 'sandbox');
    overrideProvider(t.kernel, {
      ...sandbox,
      async fetchMetrics() {
        throw new ProviderError('retryable', 'metrics endpoint down');
      },
    });
    try {
      const envelope = { tenantId: tenant.tenant.id, data: { targetId: target.id, hoursAfterPublish: 1 } };
      await expect(executeJob(t.kernel, collectMetricsJob, envelope, { jobId: 'metrics', attempt: 1 })).rejects.toThrow('metrics endpoint down');
      expect(await findQueuedJob(t, `metrics:${target.id}:6`)).toBeNull();
      await expect(executeJob(t.kernel, collectMetricsJob, envelope, { jobId: 'metrics', attempt: collectMetricsJob.maxAttempts! })).rejects.toThrow('metrics endpoint down');
      expect(await findQueuedJob(t, `metrics:${target.id}:6`)).toMatchObject({ task: 'publishing.collect-metrics' });
    } finally {
      overrideProvider(t.kernel, sandbox);
    }
  });

  it('rescheduling a due target before a lane claims it: the old time publishes nothing, the new one publishes once', async () => {
    const target = await createTarget(t, tenant, { text: 'Reschedule me' });
    await makeDue(t, target.id);
    const moved = await request(t.app, { method: 'PATCH', url: `/api/publishing/targets/${target.id}`, token: tenant.token, payload: { scheduledAt: new Date(Date.now() + 7200_000).toISOString() } });
    expect(moved.statusCode).toBe(200);
    await t.drainJobs();
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    expect(await readTargetRow(t, target.id)).toMatchObject({ status: 'scheduled', dispatched_at: null });
    expect(await countSandboxPosts(t, key)).toBe(0);

    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    expect((await readTargetRow(t, target.id)).status).toBe('published');
    expect(await countSandboxPosts(t, key)).toBe(1);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.transitions.some((transition) => transition.reason.startsWith('rescheduled from'))).toBe(true);
  });

  it('a target whose attempt a lane started (claim committed, call not made yet) can be neither moved nor cancelled, and goes out once', async () => {
    const target = await createTarget(t, tenant, { text: 'On its way' });
    await makeDue(t, target.id);
    // The lane's claim alone, committed: the attempt is started before any call.
    const claim = await withSystemAccess(t.kernel, 'test: dispatch', (tx) => dispatchDueTargets(t.kernel, tx));
    const started = claim.started.find((row) => row.id === target.id);
    expect(started).toMatchObject({ status: 'publishing', attemptCount: 1 });
    const attempts = await t.owner.query('SELECT attempt_number, finished_at FROM publish_attempts WHERE target_id = $1', [target.id]);
    expect(attempts.rows).toEqual([{ attempt_number: 1, finished_at: null }]);

    const moved = await request(t.app, { method: 'PATCH', url: `/api/publishing/targets/${target.id}`, token: tenant.token, payload: { scheduledAt: new Date(Date.now() + 7200_000).toISOString() } });
    expect(moved.statusCode).toBe(409);
    const cancelled = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/cancel`, token: tenant.token });
    expect(cancelled.statusCode).toBe(409);
    expect(cancelled.json().code).toBe('publishing.not_scheduled');

    // Any other claims this one made run too (they belong to this process's tenants).
    for (const row of claim.started) expect(await runStartedAttempt(t.kernel, row)).toBe('published');
    await dispatchAndDrain(t, target.id);
    const row = await readTargetRow(t, target.id);
    expect(row.status).toBe('published');
    expect(await countSandboxPosts(t, row.idempotency_key)).toBe(1);
  });

  it('cancelling a due target before a lane claims it: nothing is published', async () => {
    const target = await createTarget(t, tenant, { text: 'Cancel me' });
    await makeDue(t, target.id);
    const cancelled = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/cancel`, token: tenant.token });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    await dispatchAndDrain(t, target.id);
    const row = await readTargetRow(t, target.id);
    expect(row.status).toBe('cancelled');
    expect(await countSandboxPosts(t, row.idempotency_key)).toBe(0);

    const again = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/cancel`, token: tenant.token });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('publishing.not_scheduled');
  });

  it('fails a post the network rejects, without a second attempt', async () => {
    const target = await createTarget(t, tenant, { text: 'Soon empty' });
    // Content the Sandbox refuses (a post without text or media), as a network refuses bad content.
    await t.owner.query(`UPDATE publish_targets SET content = jsonb_set(content, '{text}', '"   "') WHERE id = $1`, [target.id]);
    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    await dispatchAndDrain(t, target.id);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('failed');
    expect(detail.lastErrorKind).toBe('rejected');
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ outcome: 'failed', errorKind: 'rejected' });
  });

  it('fails a post whose connection was disconnected, without calling the network', async () => {
    const other = await createPublishingTenant(t);
    const target = await createTarget(t, other, { text: 'Nowhere to go' });
    const disconnected = await request(t.app, { method: 'DELETE', url: `/api/social/connections/${other.connectionId}`, token: other.token });
    expect(disconnected.statusCode).toBeLessThan(300);
    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    const row = await readTargetRow(t, target.id);
    expect(row.status).toBe('failed');
    expect(row.last_error_kind).toBe('disconnected');
    expect((await getTargetDetail(t, other, target.id)).attempts[0]).toMatchObject({ outcome: 'failed', errorKind: 'disconnected' });
    expect(await countSandboxPosts(t, row.idempotency_key)).toBe(0);
  });

  it('a worker that died after the network accepted the post: the sweeper reconciles it to published without resending', async () => {
    const target = await createTarget(t, tenant, { text: 'Accepted, then the worker died' });
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    await simulateCrashedAttempt(t, target.id, 10);
    // The network got the post before the crash.
    const connection = await loadPublishingConnection(t.kernel, tenant.tenant.id, tenant.connectionId);
    await connection.provider.publish(connection.credentials, { text: 'Accepted, then the worker died', media: [], link: null, options: {} }, key);

    await runSweep(t, [target.id]);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('published');
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ outcome: 'published', errorKind: 'unknown_outcome' });
    expect(detail.transitions.map((transition) => transition.to)).toEqual(['scheduled', 'publishing', 'unconfirmed', 'published']);
    expect(await countSandboxPosts(t, key)).toBe(1);
  });

  it('a worker that died before the call: reconciliation proves the post absent and publishes it once', async () => {
    const target = await createTarget(t, tenant, { text: 'Never sent' });
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    await simulateCrashedAttempt(t, target.id, 10);
    await runSweep(t, [target.id]);
    await dispatchAndDrain(t, target.id);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('published');
    expect(detail.attempts.map((attempt) => attempt.outcome)).toEqual(['retry', 'published']);
    expect(detail.transitions.map((transition) => transition.to)).toEqual(['scheduled', 'publishing', 'unconfirmed', 'scheduled', 'publishing', 'published']);
    expect(await countSandboxPosts(t, key)).toBe(1);
  });

  it('leaves a recent open attempt alone: an attempt in flight is not taken for a crash', async () => {
    const target = await createTarget(t, tenant, { text: 'Still in flight' });
    await simulateCrashedAttempt(t, target.id, 0);
    await runSweep(t);
    expect((await readTargetRow(t, target.id)).status).toBe('publishing');
    expect(await findQueuedJob(t, `reconcile:${target.id}`)).toBeNull();
  });

  it('marks a target missed by more than the allowed lateness as late instead of publishing it', async () => {
    const target = await createTarget(t, tenant, { text: 'Too late' });
    await makeDue(t, target.id, 25 * 3600);
    await dispatchAndDrain(t, target.id);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('late');
    expect(detail.transitions.at(-1)?.reason).toMatch(/no worker ran/);
    expect(await countSandboxPosts(t, (await readTargetRow(t, target.id)).idempotency_key)).toBe(0);
  });

  it('publishes a target missed by less than the allowed lateness when the sweeper runs', async () => {
    const target = await createTarget(t, tenant, { text: 'A little late' });
    await makeDue(t, target.id, 3600);
    await runSweep(t, [target.id]);
    expect((await readTargetRow(t, target.id)).status).toBe('published');
  });

  it('claims round-robin across tenants: B’s one due post is among the first claimed although A has 200 older ones', async () => {
    const tenantA = await createPublishingTenant(t);
    const tenantB = await createPublishingTenant(t);
    const idsOfA: string[] = [];
    for (let index = 0; index < 200; index += 1) idsOfA.push((await createTarget(t, tenantA, { text: `A ${index}` })).id);
    const targetOfB = await createTarget(t, tenantB, { text: 'B' });

    // Made due and claimed inside one transaction that is rolled back: no other worker ever sees them due.
    const rolledBack = new Error('roll back the claim');
    let claimed: Array<{ id: string; tenantId: string }> = [];
    await withSystemAccess(t.kernel, 'test: fairness', async (tx) => {
      await makeDueInCreationOrder(tx, [tenantA.tenant.id, tenantB.tenant.id], 600);
      claimed = (await claimDueTargets(tx, { now: new Date(), notLateSince: new Date(Date.now() - 86_400_000), batch: 20, defaultCap: 1000, caps: {} })).targets;
      throw rolledBack;
    }).catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
    const ours = claimed.filter((target) => target.tenantId === tenantA.tenant.id || target.tenantId === tenantB.tenant.id);
    expect(ours.map((target) => target.id)).toContain(targetOfB.id);
    // Oldest-first alone would have taken 20 of A's and never reached B's.
    expect(ours.filter((target) => target.tenantId === tenantA.tenant.id).length).toBeLessThan(20);
    expect(claimed.find((target) => target.id === targetOfB.id)).toMatchObject({ tenantRank: 1 });
    expect(idsOfA).toContain(ours.find((target) => target.tenantId === tenantA.tenant.id)?.id);
  });

  it('a tenant’s backlog still fills the batch: each connection offers its share, and the rest comes in another pass', async () => {
    const tenantA = await createPublishingTenant(t);
    const tenantB = await createPublishingTenant(t);
    const idsOfA: string[] = [];
    for (let index = 0; index < 30; index += 1) idsOfA.push((await createTarget(t, tenantA, { text: `Backlog ${index}` })).id);
    const targetOfB = await createTarget(t, tenantB, { text: 'Just one' });

    const rolledBack = new Error('roll back the dispatch');
    let ours: Array<{ id: string; tenantId: string }> = [];
    let claimedInAll = 0;
    let room = 0;
    let single: string[] = [];
    await withSystemAccess(t.kernel, 'test: passes', async (tx) => {
      await makeDueInCreationOrder(tx, [tenantA.tenant.id, tenantB.tenant.id], 60);
      // One claim alone (it only locks): the tenants with due posts share a batch of 20 (A's connection offers 20 / 2 + 1 with B alone).
      const claim = await claimDueTargets(tx, { now: new Date(), notLateSince: new Date(Date.now() - 86_400_000), batch: 20, defaultCap: 1000, caps: {} });
      single = claim.targets.filter((target) => target.tenantId === tenantA.tenant.id).map((target) => target.id);
      expect(claim.truncated).toBe(true);
      room = t.kernel.config.PUBLISH_NETWORK_CONCURRENCY - (await busyOnSandbox(tx));
      const result = await dispatchDueTargets(t.kernel, tx, undefined, { batch: () => 20 });
      ours = result.claimed.filter((target) => target.tenantId === tenantA.tenant.id || target.tenantId === tenantB.tenant.id);
      claimedInAll = result.claimed.length;
      throw rolledBack;
    }).catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
    // At most its share (11 when A and B are the only tenants with due posts), its oldest.
    expect(single.length).toBeLessThanOrEqual(11);
    expect(single).toEqual(idsOfA.slice(0, single.length));
    expect(ours.map((target) => target.id)).toContain(targetOfB.id);
    // The dispatch claimed again for the places the first pass left: the batch is full (or the network's
    // cap reached), and A has more than one pass's share, its oldest first (another test's due post of this
    // process may take a place).
    expect(room).toBeGreaterThan(12);
    expect(claimedInAll).toBe(Math.min(20, room));
    const claimedOfA = ours.filter((target) => target.tenantId === tenantA.tenant.id).map((target) => target.id);
    expect(claimedOfA.length).toBeGreaterThan(single.length);
    expect([...claimedOfA].sort()).toEqual(idsOfA.slice(0, claimedOfA.length).sort());
  });

  it('respects a network’s concurrency cap when claiming', async () => {
    const capped = await createPublishingTenant(t);
    for (let index = 0; index < 5; index += 1) await createTarget(t, capped, { text: `Capped ${index}` });
    const rolledBack = new Error('roll back the claim');
    let claimedOfTenant = -1;
    await withSystemAccess(t.kernel, 'test: caps', async (tx) => {
      await tx.execute(sql`UPDATE publish_targets SET next_attempt_at = now() - interval '1 minute' WHERE tenant_id = ${capped.tenant.id}`);
      const cap = (await busyOnSandbox(tx)) + 2;
      const claimed = (await claimDueTargets(tx, { now: new Date(), notLateSince: new Date(Date.now() - 86_400_000), batch: 100, defaultCap: 1000, caps: { sandbox: cap } })).targets;
      expect(claimed.filter((target) => target.network === 'sandbox').length).toBeLessThanOrEqual(2);
      claimedOfTenant = claimed.filter((target) => target.tenantId === capped.tenant.id).length;
      throw rolledBack;
    }).catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
    expect(claimedOfTenant).toBeGreaterThanOrEqual(0);
    expect(claimedOfTenant).toBeLessThanOrEqual(2);
  });
});

describe('publishing state machine and backoff', () => {
  it('allows cancel only from scheduled and never leaves a final state', () => {
    expect(canTransition('scheduled', 'cancelled')).toBe(true);
    for (const from of ['publishing', 'unconfirmed', 'published', 'failed', 'late', 'cancelled'] as const) expect(canTransition(from, 'cancelled')).toBe(false);
    for (const from of ['published', 'cancelled'] as const) expect(canTransition(from, 'scheduled')).toBe(false);
    // A person's retry (POST …/retry) is the only way back from failed or late.
    for (const from of ['failed', 'late'] as const) expect(canTransition(from, 'scheduled')).toBe(true);
    for (const from of ['failed', 'late'] as const) expect(canTransition(from, 'published')).toBe(false);
    expect(canTransition('unconfirmed', 'scheduled')).toBe(true);
    expect(canTransition('scheduled', 'published')).toBe(false);
  });

  it('backs off exponentially with jitter, capped, and never sooner than Retry-After', () => {
    const config = { PUBLISH_RETRY_BASE_SECONDS: 30, PUBLISH_RETRY_MAX_SECONDS: 3600 };
    expect(retryDelaySeconds(config, 1, undefined, () => 0)).toBe(15);
    expect(retryDelaySeconds(config, 1, undefined, () => 1)).toBe(30);
    expect(retryDelaySeconds(config, 3, undefined, () => 1)).toBe(120);
    expect(retryDelaySeconds(config, 20, undefined, () => 1)).toBe(3600);
    expect(retryDelaySeconds(config, 1, 900, () => 0.5)).toBe(900);
  });
});
