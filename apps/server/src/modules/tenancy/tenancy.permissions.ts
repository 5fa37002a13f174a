import { definePermissions } from '../../kernel/access.js';

/**
 * Tenancy permissions. Account-level rules apply after inheritance (a tenant owner/admin is an account
 * admin everywhere); services narrow further where the rule alone is not enough (an account admin manages
 * their own account only; nobody grants a role above their own).
 */
export const tenancyPermissions = {
  /** See the tenant, its branding and dashboard figures: any tenant member, or anyone with an account role. */
  tenantRead: 'tenant:read',
  /** Rename, change industry, branding, custom domains. */
  tenantManage: 'tenant:manage',
  accountsRead: 'accounts:read',
  accountsCreate: 'accounts:create',
  accountsManage: 'accounts:manage',
  membersRead: 'members:read',
  /** Tenant admins for everyone; account admins for memberships of their own account. */
  membersManage: 'members:manage',
  /** Tenant admins for any role they hold or below; account admins for account roles in their account. */
  invitationsManage: 'invitations:manage',
  profilesRead: 'profiles:read',
  /** Create and edit one's own profiles in the active account. */
  profilesWrite: 'profiles:write',
  /** Edit or delete other people's profiles in the active account. */
  profilesManage: 'profiles:manage',
  platformTenants: 'platform:tenants',
} as const;

definePermissions({
  'tenant:read': { tenantRole: 'member', accountRole: 'client' },
  'tenant:manage': { tenantRole: 'admin' },
  'accounts:read': { tenantRole: 'member', accountRole: 'client' },
  'accounts:create': { tenantRole: 'admin' },
  'accounts:manage': { tenantRole: 'admin' },
  'members:read': { tenantRole: 'member', accountRole: 'viewer' },
  'members:manage': { tenantRole: 'admin', accountRole: 'admin' },
  'invitations:manage': { tenantRole: 'admin', accountRole: 'admin' },
  'profiles:read': { tenantRole: 'member', accountRole: 'client' },
  'profiles:write': { accountRole: 'client' },
  'profiles:manage': { accountRole: 'admin' },
  'platform:tenants': { platform: true },
});
