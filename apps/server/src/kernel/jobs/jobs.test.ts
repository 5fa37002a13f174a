import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { withSystemAccess, withTenant } from '../db/tenancy.js';
import { defineJob, enqueueJob, enqueueJobs, executeJob, type JobContext } from './jobs.js';

type TenantFixture = { tenantId: string; accountId: string };

async function createTenantFixture(t: TestApp): Promise<TenantFixture> {
  const suffix = uniqueSuffix();
  const tenant = await t.owner.query<{ id: string }>(`INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`, [`Tenant ${suffix}`, `t-${suffix}`]);
  const tenantId = tenant.rows[0]!.id;
  const account = await t.owner.query<{ id: string }>(`INSERT INTO accounts (tenant_id, name, slug) VALUES ($1, 'Main', $2) RETURNING id`, [tenantId, `a-${suffix}`]);
  return { tenantId, accountId: account.rows[0]!.id };
}

type Observation = { tenantId: string | null; visibleTenants: string[]; systemAccess: string | null; marker: string; hadTransaction: boolean };

/** A job that records what its transaction can see, so tests can tell which tenant it ran as. */
function defineObservingJob(observations: Observation[], options: { transactional?: boolean } = {}) {
  return defineJob({
    id: `test.observe-${uniqueSuffix()}`,
    payload: z.object({ marker: z.string().min(1) }),
    transactional: options.transactional,
    async run(ctx: JobContext, payload, tx) {
      if (!tx) {
        observations.push({ tenantId: ctx.tenantId, visibleTenants: [], systemAccess: null, marker: payload.marker, hadTransaction: false });
        return;
      }
      const visible = await tx.execute<{ tenant_id: string }>(sql`SELECT DISTINCT tenant_id FROM accounts`);
      const setting = await tx.execute<{ value: string | null }>(sql`SELECT current_setting('app.system_access', true) AS value`);
      observations.push({
        tenantId: ctx.tenantId,
        visibleTenants: visible.rows.map((row) => row.tenant_id),
        systemAccess: setting.rows[0]!.value,
        marker: payload.marker,
        hadTransaction: true,
      });
    },
  });
}

describe('jobs', () => {
  let t: TestApp;
  let tenantA: TenantFixture;
  let tenantB: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await createTenantFixture(t);
    tenantB = await createTenantFixture(t);
  });
  afterAll(() => t.close());

  it('enqueueing twice with the same key replaces the pending job instead of adding a second', async () => {
    const job = defineJob({ id: `test.keyed-${uniqueSuffix()}`, payload: z.object({ version: z.number() }), async run() {} });
    const key = `keyed:${uniqueSuffix()}`;
    try {
      await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) => enqueueJob(tx, job, { version: 1 }, { tenantId: tenantA.tenantId, key }));
      await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) => enqueueJob(tx, job, { version: 2 }, { tenantId: tenantA.tenantId, key }));
      const jobs = await t.owner.query('SELECT payload FROM graphile_worker._private_jobs WHERE key = $1', [key]);
      expect(jobs.rows).toEqual([{ payload: { tenantId: tenantA.tenantId, data: { version: 2 } } }]);
    } finally {
      await t.owner.query('DELETE FROM graphile_worker._private_jobs WHERE key = $1', [key]);
    }
  });

  it('enqueueing without a key adds one job per call', async () => {
    const job = defineJob({ id: `test.unkeyed-${uniqueSuffix()}`, payload: z.object({ version: z.number() }), async run() {} });
    try {
      await withSystemAccess(t.kernel, 'test', async (tx) => {
        await enqueueJob(tx, job, { version: 1 }, { tenantId: null });
        await enqueueJob(tx, job, { version: 1 }, { tenantId: null });
      });
      const jobs = await t.owner.query(
        `SELECT j.id FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id WHERE k.identifier = $1`,
        [job.id],
      );
      expect(jobs.rowCount).toBe(2);
    } finally {
      await t.owner.query(
        `DELETE FROM graphile_worker._private_jobs WHERE task_id IN (SELECT id FROM graphile_worker._private_tasks WHERE identifier = $1)`,
        [job.id],
      );
    }
  });

  it('enqueueJobs queues many jobs in one statement, to run in order, with their keys, run times, queue and priority', async () => {
    const job = defineJob({ id: `test.bulk-${uniqueSuffix()}`, payload: z.object({ position: z.number() }), async run() {} });
    const keyPrefix = `bulk:${uniqueSuffix()}`;
    const later = new Date(Date.now() + 3600_000);
    try {
      await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) =>
        enqueueJobs(tx, job, [0, 1, 2].map((position) => ({
          payload: { position },
          options: { tenantId: tenantA.tenantId, key: `${keyPrefix}:${position}`, runAt: position === 2 ? later : undefined, queueName: position === 1 ? keyPrefix : undefined, priority: position === 0 ? -1 : undefined },
        }))),
      );
      const jobs = await t.owner.query<{ key: string; payload: unknown; run_at: Date; queue_name: string | null; priority: number }>(
        `SELECT j.key, j.payload, j.run_at, q.queue_name, j.priority FROM graphile_worker._private_jobs j
           LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id WHERE j.key LIKE $1 ORDER BY j.run_at, j.id`,
        [`${keyPrefix}:%`],
      );
      expect(jobs.rows.map((row) => row.key)).toEqual([0, 1, 2].map((position) => `${keyPrefix}:${position}`));
      expect(jobs.rows[1]).toMatchObject({ payload: { tenantId: tenantA.tenantId, data: { position: 1 } }, queue_name: keyPrefix });
      expect(jobs.rows[2]!.run_at.toISOString()).toBe(later.toISOString());
      expect(jobs.rows.map((row) => row.priority)).toEqual([-1, 0, 0]);
      await expect(withSystemAccess(t.kernel, 'test', (tx) => enqueueJobs(tx, job, [{ payload: { position: 'x' } as never, options: { tenantId: null } }]))).rejects.toThrow();
    } finally {
      await t.owner.query('DELETE FROM graphile_worker._private_jobs WHERE key LIKE $1', [`${keyPrefix}:%`]);
    }
  });

  it('enqueueJob validates the payload before it reaches the queue', async () => {
    const job = defineJob({ id: `test.validated-${uniqueSuffix()}`, payload: z.object({ count: z.number() }), async run() {} });
    const enqueue = withSystemAccess(t.kernel, 'test', (tx) =>
      enqueueJob(tx, job, { count: 'three' } as unknown as { count: number }, { tenantId: null }),
    );
    await expect(enqueue).rejects.toThrow(/expected number/i);
  });

  it('executeJob runs a tenant job inside withTenant, where it sees only that tenant’s rows', async () => {
    const observations: Observation[] = [];
    const job = defineObservingJob(observations);
    await executeJob(t.kernel, job, { tenantId: tenantA.tenantId, data: { marker: 'a' } }, { jobId: '1', attempt: 1 });
    await executeJob(t.kernel, job, { tenantId: tenantB.tenantId, data: { marker: 'b' } }, { jobId: '2', attempt: 1 });
    expect(observations.map(({ tenantId, visibleTenants, marker }) => ({ tenantId, visibleTenants, marker }))).toEqual([
      { tenantId: tenantA.tenantId, visibleTenants: [tenantA.tenantId], marker: 'a' },
      { tenantId: tenantB.tenantId, visibleTenants: [tenantB.tenantId], marker: 'b' },
    ]);
    for (const observation of observations) expect(observation.systemAccess).not.toBe('on');
  });

  it('executeJob runs a platform job (no tenant) under system access', async () => {
    const observations: Observation[] = [];
    const job = defineObservingJob(observations);
    await executeJob(t.kernel, job, { tenantId: null, data: { marker: 'platform' } }, { jobId: '3', attempt: 1 });
    expect(observations).toHaveLength(1);
    expect(observations[0]!.systemAccess).toBe('on');
    expect(observations[0]!.visibleTenants).toEqual(expect.arrayContaining([tenantA.tenantId, tenantB.tenantId]));
  });

  it('executeJob gives a non-transactional job no transaction', async () => {
    const observations: Observation[] = [];
    const job = defineObservingJob(observations, { transactional: false });
    await executeJob(t.kernel, job, { tenantId: tenantA.tenantId, data: { marker: 'outside' } }, { jobId: '4', attempt: 1 });
    expect(observations).toEqual([{ tenantId: tenantA.tenantId, visibleTenants: [], systemAccess: null, marker: 'outside', hadTransaction: false }]);
  });

  it.each([
    ['a payload that fails the job’s schema', { tenantId: null, data: { marker: 42 } }],
    ['an envelope with a tenant id that is not a uuid', { tenantId: 'tenant-a', data: { marker: 'x' } }],
    ['an envelope missing its tenant id', { data: { marker: 'x' } }],
    ['something that is not an envelope', 'marker'],
  ])('executeJob drops %s without running it or throwing', async (_label, envelope) => {
    const observations: Observation[] = [];
    const job = defineObservingJob(observations);
    await expect(executeJob(t.kernel, job, envelope, { jobId: '5', attempt: 1 })).resolves.toBeUndefined();
    expect(observations).toEqual([]);
  });

  it('executeJob rethrows a failing job’s error (so the queue retries it) and rolls back its writes', async () => {
    const slug = `job-${uniqueSuffix()}`;
    const job = defineJob({
      id: `test.failing-${uniqueSuffix()}`,
      payload: z.object({ slug: z.string() }),
      async run(ctx, payload, tx) {
        await tx!.execute(sql`INSERT INTO accounts (tenant_id, name, slug) VALUES (${ctx.tenantId}, 'From a job', ${payload.slug})`);
        throw new Error('provider unavailable');
      },
    });
    await expect(executeJob(t.kernel, job, { tenantId: tenantA.tenantId, data: { slug } }, { jobId: '6', attempt: 1 })).rejects.toThrow('provider unavailable');
    const rows = await t.owner.query('SELECT id FROM accounts WHERE slug = $1', [slug]);
    expect(rows.rowCount).toBe(0);
  });
});
