import type { ApprovalComment, ApprovalCommentList, ApprovalCommentListQuery, CreateApprovalCommentBody } from '@omni/contracts/approvals';
import { assertCan, can, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Config } from '../../../kernel/config.js';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { forbidden, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { notifyUsers } from '../../notifications/index.js';
import { approvalsPermissions } from '../approvals.permissions.js';
import {
  findComment,
  insertComment,
  selectCommenterIds,
  selectComments,
  selectContact,
  selectRequestsOfSubject,
  softDeleteComment,
  type CommentRow,
  type RequestRow,
} from '../approvals.queries.js';
import { commentAddedKind, isClientReviewer, requireAccount, toCommentDto } from '../approvals.shared.js';
import { findApprovalSubject, type ApprovalSubjectDescription } from '../approvals.subjects.js';

/**
 * Comments belong to the subject (they outlive requests) and record the revision they were written on.
 * Client reviewers — in the app or through a link — see only client-visible comments (written through a
 * link or under a client-stage request), so internal discussion stays internal.
 */

type SubjectInAccount = { description: ApprovalSubjectDescription; requests: RequestRow[] };

/** The subject, if it belongs to the active account and the person may see it; else 404. */
async function requireVisibleSubject(tx: Tx, ctx: ServiceContext, subjectType: string, subjectId: string): Promise<SubjectInAccount> {
  const accountId = requireAccount(ctx);
  const subject = findApprovalSubject(subjectType);
  const description = subject && isUuid(subjectId) ? await subject.describe(tx, subjectId) : null;
  if (!description || description.accountId !== accountId) throw notFound('Approval subject');
  const requests = await selectRequestsOfSubject(tx, { subjectType, subjectId });
  if (isClientReviewer(ctx) && !requests.some((request) => request.stage === 'client')) throw notFound('Approval subject');
  return { description, requests };
}

export async function listComments(ctx: ServiceContext, query: ApprovalCommentListQuery): Promise<ApprovalCommentList> {
  assertCan(ctx, approvalsPermissions.read);
  requireTenant(ctx);
  return withTenantRead(ctx, async (tx) => {
    await requireVisibleSubject(tx, ctx, query.subjectType, query.subjectId);
    const rows = await selectComments(tx, { subjectType: query.subjectType, subjectId: query.subjectId, clientVisibleOnly: isClientReviewer(ctx) });
    return { items: rows.map((row) => toCommentDto(row, ctx)) };
  });
}

type CommentAuthor = { kind: 'user'; userId: string; name: string } | { kind: 'link'; linkId: string; name: string };

/**
 * Add a comment in the caller's transaction and tell the subject's author, its requesters and earlier
 * commenters (not the writer). `request`: the request it is written under (a link's); default the most
 * recent pending request of the subject, if any.
 */
export async function addComment(
  tx: Tx,
  config: Pick<Config, 'PUBLIC_URL' | 'PORT'>,
  input: { tenantId: string; subjectType: string; subjectId: string; author: CommentAuthor; body: string; request?: RequestRow; known?: SubjectInAccount },
): Promise<CommentRow> {
  const description = input.known?.description ?? (await findApprovalSubject(input.subjectType)?.describe(tx, input.subjectId)) ?? null;
  const requests = input.known?.requests ?? (await selectRequestsOfSubject(tx, { subjectType: input.subjectType, subjectId: input.subjectId }));
  const request = input.request ?? requests.find((candidate) => candidate.status === 'pending') ?? null;
  const revision = description?.currentRevision ?? requests[0]?.subjectRevision ?? request?.subjectRevision ?? 1;
  const earlierCommenters = await selectCommenterIds(tx, { subjectType: input.subjectType, subjectId: input.subjectId });
  const comment = await insertComment(tx, {
    tenantId: input.tenantId,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    subjectRevision: revision,
    requestId: request?.id ?? null,
    authorUserId: input.author.kind === 'user' ? input.author.userId : null,
    viaLinkId: input.author.kind === 'link' ? input.author.linkId : null,
    authorName: input.author.name.slice(0, 200),
    body: input.body,
  });
  const writer = input.author.kind === 'user' ? input.author.userId : null;
  const recipients = [description?.authorUserId ?? null, ...requests.map((candidate) => candidate.requestedBy), ...earlierCommenters].filter(
    (userId): userId is string => userId !== null && userId !== writer,
  );
  const title = description?.title ?? request?.summary ?? requests[0]?.summary ?? input.subjectType;
  const via = input.author.kind === 'link' ? ' (client link)' : '';
  await notifyUsers(tx, {
    config,
    tenantId: input.tenantId,
    accountId: description?.accountId ?? request?.accountId ?? null,
    userIds: recipients,
    kind: commentAddedKind,
    title: `${input.author.name}${via} commented on “${title}”`,
    body: input.body,
    linkPath: request ? `/approvals/${request.id}` : (description?.linkPath ?? '/approvals'),
    subject: { type: input.subjectType, id: input.subjectId },
    actorUserId: writer,
  });
  return comment;
}

export async function createComment(ctx: ServiceContext, body: CreateApprovalCommentBody): Promise<ApprovalComment> {
  assertCan(ctx, approvalsPermissions.comment);
  const tenantId = requireTenant(ctx);
  const actor = requireActor(ctx);
  const comment = await withTenant(ctx, async (tx) => {
    const known = await requireVisibleSubject(tx, ctx, body.subjectType, body.subjectId);
    const contact = await selectContact(tx, actor.userId);
    // A client reviewer comments under the client stage, so the comment stays visible to clients.
    const request = isClientReviewer(ctx) ? known.requests.find((candidate) => candidate.stage === 'client') : undefined;
    return addComment(tx, ctx.config, {
      tenantId,
      subjectType: body.subjectType,
      subjectId: body.subjectId,
      author: { kind: 'user', userId: actor.userId, name: contact?.name ?? 'Unknown' },
      body: body.body,
      request,
      known,
    });
  });
  ctx.audit.targetType = 'approval_comment';
  ctx.audit.targetId = comment.id;
  ctx.audit.metadata = { subjectType: body.subjectType, subjectId: body.subjectId };
  return toCommentDto(comment, ctx);
}

/** Soft-delete a comment: its author, or an editor. */
export async function deleteComment(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, approvalsPermissions.comment);
  requireTenant(ctx);
  const actor = requireActor(ctx);
  await withTenant(ctx, async (tx) => {
    const comment = isUuid(id) ? await findComment(tx, id) : null;
    if (!comment) throw notFound('Comment');
    await requireVisibleSubject(tx, ctx, comment.subjectType, comment.subjectId);
    if (isClientReviewer(ctx) && comment.requestStage !== 'client' && comment.viaLinkId === null) throw notFound('Comment');
    if (comment.authorUserId !== actor.userId && !can(ctx, approvalsPermissions.decide)) throw forbidden('Only its author or an editor can delete a comment.');
    await softDeleteComment(tx, comment.id);
  });
  ctx.audit.targetType = 'approval_comment';
}
