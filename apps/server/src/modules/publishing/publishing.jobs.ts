import { z } from 'zod';
import type { Tx } from '../../kernel/db/database.js';
import { withTenant } from '../../kernel/db/tenancy.js';
import { defineJob, enqueueJob, enqueueJobs, removeJob, requireJobTenant, requireTransaction } from '../../kernel/jobs/jobs.js';
import { findTarget, type TargetRow } from './publishing.queries.js';
import { collectTargetMetrics, queueDueMetricsCollections } from './use-cases/collect-metrics.js';
import { sweepTargets } from './use-cases/dispatch.js';
import { runPublishingLane } from './use-cases/lane.js';
import { publishTarget } from './use-cases/publish-target.js';
import { reconcileTarget } from './use-cases/reconcile-target.js';

/**
 * The publishing jobs and the only helpers that enqueue them. Job keys make every schedule replaceable:
 * `publish:<targetId>`, `reconcile:<targetId>`, `metrics:<targetId>:<hours>` (one pending per target), and one dispatch wake-up per
 * due second (`publishing.dispatch:<epoch second>`), so a burst of posts due together makes one wake-up.
 */

/**
 * A wake-up of this process's publishing lane (use-cases/lane.ts): it claims due targets fairly across
 * tenants for its free slots, starts their attempts in the claim and runs the calls in this process, until
 * nothing is due within a second; a lane already running is only poked.
 */
export const dispatchJob = defineJob({
  id: 'publishing.dispatch',
  payload: z.object({}),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx) => {
    await runPublishingLane(ctx);
  },
});

/**
 * One attempt for one target, inside its tenant; no transaction is held across the network call. The lane
 * publishes without a job per target: this one runs publish jobs an earlier version queued (and anyone who
 * queues one by hand); a target already started or no longer due is left alone.
 */
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

/**
 * Every minute: the first engagement snapshot of targets published since, queued in batches (one add_jobs
 * statement per batch, not one add_job per post in the publishing transaction); each batch its own
 * system-access transaction.
 */
export const queueMetricsJob = defineJob({
  id: 'publishing.queue-metrics',
  payload: z.object({}),
  cron: '* * * * *',
  transactional: false,
  run: async (ctx) => {
    await queueDueMetricsCollections(ctx);
  },
});

/**
 * One engagement snapshot of a published target; it queues the next one of the series (metricsScheduleHours)
 * when it is stored or found unavailable, or when its last attempt failed, so one job per target is pending.
 */
export const collectMetricsJob = defineJob({
  id: 'publishing.collect-metrics',
  payload: z.object({ targetId: z.string().uuid(), hoursAfterPublish: z.number().int().min(0) }),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx, { targetId, hoursAfterPublish }) => {
    const tenantId = requireJobTenant(ctx.tenantId);
    const scheduleNext = (tx: Tx, target: TargetRow) => scheduleNextMetricsCollection(tx, target, hoursAfterPublish);
    try {
      await collectTargetMetrics(ctx, tenantId, targetId, undefined, scheduleNext);
    } catch (error) {
      // Out of attempts: this snapshot is lost, the series goes on.
      if (ctx.attempt >= (collectMetricsJob.maxAttempts ?? 1)) {
        await withTenant({ db: ctx.db, tenantId }, async (tx) => {
          const target = await findTarget(tx, targetId);
          if (target?.status === 'published') await scheduleNext(tx, target);
        });
      }
      throw error;
    }
  },
});

export const publishingJobs = [dispatchJob, publishJob, reconcileJob, sweepJob, queueMetricsJob, collectMetricsJob];

/** Hours after publishing at which engagement is collected. */
export const metricsScheduleHours = [1, 6, 24, 72];

/** Dispatching and publishing are due to the minute: they run ahead of background jobs (events, metrics, mail). */
const onTimePriority = -1;

/**
 * Wake a publishing lane at `at` (or now): an idle system publishes on time without polling. No named
 * queue: wake-ups run in any worker process, each starting (or poking) that process's lane, so every
 * worker publishes during a burst.
 */
export async function scheduleDispatch(tx: Tx, at: Date): Promise<void> {
  const second = Math.floor(at.getTime() / 1000);
  await enqueueJob(tx, dispatchJob, {}, { tenantId: null, key: `publishing.dispatch:${second}`, runAt: at, priority: onTimePriority });
}

/**
 * Run a lane again soon (due targets wait for capacity, or a lane handed over after its run). One fixed
 * key: a pending continuation is replaced, not added to. Only lanes queue it: ending attempts do not
 * (every one of them would contend for this one row), a running lane looks again itself.
 */
export async function scheduleDispatchContinuation(tx: Tx, at: Date): Promise<void> {
  await enqueueJob(tx, dispatchJob, {}, { tenantId: null, key: 'publishing.dispatch:continue', runAt: at, priority: onTimePriority });
}

/** Drop a target's pending publish job (one an earlier version queued) when it is rescheduled or cancelled. */
export async function cancelPublish(tx: Tx, targetId: string): Promise<void> {
  await removeJob(tx, `publish:${targetId}`);
}

export async function scheduleReconcile(tx: Tx, tenantId: string, targetId: string, at: Date): Promise<void> {
  await enqueueJob(tx, reconcileJob, { targetId }, { tenantId, key: `reconcile:${targetId}`, runAt: at });
}

/** Drop a target's pending lookup (a person resolved it); a running one re-checks the status and does nothing. */
export async function cancelReconcile(tx: Tx, targetId: string): Promise<void> {
  await removeJob(tx, `reconcile:${targetId}`);
}

/**
 * When the first engagement snapshot of a post published at `publishedAt` is due: stored on the target
 * (metrics_due_at) by the transaction that publishes it, queued later by publishing.queue-metrics.
 */
export function firstMetricsDueAt(publishedAt: Date): Date {
  return new Date(publishedAt.getTime() + metricsScheduleHours[0]! * 3600_000);
}

/**
 * The first engagement snapshot of these published targets, each at its due time (in the past: at once), in
 * one statement; each snapshot queues the next (a chain, one job at a time).
 */
export async function enqueueFirstMetricsCollections(tx: Tx, targets: Array<{ tenantId: string; targetId: string; dueAt: Date }>): Promise<void> {
  const hours = metricsScheduleHours[0]!;
  await enqueueJobs(
    tx,
    collectMetricsJob,
    targets.map(({ tenantId, targetId, dueAt }) => ({ payload: { targetId, hoursAfterPublish: hours }, options: { tenantId, key: metricsJobKey(targetId, hours), runAt: dueAt } })),
  );
}

/** The snapshot after the one taken `hoursAfterPublish` hours after publishing, if the series goes on. */
export async function scheduleNextMetricsCollection(tx: Tx, target: TargetRow, hoursAfterPublish: number): Promise<void> {
  const next = metricsScheduleHours.find((hours) => hours > hoursAfterPublish);
  if (next === undefined) return;
  const base = target.publishedAt ?? new Date();
  // A snapshot that ran late (a backlog, retries) does not pull the next one before its time, nor into the past.
  const runAt = new Date(Math.max(base.getTime() + next * 3600_000, Date.now()));
  await enqueueMetricsCollection(tx, target.tenantId, target.id, next, runAt);
}

async function enqueueMetricsCollection(tx: Tx, tenantId: string, targetId: string, hours: number, runAt: Date): Promise<void> {
  await enqueueJob(tx, collectMetricsJob, { targetId, hoursAfterPublish: hours }, { tenantId, key: metricsJobKey(targetId, hours), runAt });
}

const metricsJobKey = (targetId: string, hours: number) => `metrics:${targetId}:${hours}`;
