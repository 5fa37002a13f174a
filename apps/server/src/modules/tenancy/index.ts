import type { Tx } from '../../kernel/db/database.js';
import type { OmniModule } from '../../kernel/module.js';
import { refuseSuspendedTenant, resolveTenantFromHost, startSuspensionPoller } from './tenancy.guards.js';
import './tenancy.permissions.js';
import type { Industry, PublicTenant } from '@omni/contracts/tenancy';
import { readBranding } from './tenancy.branding.js';
import { insertMembership, selectTenantById } from './tenancy.queries.js';
import { tenancyRoutes } from './tenancy.routes.js';
import type { MembershipRow } from './tenancy.schema.js';

/**
 * The tenancy module: tenants, accounts, memberships, invitations, profiles, branding and domains; sign-up
 * (POST /api/auth/register); the guards that resolve a tenant from the Host header and refuse suspended
 * tenants; and the membership directory identity uses to resolve scopes.
 */
export function tenancyModule(): OmniModule {
  return {
    name: 'tenancy',
    routes: async (app, kernel) => {
      await startSuspensionPoller(app, kernel);
      await tenancyRoutes(app, kernel);
    },
    guards: [resolveTenantFromHost, refuseSuspendedTenant],
  };
}

/**
 * Add a membership in the caller's transaction (seeding and provisioning; requests go through invitations).
 * Returns null when the user already has a membership at that level.
 */
export async function addMembership(
  tx: Tx,
  input: { tenantId: string; accountId: string | null; userId: string; role: MembershipRow['role'] },
): Promise<{ id: string } | null> {
  const row = await insertMembership(tx, input);
  return row ? { id: row.id } : null;
}

export {
  /** Identity's MembershipDirectory: default scope at sign-in, and the requested scope at switch/refresh/API keys. */
  membershipDirectory,
  /**
   * Create a tenant and its first account in the caller's (system-access) transaction; an explicit slug
   * must be free (409 tenant.slug_taken), a derived one steps around taken and reserved slugs.
   */
  provisionTenant,
  /** Create an account in the caller's transaction (explicit slug: 409 account.slug_taken when taken). */
  createAccountRecord,
  /** Create a profile in the caller's transaction (explicit slug: 409 profile.slug_taken when taken). */
  createProfileRecord,
} from './tenancy.service.js';

export {
  /**
   * In the caller's transaction: the user ids responsible for an account — its admins, or the tenant's
   * owners and admins when it has none. For notifications (e.g. a social connection needing reconnect).
   */
  selectAccountAdminUserIds as listAccountAdminUserIds,
  /**
   * In the caller's transaction: the user ids of the account's members whose role lies between
   * minAccountRole and maxAccountRole (default admin), plus the tenant's owners and admins (who inherit
   * admin) when the range reaches admin. For approvers (editor+) and client reviewers (client..client).
   */
  selectAccountUserIdsWithRole as listAccountUserIdsWithRole,
  type AccountRoleName,
} from './tenancy.queries.js';

/**
 * In the caller's transaction (the tenant's own, or system access): what a public page shows of a tenant —
 * name, slug, branding — and whether it is suspended; null when there is no such tenant.
 */
export async function getTenantPublicProfile(tx: Tx, tenantId: string): Promise<(PublicTenant & { suspended: boolean }) | null> {
  const tenant = await selectTenantById(tx, tenantId);
  return tenant ? { name: tenant.name, slug: tenant.slug, branding: readBranding(tenant.branding), suspended: tenant.status === 'suspended' } : null;
}

/** In the caller's transaction (the tenant's own, or system access): the tenant's industry; null when there is no such tenant. */
export async function getTenantIndustry(tx: Tx, tenantId: string): Promise<Industry | null> {
  return (await selectTenantById(tx, tenantId))?.industry ?? null;
}

export {
  /** Whether a tenant is suspended, from this process's view (refreshed every 2 s). */
  isTenantSuspended,
} from './tenancy.guards.js';
