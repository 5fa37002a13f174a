import { definePermissions } from '../../kernel/access.js';

/**
 * Content permissions, at account level (a tenant owner/admin is an account admin everywhere).
 * Contributors write and submit posts; only editors and above schedule, and a contributor never does.
 */
export const contentPermissions = {
  /** See the account's posts, revisions, templates and settings. */
  read: 'content:read',
  /** Create, edit (own, unscheduled), submit and delete posts. */
  write: 'content:write',
  /** Schedule, reschedule, unschedule; edit any post of the account, scheduled ones too. */
  schedule: 'content:schedule',
  /** Create, edit and archive templates. */
  templates: 'content:templates',
  /** Change the account's content settings (approval policy, gaps, daily caps). */
  settings: 'content:settings',
} as const;

definePermissions({
  'content:read': { accountRole: 'viewer' },
  'content:write': { accountRole: 'contributor' },
  'content:schedule': { accountRole: 'editor' },
  'content:templates': { accountRole: 'editor' },
  'content:settings': { accountRole: 'admin' },
});
