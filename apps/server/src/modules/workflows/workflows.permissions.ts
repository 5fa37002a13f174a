import { definePermissions } from '../../kernel/access.js';

/** Workflow permissions, at account level (a tenant owner/admin is an account admin everywhere). */
export const workflowsPermissions = {
  /** See the account's workflows, their versions and runs, and the step-kind catalogue. */
  read: 'workflows:read',
  /** Create, edit (new versions), activate, pause, archive and delete workflows. */
  write: 'workflows:write',
  /** Start (and test) runs, cancel runs, retry failed steps. */
  run: 'workflows:run',
} as const;

definePermissions({
  'workflows:read': { accountRole: 'viewer' },
  'workflows:write': { accountRole: 'editor' },
  'workflows:run': { accountRole: 'editor' },
});
