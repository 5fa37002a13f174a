import type { PublishTarget, PublishTargetDetail } from '@omni/contracts/publishing';
import { queueDueMetricsCollections } from '../../src/modules/publishing/use-cases/collect-metrics.js';
import { request, type TestApp } from '../harness.js';
import { registerTenant, type RegisteredTenant } from './tenancy.js';

/** Test helpers shared by the publishing tests: a tenant with a Sandbox connection, targets, queue probes. */

export type PublishingTenant = RegisteredTenant & { connectionId: string };

export async function createPublishingTenant(t: TestApp): Promise<PublishingTenant> {
  const tenant = await registerTenant(t.app);
  const connection = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: 'Sandbox page' } });
  if (connection.statusCode !== 201) throw new Error(`sandbox connection: ${connection.statusCode} ${connection.body}`);
  return { ...tenant, connectionId: connection.json<{ id: string }>().id };
}

export const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();

export async function createTarget(
  t: TestApp,
  tenant: PublishingTenant,
  input: { text?: string; scheduledAt?: string | null } = {},
): Promise<PublishTarget> {
  const response = await request(t.app, {
    method: 'POST',
    url: '/api/publishing/targets',
    token: tenant.token,
    payload: { connectionId: tenant.connectionId, content: { text: input.text ?? 'Hello from Omni' }, scheduledAt: input.scheduledAt === undefined ? inOneHour() : input.scheduledAt },
  });
  if (response.statusCode !== 201) throw new Error(`create target: ${response.statusCode} ${response.body}`);
  return response.json<PublishTarget>();
}

export async function getTargetDetail(t: TestApp, tenant: PublishingTenant, id: string): Promise<PublishTargetDetail> {
  const response = await request(t.app, { url: `/api/publishing/targets/${id}`, token: tenant.token });
  if (response.statusCode !== 200) throw new Error(`get target: ${response.statusCode} ${response.body}`);
  return response.json<PublishTargetDetail>();
}

/** Move a scheduled target's time into the past (as if the clock had reached it). */
export async function makeDue(t: TestApp, targetId: string, secondsAgo = 1): Promise<void> {
  await t.owner.query(
    `UPDATE publish_targets SET scheduled_at = now() - make_interval(secs => $2), next_attempt_at = now() - make_interval(secs => $2) WHERE id = $1`,
    [targetId, secondsAgo],
  );
}

/**
 * Wake the dispatcher now and run every due job (dispatch, then the publish jobs it queued). Test files
 * share one queue, and another test process may be running the attempt of one of `targetIds` right now:
 * wait (bounded) until none of them is mid-attempt, so assertions never see a half-done attempt.
 */
export async function dispatchAndDrain(t: TestApp, ...targetIds: string[]): Promise<void> {
  await t.owner.query(`SELECT graphile_worker.add_job('publishing.dispatch', '{"tenantId":null,"data":{}}'::json)`);
  await t.drainJobs();
  await waitUntilSettled(t, targetIds);
}

/**
 * Drain until none of the targets is mid-attempt (publishing, or dispatched and not started) nor, when
 * `includeUnconfirmed`, waiting for its lookup; bounded, for jobs another test process is running.
 */
export async function waitUntilSettled(t: TestApp, targetIds: string[], includeUnconfirmed = false): Promise<void> {
  for (let round = 0; round < 100 && targetIds.length > 0; round += 1) {
    const busy = await t.owner.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM publish_targets
        WHERE id = ANY($1::uuid[])
          AND (status = 'publishing' OR (status = 'scheduled' AND dispatched_at IS NOT NULL) OR ($2 AND status = 'unconfirmed'))`,
      [targetIds, includeUnconfirmed],
    );
    if (busy.rows[0]!.count === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await t.drainJobs();
  }
}

export async function countSandboxPosts(t: TestApp, idempotencyKey: string): Promise<number> {
  const rows = await t.owner.query<{ count: number }>('SELECT count(*)::int AS count FROM sandbox_posts WHERE idempotency_key = $1', [idempotencyKey]);
  return rows.rows[0]!.count;
}

export async function readTargetRow(t: TestApp, id: string) {
  const rows = await t.owner.query<{ status: string; idempotency_key: string; attempt_count: number; dispatched_at: Date | null; next_attempt_at: Date | null; last_error: string | null; last_error_kind: string | null }>(
    'SELECT status, idempotency_key, attempt_count, dispatched_at, next_attempt_at, last_error, last_error_kind FROM publish_targets WHERE id = $1',
    [id],
  );
  return rows.rows[0]!;
}

/** Pending (not running) jobs with this key. */
export async function findQueuedJob(t: TestApp, key: string): Promise<{ run_at: Date; task: string } | null> {
  const rows = await t.owner.query<{ run_at: Date; task: string }>(
    `SELECT j.run_at, t.identifier AS task FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.key = $1`,
    [key],
  );
  return rows.rows[0] ?? null;
}

/**
 * Run the publishing.queue-metrics use case now (the minute job): the first engagement snapshot of every
 * published target not queued yet gets its job. Cross-tenant: it also queues other test processes' targets.
 */
export async function queueFirstMetrics(t: TestApp): Promise<number> {
  return queueDueMetricsCollections(t.kernel);
}

/**
 * In one snapshot: when a target was published, when its first engagement snapshot is due and not queued yet
 * (metrics_due_at), and the run_at of its queued first-snapshot job (`metrics:<id>:1`; null: none pending).
 */
export async function readFirstMetrics(t: TestApp, id: string): Promise<{ publishedAt: Date | null; dueAt: Date | null; jobRunAt: Date | null }> {
  const rows = await t.owner.query<{ published_at: Date | null; metrics_due_at: Date | null; job_run_at: Date | null }>(
    `SELECT p.published_at, p.metrics_due_at,
            (SELECT j.run_at FROM graphile_worker._private_jobs j WHERE j.key = 'metrics:' || p.id || ':1') AS job_run_at
       FROM publish_targets p WHERE p.id = $1`,
    [id],
  );
  const row = rows.rows[0]!;
  return { publishedAt: row.published_at, dueAt: row.metrics_due_at, jobRunAt: row.job_run_at };
}
