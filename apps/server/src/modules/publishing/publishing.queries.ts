import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The only file that reads or writes the publishing tables. Raw SQL (row locks, SKIP LOCKED, window
 * functions); timestamptz comes back as text from raw queries, so rows are mapped here.
 */

export type TargetStatus = 'scheduled' | 'publishing' | 'published' | 'failed' | 'unconfirmed' | 'cancelled' | 'late';
export type AttemptOutcome = 'published' | 'retry' | 'failed' | 'unknown_outcome';

export type StoredContent = {
  text: string;
  media: Array<{ url: string; kind: 'image' | 'video'; altText: string | null; mimeType: string | null }>;
  link: string | null;
  options: Record<string, unknown>;
};

export type TargetRow = {
  id: string;
  tenantId: string;
  accountId: string;
  connectionId: string;
  network: string;
  content: StoredContent;
  scheduledAt: Date;
  status: TargetStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  dispatchedAt: Date | null;
  idempotencyKey: string;
  externalId: string | null;
  externalUrl: string | null;
  lastError: string | null;
  lastErrorKind: string | null;
  publishedAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** scheduled_at exactly as PostgreSQL prints it (keyset cursors keep microseconds). */
  scheduledAtText: string;
};

export type AttemptRow = {
  attemptNumber: number;
  idempotencyKey: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: AttemptOutcome | null;
  errorKind: string | null;
  errorMessage: string | null;
};

export type TransitionRow = { from: TargetStatus | null; to: TargetStatus; reason: string; at: Date };

export type MetricsRow = {
  collectedAt: Date;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  impressions: number | null;
  clicks: number | null;
};

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const asOptionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : asDate(value));
const instant = (value: Date) => sql`${value.toISOString()}::timestamptz`;

const targetColumns = sql`id, tenant_id, account_id, connection_id, network, content, scheduled_at, scheduled_at::text AS scheduled_at_text,
  status, attempt_count, next_attempt_at, dispatched_at, idempotency_key, external_id, external_url, last_error, last_error_kind,
  published_at, created_by, created_at, updated_at`;

function toTargetRow(row: Record<string, unknown>): TargetRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: row.account_id as string,
    connectionId: row.connection_id as string,
    network: row.network as string,
    content: row.content as StoredContent,
    scheduledAt: asDate(row.scheduled_at),
    scheduledAtText: row.scheduled_at_text as string,
    status: row.status as TargetStatus,
    attemptCount: Number(row.attempt_count),
    nextAttemptAt: asOptionalDate(row.next_attempt_at),
    dispatchedAt: asOptionalDate(row.dispatched_at),
    idempotencyKey: row.idempotency_key as string,
    externalId: (row.external_id as string | null) ?? null,
    externalUrl: (row.external_url as string | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    lastErrorKind: (row.last_error_kind as string | null) ?? null,
    publishedAt: asOptionalDate(row.published_at),
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

export type NewTarget = {
  tenantId: string;
  accountId: string;
  connectionId: string;
  network: string;
  content: StoredContent;
  scheduledAt: Date;
  idempotencyKey: string;
  createdBy: string | null;
};

export async function insertTarget(tx: Tx, target: NewTarget): Promise<TargetRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO publish_targets (tenant_id, account_id, connection_id, network, content, scheduled_at, next_attempt_at, idempotency_key, created_by)
    VALUES (${target.tenantId}, ${target.accountId}, ${target.connectionId}, ${target.network}, ${JSON.stringify(target.content)}::jsonb,
            ${instant(target.scheduledAt)}, ${instant(target.scheduledAt)}, ${target.idempotencyKey}, ${target.createdBy})
    RETURNING ${targetColumns}`);
  return toTargetRow(rows.rows[0]!);
}

/** One target of the transaction's tenant (row-level security), optionally locked, optionally within an account. */
export async function findTarget(tx: Tx, id: string, options: { accountId?: string; lock?: boolean } = {}): Promise<TargetRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${targetColumns} FROM publish_targets
     WHERE id = ${id} ${options.accountId ? sql`AND account_id = ${options.accountId}` : sql``}
     ${options.lock ? sql`FOR UPDATE` : sql``}`);
  const row = rows.rows[0];
  return row ? toTargetRow(row) : null;
}

export type TargetChanges = Partial<{
  status: TargetStatus;
  scheduledAt: Date;
  attemptCount: number;
  nextAttemptAt: Date | null;
  dispatchedAt: Date | null;
  externalId: string | null;
  externalUrl: string | null;
  lastError: string | null;
  lastErrorKind: string | null;
  publishedAt: Date | null;
}>;

const changeColumns: Record<keyof TargetChanges, string> = {
  status: 'status',
  scheduledAt: 'scheduled_at',
  attemptCount: 'attempt_count',
  nextAttemptAt: 'next_attempt_at',
  dispatchedAt: 'dispatched_at',
  externalId: 'external_id',
  externalUrl: 'external_url',
  lastError: 'last_error',
  lastErrorKind: 'last_error_kind',
  publishedAt: 'published_at',
};

export async function updateTarget(tx: Tx, id: string, changes: TargetChanges): Promise<TargetRow> {
  const assignments: SQL[] = [sql`updated_at = now()`];
  for (const [key, value] of Object.entries(changes) as Array<[keyof TargetChanges, unknown]>) {
    if (value === undefined) continue;
    const column = sql.identifier(changeColumns[key]);
    assignments.push(value instanceof Date ? sql`${column} = ${instant(value)}` : sql`${column} = ${value as string | number | null}`);
  }
  const rows = await tx.execute<Record<string, unknown>>(sql`
    UPDATE publish_targets SET ${sql.join(assignments, sql`, `)} WHERE id = ${id} RETURNING ${targetColumns}`);
  return toTargetRow(rows.rows[0]!);
}

export async function insertTransition(
  tx: Tx,
  transition: { tenantId: string; targetId: string; from: TargetStatus | null; to: TargetStatus; reason: string },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO publish_target_transitions (tenant_id, target_id, from_status, to_status, reason)
    VALUES (${transition.tenantId}, ${transition.targetId}, ${transition.from}, ${transition.to}, ${transition.reason})`);
}

export async function listTransitions(tx: Tx, targetId: string): Promise<TransitionRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT from_status, to_status, reason, at FROM publish_target_transitions WHERE target_id = ${targetId} ORDER BY id`);
  return rows.rows.map((row) => ({
    from: (row.from_status as TargetStatus | null) ?? null,
    to: row.to_status as TargetStatus,
    reason: row.reason as string,
    at: asDate(row.at),
  }));
}

export async function insertAttempt(
  tx: Tx,
  attempt: { tenantId: string; targetId: string; attemptNumber: number; idempotencyKey: string; startedAt: Date },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO publish_attempts (tenant_id, target_id, attempt_number, idempotency_key, started_at)
    VALUES (${attempt.tenantId}, ${attempt.targetId}, ${attempt.attemptNumber}, ${attempt.idempotencyKey}, ${instant(attempt.startedAt)})`);
}

/** Close an open attempt; false when it was closed already (another worker or the sweeper got there first). */
export async function finishAttempt(
  tx: Tx,
  attempt: { targetId: string; attemptNumber: number; outcome: AttemptOutcome; errorKind: string | null; errorMessage: string | null; finishedAt: Date },
): Promise<boolean> {
  const result = await tx.execute(sql`
    UPDATE publish_attempts
       SET finished_at = ${instant(attempt.finishedAt)}, outcome = ${attempt.outcome}, error_kind = ${attempt.errorKind}, error_message = ${attempt.errorMessage}
     WHERE target_id = ${attempt.targetId} AND attempt_number = ${attempt.attemptNumber} AND finished_at IS NULL`);
  return (result.rowCount ?? 0) > 0;
}

/** Record what reconciliation learned about an attempt that ended with an unknown outcome. */
export async function annotateAttempt(tx: Tx, attempt: { targetId: string; attemptNumber: number; outcome: AttemptOutcome; errorMessage: string | null }): Promise<void> {
  await tx.execute(sql`
    UPDATE publish_attempts SET outcome = ${attempt.outcome}, error_message = coalesce(${attempt.errorMessage}, error_message)
     WHERE target_id = ${attempt.targetId} AND attempt_number = ${attempt.attemptNumber}`);
}

function toAttemptRow(row: Record<string, unknown>): AttemptRow {
  return {
    attemptNumber: Number(row.attempt_number),
    idempotencyKey: row.idempotency_key as string,
    startedAt: asDate(row.started_at),
    finishedAt: asOptionalDate(row.finished_at),
    outcome: (row.outcome as AttemptOutcome | null) ?? null,
    errorKind: (row.error_kind as string | null) ?? null,
    errorMessage: (row.error_message as string | null) ?? null,
  };
}

export async function listAttempts(tx: Tx, targetId: string): Promise<AttemptRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT attempt_number, idempotency_key, started_at, finished_at, outcome, error_kind, error_message
      FROM publish_attempts WHERE target_id = ${targetId} ORDER BY attempt_number`);
  return rows.rows.map(toAttemptRow);
}

export async function insertMetrics(tx: Tx, metrics: MetricsRow & { tenantId: string; targetId: string }): Promise<void> {
  await tx.execute(sql`
    INSERT INTO engagement_metrics (tenant_id, target_id, collected_at, likes, comments, shares, impressions, clicks)
    VALUES (${metrics.tenantId}, ${metrics.targetId}, ${instant(metrics.collectedAt)}, ${metrics.likes}, ${metrics.comments},
            ${metrics.shares}, ${metrics.impressions}, ${metrics.clicks})`);
}

export async function findLatestMetrics(tx: Tx, targetId: string): Promise<MetricsRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT collected_at, likes, comments, shares, impressions, clicks FROM engagement_metrics
     WHERE target_id = ${targetId} ORDER BY collected_at DESC, id DESC LIMIT 1`);
  const row = rows.rows[0];
  if (!row) return null;
  const count = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    collectedAt: asDate(row.collected_at),
    likes: count(row.likes),
    comments: count(row.comments),
    shares: count(row.shares),
    impressions: count(row.impressions),
    clicks: count(row.clicks),
  };
}

export type TargetFilter = {
  accountId: string;
  status?: TargetStatus;
  connectionId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor: { at: string; id: string } | null;
};

/** Newest scheduled first, keyset-paged by (scheduled_at, id); limit + 1 rows so the caller knows if more follow. */
export async function selectTargets(tx: Tx, filter: TargetFilter): Promise<TargetRow[]> {
  const conditions = [
    sql`account_id = ${filter.accountId}`,
    filter.status ? sql`status = ${filter.status}` : sql`true`,
    filter.connectionId ? sql`connection_id = ${filter.connectionId}` : sql`true`,
    filter.from ? sql`scheduled_at >= ${instant(filter.from)}` : sql`true`,
    filter.to ? sql`scheduled_at < ${instant(filter.to)}` : sql`true`,
    filter.cursor ? sql`(scheduled_at, id) < (${filter.cursor.at}::timestamptz, ${filter.cursor.id}::uuid)` : sql`true`,
  ];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${targetColumns} FROM publish_targets WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY scheduled_at DESC, id DESC LIMIT ${filter.limit + 1}`);
  return rows.rows.map(toTargetRow);
}

// ---------------------------------------------------------------- cross-tenant work (system access only)

export type ClaimedTarget = { id: string; tenantId: string; network: string; tenantRank: number };

/**
 * Claim due targets fairly: rank each tenant's due targets (oldest first) and take rank 1 of every tenant
 * before rank 2 of any, within each network's free capacity (cap minus targets publishing or dispatched).
 * Rows locked by another dispatcher are skipped; the status is re-checked on the locked row.
 */
export async function claimDueTargets(
  tx: Tx,
  input: { now: Date; notLateSince: Date; batch: number; defaultCap: number; caps: Record<string, number> },
): Promise<ClaimedTarget[]> {
  const rows = await tx.execute<{ id: string; tenant_id: string; network: string; tenant_rank: number }>(sql`
    WITH in_flight AS (
      SELECT network, count(*)::int AS busy FROM publish_targets
       WHERE status = 'publishing' OR (status = 'scheduled' AND dispatched_at IS NOT NULL)
       GROUP BY network
    ), due AS (
      SELECT id, tenant_id, network, next_attempt_at,
             row_number() OVER (PARTITION BY tenant_id ORDER BY next_attempt_at, id) AS tenant_rank
        FROM publish_targets
       WHERE status = 'scheduled' AND dispatched_at IS NULL
         AND next_attempt_at <= ${instant(input.now)} AND next_attempt_at > ${instant(input.notLateSince)}
    ), capped AS (
      SELECT due.*, row_number() OVER (PARTITION BY network ORDER BY tenant_rank, next_attempt_at, id) AS network_rank FROM due
    )
    SELECT t.id, t.tenant_id, t.network, c.tenant_rank::int AS tenant_rank
      FROM capped c
      JOIN publish_targets t ON t.id = c.id
      LEFT JOIN in_flight f ON f.network = c.network
     WHERE c.network_rank <= coalesce((${JSON.stringify(input.caps)}::jsonb ->> c.network)::int, ${input.defaultCap}) - coalesce(f.busy, 0)
       AND t.status = 'scheduled' AND t.dispatched_at IS NULL
     ORDER BY c.tenant_rank, c.next_attempt_at, c.id
     LIMIT ${input.batch}
       FOR UPDATE OF t SKIP LOCKED`);
  return rows.rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, network: row.network, tenantRank: Number(row.tenant_rank) }));
}

export async function markDispatched(tx: Tx, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`UPDATE publish_targets SET dispatched_at = ${instant(now)}, updated_at = now() WHERE id IN (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
}

/** Due targets nobody published in time (no worker ran): locked for the caller to mark late. */
export async function claimMissedTargets(tx: Tx, input: { lateBefore: Date; batch: number }): Promise<TargetRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${targetColumns} FROM publish_targets
     WHERE status = 'scheduled' AND dispatched_at IS NULL AND next_attempt_at <= ${instant(input.lateBefore)}
     ORDER BY next_attempt_at LIMIT ${input.batch}
       FOR UPDATE SKIP LOCKED`);
  return rows.rows.map(toTargetRow);
}

export async function countDueTargets(tx: Tx, now: Date): Promise<number> {
  const rows = await tx.execute<{ count: number }>(sql`
    SELECT count(*)::int AS count FROM publish_targets WHERE status = 'scheduled' AND dispatched_at IS NULL AND next_attempt_at <= ${instant(now)}`);
  return Number(rows.rows[0]?.count ?? 0);
}

/**
 * Targets that need reconciliation: publishing with an attempt open since before the timeout (the worker
 * died mid-call), or unconfirmed awaiting a lookup that has not happened since `staleBefore`.
 */
export async function selectTargetsToReconcile(
  tx: Tx,
  input: { attemptStartedBefore: Date; unconfirmedUntouchedSince: Date; limit: number },
): Promise<Array<{ id: string; tenantId: string }>> {
  const rows = await tx.execute<{ id: string; tenant_id: string }>(sql`
    SELECT t.id, t.tenant_id FROM publish_targets t
     WHERE t.status = 'publishing'
       AND EXISTS (SELECT 1 FROM publish_attempts a WHERE a.target_id = t.id AND a.finished_at IS NULL AND a.started_at < ${instant(input.attemptStartedBefore)})
    UNION ALL
    SELECT t.id, t.tenant_id FROM publish_targets t
     WHERE t.status = 'unconfirmed' AND t.last_error_kind = 'unknown_outcome' AND t.updated_at < ${instant(input.unconfirmedUntouchedSince)}
     LIMIT ${input.limit}`);
  return rows.rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
}

/** Dispatch marks whose publish job never started (lost or stuck): cleared so the dispatcher claims them again. */
export async function clearExpiredDispatchMarks(tx: Tx, dispatchedBefore: Date): Promise<number> {
  const result = await tx.execute(sql`
    UPDATE publish_targets SET dispatched_at = NULL, updated_at = now()
     WHERE status = 'scheduled' AND dispatched_at IS NOT NULL AND dispatched_at < ${instant(dispatchedBefore)}`);
  return result.rowCount ?? 0;
}
