import type { AccountRole, TenantRole } from '../../kernel/context.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { UserRow } from './identity.schema.js';

/** The tenant (and optional account) a session or API key acts in, with the user's roles there. */
export type ResolvedScope = {
  tenantId: string;
  accountId: string | null;
  tenantRole: TenantRole | null;
  accountRole: AccountRole | null;
};

/**
 * What identity needs to know about memberships; the tenancy module implements it (identity cannot
 * import tenancy, which depends on identity, so modules.ts hands it in).
 */
export type MembershipDirectory = {
  /**
   * requested = null: the user's default scope (at sign-in), or null when they belong to no tenant.
   * Otherwise the requested scope with the user's current roles, or null when they may not use it.
   */
  resolveScope(kernel: Kernel, userId: string, requested: { tenantId: string; accountId?: string | null } | null): Promise<ResolvedScope | null>;
};

export type IdentityDependencies = { memberships: MembershipDirectory };

/** A user as stored (includes the password hash: never send it to a client; use toUserDto). */
export type UserRecord = UserRow;
