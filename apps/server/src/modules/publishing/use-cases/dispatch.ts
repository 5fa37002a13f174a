import type { Tx } from '../../../kernel/db/database.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { scheduleDispatch, scheduleDispatchContinuation, scheduleReconcile } from '../publishing.jobs.js';
import {
  claimDueTargets,
  claimMissedTargets,
  clearExpiredDispatchMarks,
  findDispatchWait,
  lockDispatcher,
  selectTargetsToReconcile,
  startClaimedAttempts,
  type ClaimedTarget,
  type TargetRow,
} from '../publishing.queries.js';
import { rateWindows } from '../publishing.rate-windows.js';
import { networkCaps } from '../publishing.state.js';
import { markLate } from './outcomes.js';

export type DispatchResult = {
  claimed: ClaimedTarget[];
  /** The claimed targets with their attempts started (publishing, open attempt row): the caller runs them after commit. */
  started: TargetRow[];
  late: number;
  /** Connections with due targets left that no rate window holds back (they wait for concurrency or the next batch). */
  remaining: number;
  /** Connections with due targets held back by a full rate window or a 429 pause. */
  waiting: number;
  /** When the dispatcher wakes up for them (null: none wait, or attempts in flight decide it). */
  wakeAt: Date | null;
  /** When the next scheduled target comes due (null: none is scheduled). */
  nextDueAt: Date | null;
  /** How long the claim's work took once it held the dispatcher lock (what pacing should weigh, not the wait). */
  workMs: number;
};

/** The fallback run while due targets wait for capacity (a running lane looks far sooner). */
const continueAfterMs = 1000;
/** Claims a dispatch may make when connections offered less than the batch and may hold more. */
const maximumClaimPasses = 4;
/** Never wake sooner than this for a window: a wake-up computed in the past would spin. */
const minimumWakeDelayMs = 1000;

/**
 * Claim due targets fairly across tenants and start their attempts, in the caller's system-access
 * transaction: the claim and the start (publishing, transition, open attempt row with the idempotency key)
 * commit together, before the caller (the publishing lane) calls any network. At most `batch()` targets
 * (the lane's free slots, asked once the lock is held) and PUBLISH_DISPATCH_BATCH, in claim order:
 * round-robin across tenants. Zero claims nothing but still marks late and queues the wake-ups.
 * Targets missed by more than their account's missed-post allowance (publishing_settings, else
 * PUBLISH_LATE_AFTER_SECONDS) become late instead. Targets whose connection (or network) has used its rate
 * window, or whose connection a 429 paused, wait: one dispatch wake-up is queued for when the first of them
 * may go. Rolled back, it starts nothing.
 */
export async function dispatchDueTargets(kernel: Kernel, tx: Tx, at?: Date, options: { batch?: () => number } = {}): Promise<DispatchResult> {
  const config = kernel.config;
  // Concurrent lanes would each see the other's claims as free capacity.
  await lockDispatcher(tx);
  const lockedAt = Date.now();
  // The clock is read once the lock is held (unless given): what came due meanwhile is claimed, and the
  // attempts' start times are when they start, not when the lane began to wait.
  const now = at ?? new Date(lockedAt);
  // Asked once the lock is held: a lane's calls keep ending while it waits for another lane's claim.
  const batch = Math.min(options.batch?.() ?? config.PUBLISH_DISPATCH_BATCH, config.PUBLISH_DISPATCH_BATCH);
  const notLateSince = new Date(now.getTime() - config.PUBLISH_LATE_AFTER_SECONDS * 1000);

  const missed = await claimMissedTargets(tx, { now, lateBefore: notLateSince, batch: config.PUBLISH_DISPATCH_BATCH });
  for (const target of missed) {
    const lateBy = Math.round((now.getTime() - (target.nextAttemptAt ?? target.scheduledAt).getTime()) / 1000);
    const allowed = target.lateAfterSeconds ?? config.PUBLISH_LATE_AFTER_SECONDS;
    await markLate(tx, target, `not published: due ${lateBy} s ago, more than the ${allowed} s allowed (no worker ran)`);
  }

  const windows = rateWindows(config);
  const claimed: ClaimedTarget[] = [];
  const started: TargetRow[] = [];
  for (let pass = 1; pass <= maximumClaimPasses; pass += 1) {
    const claim = await claimDueTargets(tx, {
      now,
      notLateSince,
      windows,
      batch: batch - claimed.length,
      defaultCap: config.PUBLISH_NETWORK_CONCURRENCY,
      caps: networkCaps(config),
    });
    claimed.push(...claim.targets);
    started.push(...(await startClaimedAttempts(tx, { ids: claim.targets.map((target) => target.id), startedAt: now })));
    // Each connection offered only its share of the batch: a tenant with a backlog and few others due takes
    // the rest of the batch in another pass (the tenants whose due targets were all taken drop out of it).
    if (!claim.truncated || claim.targets.length === 0 || claimed.length >= batch) break;
  }

  // A full batch: the lane claims again as soon as it has room, so what is left need not be counted (the
  // sweeper wakes a lane if this process dies meanwhile).
  if (batch > 0 && claimed.length >= batch) {
    return { claimed, started, late: missed.length, remaining: 1, waiting: 0, wakeAt: null, nextDueAt: null, workMs: Date.now() - lockedAt };
  }
  const wait = await findDispatchWait(tx, { now, notLateSince, windows });
  // Targets left waiting for capacity, and windows full of attempts not started yet (their start times fix
  // when the window frees), get a delayed run: the fallback when no lane is running (a running one looks
  // again sooner, see PublishingLane).
  if (wait.ready > 0 || (wait.waiting > 0 && !wait.nextFreeAt)) await scheduleDispatchContinuation(tx, new Date(now.getTime() + continueAfterMs));
  // One wake-up when the first window frees (not a poll), and one for the next target to come due: wake-ups
  // share a key per second, where the last one queued wins, so this puts that second's back to its earliest.
  const wakeAt = wait.waiting > 0 && wait.nextFreeAt ? new Date(Math.max(wait.nextFreeAt.getTime(), now.getTime() + minimumWakeDelayMs)) : null;
  const wakeUps = [wakeAt, wait.nextDueAt].filter((at): at is Date => at !== null);
  const secondOf = (at: Date) => Math.floor(at.getTime() / 1000);
  for (const at of wakeUps) {
    const hasEarlierInSameSecond = wakeUps.some((other) => other.getTime() < at.getTime() && secondOf(other) === secondOf(at));
    if (!hasEarlierInSameSecond) await scheduleDispatch(tx, at);
  }
  if (claimed.length > 0 || missed.length > 0 || wait.waiting > 0) {
    kernel.logger.debug({ claimed: claimed.length, late: missed.length, remaining: wait.ready, waiting: wait.waiting, wakeAt }, 'publishing dispatch');
  }
  return { claimed, started, late: missed.length, remaining: wait.ready, waiting: wait.waiting, wakeAt, nextDueAt: wait.nextDueAt, workMs: Date.now() - lockedAt };
}

export type SweepResult = { reconciling: number; redispatched: number };

/**
 * The minute sweep (system access): attempts open past the timeout and unconfirmed targets whose lookup
 * stalled get a reconcile job in their tenant; dispatch marks past the lease are cleared; then the lane is
 * woken to publish whatever was missed while no worker ran (or mark it late).
 */
export async function sweepTargets(kernel: Kernel, tx: Tx, now: Date = new Date()): Promise<SweepResult> {
  const config = kernel.config;
  const toReconcile = await selectTargetsToReconcile(tx, {
    attemptStartedBefore: new Date(now.getTime() - config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS * 1000),
    // A lookup still unresolved this long after it was due died with its worker (graphile-worker keeps a
    // dead worker's jobs locked for hours): the same allowance as for an attempt.
    lookupDueBefore: new Date(now.getTime() - config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS * 1000),
    limit: config.PUBLISH_DISPATCH_BATCH,
  });
  for (const target of toReconcile) await scheduleReconcile(tx, target.tenantId, target.id, now);
  const redispatched = await clearExpiredDispatchMarks(tx, new Date(now.getTime() - config.PUBLISH_DISPATCH_LEASE_SECONDS * 1000));
  // The lane claims (or marks late) whatever was missed once this commits: attempts start in the claim,
  // and no network is called inside this transaction.
  await scheduleDispatch(tx, now);
  return { reconciling: toReconcile.length, redispatched };
}
