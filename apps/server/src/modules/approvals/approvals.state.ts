import type { ApprovalStatus } from '@omni/contracts/approvals';
import type { Tx } from '../../kernel/db/database.js';
import { AppError } from '../../kernel/errors.js';
import { updateRequestStatus, type RequestRow } from './approvals.queries.js';

/**
 * The approval request's state machine (design §8.1). Every change goes through transitionRequest, which
 * refuses edges not listed here: only a pending request changes, and every other state is final.
 */
const allowedTransitions: Record<ApprovalStatus, ApprovalStatus[]> = {
  pending: ['approved', 'rejected', 'changes_requested', 'superseded', 'withdrawn'],
  approved: [],
  rejected: [],
  changes_requested: [],
  superseded: [],
  withdrawn: [],
};

export function canTransition(from: ApprovalStatus, to: ApprovalStatus): boolean {
  return allowedTransitions[from].includes(to);
}

const describeStatus: Record<ApprovalStatus, string> = {
  pending: 'still pending',
  approved: 'already approved',
  rejected: 'already rejected',
  changes_requested: 'already answered with a request for changes',
  superseded: 'superseded by a newer revision',
  withdrawn: 'withdrawn',
};

/** 409 approvals.not_pending (with currentStatus) unless `to` may follow the request's status. */
export function assertTransition(request: Pick<RequestRow, 'status'>, to: ApprovalStatus): void {
  if (!canTransition(request.status, to)) {
    throw new AppError('conflict', 'approvals.not_pending', `This approval request is ${describeStatus[request.status]}; it cannot change any more.`, {
      currentStatus: request.status,
    });
  }
}

/** Move a request (locked by the caller) to `to`, in the caller's transaction. */
export async function transitionRequest(tx: Tx, request: RequestRow, to: ApprovalStatus, options: { supersededReason?: string } = {}): Promise<RequestRow> {
  assertTransition(request, to);
  return updateRequestStatus(tx, request.id, { status: to, supersededReason: options.supersededReason ?? null });
}
