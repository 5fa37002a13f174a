import { createHash } from 'node:crypto';
import type {
  ApprovalLinkList,
  CreateApprovalLinkBody,
  CreatedApprovalLink,
  PublicApproval,
  PublicCommentBody,
  PublicDecisionBody,
  ApprovalComment,
} from '@omni/contracts/approvals';
import { createApprovalLinkBodySchema } from '@omni/contracts/approvals';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import { generateToken } from '../../../kernel/crypto/tokens.js';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { withSystemAccessRead, withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, notFound } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { queueMail } from '../../../kernel/mail/mail.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getTenantPublicProfile } from '../../tenancy/index.js';
import { approvalsPermissions } from '../approvals.permissions.js';
import {
  findLink,
  findRequest,
  insertLink,
  recordLinkOpened,
  revokeLinkRow,
  selectComments,
  selectLinksOfRequest,
  selectLinkTenantByTokenHash,
  type LinkRow,
  type RequestRow,
} from '../approvals.queries.js';
import { linkStatus, requireAccount, toCommentDto, toDecisionDto, toLinkDto } from '../approvals.shared.js';
import { findApprovalSubject } from '../approvals.subjects.js';
import { addComment } from './comments.js';
import { requireVisibleRequest } from './inbox.js';
import { recordDecision } from './requests.js';
import { publicBaseUrl } from '../../notifications/index.js';
import { escapeHtml } from '../../../kernel/mail/html.js';

/**
 * Client approval links (design §8.2): a 256-bit random token, of which only the SHA-256 is stored, bound
 * to one request (so to one revision), expiring and revocable. The public routes resolve the tenant from
 * the link under a named system-access read, then work inside that tenant.
 */

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

// ------------------------------------------------------------------------------------------ in the app

export async function createLink(ctx: ServiceContext, requestId: string, input: CreateApprovalLinkBody): Promise<CreatedApprovalLink> {
  assertCan(ctx, approvalsPermissions.links);
  const tenantId = requireTenant(ctx);
  const actor = requireActor(ctx);
  const body = createApprovalLinkBodySchema.parse(input);
  const days = body.expiresInDays ?? Math.min(ctx.config.APPROVAL_LINK_DEFAULT_DAYS, ctx.config.APPROVAL_LINK_MAX_DAYS);
  if (days > ctx.config.APPROVAL_LINK_MAX_DAYS) {
    throw new AppError('unprocessable', 'approvals.link_too_long', `Client links last at most ${ctx.config.APPROVAL_LINK_MAX_DAYS} days here.`, {
      errors: [{ path: 'body.expiresInDays', message: `must be at most ${ctx.config.APPROVAL_LINK_MAX_DAYS}` }],
    });
  }
  if (body.sendEmail && !body.recipientEmail) {
    throw new AppError('unprocessable', 'approvals.email_required', 'Give the recipient’s email address to send the link by email.', {
      errors: [{ path: 'body.recipientEmail', message: 'is needed to send the link by email' }],
    });
  }
  const token = generateToken(32);
  const url = `${publicBaseUrl(ctx.config)}/approve/${token}`;
  const link = await withTenant(ctx, async (tx) => {
    const request = await requireVisibleRequest(tx, ctx, requestId, true);
    if (request.status !== 'pending') {
      throw new AppError('conflict', 'approvals.not_pending', 'Links can only be made for a request that is still pending.', { currentStatus: request.status });
    }
    if (request.stage !== 'client') {
      throw new AppError('conflict', 'approvals.not_client_stage', 'Client links are for requests in client review; this one is in internal review.');
    }
    const created = await insertLink(tx, {
      tenantId,
      requestId: request.id,
      tokenHash: hashToken(token),
      recipientName: body.recipientName,
      recipientEmail: body.recipientEmail ?? null,
      createdBy: actor.userId,
      expiresAt: new Date(Date.now() + days * 24 * 3600 * 1000),
    });
    if (body.sendEmail && body.recipientEmail) await mailLink(tx, { tenantId, request, link: created, url, senderName: created.creatorName });
    return created;
  });
  ctx.audit.targetType = 'approval_link';
  ctx.audit.targetId = link.id;
  ctx.audit.metadata = { requestId, expiresInDays: days, emailed: body.sendEmail };
  return { link: toLinkDto(link), token, url, emailed: body.sendEmail };
}

async function mailLink(tx: Tx, input: { tenantId: string; request: RequestRow; link: LinkRow; url: string; senderName: string | null }): Promise<void> {
  const tenant = await getTenantPublicProfile(tx, input.tenantId);
  const from = `${input.senderName ?? 'Someone'}${tenant ? ` at ${tenant.name}` : ''}`;
  const expires = input.link.expiresAt.toUTCString();
  const intro = `${from} asks for your approval of “${input.request.summary}”. You can approve it, ask for changes or reject it — no account needed.`;
  const text = [`Hello ${input.link.recipientName},`, '', intro, '', `Review it here: ${input.url}`, '', `The link works until ${expires}.`, '', '— Omni'].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111">',
    `<p>Hello ${escapeHtml(input.link.recipientName)},</p><p>${escapeHtml(intro)}</p>`,
    `<p><a href="${escapeHtml(input.url)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">Review and decide</a></p>`,
    `<p style="font-size:12px;color:#555">The link works until ${escapeHtml(expires)}. Or paste it into your browser: ${escapeHtml(input.url)}</p>`,
    '<p>— Omni</p></body></html>',
  ].join('');
  await queueMail(tx, {
    tenantId: input.tenantId,
    to: input.link.recipientEmail!,
    subject: `Approval requested: ${input.request.summary}`.slice(0, 200),
    text,
    html,
    template: 'approvals.client-link',
  });
}

export async function listLinks(ctx: ServiceContext, requestId: string): Promise<ApprovalLinkList> {
  assertCan(ctx, approvalsPermissions.links);
  requireTenant(ctx);
  return withTenantRead(ctx, async (tx) => {
    const request = await requireVisibleRequest(tx, ctx, requestId, false);
    return { items: (await selectLinksOfRequest(tx, request.id)).map(toLinkDto) };
  });
}

export async function revokeLink(ctx: ServiceContext, linkId: string): Promise<void> {
  assertCan(ctx, approvalsPermissions.links);
  requireTenant(ctx);
  const actor = requireActor(ctx);
  const accountId = requireAccount(ctx);
  await withTenant(ctx, async (tx) => {
    const link = isUuid(linkId) ? await findLink(tx, linkId, { accountId, lock: true }) : null;
    if (!link) throw notFound('Approval link');
    await revokeLinkRow(tx, link.id, actor.userId);
  });
  ctx.audit.targetType = 'approval_link';
}

// ------------------------------------------------------------------------------------------ public

type ResolvedLink = { tenantId: string; link: LinkRow; request: RequestRow };

const gone = {
  revoked: () => new AppError('gone', 'approvals.link_revoked', 'This approval link was revoked. Ask the person who sent it for a new link.'),
  superseded: () => new AppError('gone', 'approvals.link_superseded', 'This was changed after this link was sent. Ask for a new link.'),
  withdrawn: () => new AppError('gone', 'approvals.link_withdrawn', 'This approval request was withdrawn; there is nothing to decide any more.'),
  expired: () => new AppError('gone', 'approvals.link_expired', 'This approval link has expired. Ask the person who sent it for a new link.'),
};

/** Which tenant a token's link belongs to; 404 approvals.link_not_found for anything else. */
async function findLinkTenant(kernel: Kernel, token: string): Promise<{ id: string; tenantId: string }> {
  const found = tokenPattern.test(token) ? await withSystemAccessRead(kernel, 'approvals: link by token', (tx) => selectLinkTenantByTokenHash(tx, hashToken(token))) : null;
  if (!found) throw new AppError('not_found', 'approvals.link_not_found', 'This approval link does not exist. Check that you copied the whole address.');
  return found;
}

/**
 * Inside the link's tenant: the link and its request (locked when deciding), refused with 410 and the
 * reason when revoked, superseded, withdrawn or expired. A decided request stays readable (status decided).
 */
async function openLink(tx: Tx, tenantId: string, linkId: string, lock: boolean): Promise<ResolvedLink> {
  const tenant = await getTenantPublicProfile(tx, tenantId);
  if (!tenant || tenant.suspended) throw new AppError('forbidden', 'tenant.suspended', 'This workspace is suspended.');
  const link = await findLink(tx, linkId, { lock });
  const request = link ? await findRequest(tx, link.requestId, { lock }) : null;
  if (!link || !request) throw new AppError('not_found', 'approvals.link_not_found', 'This approval link does not exist. Check that you copied the whole address.');
  const status = linkStatus({ ...link, requestStatus: request.status });
  if (status === 'revoked' || status === 'superseded' || status === 'withdrawn' || status === 'expired') throw gone[status]();
  return { tenantId, link, request };
}

function renderContext(kernel: Kernel, tenantId: string) {
  return { config: kernel.config, logger: kernel.logger, db: kernel.db, events: kernel.events, tenantId };
}

/** GET /api/public/approvals/:token — what the client approval page shows. */
export async function viewPublicApproval(kernel: Kernel, token: string): Promise<PublicApproval> {
  const { id, tenantId } = await findLinkTenant(kernel, token);
  return withTenant({ db: kernel.db, tenantId }, async (tx) => {
    const { link, request } = await openLink(tx, tenantId, id, false);
    await recordLinkOpened(tx, link.id);
    const tenant = (await getTenantPublicProfile(tx, tenantId))!;
    const subject = findApprovalSubject(request.subjectType);
    const preview = subject ? await subject.render(tx, renderContext(kernel, tenantId), request.subjectId, request.subjectRevision) : null;
    const comments = await selectComments(tx, { subjectType: request.subjectType, subjectId: request.subjectId, clientVisibleOnly: true });
    const decision = request.decision ? toDecisionDto(request.decision) : null;
    return {
      status: request.status === 'pending' ? 'pending' : 'decided',
      tenant: { name: tenant.name, slug: tenant.slug, branding: tenant.branding },
      recipientName: link.recipientName,
      expiresAt: link.expiresAt.toISOString(),
      request: { summary: request.summary, stage: request.stage, subjectRevision: request.subjectRevision, requestedAt: request.requestedAt.toISOString() },
      preview,
      comments: comments.map((comment) => {
        const { canDelete: _canDelete, authorUserId: _authorUserId, ...rest } = toCommentDto(comment, null);
        return rest;
      }),
      decision: decision ? { id: decision.id, outcome: decision.outcome, note: decision.note, via: decision.via, deciderName: decision.deciderName, decidedAt: decision.decidedAt } : null,
    };
  });
}

/**
 * POST /api/public/approvals/:token/decision — the first decision on any link of the request decides the
 * client stage; later ones get 409 approvals.not_pending. Records the typed name, the link's recipient
 * email, time, IP and user agent; audited as approvals.link_decision in the link's tenant.
 */
export async function decidePublicApproval(ctx: ServiceContext, token: string, body: PublicDecisionBody): Promise<PublicApproval> {
  const { id, tenantId } = await findLinkTenant(ctx, token);
  ctx.audit.tenantId = tenantId;
  ctx.audit.targetType = 'approval_link';
  ctx.audit.targetId = id;
  const decided = await withTenant({ db: ctx.db, tenantId }, async (tx) => {
    const { link, request } = await openLink(tx, tenantId, id, true);
    return recordDecision(tx, ctx.config, request, {
      outcome: body.outcome,
      note: body.comment ? body.comment : null,
      decidedBy: { kind: 'link', linkId: link.id, name: body.name, email: link.recipientEmail },
      ip: ctx.ip || null,
      userAgent: ctx.userAgent,
    });
  });
  ctx.audit.metadata = { requestId: decided.id, outcome: body.outcome, stage: decided.stage };
  return viewPublicApproval(ctx, token);
}

/** POST /api/public/approvals/:token/comments — a comment by the link holder (typed name). */
export async function commentPublicApproval(ctx: ServiceContext, token: string, body: PublicCommentBody): Promise<Omit<ApprovalComment, 'canDelete' | 'authorUserId'>> {
  const { id, tenantId } = await findLinkTenant(ctx, token);
  ctx.audit.tenantId = tenantId;
  ctx.audit.targetType = 'approval_link';
  ctx.audit.targetId = id;
  const comment = await withTenant({ db: ctx.db, tenantId }, async (tx) => {
    const { link, request } = await openLink(tx, tenantId, id, false);
    return addComment(tx, ctx.config, {
      tenantId,
      subjectType: request.subjectType,
      subjectId: request.subjectId,
      author: { kind: 'link', linkId: link.id, name: body.name },
      body: body.body,
      request,
    });
  });
  const { canDelete: _canDelete, authorUserId: _authorUserId, ...rest } = toCommentDto(comment, null);
  return rest;
}
