import { sql } from 'drizzle-orm';
import { isUuid, type Tx } from '../../kernel/db/database.js';

/**
 * The only file that reads or writes notifications and notification_preferences. Every function runs in
 * the caller's transaction (row-level security: one tenant); the ones serving a person's requests also
 * filter user_id, which keeps people of one tenant apart.
 */

export type NotificationRow = {
  id: string;
  userId: string;
  accountId: string | null;
  kind: string;
  title: string;
  body: string;
  linkPath: string;
  subjectType: string | null;
  subjectId: string | null;
  actorUserId: string | null;
  actorName: string | null;
  createdAt: Date;
  readAt: Date | null;
};

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

function toNotificationRow(row: Record<string, unknown>): NotificationRow {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    accountId: (row.account_id as string | null) ?? null,
    kind: row.kind as string,
    title: row.title as string,
    body: row.body as string,
    linkPath: row.link_path as string,
    subjectType: (row.subject_type as string | null) ?? null,
    subjectId: (row.subject_id as string | null) ?? null,
    actorUserId: (row.actor_user_id as string | null) ?? null,
    actorName: (row.actor_name as string | null) ?? null,
    createdAt: asDate(row.created_at),
    readAt: row.read_at === null || row.read_at === undefined ? null : asDate(row.read_at),
  };
}

const columns = sql`n.id, n.user_id, n.account_id, n.kind, n.title, n.body, n.link_path, n.subject_type, n.subject_id, n.actor_user_id,
  a.name AS actor_name, n.created_at, n.read_at`;

export type Recipient = { userId: string; email: string; name: string; emailEnabled: boolean | null };

/** The people among userIds (identity's user_directory), with their stored email choice for the kind. */
export async function selectRecipients(tx: Tx, input: { tenantId: string; userIds: string[]; kind: string }): Promise<Recipient[]> {
  if (input.userIds.length === 0) return [];
  const rows = await tx.execute<{ id: string; email: string; name: string; email_enabled: boolean | null }>(sql`
    SELECT u.id, u.email::text AS email, u.name, p.email_enabled
      FROM user_directory u
      LEFT JOIN notification_preferences p ON p.tenant_id = ${input.tenantId} AND p.user_id = u.id AND p.kind = ${input.kind}
     WHERE u.id = ANY(${`{${input.userIds.filter(isUuid).join(',')}}`}::uuid[])
     ORDER BY u.id`);
  return rows.rows.map((row) => ({ userId: row.id, email: row.email, name: row.name, emailEnabled: row.email_enabled }));
}

export type NewNotification = Omit<NotificationRow, 'id' | 'actorName' | 'createdAt' | 'readAt'> & { tenantId: string; mailMessageId: string | null };

/** One statement for all recipients; returns the new ids in the order given. */
export async function insertNotifications(tx: Tx, rows: NewNotification[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const specs = rows.map((row, position) => ({ position, ...row }));
  const inserted = await tx.execute<{ id: string }>(sql`
    INSERT INTO notifications (tenant_id, user_id, account_id, kind, title, body, link_path, subject_type, subject_id, actor_user_id, mail_message_id)
    SELECT s."tenantId", s."userId", s."accountId", s.kind, s.title, s.body, s."linkPath", s."subjectType", s."subjectId", s."actorUserId", s."mailMessageId"
      FROM json_to_recordset(${JSON.stringify(specs)}::json) AS s(position int, "tenantId" uuid, "userId" uuid, "accountId" uuid, kind text, title text,
           body text, "linkPath" text, "subjectType" text, "subjectId" uuid, "actorUserId" uuid, "mailMessageId" uuid)
     ORDER BY s.position
    RETURNING id`);
  return inserted.rows.map((row) => row.id);
}

/** The person's notifications, newest first (limit + 1 rows: the extra one says there is a next page). */
export async function selectNotifications(
  tx: Tx,
  filter: { userId: string; unreadOnly: boolean; limit: number; afterId: string | null },
): Promise<NotificationRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${columns}
      FROM notifications n LEFT JOIN user_directory a ON a.id = n.actor_user_id
     WHERE n.user_id = ${filter.userId}
       AND ${filter.unreadOnly ? sql`n.read_at IS NULL` : sql`true`}
       AND ${filter.afterId ? sql`(n.created_at, n.id) < (SELECT c.created_at, c.id FROM notifications c WHERE c.id = ${filter.afterId} AND c.user_id = ${filter.userId})` : sql`true`}
     ORDER BY n.created_at DESC, n.id DESC
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map(toNotificationRow);
}

export async function countUnread(tx: Tx, userId: string): Promise<number> {
  const rows = await tx.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`);
  return rows.rows[0]?.count ?? 0;
}

/** Mark one of the person's notifications read (kept as first read); null when it is not theirs. */
export async function markRead(tx: Tx, input: { userId: string; id: string }): Promise<NotificationRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH updated AS (
      UPDATE notifications SET read_at = coalesce(read_at, now())
       WHERE id = ${input.id} AND user_id = ${input.userId}
      RETURNING *)
    SELECT ${columns} FROM updated n LEFT JOIN user_directory a ON a.id = n.actor_user_id`);
  const row = rows.rows[0];
  return row ? toNotificationRow(row) : null;
}

export async function markAllRead(tx: Tx, userId: string): Promise<number> {
  const result = await tx.execute(sql`UPDATE notifications SET read_at = now() WHERE user_id = ${userId} AND read_at IS NULL`);
  return result.rowCount ?? 0;
}

export async function selectPreferences(tx: Tx, userId: string): Promise<Map<string, boolean>> {
  const rows = await tx.execute<{ kind: string; email_enabled: boolean }>(sql`SELECT kind, email_enabled FROM notification_preferences WHERE user_id = ${userId}`);
  return new Map(rows.rows.map((row) => [row.kind, row.email_enabled]));
}

export async function upsertPreferences(tx: Tx, input: { tenantId: string; userId: string; items: Array<{ kind: string; emailEnabled: boolean }> }): Promise<void> {
  await tx.execute(sql`
    INSERT INTO notification_preferences (tenant_id, user_id, kind, email_enabled)
    SELECT ${input.tenantId}, ${input.userId}, s.kind, s."emailEnabled"
      FROM json_to_recordset(${JSON.stringify(input.items)}::json) AS s(kind text, "emailEnabled" boolean)
    ON CONFLICT (tenant_id, user_id, kind) DO UPDATE SET email_enabled = excluded.email_enabled, updated_at = now()`);
}
