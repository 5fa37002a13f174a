import { definePermissions } from '../../kernel/access.js';

/**
 * Publishing permissions, at account level (a tenant owner/admin is an account admin everywhere).
 * Contributors get no publishing right: drafts and approval belong to the content studio.
 */
export const publishingPermissions = {
  /** See post targets, their attempts, history and metrics in the active account. */
  read: 'posts:read',
  /** Schedule, reschedule, cancel, publish now, retry, and resolve unconfirmed posts. */
  publish: 'posts:publish',
  /** Change the account's publishing settings (missed-post policy, time zone): account admins. */
  manageSettings: 'publishing:settings',
} as const;

definePermissions({
  'posts:read': { accountRole: 'viewer' },
  'posts:publish': { accountRole: 'editor' },
  'publishing:settings': { accountRole: 'admin' },
});
