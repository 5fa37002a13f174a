import type { ConflictList, Post, ReschedulePostBody, SchedulePostBody } from '@omni/contracts/content';
import { assertCan, can, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isUuid } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, conflict, notFound } from '../../../kernel/errors.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { supersedeApprovalRequests, withdrawApprovalRequests } from '../../approvals/index.js';
import { listSchedulableConnections } from '../../social/index.js';
import { contentPermissions } from '../content.permissions.js';
import { findContentSettings, selectOccurrences, updatePostState, type PostRow } from '../content.queries.js';
import { loadPostState, type PostState } from './post-state.js';
import { postDtoOf, postSubjectType, requireAccount, setEditEffects, setPostDeletedHook, submitPostInTx, writerOf } from './posts.js';
import {
  assertNoConflicts,
  cancelOccurrencesFrom,
  findScheduleConflicts,
  moveOccurrence,
  partlyPublished,
  placementsOf,
  reviseScheduledPost,
  type SchedulingActor,
} from './scheduling.js';
import { assertValid, checkPost } from './validation.js';
import { materializeOccurrencesInTx, recurrenceChanged, replaceFutureOccurrences, scheduleInstantsOf } from './recurrence.js';

export { postSubjectType, submitPostInTx, summaryOf } from './posts.js';

/**
 * The post lifecycle (design §3.2): submit for review (an approvals request), schedule, reschedule,
 * unschedule, and what an edit does to pending approvals and to a scheduled post's targets.
 */

function actorOf(ctx: ServiceContext): SchedulingActor {
  return { ...writerOf(ctx), config: ctx.config };
}

/** The post is past review: its current revision is the approved one. */
const isApproved = (post: PostRow) => post.approvedRevision !== null && post.approvedRevision === post.currentRevision;

export async function submitPost(ctx: ServiceContext, id: string): Promise<Post> {
  assertCan(ctx, contentPermissions.write);
  const actor = actorOf(ctx);
  const post = await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, id, { accountId: actor.accountId });
    if (!can(ctx, contentPermissions.schedule) && state.post.createdBy !== actor.userId) throw new AppError('forbidden', 'auth.forbidden', 'Contributors submit only the posts they created.');
    return postDtoOf(tx, await submitPostInTx(tx, actor, id));
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = id;
  return post;
}

/**
 * Schedule a valid post at `at` in the caller's transaction: conflicts (409 unless acknowledged), one
 * occurrence and its targets, status scheduled, content.post_scheduled emitted. The caller checked who
 * may schedule and that the post's state allows it.
 */
export async function schedulePostInTx(tx: Tx, actor: SchedulingActor, state: PostState, at: Date, options: { acknowledgeConflicts: boolean }): Promise<PostState> {
  assertValid(await checkPost(tx, state), 'scheduled');
  // A series is materialized up to the horizon; each of its occurrences is checked for conflicts.
  const instants = scheduleInstantsOf(state.post, at, actor.config);
  const placements = instants.flatMap((instant) => placementsOf(state).map((placement) => ({ connectionId: placement.connectionId, network: placement.network, at: new Date(instant.getTime() + placement.offsetMinutes * 60_000) })));
  assertNoConflicts(await findScheduleConflicts(tx, { accountId: actor.accountId, config: actor.config, placements, excludePostId: state.post.id }), options.acknowledgeConflicts);
  await updatePostState(tx, state.post.id, { status: 'scheduled', reviewStage: null, plannedAt: at });
  const planned = await loadPostState(tx, state.post.id, { accountId: actor.accountId });
  await materializeOccurrencesInTx(tx, actor, planned, instants);
  await emitEvent(tx, { tenantId: actor.tenantId, type: 'content.post_scheduled', payload: { postId: state.post.id, accountId: actor.accountId, at: at.toISOString(), revision: state.post.currentRevision } });
  return loadPostState(tx, state.post.id, { accountId: actor.accountId });
}

/**
 * 403 for contributors (they submit; an editor's approval schedules); under policy `everyone` an editor
 * too needs the current revision approved (409).
 */
async function assertMaySchedule(tx: Tx, ctx: ServiceContext, state: PostState): Promise<void> {
  if (!can(ctx, contentPermissions.schedule)) {
    assertCan(ctx, contentPermissions.read);
    throw new AppError('forbidden', 'content.approval_required', 'Contributors submit posts for review; an editor’s approval schedules them.');
  }
  if (isApproved(state.post)) return;
  const settings = await findContentSettings(tx, state.post.accountId);
  if (settings.approvalPolicy === 'everyone') {
    throw new AppError('conflict', 'content.approval_required', 'This account requires every post to be approved before it is scheduled: submit it for review.');
  }
}

export async function schedulePost(ctx: ServiceContext, id: string, body: SchedulePostBody): Promise<Post> {
  requireTenant(ctx);
  const actor = actorOf(ctx);
  const post = await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, id, { accountId: actor.accountId, lock: true });
    await assertMaySchedule(tx, ctx, state);
    if (['scheduled', 'published', 'partially_published', 'failed'].includes(state.post.status)) {
      throw conflict('content.not_schedulable', `This post is already ${state.post.status.replace('_', ' ')}.`);
    }
    const at = body.at ? new Date(body.at) : state.post.plannedAt;
    if (!at) throw new AppError('unprocessable', 'content.no_time', 'Choose when to publish: the post has no planned time.', { errors: [{ path: 'body.at', message: 'is required when the post has no planned time' }] });
    // An open review of this revision is moot once an editor schedules it directly.
    await withdrawApprovalRequests(tx, { subjectType: postSubjectType, subjectId: id, reason: 'scheduled directly by an editor' });
    return postDtoOf(tx, await schedulePostInTx(tx, actor, state, at, { acknowledgeConflicts: body.acknowledgeConflicts }));
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { at: post.plannedAt };
  return post;
}

/** Move a scheduled occurrence (no new revision: approval and client links stay valid). */
export async function reschedulePost(ctx: ServiceContext, id: string, body: ReschedulePostBody): Promise<Post> {
  assertCan(ctx, contentPermissions.schedule);
  const actor = actorOf(ctx);
  const at = new Date(body.at);
  const post = await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, id, { accountId: actor.accountId, lock: true });
    if (state.post.status !== 'scheduled') throw conflict('content.not_scheduled', 'Only a scheduled post can be rescheduled.');
    const scheduled = await selectOccurrences(tx, id, { status: 'scheduled', lock: true });
    const occurrence = body.occurrenceId ? scheduled.find((candidate) => candidate.id === body.occurrenceId) : scheduled[0];
    if (!occurrence) throw notFound('Occurrence');
    const placements = placementsOf(state).map((placement) => ({ connectionId: placement.connectionId, network: placement.network, at: new Date(at.getTime() + placement.offsetMinutes * 60_000) }));
    assertNoConflicts(await findScheduleConflicts(tx, { accountId: actor.accountId, config: actor.config, placements, excludePostId: id }), body.acknowledgeConflicts);
    await moveOccurrence(tx, occurrence, at, { applyToUnpublished: body.applyToUnpublished, reason: `rescheduled from ${occurrence.occursAt.toISOString()} to ${at.toISOString()}` });
    // A series keeps its start (DTSTART): moving one of its occurrences is an exception to the rule.
    if (!state.post.recurrenceRule && (occurrence.sequence === 0 || scheduled[0]?.id === occurrence.id)) await updatePostState(tx, id, { plannedAt: at });
    return postDtoOf(tx, await loadPostState(tx, id, { accountId: actor.accountId }));
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { at: at.toISOString() };
  return post;
}

/** Cancel what has not gone out yet; the post goes back to approved (current revision approved) or draft. */
export async function unschedulePost(ctx: ServiceContext, id: string, body: { applyToUnpublished: boolean }): Promise<Post> {
  assertCan(ctx, contentPermissions.schedule);
  const actor = actorOf(ctx);
  const post = await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, id, { accountId: actor.accountId, lock: true });
    if (state.post.status !== 'scheduled') throw conflict('content.not_scheduled', 'Only a scheduled post can be unscheduled.');
    await unscheduleInTx(tx, state, { applyToUnpublished: body.applyToUnpublished, reason: 'post unscheduled' });
    return postDtoOf(tx, await loadPostState(tx, id, { accountId: actor.accountId }));
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = id;
  return post;
}

async function unscheduleInTx(tx: Tx, state: PostState, options: { applyToUnpublished: boolean; reason: string }): Promise<void> {
  const { refused } = await cancelOccurrencesFrom(tx, state, null, options.reason);
  if (refused.length > 0 && !options.applyToUnpublished) throw partlyPublished(refused);
  await updatePostState(tx, state.post.id, { status: isApproved(state.post) ? 'approved' : 'draft', reviewStage: null });
}

/** Live conflict check while dragging: what placing the post (or a new one) on a connection at `at` meets. */
export async function listConflicts(ctx: ServiceContext, query: { connectionId: string; at: string; postId?: string }): Promise<ConflictList> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => {
    const connection = (await listSchedulableConnections(tx, accountId)).find((candidate) => candidate.id === query.connectionId);
    if (!connection) throw notFound('Social connection');
    const conflicts = await findScheduleConflicts(tx, {
      accountId,
      config: ctx.config,
      placements: [{ connectionId: connection.id, network: connection.network, at: new Date(query.at) }],
      excludePostId: query.postId && isUuid(query.postId) ? query.postId : null,
    });
    return { conflicts };
  });
}

/**
 * What an edit does beyond the new revision: pending requests of older revisions are superseded (their
 * client links die). A scheduled post edited by someone who may schedule without approval keeps its
 * schedule (its still-scheduled targets revised); under policy `everyone` the edit unschedules it.
 */
setEditEffects(async (tx, ctx, before, after, options) => {
  await supersedeApprovalRequests(tx, { subjectType: postSubjectType, subjectId: after.post.id, newRevision: after.post.currentRevision, reason: `edited: revision ${after.post.currentRevision}` });
  if (before.post.status !== 'scheduled') return { unscheduled: false, note: null };
  const settings = await findContentSettings(tx, after.post.accountId);
  if (can(ctx, contentPermissions.schedule) && settings.approvalPolicy === 'contributors') {
    if (after.post.plannedAt?.getTime() !== before.post.plannedAt?.getTime()) {
      throw conflict('content.reschedule_required', 'This post is scheduled: change its time with reschedule, not in an edit.');
    }
    // A changed rule re-makes the series' future occurrences; published ones stay.
    const replaced = recurrenceChanged(before.post, after.post) ? await replaceFutureOccurrences(tx, actorOf(ctx), before, after, options) : null;
    const current = replaced ? await loadPostState(tx, after.post.id, { accountId: after.post.accountId }) : after;
    const refused = [...(replaced ?? []), ...(await reviseScheduledPost(tx, actorOf(ctx), current, { applyToUnpublished: options.applyToUnpublished, reason: `post revision ${after.post.currentRevision}` }))];
    return { unscheduled: false, note: refused.length > 0 ? `applied only to the parts not yet published (${refused.length} already out)` : null };
  }
  await unscheduleInTx(tx, after, { applyToUnpublished: options.applyToUnpublished, reason: `post revision ${after.post.currentRevision} needs approval` });
  await updatePostState(tx, after.post.id, { status: 'draft', reviewStage: null });
  return { unscheduled: true, note: 'unscheduled: the edit needs approval' };
});

setPostDeletedHook(async (tx, _ctx, state) => {
  await withdrawApprovalRequests(tx, { subjectType: postSubjectType, subjectId: state.post.id, reason: 'post deleted' });
});
