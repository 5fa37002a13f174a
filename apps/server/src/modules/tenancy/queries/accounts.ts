import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';
import { asDate, type Paged, after } from './common.js';
import { accounts, memberships, type AccountRow, type MembershipRow, type TenantRow } from '../tenancy.schema.js';

/** Accounts and memberships. Display names and emails of people come from identity's published user_directory view. */

// ---------------------------------------------------------------------------------------------- accounts

export async function insertAccount(tx: Tx, values: { tenantId: string; name: string; slug: string }): Promise<AccountRow | null> {
  const rows = await tx.insert(accounts).values(values).onConflictDoNothing({ target: [accounts.tenantId, accounts.slug] }).returning();
  return rows[0] ?? null;
}

export async function selectAccountById(tx: Tx, id: string): Promise<AccountRow | null> {
  const rows = await tx.select().from(accounts).where(eq(accounts.id, id));
  return rows[0] ?? null;
}

export async function isAccountSlugTaken(tx: Tx, tenantId: string, slug: string, exceptId: string | null = null): Promise<boolean> {
  const rows = await tx.execute<{ taken: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM accounts WHERE tenant_id = ${tenantId} AND slug = ${slug}
                   AND ${exceptId ? sql`id <> ${exceptId}` : sql`true`}) AS taken`);
  return rows.rows[0]?.taken ?? false;
}

export type AccountListRow = AccountRow & { cursorAt: string };

/** Oldest first. memberUserId: only accounts where that user holds an account membership. */
export async function selectAccounts(
  tx: Tx,
  filter: Paged & { tenantId: string; status: AccountRow['status'] | 'all'; memberUserId: string | null },
): Promise<AccountListRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT a.id, a.tenant_id, a.name, a.slug, a.status, a.settings, a.created_at, a.updated_at, a.created_at::text AS cursor_at
      FROM accounts a
     WHERE a.tenant_id = ${filter.tenantId}
       AND ${filter.status === 'all' ? sql`true` : sql`a.status = ${filter.status}`}
       AND ${filter.memberUserId
         ? sql`EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = a.tenant_id AND m.account_id = a.id AND m.user_id = ${filter.memberUserId})`
         : sql`true`}
       AND ${after('a', filter.cursor, 'asc')}
     ORDER BY a.created_at, a.id
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    slug: row.slug as string,
    status: row.status as AccountRow['status'],
    settings: row.settings as Record<string, unknown>,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    cursorAt: row.cursor_at as string,
  }));
}

export async function updateAccountRow(tx: Tx, id: string, patch: Partial<Pick<AccountRow, 'name' | 'slug' | 'status'>>): Promise<AccountRow | null> {
  const rows = await tx.update(accounts).set({ ...patch, updatedAt: sql`now()` }).where(eq(accounts.id, id)).returning();
  return rows[0] ?? null;
}

/** The tenant's oldest active account (the default for owners and admins who hold no account role). */
export async function selectFirstActiveAccount(tx: Tx, tenantId: string): Promise<AccountRow | null> {
  const rows = await tx
    .select()
    .from(accounts)
    .where(and(eq(accounts.tenantId, tenantId), eq(accounts.status, 'active')))
    .orderBy(accounts.createdAt, accounts.id)
    .limit(1);
  return rows[0] ?? null;
}

export async function selectActiveAccountsOfTenants(tx: Tx, tenantIds: string[]): Promise<AccountRow[]> {
  if (tenantIds.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, tenant_id, name, slug, status, created_at FROM accounts
     WHERE tenant_id = ANY(${`{${tenantIds.join(',')}}`}::uuid[]) AND status = 'active'
     ORDER BY created_at, id`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    slug: row.slug as string,
    status: 'active' as const,
    settings: {},
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.created_at),
  }));
}

// ---------------------------------------------------------------------------------------------- memberships

export async function insertMembership(
  tx: Tx,
  values: { tenantId: string; accountId: string | null; userId: string; role: MembershipRow['role'] },
): Promise<MembershipRow | null> {
  const rows = await tx.insert(memberships).values(values).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

export async function selectMembershipById(tx: Tx, id: string): Promise<MembershipRow | null> {
  const rows = await tx.select().from(memberships).where(eq(memberships.id, id));
  return rows[0] ?? null;
}

/** The user's membership at one level: tenant level when accountId is null. */
export async function selectMembershipOf(tx: Tx, tenantId: string, userId: string, accountId: string | null): Promise<MembershipRow | null> {
  const rows = await tx.execute<{ id: string }>(sql`
    SELECT id FROM memberships
     WHERE tenant_id = ${tenantId} AND user_id = ${userId}
       AND ${accountId === null ? sql`account_id IS NULL` : sql`account_id = ${accountId}`}`);
  const id = rows.rows[0]?.id;
  return id ? selectMembershipById(tx, id) : null;
}

export type MemberListRow = MembershipRow & { userName: string; userEmail: string; accountName: string | null; cursorAt: string };

function toMemberListRow(row: Record<string, unknown>): MemberListRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: (row.account_id as string | null) ?? null,
    userId: row.user_id as string,
    role: row.role as MembershipRow['role'],
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    userName: row.user_name as string,
    userEmail: row.user_email as string,
    accountName: (row.account_name as string | null) ?? null,
    cursorAt: row.cursor_at as string,
  };
}

const memberColumns = sql`m.id, m.tenant_id, m.account_id, m.user_id, m.role, m.created_at, m.updated_at, m.created_at::text AS cursor_at,
  u.name AS user_name, u.email::text AS user_email, a.name AS account_name`;

/** Oldest first. accountId: only that account's memberships. */
export async function selectMembers(tx: Tx, filter: Paged & { tenantId: string; accountId: string | null }): Promise<MemberListRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${memberColumns}
      FROM memberships m JOIN user_directory u ON u.id = m.user_id LEFT JOIN accounts a ON a.id = m.account_id
     WHERE m.tenant_id = ${filter.tenantId}
       AND ${filter.accountId ? sql`m.account_id = ${filter.accountId}` : sql`true`}
       AND ${after('m', filter.cursor, 'asc')}
     ORDER BY m.created_at, m.id
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map(toMemberListRow);
}

export async function selectMemberById(tx: Tx, id: string): Promise<MemberListRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${memberColumns}
      FROM memberships m JOIN user_directory u ON u.id = m.user_id LEFT JOIN accounts a ON a.id = m.account_id
     WHERE m.id = ${id}`);
  const row = rows.rows[0];
  return row ? toMemberListRow(row) : null;
}

export async function updateMembershipRole(tx: Tx, id: string, role: MembershipRow['role']): Promise<void> {
  await tx.update(memberships).set({ role, updatedAt: sql`now()` }).where(eq(memberships.id, id));
}

export async function deleteMembershipRow(tx: Tx, id: string): Promise<void> {
  await tx.delete(memberships).where(eq(memberships.id, id));
}

/** Lock the tenant's owner memberships (so two concurrent demotions cannot both pass the last-owner check). */
export async function lockTenantOwners(tx: Tx, tenantId: string): Promise<string[]> {
  const rows = await tx.execute<{ id: string }>(sql`
    SELECT id FROM memberships WHERE tenant_id = ${tenantId} AND account_id IS NULL AND role = 'owner' ORDER BY id FOR UPDATE`);
  return rows.rows.map((row) => row.id);
}

export type ScopeCandidateRow = {
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  tenantStatus: TenantRow['status'];
  accountId: string | null;
  accountName: string | null;
  accountSlug: string | null;
  accountStatus: AccountRow['status'] | null;
  role: MembershipRow['role'];
  createdAt: Date;
};

/** Every membership of a user, across tenants (system access), oldest first. */
export async function selectMembershipsOfUser(tx: Tx, userId: string): Promise<ScopeCandidateRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT m.tenant_id, t.name AS tenant_name, t.slug::text AS tenant_slug, t.status AS tenant_status,
           m.account_id, a.name AS account_name, a.slug::text AS account_slug, a.status AS account_status,
           m.role, m.created_at
      FROM memberships m JOIN tenants t ON t.id = m.tenant_id LEFT JOIN accounts a ON a.id = m.account_id
     WHERE m.user_id = ${userId}
     ORDER BY m.created_at, m.id`);
  return rows.rows.map((row) => ({
    tenantId: row.tenant_id as string,
    tenantName: row.tenant_name as string,
    tenantSlug: row.tenant_slug as string,
    tenantStatus: row.tenant_status as TenantRow['status'],
    accountId: (row.account_id as string | null) ?? null,
    accountName: (row.account_name as string | null) ?? null,
    accountSlug: (row.account_slug as string | null) ?? null,
    accountStatus: (row.account_status as AccountRow['status'] | null) ?? null,
    role: row.role as MembershipRow['role'],
    createdAt: asDate(row.created_at),
  }));
}

/**
 * The people responsible for an account: its admins, or the tenant's owners and admins when the account
 * has no admin of its own (they inherit the role).
 */
export async function selectAccountAdminUserIds(tx: Tx, input: { tenantId: string; accountId: string }): Promise<string[]> {
  const rows = await tx.execute<{ user_id: string }>(sql`
    WITH account_admins AS (
      SELECT m.user_id FROM memberships m
       WHERE m.tenant_id = ${input.tenantId} AND m.account_id = ${input.accountId} AND m.role = 'admin'
    )
    SELECT user_id FROM account_admins
    UNION
    SELECT m.user_id FROM memberships m
     WHERE m.tenant_id = ${input.tenantId} AND m.account_id IS NULL AND m.role IN ('owner', 'admin')
       AND NOT EXISTS (SELECT 1 FROM account_admins)`);
  return rows.rows.map((row) => row.user_id);
}
