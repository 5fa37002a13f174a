import type { MemberRole } from '@omni/contracts/tenancy';
import { accountRoles, tenantRoles } from '../../../kernel/access.js';
import type { RequestContext, TenantRole } from '../../../kernel/context.js';
import { AppError, badRequest } from '../../../kernel/errors.js';

/**
 * Delegation rules shared by invitations and role changes: who may hand out (or take away) which role.
 * The permission itself is checked with assertCan first; these narrow it to the right place and level.
 */

export function isTenantAdmin(ctx: Pick<RequestContext, 'tenantRole'>): boolean {
  return ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
}

/** The role must fit the level: owner/admin/member without an account, account roles with one. */
export function assertRoleFitsLevel(role: MemberRole, accountId: string | null, field = 'body.role'): void {
  if (accountId === null && !(tenantRoles as string[]).includes(role)) {
    throw badRequest('membership.role_invalid', `"${role}" is an account role: choose an account for it.`, [
      { path: field, message: 'needs an account (accountId) — tenant-level roles are owner, admin and member' },
    ]);
  }
  if (accountId !== null && !(accountRoles as string[]).includes(role)) {
    throw badRequest('membership.role_invalid', `"${role}" is a tenant role: it cannot be given in an account.`, [
      { path: field, message: 'account roles are admin, editor, contributor, viewer and client' },
    ]);
  }
}

const roleNotAllowed = (message: string) => new AppError('forbidden', 'membership.role_not_allowed', message);

/**
 * May the actor grant (invite to, or set) `role` at this level? Tenant owners grant anything; tenant
 * admins any role but owner; account admins only account roles in their own active account. Nobody
 * grants a role above their own.
 */
export function assertMayGrantRole(ctx: RequestContext, role: MemberRole, accountId: string | null): void {
  assertRoleFitsLevel(role, accountId);
  if (accountId === null) {
    if (!isTenantAdmin(ctx)) throw roleNotAllowed('Only tenant owners and admins can give tenant-level roles.');
    const own = tenantRoles.indexOf(ctx.tenantRole!);
    if (tenantRoles.indexOf(role as TenantRole) > own) {
      throw roleNotAllowed(`You cannot give the role "${role}": it is above your own role ("${ctx.tenantRole}").`);
    }
    return;
  }
  if (isTenantAdmin(ctx)) return;
  if (ctx.accountRole !== 'admin' || ctx.accountId !== accountId) {
    throw roleNotAllowed('Account admins can manage roles in their own (active) account only.');
  }
}

/**
 * May the actor change or remove an existing membership? Same rule as granting its current role: an
 * admin cannot touch an owner, an account admin cannot touch other accounts or tenant-level roles.
 */
export function assertMayManageMembership(ctx: RequestContext, membership: { role: MemberRole; accountId: string | null }): void {
  assertMayGrantRole(ctx, membership.role, membership.accountId);
}

/** The active account, or a clear 403 when the actor has none selected. */
export function requireActiveAccount(ctx: Pick<RequestContext, 'accountId'>): string {
  if (!ctx.accountId) {
    throw new AppError('forbidden', 'account.none_active', 'Choose an account first: this needs an active account (POST /api/auth/switch).');
  }
  return ctx.accountId;
}
