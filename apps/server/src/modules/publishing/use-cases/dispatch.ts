import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { enqueuePublishes, scheduleDispatch, scheduleDispatchContinuation, scheduleReconcile } from '../publishing.jobs.js';
import {
  claimDueTargets,
  claimMissedTargets,
  clearExpiredDispatchMarks,
  findDispatchWait,
  lockDispatcher,
  markDispatched,
  selectTargetsToReconcile,
  type ClaimedTarget,
} from '../publishing.queries.js';
import { rateWindows } from '../publishing.rate-windows.js';
import { networkCaps } from '../publishing.state.js';
import { markLate } from './outcomes.js';

export type DispatchResult = {
  claimed: ClaimedTarget[];
  late: number;
  /** Due targets left that no rate window holds back (they wait for concurrency or the next batch). */
  remaining: number;
  /** Due targets held back by a full rate window or a 429 pause. */
  waiting: number;
  /** When the dispatcher wakes up for them (null: none wait, or attempts in flight decide it). */
  wakeAt: Date | null;
  /** When the next scheduled target comes due (null: none is scheduled). */
  nextDueAt: Date | null;
};

/** The fallback run while due targets wait for capacity (a running dispatcher looks far sooner). */
const continueAfterMs = 1000;
/** Never wake sooner than this for a window: a wake-up computed in the past would spin. */
const minimumWakeDelayMs = 1000;
/** How long one dispatcher job keeps going while posts keep coming due or capacity keeps freeing. */
const loopHorizonMs = 30_000;
/** A target due within this is waited for inside the running dispatcher, to the millisecond. */
const lookaheadMs = 1000;
/**
 * The running dispatcher runs at most this often unless a batch was full: each run reads every due target,
 * so running once per post coming due (every few ms in a burst) would spend the database on claiming.
 * While targets wait for capacity and attempts keep ending, it looks this often too.
 */
const loopIntervalMs = 100;

/**
 * The dispatcher job: dispatch, and keep dispatching while there is more to do right away: a full batch
 * (again at once), posts coming due within a second (at their time, rather than at the queue's next
 * poll), targets waiting for capacity while the last run still claimed some (every 100 ms). Each run is
 * its own system-access transaction. Otherwise it ends, leaving the wake-ups it queued (due times,
 * windows freeing, the capacity fallback) to start it again: an idle system does not poll.
 */
export async function runDispatcher(kernel: Kernel): Promise<void> {
  const startedAt = Date.now();
  for (;;) {
    const runStartedAt = Date.now();
    const result = await withSystemAccess(kernel, 'job:publishing.dispatch', (tx) => dispatchDueTargets(kernel, tx));
    const now = Date.now();
    const pause = nextDispatchPauseMs(result, kernel.config.PUBLISH_DISPATCH_BATCH, now);
    if (pause === null || now + pause - startedAt > loopHorizonMs) return;
    // A run reads every due target: with a backlog it grows slow, and back-to-back runs would take the
    // database from the publish jobs that clear the backlog. Rest at least twice as long as it ran
    // (a full batch excepted: that is claimable work).
    const rest = pause === 0 ? 0 : Math.max(pause, 2 * (now - runStartedAt));
    await new Promise((resolve) => setTimeout(resolve, rest));
  }
}

/** How long the running dispatcher waits before its next run; null: stop (the queued wake-ups take over). */
export function nextDispatchPauseMs(result: Pick<DispatchResult, 'claimed' | 'remaining' | 'nextDueAt'>, batch: number, now: number): number | null {
  if (result.claimed.length >= batch) return 0;
  const untilDue = result.nextDueAt ? Math.max(0, result.nextDueAt.getTime() - now) : null;
  const capacityFreeing = result.claimed.length > 0 && result.remaining > 0;
  if (untilDue !== null && untilDue <= lookaheadMs) return capacityFreeing ? loopIntervalMs : Math.max(untilDue, loopIntervalMs);
  return capacityFreeing ? loopIntervalMs : null;
}

/**
 * Claim due targets fairly across tenants and enqueue one publish job per target, in claim order (so the
 * queue runs them round-robin). Runs in a system-access transaction (the claim only: each publish job
 * runs inside its tenant). Targets missed by more than their account's missed-post allowance
 * (publishing_settings, else PUBLISH_LATE_AFTER_SECONDS) become late instead. Targets whose connection
 * (or network) has used its rate window, or whose connection a 429 paused, wait: one dispatch wake-up is
 * queued for when the first of them may go.
 */
export async function dispatchDueTargets(kernel: Kernel, tx: Tx, now: Date = new Date()): Promise<DispatchResult> {
  const config = kernel.config;
  // Concurrent dispatchers would each see the other's claims as free capacity.
  await lockDispatcher(tx);
  const notLateSince = new Date(now.getTime() - config.PUBLISH_LATE_AFTER_SECONDS * 1000);

  const missed = await claimMissedTargets(tx, { now, lateBefore: notLateSince, batch: config.PUBLISH_DISPATCH_BATCH });
  for (const target of missed) {
    const lateBy = Math.round((now.getTime() - (target.nextAttemptAt ?? target.scheduledAt).getTime()) / 1000);
    const allowed = target.lateAfterSeconds ?? config.PUBLISH_LATE_AFTER_SECONDS;
    await markLate(tx, target, `not published: due ${lateBy} s ago, more than the ${allowed} s allowed (no worker ran)`);
  }

  const windows = rateWindows(config);
  const claimed = await claimDueTargets(tx, {
    now,
    notLateSince,
    windows,
    batch: config.PUBLISH_DISPATCH_BATCH,
    defaultCap: config.PUBLISH_NETWORK_CONCURRENCY,
    caps: networkCaps(config),
  });
  await markDispatched(tx, claimed.map((target) => target.id), now);
  await enqueuePublishes(tx, claimed.map((target) => ({ tenantId: target.tenantId, targetId: target.id })));

  const wait = await findDispatchWait(tx, { now, notLateSince, windows });
  // A full batch: more is claimable right now. Targets left waiting for capacity, and windows full of
  // attempts not started yet (their start times fix when the window frees), get a delayed run: the
  // fallback when no dispatcher is running (a running one looks again sooner, see runDispatcher).
  const isFullBatch = claimed.length >= config.PUBLISH_DISPATCH_BATCH;
  if (wait.ready > 0 && isFullBatch) await scheduleDispatchContinuation(tx, now);
  else if (wait.ready > 0 || (wait.waiting > 0 && !wait.nextFreeAt)) await scheduleDispatchContinuation(tx, new Date(now.getTime() + continueAfterMs));
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
  return { claimed, late: missed.length, remaining: wait.ready, waiting: wait.waiting, wakeAt, nextDueAt: wait.nextDueAt };
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
    // A lookup still unresolved this long after it was due died with its worker (graphile-worker keeps a
    // dead worker's jobs locked for hours): the same allowance as for an attempt.
    lookupDueBefore: new Date(now.getTime() - config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS * 1000),
    limit: config.PUBLISH_DISPATCH_BATCH,
  });
  for (const target of toReconcile) await scheduleReconcile(tx, target.tenantId, target.id, now);
  const redispatched = await clearExpiredDispatchMarks(tx, new Date(now.getTime() - config.PUBLISH_DISPATCH_LEASE_SECONDS * 1000));
  await dispatchDueTargets(kernel, tx, now);
  return { reconciling: toReconcile.length, redispatched };
}
