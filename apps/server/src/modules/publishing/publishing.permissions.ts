import { definePermissions } from '../../kernel/access.js';

/**
 * Publishing permissions, at account level (a tenant owner/admin is an account admin everywhere).
 * Contributors get no publishing right: drafts and approval belong to the content studio.
 */
export const publishingPermissions = {
  /** See post targets, their attempts, history and metrics in the active account. */
  read: 'posts:read',
  /** Schedule, reschedule, cancel and publish now. */
  publish: 'posts:publish',
} as const;

definePermissions({
  'posts:read': { accountRole: 'viewer' },
  'posts:publish': { accountRole: 'editor' },
});
