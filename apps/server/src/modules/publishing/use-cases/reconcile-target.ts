import { withTenant } from '../../../kernel/db/tenancy.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { loadPublishingConnection, reportConnectionProblem, ProviderError, type PublishResult } from '../../social/index.js';
import { scheduleDispatch, scheduleReconcile } from '../publishing.jobs.js';
import { annotateAttempt, findTarget, finishAttempt, listAttempts, updateTarget, type TargetRow } from '../publishing.queries.js';
import { attemptsUsed, transitionTarget } from '../publishing.state.js';
import { classifyFailure, markFailed, markPublished, targetEventPayload } from './outcomes.js';

export type ReconcileOutcome = 'skipped' | 'published' | 'scheduled' | 'failed' | 'waiting' | 'needs_attention' | 'retry_lookup';

/** How far before the first attempt a lookup searches (clock skew between us and the network). */
const lookupMarginMs = 5 * 60_000;

type Lookup =
  | { kind: 'found'; result: PublishResult }
  | { kind: 'absent' }
  | { kind: 'impossible'; message: string }
  | { kind: 'later'; message: string; retryAfterSeconds?: number; report?: ProviderError };

/**
 * Resolve a target whose last attempt has no known outcome: an `unconfirmed` one, or a `publishing` one
 * whose attempt has been open longer than PUBLISH_ATTEMPT_TIMEOUT_SECONDS (the worker died mid-call;
 * first turned unconfirmed). findPublished decides: found → published; absent, once the reconcile delay
 * has passed since the attempt began → scheduled for another attempt (same key); the network has no
 * lookup → stays unconfirmed with a reason for a person. Never a blind resend.
 */
export async function reconcileTarget(kernel: Kernel, tenantId: string, targetId: string, now: () => Date = () => new Date()): Promise<ReconcileOutcome> {
  const scope = { db: kernel.db, tenantId };
  const config = kernel.config;
  const prepared = await withTenant(scope, async (tx) => {
    let target = await findTarget(tx, targetId, { lock: true });
    if (!target) return null;
    const attempts = await listAttempts(tx, targetId);
    const latest = attempts[attempts.length - 1];
    if (!latest) return null;
    if (target.status === 'publishing') {
      const openFor = now().getTime() - latest.startedAt.getTime();
      if (latest.finishedAt || openFor < config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS * 1000) return null;
      const reason = `attempt ${latest.attemptNumber} did not finish within ${config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS} s (the worker stopped); looking it up instead of resending`;
      await finishAttempt(tx, { targetId, attemptNumber: latest.attemptNumber, outcome: 'unknown_outcome', errorKind: 'unknown_outcome', errorMessage: 'The worker stopped during the attempt.', finishedAt: now() });
      target = await transitionTarget(tx, target, 'unconfirmed', reason, { lastError: 'The worker stopped during the attempt.', lastErrorKind: 'unknown_outcome', nextAttemptAt: now() });
      await emitEvent(tx, { tenantId, type: 'publishing.target_unconfirmed', payload: targetEventPayload(target, 'unconfirmed') });
    } else if (target.status === 'unconfirmed') {
      // next_attempt_at of an unconfirmed target is when its lookup is due: under way from now. Should this
      // worker die before the outcome commits, the sweeper takes over PUBLISH_ATTEMPT_TIMEOUT_SECONDS later.
      target = await updateTarget(tx, targetId, { nextAttemptAt: now() });
    }
    if (target.status !== 'unconfirmed') return null;
    return { target, first: attempts[0]!, latest };
  });
  if (!prepared) return 'skipped';
  const { target, first, latest } = prepared;

  const lookup = await lookUp(kernel, tenantId, target, new Date(first.startedAt.getTime() - lookupMarginMs));
  if (lookup.kind === 'later' && lookup.report) {
    await reportConnectionProblem(kernel, tenantId, target.connectionId, lookup.report).catch((error: unknown) =>
      kernel.logger.error({ err: error, targetId, connectionId: target.connectionId }, 'could not report the connection problem'),
    );
  }

  return withTenant(scope, async (tx): Promise<ReconcileOutcome> => {
    const current = await findTarget(tx, targetId, { lock: true });
    // A lookup speaks only for the attempt it looked for: if a later attempt exists (a concurrent lookup
    // proved this one absent and it was sent again), "not found" says nothing about that one.
    if (!current || current.status !== 'unconfirmed' || current.attemptCount !== latest.attemptNumber) return 'skipped';
    const at = now();
    switch (lookup.kind) {
      case 'found':
        await annotateAttempt(tx, { targetId, attemptNumber: latest.attemptNumber, outcome: 'published', errorMessage: 'Found on the network by reconciliation.' });
        await markPublished(tx, current, lookup.result, `reconciled: attempt ${latest.attemptNumber} was published (found on ${current.network})`, at);
        return 'published';
      case 'absent': {
        const settledAt = latest.startedAt.getTime() + config.PUBLISH_RECONCILE_DELAY_SECONDS * 1000;
        if (at.getTime() < settledAt) {
          // Too early to trust "not found": the network may not show the post yet.
          await updateTarget(tx, targetId, { nextAttemptAt: new Date(settledAt) });
          await scheduleReconcile(tx, tenantId, targetId, new Date(settledAt));
          return 'waiting';
        }
        await annotateAttempt(tx, { targetId, attemptNumber: latest.attemptNumber, outcome: 'retry', errorMessage: 'Not found on the network by reconciliation.' });
        if (attemptsUsed(current) >= config.PUBLISH_MAX_ATTEMPTS) {
          await markFailed(tx, current, { kind: 'unknown_outcome', message: 'Not found on the network after the last attempt.' }, `reconciled: attempt ${latest.attemptNumber} is not on ${current.network}; no attempts left`);
          return 'failed';
        }
        await transitionTarget(tx, current, 'scheduled', `reconciled: attempt ${latest.attemptNumber} is not on ${current.network}; publishing again`, {
          nextAttemptAt: at,
          dispatchedAt: null,
          lastError: null,
          lastErrorKind: null,
        });
        await emitEvent(tx, { tenantId, type: 'publishing.target_rescheduled', payload: { ...targetEventPayload(current, 'scheduled'), scheduledAt: at.toISOString() } });
        await scheduleDispatch(tx, at);
        return 'scheduled';
      }
      case 'impossible':
        await updateTarget(tx, targetId, {
          lastError: `${lookup.message} Check ${current.network} and publish again by hand if the post is missing.`,
          lastErrorKind: 'lookup_unavailable',
          nextAttemptAt: null,
        });
        return 'needs_attention';
      case 'later': {
        const delaySeconds = Math.max(lookup.retryAfterSeconds ?? 0, config.PUBLISH_RECONCILE_DELAY_SECONDS, 60);
        const lookupAt = new Date(at.getTime() + delaySeconds * 1000);
        await updateTarget(tx, targetId, { lastError: `Could not look the post up yet: ${lookup.message}`, lastErrorKind: 'unknown_outcome', nextAttemptAt: lookupAt });
        await scheduleReconcile(tx, tenantId, targetId, lookupAt);
        return 'retry_lookup';
      }
    }
  });
}

/** Networks without a field for our key match recent posts on the text that was sent, hence the content. */
async function lookUp(kernel: Kernel, tenantId: string, target: TargetRow, since: Date): Promise<Lookup> {
  try {
    const connection = await loadPublishingConnection(kernel, tenantId, target.connectionId);
    if (connection.status !== 'active') return { kind: 'later', message: `the ${connection.network} connection needs reconnecting (${connection.status})` };
    const found = await connection.provider.findPublished(connection.credentials, target.idempotencyKey, since, target.content);
    return found ? { kind: 'found', result: found } : { kind: 'absent' };
  } catch (error) {
    const failure = classifyFailure(error, 'retryable');
    // The contract: findPublished answers `rejected` when the network offers no way to look a post up.
    if (failure.kind === 'rejected') return { kind: 'impossible', message: `The network cannot confirm whether the post was published (${failure.message}).` };
    if (failure.kind === 'disconnected') {
      return { kind: 'later', message: failure.message, report: new ProviderError('disconnected', failure.message) };
    }
    return { kind: 'later', message: failure.message, retryAfterSeconds: failure.retryAfterSeconds };
  }
}
