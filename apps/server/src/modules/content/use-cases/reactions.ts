import { sql } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';
import { isAppError } from '../../../kernel/errors.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { JobContext } from '../../../kernel/jobs/jobs.js';
import { openApprovalRequest } from '../../approvals/index.js';
import { defineNotificationKind, notifyUsers } from '../../notifications/index.js';
import { getTargetStatuses } from '../../publishing/index.js';
import { findContentSettings, findOccurrence, findPost, selectOccurrences, selectPostTargets, updateOccurrence, updatePostState, type OccurrenceStatus } from '../content.queries.js';
import { loadPostState } from './post-state.js';
import { postSubjectType, schedulePostInTx, summaryOf } from './lifecycle.js';

/**
 * What content does when others report back: an approvals decision moves the post on (and schedules it
 * when it has a planned time); publishing's target events update the occurrence and, when the last one is
 * done, the post. Both run as jobs (subscribers only enqueue), idempotent, inside the tenant.
 */

export const scheduleFailedKind = defineNotificationKind('content.schedule_failed_after_approval', {
  emailByDefault: true,
  description: 'A post was approved but could not be scheduled (e.g. its connection was disconnected).',
});

export type ApprovalDecision = {
  requestId: string;
  accountId: string;
  subjectId: string;
  subjectRevision: number;
  stage: 'internal' | 'client';
  outcome: 'approved' | 'rejected' | 'changes_requested';
  decidedBy: { kind: 'user' | 'link'; userId?: string; linkId?: string; name: string };
};

export type ApprovalWithdrawal = { requestId: string; accountId: string; subjectId: string; subjectRevision: number; stage: 'internal' | 'client' };

/**
 * A person withdrew a post's pending request (its author, or an editor): the post goes back to draft, to be
 * edited and submitted again. Ignored unless that revision is still the one in review at that stage.
 */
export async function applyApprovalWithdrawal(tx: Tx, withdrawal: ApprovalWithdrawal): Promise<void> {
  const state = await loadPostState(tx, withdrawal.subjectId, { accountId: withdrawal.accountId, lock: true }).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) return null;
    throw error;
  });
  if (!state) return;
  const { post } = state;
  if (post.status !== 'in_review' || post.currentRevision !== withdrawal.subjectRevision || post.reviewStage !== withdrawal.stage) return;
  await updatePostState(tx, post.id, { status: 'draft', reviewStage: null });
}

/**
 * Apply a decision on a post's request: ignored unless the decided revision is still the current one and
 * the post is still in review. Internal approval opens the client stage when the account requires it;
 * final approval sets approved_revision and, with a planned time, schedules as the approver. A scheduling
 * failure leaves the post approved and tells the approver and the author why.
 */
export async function applyApprovalDecision(ctx: JobContext, tx: Tx, decision: ApprovalDecision): Promise<void> {
  const tenantId = ctx.tenantId!;
  const state = await loadPostState(tx, decision.subjectId, { accountId: decision.accountId, lock: true }).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) return null;
    throw error;
  });
  if (!state || state.post.currentRevision !== decision.subjectRevision || state.post.status !== 'in_review') return;
  const { post } = state;
  if (decision.outcome !== 'approved') {
    await updatePostState(tx, post.id, { status: decision.outcome, reviewStage: null });
    return;
  }
  const settings = await findContentSettings(tx, post.accountId);
  if (decision.stage === 'internal' && settings.clientApprovalRequired) {
    await openApprovalRequest(tx, {
      config: ctx.config,
      tenantId,
      accountId: post.accountId,
      subjectType: postSubjectType,
      subjectId: post.id,
      subjectRevision: post.currentRevision,
      stage: 'client',
      summary: summaryOf(post),
      requestedBy: decision.decidedBy.userId ?? null,
    });
    await updatePostState(tx, post.id, { reviewStage: 'client' });
    return;
  }
  await updatePostState(tx, post.id, { status: 'approved', reviewStage: null, approvedRevision: post.currentRevision });
  if (!post.plannedAt) return;
  const approverId = decision.decidedBy.kind === 'user' ? (decision.decidedBy.userId ?? null) : null;
  const approved = await loadPostState(tx, post.id, { accountId: post.accountId });
  await tx.execute(sql`SAVEPOINT content_schedule_after_approval`);
  try {
    await schedulePostInTx(tx, { tenantId, accountId: post.accountId, userId: approverId, config: ctx.config }, approved, post.plannedAt, { acknowledgeConflicts: true });
    await tx.execute(sql`RELEASE SAVEPOINT content_schedule_after_approval`);
  } catch (error) {
    if (!isAppError(error)) throw error;
    await tx.execute(sql`ROLLBACK TO SAVEPOINT content_schedule_after_approval`);
    await notifyUsers(tx, {
      config: ctx.config,
      tenantId,
      accountId: post.accountId,
      userIds: [approverId, post.createdBy].filter((id): id is string => Boolean(id)),
      kind: scheduleFailedKind.kind,
      title: `Approved but not scheduled: ${summaryOf(post)}`,
      body: `The post was approved but could not be scheduled for ${post.plannedAt.toISOString()}: ${error.message}`,
      linkPath: `/content/posts/${post.id}`,
      subject: { type: postSubjectType, id: post.id },
      actorUserId: approverId,
    });
  }
}

/**
 * An occurrence's status from its targets' authoritative statuses: all published → published; some
 * published, the others failed/late → partially_published; none published and all failed/late → failed;
 * any unconfirmed → needs_attention; otherwise (still scheduled or publishing) scheduled. Cancelled
 * targets are left out.
 */
export function deriveOccurrenceStatus(statuses: string[]): OccurrenceStatus {
  const live = statuses.filter((status) => status !== 'cancelled');
  if (live.length === 0) return 'cancelled';
  if (live.includes('unconfirmed')) return 'needs_attention';
  if (live.some((status) => status === 'scheduled' || status === 'publishing')) return 'scheduled';
  const published = live.filter((status) => status === 'published').length;
  if (published === live.length) return 'published';
  return published > 0 ? 'partially_published' : 'failed';
}

const terminal = new Set<OccurrenceStatus>(['published', 'partially_published', 'failed', 'cancelled']);

/** Re-read the occurrence's targets, update its status and, once every occurrence is done, the post's. */
export async function syncOccurrenceStatus(ctx: JobContext, tx: Tx, occurrenceId: string): Promise<void> {
  const occurrence = await findOccurrence(tx, occurrenceId, { lock: true });
  if (!occurrence || occurrence.status === 'cancelled') return;
  const targets = await selectPostTargets(tx, { occurrenceIds: [occurrenceId] });
  const statuses = await getTargetStatuses(tx, targets.map((target) => target.targetId));
  const status = deriveOccurrenceStatus(statuses.map((target) => target.status));
  if (status !== occurrence.status) await updateOccurrence(tx, occurrenceId, { status });
  const post = await findPost(tx, occurrence.postId, { lock: true });
  if (!post || post.status !== 'scheduled' || post.recurrenceRule) return;
  const occurrences = await selectOccurrences(tx, occurrence.postId);
  const live = occurrences.filter((candidate) => candidate.status !== 'cancelled');
  if (live.length === 0 || !live.every((candidate) => terminal.has(candidate.status))) return;
  const last = live[live.length - 1]!;
  const postStatus = last.status === 'published' ? 'published' : last.status === 'partially_published' ? 'partially_published' : 'failed';
  await updatePostState(tx, occurrence.postId, { status: postStatus });
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    type: postStatus === 'failed' ? 'content.post_failed' : 'content.post_published',
    payload: { postId: occurrence.postId, accountId: post.accountId, status: postStatus, occurrenceId },
  });
}
