import type {
  ApprovalListQuery,
  ApprovalRequest,
  ApprovalRequestDetail,
  ApprovalRequestList,
  ApprovalStatus,
  DecideApprovalBody,
} from '@omni/contracts/approvals';
import { assertCan, can, effectiveAccountRole, requireActor, requireTenant } from '../../../kernel/access.js';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest, forbidden, notFound } from '../../../kernel/errors.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { approvalsPermissions } from '../approvals.permissions.js';
import { findRequest, selectComments, selectContact, selectLinksOfRequest, selectRequests, type RequestRow } from '../approvals.queries.js';
import { adminOnlyRequests, isAdminOnly, isClientReviewer, isOwnRequest, requireAccount, stagePermission, toCommentDto, toLinkDto, toRequestDto } from '../approvals.shared.js';
import { transitionRequest } from '../approvals.state.js';
import { findApprovalSubject } from '../approvals.subjects.js';
import { recordDecision } from './requests.js';

/** The inbox API: list, detail with preview, decide, withdraw. */

const statusGroups: Record<ApprovalListQuery['status'], ApprovalStatus[]> = {
  pending: ['pending'],
  decided: ['approved', 'rejected', 'changes_requested'],
  closed: ['superseded', 'withdrawn'],
  all: ['pending', 'approved', 'rejected', 'changes_requested', 'superseded', 'withdrawn'],
};

/**
 * A request of the active account the person may see; anything else (another account's, another
 * tenant's, an internal-stage request for a client reviewer) is a 404 like one that does not exist.
 */
export async function requireVisibleRequest(tx: Tx, ctx: ServiceContext, id: string, lock: boolean): Promise<RequestRow> {
  const request = isUuid(id) ? await findRequest(tx, id, { accountId: requireAccount(ctx), lock }) : null;
  if (!request || (isClientReviewer(ctx) && request.stage !== 'client')) throw notFound('Approval request');
  return request;
}

export async function listRequests(ctx: ServiceContext, query: ApprovalListQuery): Promise<ApprovalRequestList> {
  assertCan(ctx, approvalsPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  if (query.cursor !== undefined && !isUuid(query.cursor)) {
    throw badRequest('request.invalid_cursor', 'The cursor is not valid; start again from the first page.', [
      { path: 'querystring.cursor', message: 'is not a cursor returned by this list' },
    ]);
  }
  const clientOnly = isClientReviewer(ctx);
  if (clientOnly && query.stage === 'internal') return { items: [], nextCursor: null };
  const { rows, adminOnly } = await withTenantRead(ctx, async (tx) => {
    const found = await selectRequests(tx, {
      accountId,
      statuses: statusGroups[query.status],
      stage: clientOnly ? 'client' : query.stage,
      subjectType: query.subjectType,
      subjectId: query.subjectId,
      limit: query.limit,
      afterId: query.cursor ?? null,
    });
    return { rows: found, adminOnly: await adminOnlyRequests(tx, ctx, found.slice(0, query.limit)) };
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map((row) => toRequestDto(row, ctx, adminOnly.has(row.id))), nextCursor: rows.length > query.limit && last ? last.id : null };
}

export async function getRequestDetail(ctx: ServiceContext, id: string): Promise<ApprovalRequestDetail> {
  assertCan(ctx, approvalsPermissions.read);
  const tenantId = requireTenant(ctx);
  const actor = requireActor(ctx);
  const canManageLinks = can(ctx, approvalsPermissions.links);
  return withTenantRead(ctx, async (tx) => {
    const request = await requireVisibleRequest(tx, ctx, id, false);
    const subject = findApprovalSubject(request.subjectType);
    const description = subject ? await subject.describe(tx, request.subjectId) : null;
    const preview = subject && description ? await subject.render(tx, { ...ctx, tenantId }, request.subjectId, request.subjectRevision) : null;
    const comments = await selectComments(tx, { subjectType: request.subjectType, subjectId: request.subjectId, clientVisibleOnly: isClientReviewer(ctx) });
    const links = canManageLinks && request.stage === 'client' ? await selectLinksOfRequest(tx, request.id) : [];
    const adminOnly = await adminOnlyRequests(tx, ctx, [request]);
    return {
      ...toRequestDto(request, ctx, adminOnly.has(request.id)),
      preview,
      subject: description ? { title: description.title, linkPath: description.linkPath } : null,
      comments: comments.map((comment) => toCommentDto(comment, ctx)),
      links: links.map(toLinkDto),
      canManageLinks: canManageLinks && request.stage === 'client',
      canWithdraw: request.status === 'pending' && (request.requestedBy === actor.userId || can(ctx, approvalsPermissions.decide)),
    };
  });
}

/**
 * Decide a request in the app: internal stage needs approvals:decide (editors and up), client stage
 * approvals:client-decide (client reviewers and up); nobody decides their own request. The first decision
 * wins (the request row is locked; a second one gets 409 approvals.not_pending).
 */
export async function decideRequest(ctx: ServiceContext, id: string, body: DecideApprovalBody): Promise<ApprovalRequest> {
  assertCan(ctx, approvalsPermissions.read);
  requireTenant(ctx);
  const actor = requireActor(ctx);
  const decided = await withTenant(ctx, async (tx) => {
    const request = await requireVisibleRequest(tx, ctx, id, true);
    if (!can(ctx, stagePermission(request.stage))) {
      throw forbidden(
        request.stage === 'internal'
          ? 'Only editors and admins of the account decide internal reviews.'
          : 'Only client reviewers (or editors recording a client’s answer) decide client reviews.',
      );
    }
    if (isOwnRequest(request, actor.userId)) {
      throw new AppError('forbidden', 'approvals.self_approval', 'You cannot decide on your own request: someone else has to review it.');
    }
    if (effectiveAccountRole(ctx) !== 'admin' && (await isAdminOnly(tx, request))) {
      throw new AppError('forbidden', 'approvals.admin_required', 'Only admins of the account decide this review.');
    }
    const contact = await selectContact(tx, actor.userId);
    return recordDecision(tx, ctx.config, request, {
      outcome: body.outcome,
      note: body.note ? body.note : null,
      decidedBy: { kind: 'user', userId: actor.userId, name: contact?.name ?? 'Unknown', email: contact?.email ?? null },
      ip: ctx.ip || null,
      userAgent: ctx.userAgent,
    });
  });
  ctx.audit.targetType = 'approval_request';
  ctx.audit.metadata = { outcome: body.outcome, stage: decided.stage, subjectType: decided.subjectType, subjectId: decided.subjectId };
  return toRequestDto(decided, ctx);
}

/** Withdraw a pending request: its requester, or an editor. */
export async function withdrawRequest(ctx: ServiceContext, id: string): Promise<ApprovalRequest> {
  assertCan(ctx, approvalsPermissions.read);
  requireTenant(ctx);
  const actor = requireActor(ctx);
  const withdrawn = await withTenant(ctx, async (tx) => {
    const request = await requireVisibleRequest(tx, ctx, id, true);
    if (request.requestedBy !== actor.userId && !can(ctx, approvalsPermissions.decide)) {
      throw forbidden('Only the person who asked for the review, or an editor, can withdraw it.');
    }
    const withdrawn = await transitionRequest(tx, request, 'withdrawn', { supersededReason: 'withdrawn by a person' });
    // Only a person's withdrawal is an event: a subject module withdrawing its own requests already knows.
    await emitEvent(tx, {
      tenantId: request.tenantId,
      type: 'approvals.request_withdrawn',
      payload: { requestId: request.id, accountId: request.accountId, subjectType: request.subjectType, subjectId: request.subjectId, subjectRevision: request.subjectRevision, stage: request.stage, withdrawnBy: actor.userId },
    });
    return withdrawn;
  });
  ctx.audit.targetType = 'approval_request';
  return toRequestDto(withdrawn, ctx);
}
