import { z } from 'zod';
import type { Tx } from '../../kernel/db/database.js';
import { defineJob, enqueueJob, removeJob } from '../../kernel/jobs/jobs.js';
import { collectTargetMetrics } from './use-cases/collect-metrics.js';
import { dispatchDueTargets, sweepTargets } from './use-cases/dispatch.js';
import { publishTarget } from './use-cases/publish-target.js';
import { reconcileTarget } from './use-cases/reconcile-target.js';

/**
 * The publishing jobs and the only helpers that enqueue them. Job keys make every schedule replaceable:
 * `publish:<targetId>`, `reconcile:<targetId>`, `metrics:<targetId>:<hours>`, and one dispatch wake-up per
 * due second (`publishing.dispatch:<epoch second>`), so a burst of posts due together makes one wake-up.
 */

function requireJobTenant(tenantId: string | null): string {
  if (!tenantId) throw new Error('This publishing job runs inside a tenant');
  return tenantId;
}

function requireTransaction(tx: Tx | null): Tx {
  if (!tx) throw new Error('This publishing job runs in a transaction');
  return tx;
}

/** Claim due targets fairly across tenants (system access, claim only) and enqueue one publish job each. */
export const dispatchJob = defineJob({
  id: 'publishing.dispatch',
  payload: z.object({}),
  maxAttempts: 5,
  run: async (ctx, _payload, tx) => {
    await dispatchDueTargets(ctx, requireTransaction(tx));
  },
});

/** One attempt for one target, inside its tenant; no transaction is held across the network call. */
export const publishJob = defineJob({
  id: 'publishing.publish',
  payload: z.object({ targetId: z.string().uuid() }),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx, { targetId }) => {
    await publishTarget(ctx, requireJobTenant(ctx.tenantId), targetId);
  },
});

/** Resolve an unknown outcome (or a crashed attempt) by looking the post up on the network. */
export const reconcileJob = defineJob({
  id: 'publishing.reconcile',
  payload: z.object({ targetId: z.string().uuid() }),
  transactional: false,
  maxAttempts: 10,
  run: async (ctx, { targetId }) => {
    await reconcileTarget(ctx, requireJobTenant(ctx.tenantId), targetId);
  },
});

/** Every minute: crashed attempts → reconcile, expired dispatch marks → cleared, missed targets → dispatch. */
export const sweepJob = defineJob({
  id: 'publishing.sweep',
  payload: z.object({}),
  cron: '* * * * *',
  run: async (ctx, _payload, tx) => {
    await sweepTargets(ctx, requireTransaction(tx));
  },
});

/** One engagement snapshot of a published target. */
export const collectMetricsJob = defineJob({
  id: 'publishing.collect-metrics',
  payload: z.object({ targetId: z.string().uuid(), hoursAfterPublish: z.number().int().min(0) }),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx, { targetId }) => {
    await collectTargetMetrics(ctx, requireJobTenant(ctx.tenantId), targetId);
  },
});

export const publishingJobs = [dispatchJob, publishJob, reconcileJob, sweepJob, collectMetricsJob];

/** Hours after publishing at which engagement is collected. */
export const metricsScheduleHours = [1, 6, 24, 72];

/** Wake the dispatcher at `at` (or now): an idle system publishes on time without polling. */
export async function scheduleDispatch(tx: Tx, at: Date): Promise<void> {
  const second = Math.floor(at.getTime() / 1000);
  await enqueueJob(tx, dispatchJob, {}, { tenantId: null, key: `publishing.dispatch:${second}`, runAt: at });
}

/**
 * Run the dispatcher again soon (due targets were left waiting for capacity, or capacity just freed).
 * One fixed key: a pending continuation is replaced, not added to, so a burst of finished attempts makes
 * one dispatcher run.
 */
export async function scheduleDispatchContinuation(tx: Tx, at: Date): Promise<void> {
  await enqueueJob(tx, dispatchJob, {}, { tenantId: null, key: 'publishing.dispatch:continue', runAt: at });
}

export async function enqueuePublish(tx: Tx, tenantId: string, targetId: string): Promise<void> {
  await enqueueJob(tx, publishJob, { targetId }, { tenantId, key: `publish:${targetId}` });
}

/** Drop a target's pending publish job (reschedule, cancel); a running one re-checks state and does nothing. */
export async function cancelPublish(tx: Tx, targetId: string): Promise<void> {
  await removeJob(tx, `publish:${targetId}`);
}

export async function scheduleReconcile(tx: Tx, tenantId: string, targetId: string, at: Date): Promise<void> {
  await enqueueJob(tx, reconcileJob, { targetId }, { tenantId, key: `reconcile:${targetId}`, runAt: at });
}

export async function scheduleMetricsCollection(tx: Tx, tenantId: string, targetId: string, publishedAt: Date): Promise<void> {
  for (const hours of metricsScheduleHours) {
    await enqueueJob(
      tx,
      collectMetricsJob,
      { targetId, hoursAfterPublish: hours },
      { tenantId, key: `metrics:${targetId}:${hours}`, runAt: new Date(publishedAt.getTime() + hours * 3600_000) },
    );
  }
}
