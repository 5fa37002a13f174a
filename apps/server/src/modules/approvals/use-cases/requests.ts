import type { ApprovalOutcome, ApprovalRequest } from '@omni/contracts/approvals';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { AppError, conflict } from '../../../kernel/errors.js';
import { emitEvent } from '../../../kernel/events/events.js';
import { notifyUsers } from '../../notifications/index.js';
import { listAccountUserIdsWithRole } from '../../tenancy/index.js';
import {
  findRequest,
  insertDecision,
  insertRequest,
  selectPendingRequestsOfSubject,
  selectRequestsOfSubject,
  type NewRequest,
  type RequestRow,
} from '../approvals.queries.js';
import { decidedKind, outcomeWords, reviewRequestedKind, toRequestDto } from '../approvals.shared.js';
import { transitionRequest } from '../approvals.state.js';
import { findApprovalSubject, requireApprovalSubject } from '../approvals.subjects.js';

/**
 * The transaction-level API the subject modules call (content on submit, edit and withdraw), and the
 * decision recorder shared by in-app and link decisions. None of these check permissions: the caller has.
 */

export type OpenApprovalRequestInput = NewRequest & {
  /** For the links in notification emails (PUBLIC_URL). */
  config: Pick<Config, 'PUBLIC_URL' | 'PORT'>;
};

const cut = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/**
 * Open a pending request for one revision of a subject at one stage, in the caller's transaction, and
 * tell the people who may decide it (editors and up for the internal stage, client reviewers for the
 * client stage). A pending request of an older revision at that stage is superseded first; one of the
 * same revision is a 409 approvals.already_pending.
 */
export async function openApprovalRequest(tx: Tx, input: OpenApprovalRequestInput): Promise<ApprovalRequest> {
  requireApprovalSubject(input.subjectType);
  if (!Number.isInteger(input.subjectRevision) || input.subjectRevision < 1) throw new Error('subjectRevision must be a positive integer');
  const pending = await selectPendingRequestsOfSubject(tx, { subjectType: input.subjectType, subjectId: input.subjectId, stage: input.stage });
  for (const request of pending) {
    if (request.subjectRevision >= input.subjectRevision) {
      throw new AppError('conflict', 'approvals.already_pending', 'This revision is already waiting for review.', { requestId: request.id });
    }
    await transitionRequest(tx, request, 'superseded', { supersededReason: `revision ${input.subjectRevision} was submitted` });
  }
  const summary = cut(input.summary.trim() || `${input.subjectType} revision ${input.subjectRevision}`, 300);
  const id = await insertRequest(tx, { ...input, summary });
  if (!id) throw conflict('approvals.already_pending', 'This subject is already waiting for review at this stage.');
  const request = (await findRequest(tx, id))!;
  await emitEvent(tx, {
    tenantId: input.tenantId,
    type: 'approvals.request_opened',
    payload: { requestId: id, accountId: input.accountId, subjectType: input.subjectType, subjectId: input.subjectId, subjectRevision: input.subjectRevision, stage: input.stage },
  });
  const reviewers =
    input.stage === 'internal'
      ? await listAccountUserIdsWithRole(tx, { accountId: input.accountId, minAccountRole: 'editor' })
      : await listAccountUserIdsWithRole(tx, { accountId: input.accountId, minAccountRole: 'client', maxAccountRole: 'client' });
  const who = request.requesterName ?? 'Omni';
  await notifyUsers(tx, {
    config: input.config,
    tenantId: input.tenantId,
    accountId: input.accountId,
    userIds: reviewers.filter((userId) => userId !== input.requestedBy),
    kind: reviewRequestedKind,
    title: `${input.stage === 'client' ? 'Client review' : 'Review'} requested: ${summary}`,
    body: `${who} asked for your review of “${summary}”.`,
    linkPath: `/approvals/${id}`,
    subject: { type: input.subjectType, id: input.subjectId },
    actorUserId: input.requestedBy,
  });
  return toRequestDto(request, null);
}

/**
 * The subject changed (a new revision): every pending request of an older revision is superseded, which
 * also kills its client links. Returns how many were superseded.
 */
export async function supersedeApprovalRequests(
  tx: Tx,
  input: { subjectType: string; subjectId: string; newRevision: number; reason?: string },
): Promise<number> {
  const pending = await selectPendingRequestsOfSubject(tx, { subjectType: input.subjectType, subjectId: input.subjectId, belowRevision: input.newRevision });
  for (const request of pending) {
    await transitionRequest(tx, request, 'superseded', { supersededReason: cut(input.reason ?? `edited: revision ${input.newRevision}`, 300) });
  }
  return pending.length;
}

/** Withdraw every pending request of a subject (its author took it back). Returns how many. */
export async function withdrawApprovalRequests(tx: Tx, input: { subjectType: string; subjectId: string; reason?: string }): Promise<number> {
  const pending = await selectPendingRequestsOfSubject(tx, { subjectType: input.subjectType, subjectId: input.subjectId });
  for (const request of pending) {
    await transitionRequest(tx, request, 'withdrawn', { supersededReason: input.reason ? cut(input.reason, 300) : undefined });
  }
  return pending.length;
}

/** A subject's requests, newest first, each with its decision (who, how, when): the subject's approval panel. */
export async function getApprovalState(tx: Tx, input: { subjectType: string; subjectId: string }): Promise<{ requests: ApprovalRequest[]; pending: ApprovalRequest[] }> {
  const requests = (await selectRequestsOfSubject(tx, input)).map((request) => toRequestDto(request, null));
  return { requests, pending: requests.filter((request) => request.status === 'pending') };
}

export type DecidedBy =
  | { kind: 'user'; userId: string; name: string; email: string | null }
  | { kind: 'link'; linkId: string; name: string; email: string | null };

/**
 * Record the decision on a locked request: the transition (409 approvals.not_pending unless pending), the
 * append-only decision row, the approvals.request_decided event and the notifications — one transaction.
 */
export async function recordDecision(
  tx: Tx,
  config: Pick<Config, 'PUBLIC_URL' | 'PORT'>,
  request: RequestRow,
  decision: { outcome: ApprovalOutcome; note: string | null; decidedBy: DecidedBy; ip: string | null; userAgent: string | null },
): Promise<RequestRow> {
  await transitionRequest(tx, request, decision.outcome);
  const { decidedBy } = decision;
  await insertDecision(tx, {
    tenantId: request.tenantId,
    requestId: request.id,
    outcome: decision.outcome,
    note: decision.note,
    decidedByUserId: decidedBy.kind === 'user' ? decidedBy.userId : null,
    decidedViaLinkId: decidedBy.kind === 'link' ? decidedBy.linkId : null,
    deciderName: decidedBy.name.slice(0, 200),
    deciderEmail: decidedBy.email,
    ip: decision.ip,
    userAgent: decision.userAgent?.slice(0, 300) ?? null,
  });
  const decided = (await findRequest(tx, request.id))!;
  await emitEvent(tx, {
    tenantId: request.tenantId,
    type: 'approvals.request_decided',
    payload: {
      requestId: request.id,
      accountId: request.accountId,
      subjectType: request.subjectType,
      subjectId: request.subjectId,
      subjectRevision: request.subjectRevision,
      stage: request.stage,
      outcome: decision.outcome,
      decidedBy:
        decidedBy.kind === 'user'
          ? { kind: 'user', userId: decidedBy.userId, name: decidedBy.name }
          : { kind: 'link', linkId: decidedBy.linkId, name: decidedBy.name },
    },
  });
  const subject = await findApprovalSubject(request.subjectType)?.describe(tx, request.subjectId);
  const deciderUserId = decidedBy.kind === 'user' ? decidedBy.userId : null;
  const recipients = [request.requestedBy, subject?.authorUserId ?? null].filter((userId): userId is string => userId !== null && userId !== deciderUserId);
  const via = decidedBy.kind === 'link' ? ' (client link)' : '';
  await notifyUsers(tx, {
    config,
    tenantId: request.tenantId,
    accountId: request.accountId,
    userIds: recipients,
    kind: decidedKind,
    title: `${decidedBy.name}${via} ${outcomeWords[decision.outcome]} “${request.summary}”`,
    body: decision.note ? `Note: ${decision.note}` : '',
    linkPath: subject?.linkPath ?? `/approvals/${request.id}`,
    subject: { type: request.subjectType, id: request.subjectId },
    actorUserId: deciderUserId,
  });
  return decided;
}
