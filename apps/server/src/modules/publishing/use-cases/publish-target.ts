import type { Tx } from '../../../kernel/db/database.js';
import { withTenant } from '../../../kernel/db/tenancy.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { MediaReferenceError, resolveMediaReferences } from '../../media/index.js';
import { loadPublishingConnection, reportConnectionProblem, ProviderError, type PublishResult } from '../../social/index.js';
import { scheduleReconcile } from '../publishing.jobs.js';
import { annotateAttempt, lockTargetAndFinishAttempt, startAttempt, type TargetRow } from '../publishing.queries.js';
import { transitionTarget } from '../publishing.state.js';
import type { AcceptedOutcomes } from './accepted-outcomes.js';
import { acceptedReason, classifyFailure, markFailed, markPublished, retryOrFail, targetEventPayload, type ClassifiedFailure } from './outcomes.js';

export type PublishOutcome = 'skipped' | 'published' | 'scheduled' | 'failed' | 'unconfirmed' | 'superseded';

type CallResult = { ok: true; result: PublishResult } | { ok: false; failure: ClassifiedFailure; sent: boolean };

/**
 * One publish attempt, exactly once:
 * 1. under the target's row lock, scheduled and due → publishing, and an open attempt row with the
 *    target's idempotency key; committed before anything leaves the building;
 * 2. the connection is loaded (tokens refreshed) and provider.publish is called, no transaction open;
 * 3. the outcome is recorded in one transaction, if the attempt is still the open one.
 * A job that finds its target anything but scheduled and due does nothing (stale or duplicate job).
 */
export async function publishTarget(kernel: Kernel, tenantId: string, targetId: string, now: () => Date = () => new Date()): Promise<PublishOutcome> {
  // One statement under the target's row lock (startAttempt): scheduled and due → publishing, with the
  // transition and the open attempt carrying the idempotency key; committed before anything leaves the
  // building. Dispatched means it was due when claimed (whatever this worker's clock says); reschedule and
  // cancel clear the mark. Undispatched, it must be due by this clock.
  const startedAt = now();
  const started = await withTenant({ db: kernel.db, tenantId }, (tx) => startAttempt(tx, { targetId, startedAt }));
  if (!started) return 'skipped';
  return runStartedAttempt(kernel, started, now);
}

/**
 * Steps 2 and 3 of an attempt whose start (publishing + open attempt row, attempt_count = its number) is
 * committed already: by publishTarget, or by the publishing lane's claim for a batch of targets. With
 * `accepted` (the lane's), an accepted call's outcome is written together with others' (AcceptedOutcomes);
 * anything that batch did not record, and every other outcome, in the target's own transaction.
 */
export async function runStartedAttempt(
  kernel: Kernel,
  target: TargetRow,
  now: () => Date = () => new Date(),
  accepted?: AcceptedOutcomes,
): Promise<PublishOutcome> {
  const { tenantId, id: targetId } = target;
  const scope = { db: kernel.db, tenantId };
  const attemptNumber = target.attemptCount;
  const call = await callNetwork(kernel, tenantId, target);
  const finishedAt = now();
  if (call.ok && accepted && (await accepted.record({ target, attemptNumber, result: call.result, finishedAt }))) {
    kernel.logger.info({ targetId, attemptNumber, outcome: 'published', network: target.network }, 'publish attempt finished');
    return 'published';
  }
  const outcome = await withTenant(scope, async (tx): Promise<PublishOutcome> => {
    // The target's row lock, then the attempt closed if still open: one statement.
    const { target: current, closed } = await lockTargetAndFinishAttempt(tx, {
      targetId,
      attemptNumber,
      outcome: call.ok ? 'published' : outcomeOf(call.failure),
      errorKind: call.ok ? null : call.failure.kind,
      errorMessage: call.ok ? null : call.failure.message,
      finishedAt,
      // A 429 pauses the whole connection (the dispatcher holds its other targets), not just this target.
      retryNotBefore: call.ok ? null : retryNotBefore(call.failure, finishedAt),
    });
    if (!current) return 'superseded';
    if (call.ok) {
      // The network accepted the post: record it even if the sweeper already called the attempt unknown,
      // as long as no later attempt exists (then that attempt's outcome rules, and we say so loudly).
      const isLatestAttempt = current.attemptCount === attemptNumber;
      if (isLatestAttempt && (current.status === 'publishing' || current.status === 'unconfirmed')) {
        if (!closed) await annotateAttempt(tx, { targetId, attemptNumber, outcome: 'published', errorMessage: 'Accepted by the network after the attempt timed out.' });
        await markPublished(tx, current, call.result, acceptedReason(current, attemptNumber), finishedAt);
        return 'published';
      }
      kernel.logger.error({ targetId, attemptNumber, externalId: call.result.externalId, status: current.status }, 'the network accepted a superseded attempt');
      return 'superseded';
    }
    // The sweeper took over (the attempt ran past the timeout): reconciliation decides, not this worker.
    if (!closed || current.status !== 'publishing') return 'superseded';
    return recordFailure(kernel, tx, current, call.failure, call.sent, attemptNumber, finishedAt);
  });

  // disconnected flags the connection (owners told); refresh_needed makes the next load refresh first.
  if (!call.ok && (call.failure.kind === 'disconnected' || call.failure.kind === 'refresh_needed') && call.sent) {
    // The outcome is committed already: a failed report must not fail (and re-run) the job.
    await reportConnectionProblem(kernel, tenantId, target.connectionId, new ProviderError(call.failure.kind, call.failure.message)).catch((error: unknown) =>
      kernel.logger.error({ err: error, targetId, connectionId: target.connectionId }, 'could not report the connection problem'),
    );
  }
  kernel.logger.info({ targetId, attemptNumber, outcome, network: target.network }, 'publish attempt finished');
  return outcome;
}

/** The end of the pause a network asked for with a 429 (Retry-After, or X's reset time); null otherwise. */
function retryNotBefore(failure: ClassifiedFailure, finishedAt: Date): Date | null {
  if (failure.kind !== 'rate_limited' || !failure.retryAfterSeconds) return null;
  return new Date(finishedAt.getTime() + failure.retryAfterSeconds * 1000);
}

function outcomeOf(failure: ClassifiedFailure): 'retry' | 'failed' | 'unknown_outcome' {
  if (failure.kind === 'unknown_outcome') return 'unknown_outcome';
  if (failure.kind === 'rejected' || failure.kind === 'disconnected') return 'failed';
  return 'retry';
}

async function callNetwork(kernel: Kernel, tenantId: string, target: TargetRow): Promise<CallResult> {
  let connection: Awaited<ReturnType<typeof loadPublishingConnection>>;
  try {
    connection = await loadPublishingConnection(kernel, tenantId, target.connectionId);
  } catch (error) {
    // Nothing was sent yet: an unknown outcome here (say, a token refresh that timed out) is just retryable.
    const failure = classifyFailure(error, 'retryable');
    if (!(error instanceof ProviderError) && isNotFound(error)) {
      return { ok: false, sent: false, failure: { kind: 'rejected', message: 'The social connection no longer exists.' } };
    }
    return { ok: false, sent: false, failure: failure.kind === 'unknown_outcome' ? { ...failure, kind: 'retryable' } : failure };
  }
  if (connection.status !== 'active') {
    return { ok: false, sent: false, failure: { kind: 'disconnected', message: `The ${connection.network} connection needs reconnecting (${connection.status}).` } };
  }
  // omni-media:// references become short-lived signed URLs now, never earlier (design §5.5). Nothing was
  // sent yet: a deleted or foreign asset is refused for good, anything else is retried.
  let content: TargetRow['content'];
  try {
    content = await resolveMediaReferences(kernel, tenantId, target.content);
  } catch (error) {
    return { ok: false, sent: false, failure: error instanceof MediaReferenceError ? { kind: 'rejected', message: error.message } : classifyFailure(error, 'retryable') };
  }
  try {
    const result = await connection.provider.publish(connection.credentials, content, target.idempotencyKey);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, sent: true, failure: classifyFailure(error, 'unknown_outcome') };
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404;
}

async function recordFailure(
  kernel: Kernel,
  tx: Tx,
  target: TargetRow,
  failure: ClassifiedFailure,
  sent: boolean,
  attemptNumber: number,
  now: Date,
): Promise<PublishOutcome> {
  switch (failure.kind) {
    case 'retryable':
    case 'rate_limited':
    case 'refresh_needed': {
      const next = await retryOrFail(kernel, tx, target, failure, `attempt ${attemptNumber}: ${failure.kind}`, now);
      return next.status === 'failed' ? 'failed' : 'scheduled';
    }
    case 'rejected':
      await markFailed(tx, target, failure, `attempt ${attemptNumber} rejected: ${failure.message}`);
      return 'failed';
    case 'disconnected':
      await markFailed(tx, target, failure, `attempt ${attemptNumber}: the connection is disconnected: ${failure.message}`);
      return 'failed';
    case 'unknown_outcome': {
      // Sent, answer lost: never resend blindly. Look it up after the network had time to show it.
      const delaySeconds = kernel.config.PUBLISH_RECONCILE_DELAY_SECONDS;
      const lookupAt = new Date(now.getTime() + delaySeconds * 1000);
      await transitionTarget(tx, target, 'unconfirmed', `attempt ${attemptNumber}: outcome unknown (${failure.message}); looking it up in ${delaySeconds} s`, {
        lastError: failure.message,
        lastErrorKind: 'unknown_outcome',
        nextAttemptAt: lookupAt,
      });
      await emitEvent(tx, {
        tenantId: target.tenantId,
        type: 'publishing.target_unconfirmed',
        payload: { ...targetEventPayload(target, 'unconfirmed'), sent },
      });
      await scheduleReconcile(tx, target.tenantId, target.id, lookupAt);
      return 'unconfirmed';
    }
  }
}
