import { withSystemAccess } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { scheduleDispatchContinuation } from '../publishing.jobs.js';
import type { TargetRow } from '../publishing.queries.js';
import { acceptedOutcomesFor } from './accepted-outcomes.js';
import { dispatchDueTargets, type DispatchResult } from './dispatch.js';
import { runStartedAttempt } from './publish-target.js';

/**
 * The publishing lane: one per worker process. It claims due targets for its own free slots, starting their
 * attempts in the claim's transaction (the exactly-once record, committed before any call), and runs the
 * network calls in this process: the outcomes of accepted calls written together (AcceptedOutcomes), any
 * other outcome in its target's own tenant transaction. No queue job per post: a burst costs one claim per
 * batch of freed slots instead of a job's add, fetch and completion per post.
 *
 * A dispatch job (a wake-up at a due second, a window freeing, a retry's time, the sweeper) runs the lane
 * of the process that picked it up, or pokes it when it is running already; concurrent lanes in other
 * processes claim under the same advisory lock, so each sees the others' attempts as used capacity.
 * A process killed mid-burst leaves its attempts open: the sweeper reconciles them after
 * PUBLISH_ATTEMPT_TIMEOUT_SECONDS (look the post up, retry only when the network does not have it).
 */

/** How long one lane run keeps claiming; then it lets its calls finish and hands over to a fresh job. */
const laneHorizonMs = 30_000;
/** A target due within this is waited for inside the running lane, to the millisecond. */
const lookaheadMs = 1000;
/** How often the lane looks again while due targets wait for capacity held elsewhere (other lanes, caps). */
const pollIntervalMs = 100;
/**
 * The time between two claims of a lane with a backlog: claimCostShare times the last claim's work, within
 * [coalesceMs, maximumCoalesceMs]. A claim costs about the same for one target as for a hundred (it looks at
 * every due connection), so claiming once per finished call would spend the database on claiming instead of
 * publishing; but a claim slowed down by a busy machine must not leave the slots empty for long. A freed
 * slot waits at most maximumCoalesceMs for its next post.
 */
const coalesceMs = 100;
const maximumCoalesceMs = 250;
/** A lane with a backlog spends at most about one part in this many of its time claiming (within the bounds above). */
const claimCostShare = 8;

/** How long a lane with a backlog waits after a claim that took `claimMs` before it claims again. */
function claimInterval(claimMs: number): number {
  return Math.min(maximumCoalesceMs, Math.max(coalesceMs, claimCostShare * claimMs));
}

export type LaneOptions = {
  /** Wait for targets due within a second (production); 0: claim what is due now and stop when idle (tests). */
  lookaheadMs?: number;
};

/** What the lane does after a claim; null: stop (queued wake-ups start it again). Pure: see the tests. */
export function nextLaneStep(
  result: Pick<DispatchResult, 'claimed' | 'remaining' | 'nextDueAt'>,
  input: { requested: number; inFlight: number; now: number; lookaheadMs: number },
): { wait: 'slot' } | { wait: 'time'; ms: number } | null {
  // The lane took all it asked for: more may be claimable as soon as a slot frees.
  if (input.requested > 0 && result.claimed.length >= input.requested) return { wait: 'slot' };
  // Due targets wait for capacity that calls are using (a network's cap): look again soon. With nothing
  // claimed and nothing of its own in flight, the capacity is held elsewhere: the delayed fallback run
  // (dispatchDueTargets queues it) takes over rather than this lane polling.
  if (result.remaining > 0 && (result.claimed.length > 0 || input.inFlight > 0)) return { wait: 'time', ms: pollIntervalMs };
  const untilDue = result.nextDueAt ? Math.max(0, result.nextDueAt.getTime() - input.now) : null;
  if (untilDue !== null && untilDue <= input.lookaheadMs) return { wait: 'time', ms: untilDue };
  return null;
}

class PublishingLane {
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | null = null;
  /** A wake-up arrived since the last claim began: the lane must claim again before it stops. */
  private poked = false;
  private wake: (() => void) | null = null;
  private slotWake: (() => void) | null = null;

  /** The context of the job running the lane now (its logger names that job). */
  private kernel!: Kernel;
  /** Accepted calls' outcomes, written together. */
  private readonly accepted = acceptedOutcomesFor(() => this.kernel);

  constructor(private readonly slots: number) {}

  /** Run the lane until it is idle, or poke the run already going (then return at once). */
  async runOrPoke(kernel: Kernel, options: LaneOptions): Promise<number> {
    if (this.running) {
      this.poked = true;
      this.wake?.();
      return 0;
    }
    this.kernel = kernel;
    let started = 0;
    this.running = (async () => {
      started = await this.run(options.lookaheadMs ?? lookaheadMs);
    })();
    try {
      await this.running;
    } finally {
      // A claim that failed (the job retries) still lets the calls it started end inside this job.
      await this.drain();
      this.running = null;
    }
    return started;
  }

  private async run(lookahead: number): Promise<number> {
    const startedAt = Date.now();
    let started = 0;
    for (;;) {
      this.poked = false;
      let requested = 0;
      const free = () => (requested = Math.min(this.slots - this.inFlight.size, this.kernel.config.PUBLISH_DISPATCH_BATCH));
      const result =
        free() > 0
          ? await withSystemAccess(this.kernel, 'job:publishing.dispatch', (tx) => dispatchDueTargets(this.kernel, tx, undefined, { batch: free }))
          : null;
      // The claim's own work, not its wait for another lane's claim: waiting is not load on the database.
      const claimMs = result?.workMs ?? 0;
      for (const target of result?.started ?? []) this.launch(target);
      started += result?.started.length ?? 0;

      const now = Date.now();
      const step = result ? nextLaneStep(result, { requested, inFlight: this.inFlight.size, now, lookaheadMs: lookahead }) : { wait: 'slot' as const };
      if (now - startedAt > laneHorizonMs) {
        // Long enough for one job: let the calls finish, and a fresh job (any process) carries on.
        await this.drain();
        if (step !== null || this.poked) await withSystemAccess(this.kernel, 'job:publishing.dispatch', (tx) => scheduleDispatchContinuation(tx, new Date()));
        return started;
      }
      if (step === null) {
        // Nothing due now nor within the look-ahead: stop once the calls have ended, unless a wake-up came.
        if (!this.poked) await this.waitForPokeOrIdle();
        if (this.poked) continue;
        return started;
      }
      if (step.wait === 'slot') {
        await this.waitForSlot();
        // A backlog is claimed in batches of the calls that ended meanwhile, not one claim per call.
        const claimedAt = now;
        await this.sleep(Math.max(0, claimedAt + claimInterval(claimMs) - Date.now()));
      } else {
        await this.sleep(step.ms > 0 ? Math.max(step.ms, Math.min(maximumCoalesceMs, claimCostShare * claimMs)) : 0);
      }
    }
  }

  /** Let every call in flight end (their outcomes committed). */
  private async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Until every call in flight has ended, or a wake-up pokes the lane. */
  private async waitForPokeOrIdle(): Promise<void> {
    await Promise.race([
      this.drain(),
      new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = null;
          resolve();
        };
      }),
    ]);
    this.wake = null;
  }

  /** One call and its outcome, in this process; the slot frees when the outcome is committed. */
  private launch(target: TargetRow): void {
    const call = runStartedAttempt(this.kernel, target, undefined, this.accepted)
      .then(() => undefined)
      .catch((error: unknown) => {
        // The attempt stays open: the sweeper reconciles it after PUBLISH_ATTEMPT_TIMEOUT_SECONDS.
        this.kernel.logger.error({ err: error, targetId: target.id, attemptNumber: target.attemptCount }, 'publish attempt could not be finished');
      })
      .finally(() => {
        this.inFlight.delete(call);
        this.slotWake?.();
      });
    this.inFlight.add(call);
  }

  private waitForSlot(): Promise<void> {
    if (this.inFlight.size < this.slots) return Promise.resolve();
    return new Promise((resolve) => {
      this.slotWake = () => {
        this.slotWake = null;
        this.wake = null;
        resolve();
      };
      this.wake = this.slotWake;
    });
  }

  /** Sleep `ms`, or less when a wake-up pokes the lane. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** One lane per process, i.e. per database pool (each job gets its own context object, the pool is shared). */
const lanes = new WeakMap<Kernel['db'], PublishingLane>();

/**
 * The dispatch job: run this process's publishing lane until it is idle (or poke it, if it runs already).
 * Returns how many attempts this run started (0 when it only poked).
 */
export async function runPublishingLane(kernel: Kernel, options: LaneOptions = {}): Promise<number> {
  let lane = lanes.get(kernel.db);
  if (!lane) {
    lane = new PublishingLane(kernel.config.PUBLISH_LANE_CONCURRENCY);
    lanes.set(kernel.db, lane);
  }
  return lane.runOrPoke(kernel, options);
}
