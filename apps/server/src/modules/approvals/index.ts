import type { OmniModule } from '../../kernel/module.js';
import './approvals.permissions.js';
import { approvalsRoutes } from './approvals.routes.js';

/**
 * The approvals module: generic approval requests bound to (subject type, subject id, revision, stage),
 * decisions, client approval links and comments (docs/design/content-studio.md §8). Subject modules
 * register a renderer and call the transaction-level functions below; decisions go back up as the event
 * approvals.request_decided {requestId, accountId, subjectType, subjectId, subjectRevision, stage,
 * outcome, decidedBy: {kind: 'user'|'link', userId?, linkId?, name}}.
 */
export function approvalsModule(): OmniModule {
  return { name: 'approvals', routes: approvalsRoutes };
}

export {
  /**
   * Register how a subject type is described (title, console path, author, account, current revision)
   * and how one revision is previewed (from its snapshot), once at module creation.
   */
  registerApprovalSubject,
  type ApprovalRenderContext,
  type ApprovalSubject,
  type ApprovalSubjectDescription,
} from './approvals.subjects.js';

export {
  /**
   * In the caller's transaction: a pending request for one revision at one stage, and notifications to
   * who may decide it. Supersedes a pending request of an older revision; same revision → 409.
   */
  openApprovalRequest,
  /** In the caller's transaction: supersede pending requests of revisions below newRevision (their links die). */
  supersedeApprovalRequests,
  /** In the caller's transaction: withdraw a subject's pending requests. */
  withdrawApprovalRequests,
  /** In the caller's transaction: a subject's requests (newest first) with their decisions, and the pending ones. */
  getApprovalState,
  type OpenApprovalRequestInput,
} from './use-cases/requests.js';

export {
  /** The approvals permission names (approvals:read, :decide, :client-decide, :links, :comment). */
  approvalsPermissions,
} from './approvals.permissions.js';
