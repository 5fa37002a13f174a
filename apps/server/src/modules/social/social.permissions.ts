import { definePermissions } from '../../kernel/access.js';

export const socialPermissions = {
  /** See the connections of an account, and the sandbox's posts. */
  read: 'social:read',
  /** Connect, choose destinations, reconnect and disconnect (account admins; tenant owners and admins). */
  manage: 'social:manage',
} as const;

definePermissions({
  'social:read': { tenantRole: 'member', accountRole: 'viewer' },
  'social:manage': { tenantRole: 'admin', accountRole: 'admin' },
});
