import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';
import { asDate, asNullableDate, type Paged, after } from './common.js';
import { tenantDomains, tenants, type TenantDomainRow, type TenantRow } from '../tenancy.schema.js';

/** Tenants, their custom domains and dashboard figures. */

// ---------------------------------------------------------------------------------------------- tenants

export type NewTenant = { name: string; slug: string; industry: TenantRow['industry']; branding?: Record<string, unknown> };

export async function insertTenant(tx: Tx, values: NewTenant): Promise<TenantRow | null> {
  const rows = await tx.insert(tenants).values(values).onConflictDoNothing({ target: tenants.slug }).returning();
  return rows[0] ?? null;
}

export async function selectTenantById(tx: Tx, id: string): Promise<TenantRow | null> {
  const rows = await tx.select().from(tenants).where(eq(tenants.id, id));
  return rows[0] ?? null;
}

/** Case-insensitive (citext). Under system access it sees every tenant. */
export async function selectTenantBySlug(tx: Tx, slug: string): Promise<TenantRow | null> {
  const rows = await tx.select().from(tenants).where(eq(tenants.slug, slug));
  return rows[0] ?? null;
}

export async function isTenantSlugTaken(tx: Tx, slug: string): Promise<boolean> {
  const rows = await tx.execute<{ taken: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM tenants WHERE slug = ${slug}) AS taken`);
  return rows.rows[0]?.taken ?? false;
}

export async function updateTenantRow(
  tx: Tx,
  id: string,
  patch: Partial<Pick<TenantRow, 'name' | 'industry' | 'branding'>>,
): Promise<TenantRow | null> {
  const rows = await tx.update(tenants).set({ ...patch, updatedAt: sql`now()` }).where(eq(tenants.id, id)).returning();
  return rows[0] ?? null;
}

export async function updateTenantStatus(tx: Tx, id: string, change: { status: 'active' } | { status: 'suspended'; reason: string }): Promise<TenantRow | null> {
  const values =
    change.status === 'suspended'
      ? { status: 'suspended' as const, suspendedReason: change.reason, suspendedAt: sql`coalesce(${tenants.suspendedAt}, now())`, updatedAt: sql`now()` }
      : { status: 'active' as const, suspendedReason: null, suspendedAt: null, updatedAt: sql`now()` };
  const rows = await tx.update(tenants).set(values).where(eq(tenants.id, id)).returning();
  return rows[0] ?? null;
}

export async function selectSuspendedTenantIds(tx: Tx): Promise<string[]> {
  const rows = await tx.execute<{ id: string }>(sql`SELECT id FROM tenants WHERE status = 'suspended'`);
  return rows.rows.map((row) => row.id);
}

export type PlatformTenantRow = TenantRow & { memberCount: number; accountCount: number; cursorAt: string };

/** Newest first; q matches name or slug (substring, case-insensitive). */
export async function selectPlatformTenants(
  tx: Tx,
  filter: Paged & { q?: string; status?: TenantRow['status'] },
): Promise<PlatformTenantRow[]> {
  const pattern = filter.q ? `%${filter.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%` : null;
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT t.*, t.created_at::text AS cursor_at,
           (SELECT count(DISTINCT m.user_id) FROM memberships m WHERE m.tenant_id = t.id) AS member_count,
           (SELECT count(*) FROM accounts a WHERE a.tenant_id = t.id AND a.status = 'active') AS account_count
      FROM tenants t
     WHERE ${pattern === null ? sql`true` : sql`(t.name ILIKE ${pattern} OR t.slug::text ILIKE ${pattern})`}
       AND ${filter.status ? sql`t.status = ${filter.status}` : sql`true`}
       AND ${after('t', filter.cursor, 'desc')}
     ORDER BY t.created_at DESC, t.id DESC
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    name: row.name as string,
    slug: row.slug as string,
    industry: row.industry as TenantRow['industry'],
    status: row.status as TenantRow['status'],
    plan: row.plan as string,
    branding: row.branding as Record<string, unknown>,
    settings: row.settings as Record<string, unknown>,
    suspendedAt: asNullableDate(row.suspended_at),
    suspendedReason: (row.suspended_reason as string | null) ?? null,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    memberCount: Number(row.member_count),
    accountCount: Number(row.account_count),
    cursorAt: row.cursor_at as string,
  }));
}

// ---------------------------------------------------------------------------------------------- domains

export async function insertDomain(
  tx: Tx,
  values: { tenantId: string; domain: string; kind: TenantDomainRow['kind']; verificationToken: string },
): Promise<TenantDomainRow | null> {
  const rows = await tx.insert(tenantDomains).values(values).onConflictDoNothing({ target: tenantDomains.domain }).returning();
  return rows[0] ?? null;
}

export async function selectDomains(tx: Tx, tenantId: string): Promise<TenantDomainRow[]> {
  return tx.select().from(tenantDomains).where(eq(tenantDomains.tenantId, tenantId)).orderBy(tenantDomains.createdAt, tenantDomains.id);
}

export async function selectDomainById(tx: Tx, id: string): Promise<TenantDomainRow | null> {
  const rows = await tx.select().from(tenantDomains).where(eq(tenantDomains.id, id));
  return rows[0] ?? null;
}

export async function deleteDomainRow(tx: Tx, id: string): Promise<void> {
  await tx.delete(tenantDomains).where(eq(tenantDomains.id, id));
}

export async function markDomainVerified(tx: Tx, id: string): Promise<TenantDomainRow | null> {
  const rows = await tx
    .update(tenantDomains)
    .set({ verifiedAt: sql`coalesce(${tenantDomains.verifiedAt}, now())` })
    .where(eq(tenantDomains.id, id))
    .returning();
  return rows[0] ?? null;
}

/** The tenant a verified domain points at (system access: the caller does not know the tenant yet). */
export async function selectTenantIdByVerifiedDomain(tx: Tx, domain: string): Promise<string | null> {
  const rows = await tx.execute<{ tenant_id: string }>(
    sql`SELECT tenant_id FROM tenant_domains WHERE domain = ${domain} AND verified_at IS NOT NULL`,
  );
  return rows.rows[0]?.tenant_id ?? null;
}

export async function selectTenantIdBySlug(tx: Tx, slug: string): Promise<string | null> {
  const rows = await tx.execute<{ id: string }>(sql`SELECT id FROM tenants WHERE slug = ${slug}`);
  return rows.rows[0]?.id ?? null;
}

// ---------------------------------------------------------------------------------------------- figures

export type TenantFigures = { accounts: number; members: number; pendingInvitations: number; profiles: number; customDomains: number };

export async function selectTenantFigures(tx: Tx, tenantId: string): Promise<TenantFigures> {
  const rows = await tx.execute<Record<string, number>>(sql`
    SELECT
      (SELECT count(*) FROM accounts WHERE tenant_id = ${tenantId} AND status = 'active') AS accounts,
      (SELECT count(DISTINCT user_id) FROM memberships WHERE tenant_id = ${tenantId}) AS members,
      (SELECT count(*) FROM invitations WHERE tenant_id = ${tenantId} AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()) AS pending_invitations,
      (SELECT count(*) FROM profiles WHERE tenant_id = ${tenantId}) AS profiles,
      (SELECT count(*) FROM tenant_domains WHERE tenant_id = ${tenantId} AND kind = 'custom') AS custom_domains`);
  const row = rows.rows[0] ?? {};
  return {
    accounts: Number(row.accounts ?? 0),
    members: Number(row.members ?? 0),
    pendingInvitations: Number(row.pending_invitations ?? 0),
    profiles: Number(row.profiles ?? 0),
    customDomains: Number(row.custom_domains ?? 0),
  };
}
