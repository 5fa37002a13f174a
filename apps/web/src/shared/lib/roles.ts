import type { MemberRole } from '@omni/contracts/tenancy';
import type { Access } from '../auth/access';

export const tenantRoles: MemberRole[] = ['owner', 'admin', 'member'];
export const accountRoles: MemberRole[] = ['admin', 'editor', 'contributor', 'viewer', 'client'];

export function isTenantRole(role: MemberRole) {
  return tenantRoles.includes(role);
}

/** Roles the current user may grant: nobody grants a role above their own (the server checks too). */
export function grantableRoles(access: Access, kind: 'tenant' | 'account'): MemberRole[] {
  if (kind === 'tenant') return access.tenantOwner ? tenantRoles : access.tenantAdmin ? ['admin', 'member'] : [];
  return access.tenantAdmin || access.accountAdmin ? accountRoles : [];
}
