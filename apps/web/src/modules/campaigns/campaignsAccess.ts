import type { Scope } from '@omni/contracts/identity';
import { accountRoleAtLeast } from '../../shared/auth/access';

/* Kept apart from campaignsApi.ts: the navigation imports it, and must not pull the contracts into the first bundle. */

/**
 * Mirrors campaigns.permissions.ts and ai.permissions.ts: viewers read, contributors write campaigns,
 * editors generate with AI (runs cost money), submit drafts and run the copywriter.
 */
export function campaignsAccessOf(scope: Scope | null): { canRead: boolean; canWrite: boolean; canGenerate: boolean; canRunAgents: boolean; hasAccount: boolean } {
  const at = accountRoleAtLeast(scope);
  return { canRead: at('viewer'), canWrite: at('contributor'), canGenerate: at('editor'), canRunAgents: at('editor'), hasAccount: Boolean(scope?.accountId) };
}
