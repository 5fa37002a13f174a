import type { ApprovalComment, ApprovalDecision, ApprovalLink, ApprovalLinkStatus, ApprovalRequest, ApprovalStage } from '@omni/contracts/approvals';
import { AppError } from '../../kernel/errors.js';
import { can, effectiveAccountRole } from '../../kernel/access.js';
import type { RequestContext } from '../../kernel/context.js';
import type { Tx } from '../../kernel/db/database.js';
import type { ServiceContext } from '../../kernel/module.js';
import { defineNotificationKind } from '../notifications/index.js';
import { approvalsPermissions } from './approvals.permissions.js';
import { findApprovalSubject } from './approvals.subjects.js';
import type { CommentRow, DecisionRow, LinkRow, RequestRow } from './approvals.queries.js';

/** Helpers shared by the approvals use cases: notification kinds, access rules, DTOs. */

export const reviewRequestedKind = defineNotificationKind('approvals.review_requested', {
  emailByDefault: true,
  description: 'Something waits for your review (internal review, or client review for client reviewers).',
}).kind;
export const decidedKind = defineNotificationKind('approvals.decided', {
  emailByDefault: true,
  description: 'Something you submitted or wrote was approved, rejected, or needs changes.',
}).kind;
export const commentAddedKind = defineNotificationKind('approvals.comment_added', {
  emailByDefault: true,
  description: 'Someone commented on something you wrote, submitted or commented on.',
}).kind;

export function requireAccount(ctx: ServiceContext): string {
  if (!ctx.accountId) throw new AppError('forbidden', 'account.none_active', 'Choose an account first: approvals belong to an account.');
  return ctx.accountId;
}

/** People whose role in the account is exactly client see client-stage requests only. */
export function isClientReviewer(ctx: RequestContext): boolean {
  return effectiveAccountRole(ctx) === 'client';
}

export function stagePermission(stage: ApprovalStage): string {
  return stage === 'internal' ? approvalsPermissions.decide : approvalsPermissions.clientDecide;
}

/** Whether this is the person's own request and its subject type wants someone else to decide it. */
export function isOwnRequest(request: RequestRow, userId: string | undefined): boolean {
  return request.requestedBy === userId && !findApprovalSubject(request.subjectType)?.selfApproval;
}

/**
 * Whether the signed-in person may decide the request now: right stage permission, not their own unless
 * the subject allows it, and an admin where the subject asks for one (deciderRole, looked up by the caller:
 * see adminOnlyRequests).
 */
export function canDecide(ctx: RequestContext, request: RequestRow, adminOnly = false): boolean {
  return (
    request.status === 'pending' &&
    can(ctx, stagePermission(request.stage)) &&
    !isOwnRequest(request, ctx.actor?.userId) &&
    !(adminOnly && effectiveAccountRole(ctx) !== 'admin')
  );
}

/** Whether the subject of an internal-stage request wants an account admin to decide it (subject deciderRole). */
export async function isAdminOnly(tx: Tx, request: RequestRow): Promise<boolean> {
  if (request.stage !== 'internal') return false;
  return (await findApprovalSubject(request.subjectType)?.deciderRole?.(tx, request.subjectId)) === 'admin';
}

/**
 * The ids of the pending requests (of those given) that only an account admin may decide: looked up only
 * for a person who is not an admin, and only for subjects with a deciderRole.
 */
export async function adminOnlyRequests(tx: Tx, ctx: RequestContext, requests: RequestRow[]): Promise<Set<string>> {
  const ids = new Set<string>();
  if (effectiveAccountRole(ctx) === 'admin') return ids;
  for (const request of requests) {
    if (request.status === 'pending' && (await isAdminOnly(tx, request))) ids.add(request.id);
  }
  return ids;
}

export const outcomeWords: Record<ApprovalDecision['outcome'], string> = {
  approved: 'approved',
  rejected: 'rejected',
  changes_requested: 'asked for changes to',
};

export function toDecisionDto(decision: DecisionRow): ApprovalDecision {
  return {
    id: decision.id,
    outcome: decision.outcome,
    note: decision.note,
    via: decision.decidedViaLinkId ? 'link' : 'user',
    deciderName: decision.deciderName,
    deciderEmail: decision.deciderEmail,
    userId: decision.decidedByUserId,
    linkId: decision.decidedViaLinkId,
    decidedAt: decision.decidedAt.toISOString(),
  };
}

export function toRequestDto(request: RequestRow, ctx: RequestContext | null, adminOnly = false): ApprovalRequest {
  return {
    id: request.id,
    accountId: request.accountId,
    subjectType: request.subjectType,
    subjectId: request.subjectId,
    subjectRevision: request.subjectRevision,
    stage: request.stage,
    status: request.status,
    summary: request.summary,
    requestedBy: request.requestedBy ? { userId: request.requestedBy, name: request.requesterName ?? '' } : null,
    requestedAt: request.requestedAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    supersededReason: request.supersededReason,
    decision: request.decision ? toDecisionDto(request.decision) : null,
    canDecide: ctx ? canDecide(ctx, request, adminOnly) : false,
  };
}

/** What a link is now, from its own state and its request's (revoked and superseded win over expired). */
export function linkStatus(link: LinkRow, now = new Date()): ApprovalLinkStatus {
  if (link.revokedAt) return 'revoked';
  if (link.requestStatus === 'superseded') return 'superseded';
  if (link.requestStatus === 'withdrawn') return 'withdrawn';
  if (link.requestStatus !== 'pending') return 'decided';
  if (link.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toLinkDto(link: LinkRow): ApprovalLink {
  return {
    id: link.id,
    requestId: link.requestId,
    recipientName: link.recipientName,
    recipientEmail: link.recipientEmail,
    status: linkStatus(link),
    createdBy: link.createdBy ? { userId: link.createdBy, name: link.creatorName ?? '' } : null,
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
    lastOpenedAt: link.lastOpenedAt?.toISOString() ?? null,
    openCount: link.openCount,
  };
}

export function toCommentDto(comment: CommentRow, ctx: RequestContext | null): ApprovalComment {
  const userId = ctx?.actor?.userId;
  return {
    id: comment.id,
    subjectType: comment.subjectType,
    subjectId: comment.subjectId,
    subjectRevision: comment.subjectRevision,
    requestId: comment.requestId,
    authorName: comment.authorName,
    authorUserId: comment.authorUserId,
    viaLink: comment.viaLinkId !== null,
    body: comment.body,
    createdAt: comment.createdAt.toISOString(),
    canDelete: Boolean(ctx && userId && (comment.authorUserId === userId || can(ctx, approvalsPermissions.decide))),
  };
}
