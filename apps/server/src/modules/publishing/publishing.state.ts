import type { Tx } from '../../kernel/db/database.js';
import type { Config } from '../../kernel/config.js';
import { updateTargetWithTransition, type TargetChanges, type TargetRow, type TargetStatus } from './publishing.queries.js';

/**
 * The post target's state machine. Every change goes through transitionTarget, which refuses edges not
 * listed here and records the transition (from, to, reason, time) in the caller's transaction.
 * scheduled → scheduled is a reschedule (or "publish now"): no status change, but part of the history.
 */
const allowedTransitions: Record<TargetStatus, TargetStatus[]> = {
  scheduled: ['scheduled', 'publishing', 'cancelled', 'late'],
  // → scheduled: a retryable failure, retried after backoff.
  publishing: ['published', 'failed', 'unconfirmed', 'scheduled'],
  // Left by reconciliation: → published when the lookup found the post; → scheduled or failed only after a
  // lookup proved it absent. Or by a person (POST …/resolve, who checked the network themselves): →
  // published ("it is there"), → scheduled ("it is not there: publish it again", a new attempt with a new
  // idempotency key) or → failed ("it is not there: give up").
  unconfirmed: ['published', 'scheduled', 'failed'],
  published: [],
  // → scheduled: a person retries it (POST …/retry), now or at a new time, with a fresh attempt budget.
  // Nothing was published (the network refused it, or a lookup or a person found it absent), so this
  // cannot double a post.
  failed: ['scheduled'],
  cancelled: [],
  // → scheduled: a person publishes a missed post anyway (POST …/retry), now or at a new time.
  late: ['scheduled'],
};

export function canTransition(from: TargetStatus, to: TargetStatus): boolean {
  return allowedTransitions[from].includes(to);
}

export async function transitionTarget(
  tx: Tx,
  target: TargetRow,
  to: TargetStatus,
  reason: string,
  changes: Omit<TargetChanges, 'status'> = {},
): Promise<TargetRow> {
  if (!canTransition(target.status, to)) {
    throw new Error(`Post target ${target.id} cannot go from ${target.status} to ${to}`);
  }
  return updateTargetWithTransition(tx, target, { ...changes, status: to }, { from: target.status, to, reason });
}

/** Attempts that count towards PUBLISH_MAX_ATTEMPTS: those since the latest retry by a person. */
export function attemptsUsed(target: Pick<TargetRow, 'attemptCount' | 'attemptBase'>): number {
  return target.attemptCount - target.attemptBase;
}

/**
 * Delay before attempt `attemptNumber + 1`: exponential (base · 2^(n−1)) capped at the maximum, with full
 * jitter in its upper half so retries of a burst spread out; never sooner than the network's Retry-After.
 */
export function retryDelaySeconds(
  config: Pick<Config, 'PUBLISH_RETRY_BASE_SECONDS' | 'PUBLISH_RETRY_MAX_SECONDS'>,
  attemptNumber: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(config.PUBLISH_RETRY_MAX_SECONDS, config.PUBLISH_RETRY_BASE_SECONDS * 2 ** Math.max(0, attemptNumber - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.max(Math.ceil(jittered), Math.ceil(retryAfterSeconds ?? 0));
}

/** Per-network caps from PUBLISH_NETWORK_CONCURRENCY_OVERRIDES ("x=5,linkedin=10"). */
export function networkCaps(config: Pick<Config, 'PUBLISH_NETWORK_CONCURRENCY_OVERRIDES'>): Record<string, number> {
  const caps: Record<string, number> = {};
  for (const pair of config.PUBLISH_NETWORK_CONCURRENCY_OVERRIDES) {
    const [network, value] = pair.split('=');
    if (network && value) caps[network] = Number.parseInt(value, 10);
  }
  return caps;
}
