import type { MyMemberships } from '@omni/contracts/tenancy';
import { requireActor } from '../../../kernel/access.js';
import type { AccountRole, TenantRole } from '../../../kernel/context.js';
import { withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { ServiceContext } from '../../../kernel/module.js';
import type { MembershipDirectory, ResolvedScope } from '../../identity/index.js';
import { selectAccountById, selectActiveAccountsOfTenants, selectMembershipsOfUser, type ScopeCandidateRow } from '../tenancy.queries.js';

/**
 * Which tenant and account a user acts in. Rules:
 * - default (requested = null): the tenant-level membership with the highest role (owner > admin >
 *   member; ties: the oldest), else the oldest account membership. Suspended tenants and archived
 *   accounts are never chosen.
 * - the account in a tenant: the user's oldest account membership there; owners and admins without one
 *   get the tenant's oldest active account (they act as its admin by inheritance).
 * - requested: refused (null) for a suspended tenant, an archived or foreign account, or an account the
 *   user has no role in (owners/admins excepted). accountId null asks for the tenant level, which needs
 *   a tenant-level membership (account-only users get their first account instead); accountId left
 *   undefined picks the default account in that tenant.
 */
const tenantRoleRank: Record<TenantRole, number> = { owner: 3, admin: 2, member: 1 };

type TenantMemberships = {
  tenantId: string;
  tenantRole: TenantRole | null;
  /** When the tenant-level membership was created (ties between equal roles go to the oldest). */
  tenantRoleSince: number;
  /** The user's own account roles in active accounts, oldest membership first. */
  accounts: Array<{ accountId: string; role: AccountRole }>;
};

function groupByTenant(rows: ScopeCandidateRow[]): Map<string, TenantMemberships> {
  const tenants = new Map<string, TenantMemberships>();
  for (const row of rows) {
    if (row.tenantStatus !== 'active') continue;
    const entry = tenants.get(row.tenantId) ?? { tenantId: row.tenantId, tenantRole: null, tenantRoleSince: 0, accounts: [] };
    // The table's CHECK guarantees tenant roles on tenant-level rows and account roles on account rows.
    if (row.accountId === null) {
      entry.tenantRole = row.role as TenantRole;
      entry.tenantRoleSince = row.createdAt.getTime();
    }
    else if (row.accountStatus === 'active') entry.accounts.push({ accountId: row.accountId, role: row.role as AccountRole });
    tenants.set(row.tenantId, entry);
  }
  return tenants;
}

function isTenantAdminRole(role: TenantRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

export async function resolveScope(
  kernel: Kernel,
  userId: string,
  requested: { tenantId: string; accountId?: string | null } | null,
): Promise<ResolvedScope | null> {
  return withSystemAccessRead(kernel, 'auth: resolve membership', async (tx) => {
    const tenants = groupByTenant(await selectMembershipsOfUser(tx, userId));
    let chosen: TenantMemberships | undefined;
    if (requested) {
      chosen = tenants.get(requested.tenantId);
    } else {
      const withTenantRole = [...tenants.values()].filter((entry) => entry.tenantRole !== null);
      withTenantRole.sort(
        (left, right) => tenantRoleRank[right.tenantRole!] - tenantRoleRank[left.tenantRole!] || left.tenantRoleSince - right.tenantRoleSince,
      );
      chosen = withTenantRole[0] ?? [...tenants.values()].find((entry) => entry.accounts.length > 0);
    }
    if (!chosen || (chosen.tenantRole === null && chosen.accounts.length === 0)) return null;

    const base = { tenantId: chosen.tenantId, tenantRole: chosen.tenantRole };
    const requestedAccountId = requested?.accountId;
    if (requestedAccountId) {
      const own = chosen.accounts.find((account) => account.accountId === requestedAccountId);
      if (own) return { ...base, accountId: own.accountId, accountRole: own.role };
      if (!isTenantAdminRole(chosen.tenantRole)) return null;
      const account = await selectAccountById(tx, requestedAccountId);
      const usable = account && account.tenantId === chosen.tenantId && account.status === 'active';
      return usable ? { ...base, accountId: account.id, accountRole: null } : null;
    }
    if (requestedAccountId === null && chosen.tenantRole !== null) return { ...base, accountId: null, accountRole: null };

    const first = chosen.accounts[0];
    if (first) return { ...base, accountId: first.accountId, accountRole: first.role };
    if (isTenantAdminRole(chosen.tenantRole)) {
      const [oldest] = await selectActiveAccountsOfTenants(tx, [chosen.tenantId]);
      if (oldest) return { ...base, accountId: oldest.id, accountRole: null };
    }
    return { ...base, accountId: null, accountRole: null };
  });
}

/** The membership directory identity uses at sign-in, refresh, switch and for API keys. */
export const membershipDirectory: MembershipDirectory = { resolveScope };

/** Every tenant the signed-in user belongs to, with the accounts they can enter (for the switcher). */
export async function listMyMemberships(ctx: ServiceContext): Promise<MyMemberships> {
  const actor = requireActor(ctx);
  return withSystemAccessRead(ctx, 'me: memberships', async (tx) => {
    const rows = await selectMembershipsOfUser(tx, actor.userId);
    const tenantRoles = new Map<string, TenantRole>();
    for (const row of rows) if (row.accountId === null) tenantRoles.set(row.tenantId, row.role as TenantRole);
    const adminTenantIds = [...tenantRoles].filter(([, role]) => isTenantAdminRole(role)).map(([tenantId]) => tenantId);
    const allAccounts = await selectActiveAccountsOfTenants(tx, adminTenantIds);

    const items = new Map<string, MyMemberships['items'][number]>();
    for (const row of rows) {
      if (!items.has(row.tenantId)) {
        items.set(row.tenantId, {
          tenant: { id: row.tenantId, name: row.tenantName, slug: row.tenantSlug, status: row.tenantStatus },
          role: tenantRoles.get(row.tenantId) ?? null,
          accounts: [],
        });
      }
    }
    for (const row of rows) {
      if (row.accountId === null || row.accountStatus !== 'active') continue;
      items.get(row.tenantId)!.accounts.push({ id: row.accountId, name: row.accountName ?? '', slug: row.accountSlug ?? '', role: row.role as AccountRole });
    }
    // Owners and admins can enter every active account (as admin, by inheritance).
    for (const account of allAccounts) {
      const item = items.get(account.tenantId)!;
      if (!item.accounts.some((entry) => entry.id === account.id)) {
        item.accounts.push({ id: account.id, name: account.name, slug: account.slug, role: 'admin' });
      }
    }
    return { items: [...items.values()] };
  });
}
