import type { Scope } from '@omni/contracts/identity';
import { publishingAccessOf } from '../publishing/publishingApi';

/* Kept apart from aiApi.ts: the navigation imports it, and must not pull the AI contracts into the first bundle. */

/**
 * Mirrors ai.permissions.ts: viewers and up see runs (of the active account) and editors run agents — the
 * account-role thresholds of publishing's read and publish; tenant admins and owners manage the provider,
 * budget and usage (ai:settings) and the HITL policies (ai:hitl).
 */
export function aiAccessOf(scope: Scope | null): { canRead: boolean; canRun: boolean; canManageSettings: boolean; canManagePolicies: boolean; hasAccount: boolean } {
  const account = publishingAccessOf(scope);
  const tenantAdmin = Boolean(scope?.tenantId) && (scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin');
  return { canRead: account.canRead, canRun: account.canPublish, canManageSettings: tenantAdmin, canManagePolicies: tenantAdmin, hasAccount: account.hasAccount };
}
