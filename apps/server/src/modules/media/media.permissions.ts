import { definePermissions } from '../../kernel/access.js';

/** Media permissions, at account level (a tenant owner/admin is an account admin everywhere). */
export const mediaPermissions = {
  /** See the library (tenant-wide and the active account's assets) and the usage meter. */
  read: 'media:read',
  /** Upload, and edit or delete one's own assets that nothing uses. */
  upload: 'media:upload',
  /** Edit or delete anyone's asset. */
  manage: 'media:manage',
} as const;

definePermissions({
  'media:read': { accountRole: 'viewer' },
  'media:upload': { accountRole: 'contributor' },
  'media:manage': { accountRole: 'editor' },
});
