import { definePermissions } from '../../kernel/access.js';

/**
 * Approvals permissions, at account level (a tenant owner/admin is an account admin everywhere). Clients
 * (the lowest account role) see and decide only client-stage requests.
 */
export const approvalsPermissions = {
  /** The inbox and previews of the active account's requests (clients: client-stage requests only). */
  read: 'approvals:read',
  /** Decide internal-stage requests. */
  decide: 'approvals:decide',
  /** Decide client-stage requests in the app (an editor may record a client's answer given by phone). */
  clientDecide: 'approvals:client-decide',
  /** Create, list and revoke client approval links. */
  links: 'approvals:links',
  /** Comment on a subject under review. */
  comment: 'approvals:comment',
} as const;

definePermissions({
  'approvals:read': { accountRole: 'client' },
  'approvals:decide': { accountRole: 'editor' },
  'approvals:client-decide': { accountRole: 'client' },
  'approvals:links': { accountRole: 'editor' },
  'approvals:comment': { accountRole: 'client' },
});
