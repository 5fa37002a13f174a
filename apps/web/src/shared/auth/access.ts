import type { Scope, User } from '@omni/contracts/identity';

/**
 * What the console shows to whom. Mirrors the server's permission rules (tenancy.permissions.ts): the
 * server enforces them, this only keeps people from seeing controls that would be refused.
 */
export type Tier = 'platform' | 'tenant-admin' | 'account-admin' | 'member';

export type Access = {
  tier: Tier;
  isSuperAdmin: boolean;
  hasTenant: boolean;
  tenantAdmin: boolean;
  tenantOwner: boolean;
  accountAdmin: boolean;
  canReadTenant: boolean;
  canReadAccounts: boolean;
  canManageAccounts: boolean;
  canReadMembers: boolean;
  canManageMembers: boolean;
  canManageBranding: boolean;
  canReadAudit: boolean;
  canManageApiKeys: boolean;
};

const accountRank = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;
export type AccountRank = (typeof accountRank)[number];

/**
 * Whether the scope's account role reaches a role (tenant owners and admins are account admins
 * everywhere; nothing without a workspace): the base of each module's access check.
 */
export function accountRoleAtLeast(scope: Scope | null): (role: AccountRank) => boolean {
  const tenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const accountRole = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = accountRole ? accountRank.indexOf(accountRole) : -1;
  return (role) => Boolean(scope?.tenantId) && rank >= accountRank.indexOf(role);
}

export function accessOf(user: User, scope: Scope | null): Access {
  const tenantRole = scope?.tenantRole ?? null;
  const tenantAdmin = tenantRole === 'owner' || tenantRole === 'admin';
  const tenantMember = tenantRole !== null;
  const accountRole = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = accountRole ? accountRank.indexOf(accountRole) : -1;
  const hasTenant = Boolean(scope?.tenantId);
  const accountAdmin = accountRole === 'admin';
  const tier: Tier = tenantAdmin ? 'tenant-admin' : accountAdmin ? 'account-admin' : hasTenant ? 'member' : user.isSuperAdmin ? 'platform' : 'member';
  return {
    tier: user.isSuperAdmin && !hasTenant ? 'platform' : tier,
    isSuperAdmin: user.isSuperAdmin,
    hasTenant,
    tenantAdmin,
    tenantOwner: tenantRole === 'owner',
    accountAdmin,
    canReadTenant: hasTenant && (tenantMember || rank >= 0),
    canReadAccounts: hasTenant && (tenantMember || rank >= 0),
    canManageAccounts: tenantAdmin,
    canReadMembers: hasTenant && (tenantMember || rank >= accountRank.indexOf('viewer')),
    canManageMembers: tenantAdmin || accountAdmin,
    canManageBranding: tenantAdmin,
    canReadAudit: tenantAdmin,
    canManageApiKeys: tenantMember,
  };
}
