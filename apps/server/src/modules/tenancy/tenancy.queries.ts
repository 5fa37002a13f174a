/**
 * The only code that reads or writes the tenancy tables (split by area under queries/). Every function
 * runs in the caller's transaction (withTenant: row-level security limits it to that tenant;
 * withSystemAccess: platform paths). Inserts that can hit a unique key use ON CONFLICT DO NOTHING and
 * return null, so the transaction stays usable.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

export * from './queries/accounts.js';
export * from './queries/people.js';
export * from './queries/tenants.js';

const accountRoleRanks = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;
export type AccountRoleName = (typeof accountRoleRanks)[number];

/**
 * Members of an account whose role is between minAccountRole and maxAccountRole (default admin), plus the
 * tenant's owners and admins, who inherit admin in every account (so only when maxAccountRole is admin).
 */
export async function selectAccountUserIdsWithRole(
  tx: Tx,
  input: { accountId: string; minAccountRole: AccountRoleName; maxAccountRole?: AccountRoleName },
): Promise<string[]> {
  const min = accountRoleRanks.indexOf(input.minAccountRole);
  const max = accountRoleRanks.indexOf(input.maxAccountRole ?? 'admin');
  const roles = accountRoleRanks.filter((_, rank) => rank >= min && rank <= max);
  const rows = await tx.execute<{ user_id: string }>(sql`
    SELECT m.user_id FROM memberships m
      JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id
     WHERE m.account_id = ${input.accountId} AND m.role = ANY(${`{${roles.join(',')}}`}::text[])
    UNION
    SELECT m.user_id FROM memberships m
      JOIN accounts a ON a.id = ${input.accountId} AND a.tenant_id = m.tenant_id
     WHERE m.account_id IS NULL AND m.role IN ('owner', 'admin') AND ${max === accountRoleRanks.length - 1}
     ORDER BY 1`);
  return rows.rows.map((row) => row.user_id);
}
