import { sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';
import { auditLog, type NewAuditEntry } from './audit.schema.js';

/**
 * The only file that reads or writes audit_log. Actor names and emails come from identity's users table
 * (a read-only join for display).
 */

/** Raw queries return timestamps as text (Drizzle's driver setup); typed as Date like the table rows. */
function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export async function insertAuditEntry(tx: Tx, entry: NewAuditEntry): Promise<void> {
  await tx.insert(auditLog).values(entry);
}

export type AuditFilter = {
  /** undefined: every tenant and the platform (system access); a uuid: that tenant's entries only. */
  tenantId?: string;
  action?: string;
  actorUserId?: string;
  targetType?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor: { at: string; id: string } | null;
};

export type AuditRow = {
  id: string;
  tenantId: string | null;
  actorUserId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  actorApiKeyId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  statusCode: number | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  cursorAt: string;
};

/** Newest first, keyset-paged by (created_at, id); fetches limit + 1 rows so the caller knows if more follow. */
export async function selectAuditEntries(tx: Tx, filter: AuditFilter): Promise<AuditRow[]> {
  const conditions = [
    filter.tenantId ? sql`l.tenant_id = ${filter.tenantId}` : sql`true`,
    filter.action ? sql`l.action = ${filter.action}` : sql`true`,
    filter.actorUserId ? sql`l.actor_user_id = ${filter.actorUserId}` : sql`true`,
    filter.targetType ? sql`l.target_type = ${filter.targetType}` : sql`true`,
    filter.from ? sql`l.created_at >= ${filter.from.toISOString()}::timestamptz` : sql`true`,
    filter.to ? sql`l.created_at < ${filter.to.toISOString()}::timestamptz` : sql`true`,
    filter.cursor ? sql`(l.created_at, l.id) < (${filter.cursor.at}::timestamptz, ${filter.cursor.id}::bigint)` : sql`true`,
  ];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT l.id::text AS id, l.tenant_id, l.actor_user_id, l.actor_api_key_id, l.action, l.target_type, l.target_id,
           l.status_code, l.ip, l.user_agent, l.request_id, l.metadata, l.created_at, l.created_at::text AS cursor_at,
           u.name AS actor_name, u.email::text AS actor_email
      FROM audit_log l LEFT JOIN user_directory u ON u.id = l.actor_user_id
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY l.created_at DESC, l.id DESC
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    tenantId: (row.tenant_id as string | null) ?? null,
    actorUserId: (row.actor_user_id as string | null) ?? null,
    actorName: (row.actor_name as string | null) ?? null,
    actorEmail: (row.actor_email as string | null) ?? null,
    actorApiKeyId: (row.actor_api_key_id as string | null) ?? null,
    action: row.action as string,
    targetType: (row.target_type as string | null) ?? null,
    targetId: (row.target_id as string | null) ?? null,
    statusCode: (row.status_code as number | null) ?? null,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    requestId: (row.request_id as string | null) ?? null,
    metadata: (row.metadata as Record<string, unknown> | null) ?? {},
    createdAt: asDate(row.created_at),
    cursorAt: row.cursor_at as string,
  }));
}

export async function countAuditEntriesSince(tx: Tx, tenantId: string, since: Date): Promise<number> {
  const rows = await tx.execute<{ count: number }>(
    sql`SELECT count(*) AS count FROM audit_log WHERE tenant_id = ${tenantId} AND created_at >= ${since.toISOString()}::timestamptz`,
  );
  return Number(rows.rows[0]?.count ?? 0);
}
