import type { Tx } from '../../../kernel/db/database.js';
import { emitEvent, emitEvents } from '../../../kernel/events/events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { ProviderError, type ProviderErrorKind, type PublishResult } from '../../social/index.js';
import { firstMetricsDueAt, scheduleDispatch } from '../publishing.jobs.js';
import { publishAcceptedAttempts, type TargetRow, type TargetStatus } from '../publishing.queries.js';
import { attemptsUsed, retryDelaySeconds, transitionTarget } from '../publishing.state.js';

/** A failure as the engine sees it: the provider's classification, or unknown_outcome for anything else. */
export type ClassifiedFailure = { kind: ProviderErrorKind; message: string; retryAfterSeconds?: number };

const messageLimit = 1000;

/**
 * A ProviderError keeps its kind. Anything else thrown around a network call is a bug or a broken
 * connection we cannot see into: the request may have gone out, so it counts as unknown_outcome there.
 */
export function classifyFailure(error: unknown, fallbackKind: ProviderErrorKind): ClassifiedFailure {
  if (error instanceof ProviderError) {
    return { kind: error.kind, message: error.message.slice(0, messageLimit), retryAfterSeconds: error.details.retryAfterSeconds };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: fallbackKind, message: message.slice(0, messageLimit) };
}

/**
 * What every publishing event carries (content's status sync re-reads the authoritative statuses anyway):
 * the target, its account, connection and network, and the status it has now.
 */
export function targetEventPayload(target: Pick<TargetRow, 'id' | 'accountId' | 'connectionId' | 'network'>, status: TargetStatus): Record<string, unknown> {
  return { targetId: target.id, accountId: target.accountId, connectionId: target.connectionId, network: target.network, status };
}

/**
 * published, in the caller's transaction: the network's ids, the event, and when the first engagement
 * snapshot is due (metrics_due_at, in the same update: publishing.queue-metrics queues the jobs in batches,
 * so a burst of posts adds no job per post here). A person confirming a post may not know its id
 * (externalId null): metrics collection then skips it.
 */
export async function markPublished(
  tx: Tx,
  target: TargetRow,
  result: Omit<PublishResult, 'externalId'> & { externalId: string | null },
  reason: string,
  now: Date,
): Promise<TargetRow> {
  const published = await transitionTarget(tx, target, 'published', reason, {
    externalId: result.externalId,
    externalUrl: result.url,
    publishedAt: now,
    metricsDueAt: firstMetricsDueAt(now),
    nextAttemptAt: null,
    dispatchedAt: null,
    lastError: null,
    lastErrorKind: null,
  });
  await emitEvent(tx, {
    tenantId: target.tenantId,
    type: 'publishing.target_published',
    payload: { ...targetEventPayload(target, 'published'), externalId: result.externalId },
  });
  return published;
}

/** An attempt whose network call returned the post, waiting for its outcome to be recorded. */
export type AcceptedCall = { target: TargetRow; attemptNumber: number; result: PublishResult; finishedAt: Date };

/**
 * markPublished for many accepted attempts at once, of any tenants, in the caller's transaction (system
 * access): the targets still publishing on those attempts, each attempt still open, are published with
 * their transitions (publishing → published, as transitionTarget allows) in one statement, and their
 * events in another. Returns the ids published; the others were left untouched, for the caller to record
 * one by one (runStartedAttempt's own transaction decides what they are).
 */
export async function markAcceptedPublished(tx: Tx, accepted: AcceptedCall[]): Promise<Set<string>> {
  const published = await publishAcceptedAttempts(
    tx,
    accepted.map(({ target, attemptNumber, result, finishedAt }) => ({
      targetId: target.id,
      attemptNumber,
      finishedAt,
      externalId: result.externalId,
      externalUrl: result.url,
      metricsDueAt: firstMetricsDueAt(finishedAt),
      reason: acceptedReason(target, attemptNumber),
    })),
  );
  await emitEvents(
    tx,
    published.map((target) => ({
      tenantId: target.tenantId,
      type: 'publishing.target_published',
      payload: { ...targetEventPayload(target, 'published'), externalId: target.externalId },
    })),
  );
  return new Set(published.map((target) => target.id));
}

/** The reason recorded with publishing → published when the network accepted an attempt. */
export function acceptedReason(target: Pick<TargetRow, 'network'>, attemptNumber: number): string {
  return `attempt ${attemptNumber} accepted by ${target.network}`;
}

/** failed, in the caller's transaction; kind 'not_published' is a person's verdict on an unconfirmed post. */
export async function markFailed(
  tx: Tx,
  target: TargetRow,
  failure: { kind: ProviderErrorKind | 'not_published'; message: string },
  reason: string,
): Promise<TargetRow> {
  const failed = await transitionTarget(tx, target, 'failed', reason, {
    nextAttemptAt: null,
    dispatchedAt: null,
    lastError: failure.message,
    lastErrorKind: failure.kind,
  });
  await emitEvent(tx, {
    tenantId: target.tenantId,
    type: 'publishing.target_failed',
    payload: { ...targetEventPayload(target, 'failed'), errorKind: failure.kind },
  });
  return failed;
}

/** late (missed by more than the account's allowance), in the caller's transaction, with its event. */
export async function markLate(tx: Tx, target: TargetRow, reason: string): Promise<TargetRow> {
  const late = await transitionTarget(tx, target, 'late', reason, { nextAttemptAt: null, dispatchedAt: null });
  await emitEvent(tx, { tenantId: target.tenantId, type: 'publishing.target_late', payload: targetEventPayload(target, 'late') });
  return late;
}

/**
 * Back to scheduled after backoff, or failed once the attempts are used up. `attemptNumber` is the
 * attempt that just ended (the target's attempt_count).
 */
export async function retryOrFail(kernel: Kernel, tx: Tx, target: TargetRow, failure: ClassifiedFailure, reasonPrefix: string, now: Date): Promise<TargetRow> {
  const attempts = target.attemptCount;
  if (attemptsUsed(target) >= kernel.config.PUBLISH_MAX_ATTEMPTS) {
    return markFailed(tx, target, failure, `${reasonPrefix}; gave up after ${attempts} attempts: ${failure.message}`);
  }
  const delay = retryDelaySeconds(kernel.config, attemptsUsed(target), failure.retryAfterSeconds);
  const nextAttemptAt = new Date(now.getTime() + delay * 1000);
  const scheduled = await transitionTarget(tx, target, 'scheduled', `${reasonPrefix}; retry ${attempts + 1} in ${delay} s: ${failure.message}`, {
    nextAttemptAt,
    dispatchedAt: null,
    lastError: failure.message,
    lastErrorKind: failure.kind,
  });
  await scheduleDispatch(tx, nextAttemptAt);
  return scheduled;
}
