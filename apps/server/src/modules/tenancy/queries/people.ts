import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';
import { asDate, asNullableDate, type Paged, after } from './common.js';
import { invitations, profiles, type AccountRow, type InvitationRow, type ProfileRow, type TenantRow } from '../tenancy.schema.js';

/** Profiles and invitations. Inviter names come from identity's published user_directory view. */

// ---------------------------------------------------------------------------------------------- profiles

export async function insertProfile(
  tx: Tx,
  values: Pick<ProfileRow, 'tenantId' | 'accountId' | 'userId' | 'displayName' | 'slug' | 'headline' | 'bio' | 'visibility'>,
): Promise<ProfileRow | null> {
  const rows = await tx
    .insert(profiles)
    .values(values)
    .onConflictDoNothing({ target: [profiles.tenantId, profiles.accountId, profiles.slug] })
    .returning();
  return rows[0] ?? null;
}

export async function selectProfileById(tx: Tx, id: string): Promise<ProfileRow | null> {
  const rows = await tx.select().from(profiles).where(eq(profiles.id, id));
  return rows[0] ?? null;
}

export async function isProfileSlugTaken(tx: Tx, accountId: string, slug: string, exceptId: string | null = null): Promise<boolean> {
  const rows = await tx.execute<{ taken: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM profiles WHERE account_id = ${accountId} AND slug = ${slug}
                   AND ${exceptId ? sql`id <> ${exceptId}` : sql`true`}) AS taken`);
  return rows.rows[0]?.taken ?? false;
}

export type ProfileListRow = ProfileRow & { cursorAt: string };

/** Oldest first. Private profiles are included only for their owner, or for everyone when includePrivate. */
export async function selectProfiles(
  tx: Tx,
  filter: Paged & { accountId: string; viewerUserId: string; includePrivate: boolean; userId?: string },
): Promise<ProfileListRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT p.*, p.created_at::text AS cursor_at FROM profiles p
     WHERE p.account_id = ${filter.accountId}
       AND ${filter.includePrivate ? sql`true` : sql`(p.visibility <> 'private' OR p.user_id = ${filter.viewerUserId})`}
       AND ${filter.userId ? sql`p.user_id = ${filter.userId}` : sql`true`}
       AND ${after('p', filter.cursor, 'asc')}
     ORDER BY p.created_at, p.id
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: row.account_id as string,
    userId: row.user_id as string,
    displayName: row.display_name as string,
    slug: row.slug as string,
    headline: (row.headline as string | null) ?? null,
    bio: (row.bio as string | null) ?? null,
    visibility: row.visibility as ProfileRow['visibility'],
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    cursorAt: row.cursor_at as string,
  }));
}

export async function updateProfileRow(
  tx: Tx,
  id: string,
  patch: Partial<Pick<ProfileRow, 'displayName' | 'slug' | 'headline' | 'bio' | 'visibility'>>,
): Promise<ProfileRow | null> {
  const rows = await tx.update(profiles).set({ ...patch, updatedAt: sql`now()` }).where(eq(profiles.id, id)).returning();
  return rows[0] ?? null;
}

export async function deleteProfileRow(tx: Tx, id: string): Promise<void> {
  await tx.delete(profiles).where(eq(profiles.id, id));
}

// ---------------------------------------------------------------------------------------------- invitations

export type InvitationView = InvitationRow & { accountName: string | null; inviterName: string | null; cursorAt: string };

const invitationColumns = sql`i.id, i.tenant_id, i.account_id, i.email::text AS email, i.role, i.token_hash, i.invited_by, i.expires_at,
  i.accepted_at, i.accepted_by, i.revoked_at, i.created_at, i.created_at::text AS cursor_at, a.name AS account_name, u.name AS inviter_name`;

function toInvitationView(row: Record<string, unknown>): InvitationView {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: (row.account_id as string | null) ?? null,
    email: row.email as string,
    role: row.role as InvitationRow['role'],
    tokenHash: row.token_hash as string,
    invitedBy: (row.invited_by as string | null) ?? null,
    expiresAt: asDate(row.expires_at),
    acceptedAt: asNullableDate(row.accepted_at),
    acceptedBy: (row.accepted_by as string | null) ?? null,
    revokedAt: asNullableDate(row.revoked_at),
    createdAt: asDate(row.created_at),
    accountName: (row.account_name as string | null) ?? null,
    inviterName: (row.inviter_name as string | null) ?? null,
    cursorAt: row.cursor_at as string,
  };
}

export async function insertInvitation(
  tx: Tx,
  values: Pick<InvitationRow, 'tenantId' | 'accountId' | 'email' | 'role' | 'tokenHash' | 'invitedBy' | 'expiresAt'>,
): Promise<string> {
  const rows = await tx.insert(invitations).values(values).returning({ id: invitations.id });
  return rows[0]!.id;
}

export async function selectInvitationById(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<InvitationView | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${invitationColumns}
      FROM invitations i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN user_directory u ON u.id = i.invited_by
     WHERE i.id = ${id}
     ${options.forUpdate ? sql`FOR UPDATE OF i` : sql``}`);
  const row = rows.rows[0];
  return row ? toInvitationView(row) : null;
}

/** By the SHA-256 of the emailed token (system access: the bearer of the link is not in the tenant yet). */
export async function selectInvitationByTokenHash(
  tx: Tx,
  tokenHash: string,
  options: { forUpdate?: boolean } = {},
): Promise<(InvitationView & { tenantName: string; tenantStatus: TenantRow['status']; accountStatus: AccountRow['status'] | null }) | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${invitationColumns}, t.name AS tenant_name, t.status AS tenant_status, a.status AS account_status
      FROM invitations i JOIN tenants t ON t.id = i.tenant_id
      LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN user_directory u ON u.id = i.invited_by
     WHERE i.token_hash = ${tokenHash}
     ${options.forUpdate ? sql`FOR UPDATE OF i` : sql``}`);
  const row = rows.rows[0];
  if (!row) return null;
  return {
    ...toInvitationView(row),
    tenantName: row.tenant_name as string,
    tenantStatus: row.tenant_status as TenantRow['status'],
    accountStatus: (row.account_status as AccountRow['status'] | null) ?? null,
  };
}

/** Newest first. */
export async function selectInvitations(
  tx: Tx,
  filter: Paged & { tenantId: string; accountId: string | null; status?: 'pending' | 'accepted' | 'revoked' | 'expired' },
): Promise<InvitationView[]> {
  const statusCondition =
    filter.status === 'pending' ? sql`i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`
    : filter.status === 'accepted' ? sql`i.accepted_at IS NOT NULL`
    : filter.status === 'revoked' ? sql`i.accepted_at IS NULL AND i.revoked_at IS NOT NULL`
    : filter.status === 'expired' ? sql`i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at <= now()`
    : sql`true`;
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${invitationColumns}
      FROM invitations i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN user_directory u ON u.id = i.invited_by
     WHERE i.tenant_id = ${filter.tenantId}
       AND ${filter.accountId ? sql`i.account_id = ${filter.accountId}` : sql`true`}
       AND ${statusCondition}
       AND ${after('i', filter.cursor, 'desc')}
     ORDER BY i.created_at DESC, i.id DESC
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map(toInvitationView);
}

/** A pending invitation of this email to the same place (tenant level when accountId is null). */
export async function selectPendingInvitationFor(tx: Tx, tenantId: string, email: string, accountId: string | null): Promise<string | null> {
  const rows = await tx.execute<{ id: string }>(sql`
    SELECT id FROM invitations
     WHERE tenant_id = ${tenantId} AND email = ${email}
       AND ${accountId === null ? sql`account_id IS NULL` : sql`account_id = ${accountId}`}
       AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
     LIMIT 1`);
  return rows.rows[0]?.id ?? null;
}

export async function updateInvitationToken(tx: Tx, id: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await tx.update(invitations).set({ tokenHash, expiresAt }).where(eq(invitations.id, id));
}

export async function markInvitationRevoked(tx: Tx, id: string): Promise<void> {
  await tx.update(invitations).set({ revokedAt: sql`coalesce(${invitations.revokedAt}, now())` }).where(eq(invitations.id, id));
}

export async function markInvitationAccepted(tx: Tx, id: string, userId: string): Promise<void> {
  await tx.update(invitations).set({ acceptedAt: sql`now()`, acceptedBy: userId }).where(eq(invitations.id, id));
}
