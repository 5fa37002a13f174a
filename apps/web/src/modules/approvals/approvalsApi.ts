import type {
  ApprovalComment,
  ApprovalCommentList,
  ApprovalLinkList,
  ApprovalListQuery,
  ApprovalRequest,
  ApprovalRequestDetail,
  ApprovalRequestList,
  CreateApprovalLinkBody,
  CreatedApprovalLink,
  DecideApprovalBody,
  PublicApproval,
  PublicCommentBody,
  PublicDecisionBody,
} from '@omni/contracts/approvals';
import type { Scope } from '@omni/contracts/identity';
import { api } from '../../shared/api';

const requestPath = (id: string, action = '') => `/api/approvals/${encodeURIComponent(id)}${action}`;
const publicPath = (token: string, action = '') => `/api/public/approvals/${encodeURIComponent(token)}${action}`;

/** Typed calls to /api/approvals and the public /api/public/approvals (packages/contracts/src/approvals.ts). */
export const approvalsApi = {
  list: (status: ApprovalListQuery['status'], cursor?: string) => api.get<ApprovalRequestList>('/api/approvals', { query: { status, cursor, limit: 25 } }),
  detail: (id: string) => api.get<ApprovalRequestDetail>(requestPath(id)),
  decide: (id: string, body: DecideApprovalBody) => api.post<ApprovalRequest>(requestPath(id, '/decision'), body),
  withdraw: (id: string) => api.post<ApprovalRequest>(requestPath(id, '/withdraw')),
  links: (id: string) => api.get<ApprovalLinkList>(requestPath(id, '/links')),
  createLink: (id: string, body: CreateApprovalLinkBody) => api.post<CreatedApprovalLink>(requestPath(id, '/links'), body),
  revokeLink: (linkId: string) => api.delete(`/api/approvals/links/${encodeURIComponent(linkId)}`),
  comments: (subjectType: string, subjectId: string) => api.get<ApprovalCommentList>('/api/approvals/comments', { query: { subjectType, subjectId } }),
  comment: (subjectType: string, subjectId: string, body: string) => api.post<ApprovalComment>('/api/approvals/comments', { subjectType, subjectId, body }),
  deleteComment: (id: string) => api.delete(`/api/approvals/comments/${encodeURIComponent(id)}`),
  // Public: the client approval page (no account; the token is the credential).
  publicView: (token: string) => api.get<PublicApproval>(publicPath(token), { auth: false }),
  publicDecide: (token: string, body: PublicDecisionBody) => api.post<PublicApproval>(publicPath(token, '/decision'), body, { auth: false }),
  publicComment: (token: string, body: PublicCommentBody) => api.post<ApprovalComment>(publicPath(token, '/comments'), body, { auth: false }),
};

const accountRank = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;

/**
 * Mirrors approvals.permissions.ts: everyone with an account role (clients too) sees the inbox; editors
 * decide internal reviews and manage client links. Tenant owners and admins are account admins everywhere.
 */
export function approvalsAccessOf(scope: Scope | null): { canRead: boolean; hasAccount: boolean; canDecideInternal: boolean; canManageLinks: boolean; clientOnly: boolean } {
  const tenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const accountRole = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = accountRole ? accountRank.indexOf(accountRole) : -1;
  const hasTenant = Boolean(scope?.tenantId);
  return {
    canRead: hasTenant && rank >= 0,
    hasAccount: Boolean(scope?.accountId),
    canDecideInternal: hasTenant && rank >= accountRank.indexOf('editor'),
    canManageLinks: hasTenant && rank >= accountRank.indexOf('editor'),
    clientOnly: accountRole === 'client',
  };
}

export type LinkProblem = 'not_found' | 'expired' | 'revoked' | 'superseded' | 'withdrawn' | 'suspended' | 'rate_limited';

/** Which "this link cannot be used" message the public page shows for a problem code; null for others. */
export function linkProblemOf(code: string | undefined): LinkProblem | null {
  switch (code) {
    case 'approvals.link_not_found':
      return 'not_found';
    case 'approvals.link_expired':
      return 'expired';
    case 'approvals.link_revoked':
      return 'revoked';
    case 'approvals.link_superseded':
      return 'superseded';
    case 'approvals.link_withdrawn':
      return 'withdrawn';
    case 'tenant.suspended':
      return 'suspended';
    case 'approvals.rate_limited':
      return 'rate_limited';
    default:
      return null;
  }
}

export type DecisionTone = 'success' | 'danger' | 'warning' | 'neutral' | 'primary';

/** Badge tone of a request status. */
export function statusTone(status: ApprovalRequest['status']): DecisionTone {
  switch (status) {
    case 'approved':
      return 'success';
    case 'rejected':
      return 'danger';
    case 'changes_requested':
      return 'warning';
    case 'pending':
      return 'primary';
    default:
      return 'neutral';
  }
}
