import type { Scope } from '@omni/contracts/identity';
import { accountRoleAtLeast } from '../../shared/auth/access';

/* Kept apart from workflowsApi.ts: the navigation imports it, and must not pull the workflow contracts into the first bundle. */

/** Mirrors workflows.permissions.ts: viewers read, editors write and run. Tenant owners and admins are account admins. */
export function workflowsAccessOf(scope: Scope | null): { canRead: boolean; canWrite: boolean; canRun: boolean; hasAccount: boolean } {
  const at = accountRoleAtLeast(scope);
  return { canRead: at('viewer'), canWrite: at('editor'), canRun: at('editor'), hasAccount: Boolean(scope?.accountId) };
}
