import type { Tx } from '../../../kernel/db/database.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { enqueuePublish, scheduleDispatchContinuation, scheduleReconcile } from '../publishing.jobs.js';
import { claimDueTargets, claimMissedTargets, clearExpiredDispatchMarks, countDueTargets, markDispatched, selectTargetsToReconcile, type ClaimedTarget } from '../publishing.queries.js';
import { networkCaps, transitionTarget } from '../publishing.state.js';

export type DispatchResult = { claimed: ClaimedTarget[]; late: number; remaining: number };

/** How soon the dispatcher runs again while due targets wait for a network's free capacity. */
const continueAfterMs = 2000;

/**
 * Claim due targets fairly across tenants and enqueue one publish job per target, in claim order (so the
 * queue runs them round-robin). Runs in a system-access transaction (the claim only: each publish job
 * runs inside its tenant). Targets missed by more than PUBLISH_LATE_AFTER_SECONDS become late instead.
 */
export async function dispatchDueTargets(kernel: Kernel, tx: Tx, now: Date = new Date()): Promise<DispatchResult> {
  const config = kernel.config;
  const notLateSince = new Date(now.getTime() - config.PUBLISH_LATE_AFTER_SECONDS * 1000);

  const missed = await claimMissedTargets(tx, { lateBefore: notLateSince, batch: config.PUBLISH_DISPATCH_BATCH });
  for (const target of missed) {
    const lateBy = Math.round((now.getTime() - (target.nextAttemptAt ?? target.scheduledAt).getTime()) / 1000);
    await transitionTarget(tx, target, 'late', `not published: due ${lateBy} s ago, more than the ${config.PUBLISH_LATE_AFTER_SECONDS} s allowed (no worker ran)`, {
      nextAttemptAt: null,
      dispatchedAt: null,
    });
  }

  const claimed = await claimDueTargets(tx, {
    now,
    notLateSince,
    batch: config.PUBLISH_DISPATCH_BATCH,
    defaultCap: config.PUBLISH_NETWORK_CONCURRENCY,
    caps: networkCaps(config),
  });
  await markDispatched(tx, claimed.map((target) => target.id), now);
  for (const target of claimed) await enqueuePublish(tx, target.tenantId, target.id);

  const remaining = await countDueTargets(tx, now);
  if (remaining > 0) await scheduleDispatchContinuation(tx, new Date(now.getTime() + continueAfterMs));
  if (claimed.length > 0 || missed.length > 0) {
    kernel.logger.debug({ claimed: claimed.length, late: missed.length, remaining }, 'publishing dispatch');
  }
  return { claimed, late: missed.length, remaining };
}

export type SweepResult = { reconciling: number; redispatched: number };

/**
 * The minute sweep (system access): attempts open past the timeout and unconfirmed targets whose lookup
 * stalled get a reconcile job in their tenant; dispatch marks past the lease are cleared; then a dispatch
 * publishes whatever was missed while no worker ran (or marks it late).
 */
export async function sweepTargets(kernel: Kernel, tx: Tx, now: Date = new Date()): Promise<SweepResult> {
  const config = kernel.config;
  const toReconcile = await selectTargetsToReconcile(tx, {
    attemptStartedBefore: new Date(now.getTime() - config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS * 1000),
    unconfirmedUntouchedSince: new Date(now.getTime() - Math.max(config.PUBLISH_RECONCILE_DELAY_SECONDS, 60) * 1000 - 10 * 60_000),
    limit: config.PUBLISH_DISPATCH_BATCH,
  });
  for (const target of toReconcile) await scheduleReconcile(tx, target.tenantId, target.id, now);
  const redispatched = await clearExpiredDispatchMarks(tx, new Date(now.getTime() - config.PUBLISH_DISPATCH_LEASE_SECONDS * 1000));
  await dispatchDueTargets(kernel, tx, now);
  return { reconciling: toReconcile.length, redispatched };
}
