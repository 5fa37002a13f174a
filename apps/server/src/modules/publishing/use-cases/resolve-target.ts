import { randomUUID } from 'node:crypto';
import type { PublishTarget, PublishTargetStatus, ResolvePublishTargetBody, RetryPublishTargetBody } from '@omni/contracts/publishing';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant } from '../../../kernel/db/tenancy.js';
import { AppError } from '../../../kernel/errors.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { checkSchedulingConnection } from '../../social/index.js';
import { cancelReconcile, scheduleDispatch } from '../publishing.jobs.js';
import { publishingPermissions } from '../publishing.permissions.js';
import { annotateAttempt, findPersonEmail, listAttempts, type TargetChanges, type TargetRow } from '../publishing.queries.js';
import { transitionTarget } from '../publishing.state.js';
import { markFailed, markPublished, targetEventPayload } from './outcomes.js';
import { assertNotPast, assertSchedulable, getTargetRow, toTargetDto } from './targets.js';

/**
 * People settle what the engine cannot: an unconfirmed post (the network's answer was lost and it offers
 * no lookup, or the lookup keeps failing) is resolved by someone who looked on the network, and a failed
 * or late post is retried on request. Every decision is a transition whose reason names who decided.
 */

function assertStatus(target: TargetRow, allowed: PublishTargetStatus[], code: string, message: string): void {
  if (!allowed.includes(target.status)) {
    throw new AppError('conflict', code, `${message} This one is ${target.status}.`, { currentStatus: target.status });
  }
}

/** "jane@example.com", or the user id when the directory has no email (never empty). */
async function describeActor(tx: Tx, ctx: ServiceContext): Promise<string> {
  const actor = requireActor(ctx);
  return (await findPersonEmail(tx, actor.userId)) ?? `user ${actor.userId}`;
}

const withNote = (reason: string, note: string | undefined) => (note ? `${reason} (note: ${note})` : reason);

/**
 * Back to scheduled because a person said so, due at `at`: only on a connection that can still publish,
 * with a fresh attempt budget (attempt_base) and the dispatcher woken for it; publishing.target_rescheduled.
 */
async function scheduleByPerson(tx: Tx, target: TargetRow, reason: string, at: Date, changes: Pick<TargetChanges, 'idempotencyKey' | 'scheduledAt'>): Promise<TargetRow> {
  assertSchedulable(await checkSchedulingConnection(tx, { accountId: target.accountId, connectionId: target.connectionId }));
  const scheduled = await transitionTarget(tx, target, 'scheduled', reason, {
    ...changes,
    attemptBase: target.attemptCount,
    nextAttemptAt: at,
    dispatchedAt: null,
    lastError: null,
    lastErrorKind: null,
  });
  await scheduleDispatch(tx, at);
  await emitEvent(tx, { tenantId: target.tenantId, type: 'publishing.target_rescheduled', payload: { ...targetEventPayload(target, 'scheduled'), scheduledAt: at.toISOString() } });
  return scheduled;
}

/**
 * A person's verdict on an unconfirmed target:
 * - published → published with the id and address they give (metrics collected when the id is known);
 * - not_published + retry → scheduled now with a new idempotency key (a new attempt; the old key may be
 *   remembered by the network for a post the person says is not there) and a fresh attempt budget;
 * - not_published + fail → failed.
 * The pending lookup job is dropped; the latest attempt is annotated with the verdict.
 */
export async function resolveTarget(ctx: ServiceContext, id: string, body: ResolvePublishTargetBody): Promise<PublishTarget> {
  assertCan(ctx, publishingPermissions.publish);
  requireTenant(ctx);
  const resolved = await withTenant(ctx, async (tx) => {
    const target = await getTargetRow(tx, ctx, id, true);
    assertStatus(target, ['unconfirmed'], 'publishing.not_unconfirmed', 'Only an unconfirmed post can be resolved.');
    const who = await describeActor(tx, ctx);
    const latest = (await listAttempts(tx, id)).at(-1);
    const now = new Date();
    await cancelReconcile(tx, id);

    if (body.outcome === 'published') {
      const where = body.url ?? body.externalId ?? 'no link given';
      if (latest) await annotateAttempt(tx, { targetId: id, attemptNumber: latest.attemptNumber, outcome: 'published', errorMessage: `Confirmed published by ${who}.` });
      return markPublished(tx, target, { externalId: body.externalId ?? null, url: body.url ?? null }, withNote(`resolved by ${who}: published, ${where}`, body.note), now);
    }

    if (latest) await annotateAttempt(tx, { targetId: id, attemptNumber: latest.attemptNumber, outcome: body.action === 'retry' ? 'retry' : 'failed', errorMessage: `Confirmed not published by ${who}.` });
    if (body.action === 'fail') {
      return markFailed(tx, target, { kind: 'not_published', message: `Not published (confirmed by ${who}).` }, withNote(`resolved by ${who}: not published, marked failed`, body.note));
    }
    return scheduleByPerson(tx, target, withNote(`resolved by ${who}: not published, publishing again now with a new idempotency key`, body.note), now, {
      idempotencyKey: `omni-${randomUUID()}`,
    });
  });
  ctx.audit.targetType = 'publish_target';
  ctx.audit.targetId = resolved.id;
  ctx.audit.metadata = body.outcome === 'published' ? { outcome: body.outcome, externalId: body.externalId ?? null, url: body.url ?? null } : { outcome: body.outcome, action: body.action };
  return toTargetDto(resolved);
}

/**
 * Retry a failed or late target, now or at `scheduledAt`: scheduled again with a fresh attempt budget and
 * the same idempotency key (nothing was published under it, and a network that remembers keys would
 * refuse a double). The connection must still be able to publish.
 */
export async function retryTarget(ctx: ServiceContext, id: string, body: RetryPublishTargetBody): Promise<PublishTarget> {
  assertCan(ctx, publishingPermissions.publish);
  requireTenant(ctx);
  const now = new Date();
  const at = body.scheduledAt ? new Date(body.scheduledAt) : now;
  const retried = await withTenant(ctx, async (tx) => {
    const target = await getTargetRow(tx, ctx, id, true);
    assertStatus(target, ['failed', 'late'], 'publishing.not_retryable', 'Only a failed or late post can be retried.');
    assertNotPast(at);
    const who = await describeActor(tx, ctx);
    const when = body.scheduledAt ? `at ${at.toISOString()}` : 'now';
    return scheduleByPerson(tx, target, `retried by ${who}: ${target.status} → publishing ${when}`, at, {
      // A never-attempted (late) post keeps its history honest: its time becomes the new one.
      scheduledAt: target.attemptCount === 0 || body.scheduledAt ? at : undefined,
    });
  });
  ctx.audit.targetType = 'publish_target';
  ctx.audit.targetId = retried.id;
  ctx.audit.metadata = { scheduledAt: at.toISOString() };
  return toTargetDto(retried);
}
