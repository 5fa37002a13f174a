import { definePermissions } from '../../kernel/access.js';

export const auditPermissions = {
  /** Read the own tenant's audit log. */
  read: 'audit:read',
  /** Read every tenant's and the platform's audit log (super admins). */
  platform: 'platform:audit',
} as const;

definePermissions({
  'audit:read': { tenantRole: 'admin' },
  'platform:audit': { platform: true },
});
