import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { registerTenant } from '../../../test/factories/tenancy.js';
import { createWorkflow, manualDefinition, startRun } from '../../../test/factories/workflows.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

/**
 * Fairness between tenants (design §4): step jobs sit in graphile-worker named queues wf:<tenant>:<lane>.
 * The harness's drainJobs runs jobs one by one and ignores named queues, so it cannot show this; here a
 * pool of concurrent workers takes jobs with graphile-worker's own claim (0.16, getJob's named-queue
 * strategy: jobs whose queue is unlocked, by priority and run_at; the queue locked while its job runs),
 * limited to this test's two tenants so that other test files' jobs are left alone.
 */
describe('workflows: fairness between tenants', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ WORKFLOW_TENANT_CONCURRENCY: '4' });
  });
  afterAll(() => t?.close());

  type ClaimedJob = { id: string; job_queue_id: number | null; payload: { tenantId: string }; attempts: number; task_identifier: string };

  /** Claim one due job as graphile-worker does (queue locked with it), of the given tenants only. */
  async function claimJob(workerId: string, tenantIds: string[]): Promise<ClaimedJob | null> {
    const { rows } = await t.owner.query<ClaimedJob>(
      `WITH j AS (
         SELECT jobs.job_queue_id, jobs.priority, jobs.run_at, jobs.id
           FROM graphile_worker._private_jobs AS jobs
          WHERE jobs.is_available = true AND run_at <= now()
            AND task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'workflows.step')
            AND jobs.payload->>'tenantId' = ANY($2::text[])
            AND (jobs.job_queue_id IS NULL OR jobs.job_queue_id IN (
                  SELECT id FROM graphile_worker._private_job_queues AS job_queues WHERE job_queues.is_available = true FOR UPDATE SKIP LOCKED))
          ORDER BY priority ASC, run_at ASC
          LIMIT 1
          FOR UPDATE SKIP LOCKED),
       q AS (UPDATE graphile_worker._private_job_queues AS job_queues SET locked_by = $1::text, locked_at = now() FROM j WHERE job_queues.id = j.job_queue_id)
       UPDATE graphile_worker._private_jobs AS jobs SET attempts = jobs.attempts + 1, locked_by = $1::text, locked_at = now() FROM j WHERE jobs.id = j.id
       RETURNING jobs.id, jobs.job_queue_id, jobs.payload, jobs.attempts, 'workflows.step' AS task_identifier`,
      [workerId, tenantIds],
    );
    return rows[0] ?? null;
  }

  /** Complete a job as graphile-worker does: delete it and unlock its queue. */
  async function completeJob(workerId: string, job: ClaimedJob): Promise<void> {
    await t.owner.query('DELETE FROM graphile_worker._private_jobs WHERE id = $1', [job.id]);
    if (job.job_queue_id !== null) await t.owner.query('UPDATE graphile_worker._private_job_queues SET locked_at = NULL, locked_by = NULL WHERE id = $1 AND locked_by = $2', [job.job_queue_id, workerId]);
  }

  /** `concurrency` workers until no job of these tenants is left; returns the most jobs of each tenant running at once. */
  async function runWorkerPool(concurrency: number, tenantIds: string[]): Promise<Map<string, number>> {
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    let busy = 0;
    const worker = async (index: number) => {
      const workerId = `fairness-${process.pid}-${index}`;
      for (;;) {
        const job = await claimJob(workerId, tenantIds);
        if (!job) {
          if (busy === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        busy += 1;
        const tenantId = job.payload.tenantId;
        running.set(tenantId, (running.get(tenantId) ?? 0) + 1);
        peak.set(tenantId, Math.max(peak.get(tenantId) ?? 0, running.get(tenantId)!));
        try {
          await executeJob(t.kernel, t.jobs.get(job.task_identifier)!, job.payload, { jobId: job.id, attempt: job.attempts });
        } finally {
          // Counted as running until its execution ends; completing unlocks the queue for the next one.
          running.set(tenantId, running.get(tenantId)! - 1);
        }
        await completeJob(workerId, job);
        busy -= 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
    return peak;
  }

  it('a tenant’s burst of 200 runs does not hold back another tenant’s run, and never has more than 4 steps running', async () => {
    const busyTenant = await registerTenant(t.app);
    const quietTenant = await registerTenant(t.app);
    const definition = manualDefinition([{ id: 'check', kind: 'condition', config: { expression: 'trigger.payload.n >= 0' } }], [['trigger', 'check']]);
    const busyWorkflow = await createWorkflow(t, busyTenant.token, definition);
    const quietWorkflow = await createWorkflow(t, quietTenant.token, definition);
    for (let n = 0; n < 200; n += 1) await startRun(t, busyTenant.token, busyWorkflow.id, { input: { n } });
    const quietRun = await startRun(t, quietTenant.token, quietWorkflow.id, { input: { n: 0 } });

    const peak = await runWorkerPool(8, [busyTenant.tenant.id, quietTenant.tenant.id]);

    const { rows } = await t.owner.query<{ tenant_id: string; status: string; finished_at: Date }>(
      'SELECT tenant_id, status, finished_at FROM workflow_step_runs WHERE tenant_id = ANY($1::uuid[]) ORDER BY finished_at, id',
      [[busyTenant.tenant.id, quietTenant.tenant.id]],
    );
    expect(rows).toHaveLength(201);
    expect(rows.every((row) => row.status === 'succeeded')).toBe(true);
    const quietPosition = rows.findIndex((row) => row.tenant_id === quietTenant.tenant.id);
    // Started after all 200 of the busy tenant, finished among the first few: the busy tenant's backlog
    // waited in its four locked lanes while a free worker took the quiet tenant's step.
    expect(quietPosition).toBeLessThan(16);
    expect(peak.get(busyTenant.tenant.id)).toBeLessThanOrEqual(4);
    expect(peak.get(busyTenant.tenant.id)).toBeGreaterThanOrEqual(2);
    const finished = await t.owner.query<{ status: string }>('SELECT status FROM workflow_runs WHERE id = $1', [quietRun.id]);
    expect(finished.rows[0]!.status).toBe('succeeded');
  }, 180_000); // 200 runs through a pool of workers: slow on a loaded 2-core machine, not a timing assertion
});
