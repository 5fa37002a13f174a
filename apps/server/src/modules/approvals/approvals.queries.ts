import type { ApprovalOutcome, ApprovalStage, ApprovalStatus } from '@omni/contracts/approvals';
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The only file that reads or writes the approvals tables. Raw SQL in the caller's transaction (row-level
 * security: one tenant; the token lookup runs under system access). Timestamps come back as text from raw
 * queries, so rows are mapped here. Names of people come from identity's user_directory view.
 */

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const asOptionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : asDate(value));
const asOptional = <T>(value: unknown): T | null => (value === null || value === undefined ? null : (value as T));

export type DecisionRow = {
  id: string;
  outcome: ApprovalOutcome;
  note: string | null;
  decidedByUserId: string | null;
  decidedViaLinkId: string | null;
  deciderName: string;
  deciderEmail: string | null;
  decidedAt: Date;
};

export type RequestRow = {
  id: string;
  tenantId: string;
  accountId: string;
  subjectType: string;
  subjectId: string;
  subjectRevision: number;
  stage: ApprovalStage;
  status: ApprovalStatus;
  summary: string;
  requestedBy: string | null;
  requesterName: string | null;
  requestedAt: Date;
  decidedAt: Date | null;
  supersededReason: string | null;
  decision: DecisionRow | null;
};

const requestColumns = sql`r.id, r.tenant_id, r.account_id, r.subject_type, r.subject_id, r.subject_revision, r.stage, r.status, r.summary,
  r.requested_by, ru.name AS requester_name, r.requested_at, r.decided_at, r.superseded_reason,
  d.id AS d_id, d.outcome AS d_outcome, d.note AS d_note, d.decided_by_user_id AS d_user_id, d.decided_via_link_id AS d_link_id,
  d.decider_name AS d_name, d.decider_email::text AS d_email, d.decided_at AS d_at`;

const requestFrom = sql`approval_requests r
  LEFT JOIN approval_decisions d ON d.tenant_id = r.tenant_id AND d.request_id = r.id
  LEFT JOIN user_directory ru ON ru.id = r.requested_by`;

function toRequestRow(row: Record<string, unknown>): RequestRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: row.account_id as string,
    subjectType: row.subject_type as string,
    subjectId: row.subject_id as string,
    subjectRevision: Number(row.subject_revision),
    stage: row.stage as ApprovalStage,
    status: row.status as ApprovalStatus,
    summary: row.summary as string,
    requestedBy: asOptional<string>(row.requested_by),
    requesterName: asOptional<string>(row.requester_name),
    requestedAt: asDate(row.requested_at),
    decidedAt: asOptionalDate(row.decided_at),
    supersededReason: asOptional<string>(row.superseded_reason),
    decision: row.d_id
      ? {
          id: row.d_id as string,
          outcome: row.d_outcome as ApprovalOutcome,
          note: asOptional<string>(row.d_note),
          decidedByUserId: asOptional<string>(row.d_user_id),
          decidedViaLinkId: asOptional<string>(row.d_link_id),
          deciderName: row.d_name as string,
          deciderEmail: asOptional<string>(row.d_email),
          decidedAt: asDate(row.d_at),
        }
      : null,
  };
}

// ------------------------------------------------------------------------------------------ requests

export type NewRequest = {
  tenantId: string;
  /** The account the subject belongs to. */
  accountId: string;
  subjectType: string;
  subjectId: string;
  subjectRevision: number;
  stage: ApprovalStage;
  /** One line for the inbox, ≤ 300 characters (longer is cut), e.g. the post's title or first words. */
  summary: string;
  /** null: the system (e.g. a draft made from a feed). */
  requestedBy: string | null;
};

/** Insert a pending request; null when the subject already has a pending request at that stage. */
export async function insertRequest(tx: Tx, request: NewRequest): Promise<string | null> {
  const rows = await tx.execute<{ id: string }>(sql`
    INSERT INTO approval_requests (tenant_id, account_id, subject_type, subject_id, subject_revision, stage, summary, requested_by)
    VALUES (${request.tenantId}, ${request.accountId}, ${request.subjectType}, ${request.subjectId}, ${request.subjectRevision}, ${request.stage},
            ${request.summary}, ${request.requestedBy})
    ON CONFLICT (tenant_id, subject_type, subject_id, stage) WHERE status = 'pending' DO NOTHING
    RETURNING id`);
  return rows.rows[0]?.id ?? null;
}

/** One request of the transaction's tenant, optionally within an account, optionally locked. */
export async function findRequest(tx: Tx, id: string, options: { accountId?: string; lock?: boolean } = {}): Promise<RequestRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${requestColumns} FROM ${requestFrom}
     WHERE r.id = ${id} ${options.accountId ? sql`AND r.account_id = ${options.accountId}` : sql``}
     ${options.lock ? sql`FOR UPDATE OF r` : sql``}`);
  const row = rows.rows[0];
  return row ? toRequestRow(row) : null;
}

/** Pending requests of a subject (locked, oldest first), optionally only those below a revision. */
export async function selectPendingRequestsOfSubject(
  tx: Tx,
  input: { subjectType: string; subjectId: string; belowRevision?: number; stage?: ApprovalStage },
): Promise<RequestRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${requestColumns} FROM ${requestFrom}
     WHERE r.subject_type = ${input.subjectType} AND r.subject_id = ${input.subjectId} AND r.status = 'pending'
       ${input.belowRevision !== undefined ? sql`AND r.subject_revision < ${input.belowRevision}` : sql``}
       ${input.stage ? sql`AND r.stage = ${input.stage}` : sql``}
     ORDER BY r.requested_at, r.id
     FOR UPDATE OF r`);
  return rows.rows.map(toRequestRow);
}

export async function updateRequestStatus(tx: Tx, id: string, change: { status: ApprovalStatus; supersededReason: string | null }): Promise<RequestRow> {
  await tx.execute(sql`
    UPDATE approval_requests
       SET status = ${change.status}, superseded_reason = ${change.supersededReason},
           decided_at = CASE WHEN ${change.status} = 'pending' THEN NULL ELSE clock_timestamp() END
     WHERE id = ${id}`);
  const updated = await findRequest(tx, id);
  if (!updated) throw new Error(`approval request ${id} vanished during its update`);
  return updated;
}

export type RequestFilter = {
  accountId: string;
  statuses: ApprovalStatus[];
  stage?: ApprovalStage;
  subjectType?: string;
  subjectId?: string;
  limit: number;
  afterId: string | null;
};

/** Newest first (limit + 1 rows: the extra one says there is a next page). */
export async function selectRequests(tx: Tx, filter: RequestFilter): Promise<RequestRow[]> {
  const conditions: SQL[] = [sql`r.account_id = ${filter.accountId}`, sql`r.status = ANY(${`{${filter.statuses.join(',')}}`}::text[])`];
  if (filter.stage) conditions.push(sql`r.stage = ${filter.stage}`);
  if (filter.subjectType) conditions.push(sql`r.subject_type = ${filter.subjectType}`);
  if (filter.subjectId) conditions.push(sql`r.subject_id = ${filter.subjectId}`);
  if (filter.afterId) {
    conditions.push(sql`(r.requested_at, r.id) < (SELECT c.requested_at, c.id FROM approval_requests c WHERE c.id = ${filter.afterId})`);
  }
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${requestColumns} FROM ${requestFrom}
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY r.requested_at DESC, r.id DESC
     LIMIT ${filter.limit + 1}`);
  return rows.rows.map(toRequestRow);
}

/** Every request of a subject, newest first. */
export async function selectRequestsOfSubject(tx: Tx, input: { subjectType: string; subjectId: string }): Promise<RequestRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${requestColumns} FROM ${requestFrom}
     WHERE r.subject_type = ${input.subjectType} AND r.subject_id = ${input.subjectId}
     ORDER BY r.requested_at DESC, r.id DESC`);
  return rows.rows.map(toRequestRow);
}

// ------------------------------------------------------------------------------------------ decisions

export type NewDecision = {
  tenantId: string;
  requestId: string;
  outcome: ApprovalOutcome;
  note: string | null;
  decidedByUserId: string | null;
  decidedViaLinkId: string | null;
  deciderName: string;
  deciderEmail: string | null;
  ip: string | null;
  userAgent: string | null;
};

/** Append the decision; the unique index makes a second decision on one request impossible. */
export async function insertDecision(tx: Tx, decision: NewDecision): Promise<void> {
  await tx.execute(sql`
    INSERT INTO approval_decisions (tenant_id, request_id, outcome, note, decided_by_user_id, decided_via_link_id, decider_name, decider_email, ip, user_agent)
    VALUES (${decision.tenantId}, ${decision.requestId}, ${decision.outcome}, ${decision.note}, ${decision.decidedByUserId}, ${decision.decidedViaLinkId},
            ${decision.deciderName}, ${decision.deciderEmail}, ${decision.ip}::inet, ${decision.userAgent})`);
}

// ------------------------------------------------------------------------------------------ links

export type LinkRow = {
  id: string;
  tenantId: string;
  requestId: string;
  recipientName: string;
  recipientEmail: string | null;
  createdBy: string | null;
  creatorName: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastOpenedAt: Date | null;
  openCount: number;
  /** The status of the link's request. */
  requestStatus: ApprovalStatus;
  accountId: string;
};

const linkColumns = sql`l.id, l.tenant_id, l.request_id, l.recipient_name, l.recipient_email::text AS recipient_email, l.created_by, cu.name AS creator_name,
  l.created_at, l.expires_at, l.revoked_at, l.last_opened_at, l.open_count, r.status AS request_status, r.account_id`;

const linkFrom = sql`approval_links l
  JOIN approval_requests r ON r.tenant_id = l.tenant_id AND r.id = l.request_id
  LEFT JOIN user_directory cu ON cu.id = l.created_by`;

function toLinkRow(row: Record<string, unknown>): LinkRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    requestId: row.request_id as string,
    recipientName: row.recipient_name as string,
    recipientEmail: asOptional<string>(row.recipient_email),
    createdBy: asOptional<string>(row.created_by),
    creatorName: asOptional<string>(row.creator_name),
    createdAt: asDate(row.created_at),
    expiresAt: asDate(row.expires_at),
    revokedAt: asOptionalDate(row.revoked_at),
    lastOpenedAt: asOptionalDate(row.last_opened_at),
    openCount: Number(row.open_count),
    requestStatus: row.request_status as ApprovalStatus,
    accountId: row.account_id as string,
  };
}

export async function insertLink(
  tx: Tx,
  link: { tenantId: string; requestId: string; tokenHash: Buffer; recipientName: string; recipientEmail: string | null; createdBy: string; expiresAt: Date },
): Promise<LinkRow> {
  const rows = await tx.execute<{ id: string }>(sql`
    INSERT INTO approval_links (tenant_id, request_id, token_hash, recipient_name, recipient_email, created_by, expires_at)
    VALUES (${link.tenantId}, ${link.requestId}, ${link.tokenHash}, ${link.recipientName}, ${link.recipientEmail}, ${link.createdBy}, ${link.expiresAt.toISOString()}::timestamptz)
    RETURNING id`);
  const created = await findLink(tx, rows.rows[0]!.id);
  return created!;
}

export async function findLink(tx: Tx, id: string, options: { accountId?: string; lock?: boolean } = {}): Promise<LinkRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${linkColumns} FROM ${linkFrom}
     WHERE l.id = ${id} ${options.accountId ? sql`AND r.account_id = ${options.accountId}` : sql``}
     ${options.lock ? sql`FOR UPDATE OF l` : sql``}`);
  const row = rows.rows[0];
  return row ? toLinkRow(row) : null;
}

/** Under system access: which tenant a token's link belongs to (the bearer has no account). */
export async function selectLinkTenantByTokenHash(tx: Tx, tokenHash: Buffer): Promise<{ id: string; tenantId: string } | null> {
  const rows = await tx.execute<{ id: string; tenant_id: string }>(sql`SELECT id, tenant_id FROM approval_links WHERE token_hash = ${tokenHash}`);
  const row = rows.rows[0];
  return row ? { id: row.id, tenantId: row.tenant_id } : null;
}

export async function selectLinksOfRequest(tx: Tx, requestId: string): Promise<LinkRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${linkColumns} FROM ${linkFrom} WHERE l.request_id = ${requestId} ORDER BY l.created_at DESC, l.id DESC`);
  return rows.rows.map(toLinkRow);
}

export async function revokeLinkRow(tx: Tx, id: string, revokedBy: string): Promise<void> {
  await tx.execute(sql`UPDATE approval_links SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, ${revokedBy}) WHERE id = ${id}`);
}

export async function recordLinkOpened(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`UPDATE approval_links SET last_opened_at = now(), open_count = open_count + 1 WHERE id = ${id}`);
}

// ------------------------------------------------------------------------------------------ comments

export type CommentRow = {
  id: string;
  subjectType: string;
  subjectId: string;
  subjectRevision: number;
  requestId: string | null;
  authorUserId: string | null;
  viaLinkId: string | null;
  authorName: string;
  body: string;
  createdAt: Date;
  /** The stage of the request it was written under, if any. */
  requestStage: ApprovalStage | null;
};

const commentColumns = sql`c.id, c.subject_type, c.subject_id, c.subject_revision, c.request_id, c.author_user_id, c.via_link_id, c.author_name, c.body,
  c.created_at, r.stage AS request_stage`;

function toCommentRow(row: Record<string, unknown>): CommentRow {
  return {
    id: row.id as string,
    subjectType: row.subject_type as string,
    subjectId: row.subject_id as string,
    subjectRevision: Number(row.subject_revision),
    requestId: asOptional<string>(row.request_id),
    authorUserId: asOptional<string>(row.author_user_id),
    viaLinkId: asOptional<string>(row.via_link_id),
    authorName: row.author_name as string,
    body: row.body as string,
    createdAt: asDate(row.created_at),
    requestStage: asOptional<ApprovalStage>(row.request_stage),
  };
}

export type NewComment = {
  tenantId: string;
  subjectType: string;
  subjectId: string;
  subjectRevision: number;
  requestId: string | null;
  authorUserId: string | null;
  viaLinkId: string | null;
  authorName: string;
  body: string;
};

export async function insertComment(tx: Tx, comment: NewComment): Promise<CommentRow> {
  const rows = await tx.execute<{ id: string }>(sql`
    INSERT INTO approval_comments (tenant_id, subject_type, subject_id, subject_revision, request_id, author_user_id, via_link_id, author_name, body)
    VALUES (${comment.tenantId}, ${comment.subjectType}, ${comment.subjectId}, ${comment.subjectRevision}, ${comment.requestId}, ${comment.authorUserId},
            ${comment.viaLinkId}, ${comment.authorName}, ${comment.body})
    RETURNING id`);
  return (await findComment(tx, rows.rows[0]!.id))!;
}

export async function findComment(tx: Tx, id: string): Promise<CommentRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${commentColumns} FROM approval_comments c LEFT JOIN approval_requests r ON r.id = c.request_id
     WHERE c.id = ${id} AND c.deleted_at IS NULL`);
  const row = rows.rows[0];
  return row ? toCommentRow(row) : null;
}

/**
 * A subject's comments, oldest first. clientVisibleOnly: those a client may see — written through a link,
 * or while a client-stage request was pending.
 */
export async function selectComments(tx: Tx, input: { subjectType: string; subjectId: string; clientVisibleOnly: boolean }): Promise<CommentRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${commentColumns} FROM approval_comments c LEFT JOIN approval_requests r ON r.id = c.request_id
     WHERE c.subject_type = ${input.subjectType} AND c.subject_id = ${input.subjectId} AND c.deleted_at IS NULL
       ${input.clientVisibleOnly ? sql`AND (c.via_link_id IS NOT NULL OR r.stage = 'client')` : sql``}
     ORDER BY c.created_at, c.id
     LIMIT 500`);
  return rows.rows.map(toCommentRow);
}

export async function softDeleteComment(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`UPDATE approval_comments SET deleted_at = coalesce(deleted_at, now()) WHERE id = ${id}`);
}

/** People who commented on the subject in the app (for "new comment" notifications). */
export async function selectCommenterIds(tx: Tx, input: { subjectType: string; subjectId: string }): Promise<string[]> {
  const rows = await tx.execute<{ author_user_id: string }>(sql`
    SELECT DISTINCT author_user_id FROM approval_comments
     WHERE subject_type = ${input.subjectType} AND subject_id = ${input.subjectId} AND author_user_id IS NOT NULL AND deleted_at IS NULL`);
  return rows.rows.map((row) => row.author_user_id);
}

// ------------------------------------------------------------------------------------------ people

export async function selectContact(tx: Tx, userId: string): Promise<{ name: string; email: string } | null> {
  const rows = await tx.execute<{ name: string; email: string }>(sql`SELECT name, email::text AS email FROM user_directory WHERE id = ${userId}`);
  return rows.rows[0] ?? null;
}
