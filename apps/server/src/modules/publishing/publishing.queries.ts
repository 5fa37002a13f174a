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
  /** Attempts before the latest retry by a person: PUBLISH_MAX_ATTEMPTS counts those after it. */
  attemptBase: number;
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
  status, attempt_count, attempt_base, next_attempt_at, dispatched_at, idempotency_key, external_id, external_url, last_error, last_error_kind,
  published_at, created_by, created_at, updated_at`;

/** targetColumns of an UPDATE … FROM (qualified: the updated row is t). */
const startedTargetColumns = sql`t.id, t.tenant_id, t.account_id, t.connection_id, t.network, t.content, t.scheduled_at, t.scheduled_at::text AS scheduled_at_text,
  t.status, t.attempt_count, t.attempt_base, t.next_attempt_at, t.dispatched_at, t.idempotency_key, t.external_id, t.external_url, t.last_error,
  t.last_error_kind, t.published_at, t.created_by, t.created_at, t.updated_at`;

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
    attemptBase: Number(row.attempt_base ?? 0),
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
  /** Default now (the demo seed backdates its history). */
  createdAt?: Date;
};

export async function insertTarget(tx: Tx, target: NewTarget): Promise<TargetRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO publish_targets (tenant_id, account_id, connection_id, network, content, scheduled_at, next_attempt_at, idempotency_key, created_by, created_at)
    VALUES (${target.tenantId}, ${target.accountId}, ${target.connectionId}, ${target.network}, ${JSON.stringify(target.content)}::jsonb,
            ${instant(target.scheduledAt)}, ${instant(target.scheduledAt)}, ${target.idempotencyKey}, ${target.createdBy}, ${target.createdAt ? instant(target.createdAt) : sql`now()`})
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
  attemptBase: number;
  nextAttemptAt: Date | null;
  dispatchedAt: Date | null;
  idempotencyKey: string;
  externalId: string | null;
  externalUrl: string | null;
  lastError: string | null;
  lastErrorKind: string | null;
  publishedAt: Date | null;
  /** The first engagement snapshot is due then and not queued yet (set when published; takeDueMetricsTargets clears it). */
  metricsDueAt: Date | null;
}>;

const changeColumns: Record<keyof TargetChanges, string> = {
  status: 'status',
  scheduledAt: 'scheduled_at',
  attemptCount: 'attempt_count',
  attemptBase: 'attempt_base',
  nextAttemptAt: 'next_attempt_at',
  dispatchedAt: 'dispatched_at',
  idempotencyKey: 'idempotency_key',
  externalId: 'external_id',
  externalUrl: 'external_url',
  lastError: 'last_error',
  lastErrorKind: 'last_error_kind',
  publishedAt: 'published_at',
  metricsDueAt: 'metrics_due_at',
};

function targetAssignments(changes: TargetChanges): SQL {
  const assignments: SQL[] = [sql`updated_at = now()`];
  for (const [key, value] of Object.entries(changes) as Array<[keyof TargetChanges, unknown]>) {
    if (value === undefined) continue;
    const column = sql.identifier(changeColumns[key]);
    assignments.push(value instanceof Date ? sql`${column} = ${instant(value)}` : sql`${column} = ${value as string | number | null}`);
  }
  return sql.join(assignments, sql`, `);
}

export async function updateTarget(tx: Tx, id: string, changes: TargetChanges): Promise<TargetRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    UPDATE publish_targets SET ${targetAssignments(changes)} WHERE id = ${id} RETURNING ${targetColumns}`);
  return toTargetRow(rows.rows[0]!);
}

/**
 * updateTarget and its transition row in one statement (one round trip); transitionTarget checks the edge.
 */
export async function updateTargetWithTransition(
  tx: Tx,
  target: { id: string; tenantId: string },
  changes: TargetChanges,
  transition: { from: TargetStatus; to: TargetStatus; reason: string },
): Promise<TargetRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH updated AS (
      UPDATE publish_targets SET ${targetAssignments(changes)} WHERE id = ${target.id} RETURNING ${targetColumns}
    ), logged AS (
      INSERT INTO publish_target_transitions (tenant_id, target_id, from_status, to_status, reason, at)
      SELECT tenant_id, id, ${transition.from}, ${transition.to}, ${transition.reason}, clock_timestamp() FROM updated
    )
    SELECT * FROM updated`);
  return toTargetRow(rows.rows[0]!);
}

/**
 * The common-table expressions that start the attempts of the targets in `due` (id, tenant_id,
 * attempt_number, idempotency_key): `started` (publishing, attempt_count, marks cleared; the target's
 * columns), its transition, and the open attempt row carrying the idempotency key.
 */
function startDueAttempts(startedAt: Date): SQL {
  return sql`started AS (
      UPDATE publish_targets t
         SET status = 'publishing', attempt_count = due.attempt_number, next_attempt_at = NULL, dispatched_at = NULL, updated_at = now()
        FROM due WHERE t.id = due.id
      RETURNING ${startedTargetColumns}
    ), logged AS (
      INSERT INTO publish_target_transitions (tenant_id, target_id, from_status, to_status, reason, at)
      SELECT tenant_id, id, 'scheduled', 'publishing', 'attempt ' || attempt_number || ' started', clock_timestamp() FROM due
    ), opened AS (
      INSERT INTO publish_attempts (tenant_id, target_id, attempt_number, idempotency_key, started_at)
      SELECT tenant_id, id, attempt_number, idempotency_key, ${instant(startedAt)} FROM due
    )`;
}

/**
 * The start of a publish attempt, in one statement: under the target's row lock, a target that is
 * scheduled and due (dispatched, or next_attempt_at ≤ startedAt) goes to publishing with attempt_count + 1,
 * its transition is recorded, and an open attempt row with the target's idempotency key is inserted.
 * Null (nothing written) when the target is missing, not scheduled or not due.
 */
export async function startAttempt(tx: Tx, attempt: { targetId: string; startedAt: Date }): Promise<TargetRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH locked AS (
      SELECT id, tenant_id, status, attempt_count, idempotency_key, dispatched_at, next_attempt_at
        FROM publish_targets WHERE id = ${attempt.targetId} FOR UPDATE
    ), due AS (
      SELECT id, tenant_id, attempt_count + 1 AS attempt_number, idempotency_key FROM locked
       WHERE status = 'scheduled' AND (dispatched_at IS NOT NULL OR next_attempt_at <= ${instant(attempt.startedAt)})
    ), ${startDueAttempts(attempt.startedAt)}
    SELECT * FROM started`);
  const row = rows.rows[0];
  return row ? toTargetRow(row) : null;
}

/**
 * The start of the attempts of targets the caller just claimed (locked in its transaction), in one
 * statement: each target still scheduled goes to publishing with attempt_count + 1, its transition is
 * recorded, and an open attempt row with its idempotency key is inserted, all started at `startedAt`.
 * The publishing lane commits this before it calls any network (the exactly-once record); returns the
 * started targets in the order of `ids`.
 */
export async function startClaimedAttempts(tx: Tx, input: { ids: string[]; startedAt: Date }): Promise<TargetRow[]> {
  if (input.ids.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH due AS (
      SELECT id, tenant_id, attempt_count + 1 AS attempt_number, idempotency_key FROM publish_targets
       WHERE id = ANY(${`{${input.ids.join(',')}}`}::uuid[]) AND status = 'scheduled'
    ), ${startDueAttempts(input.startedAt)}
    SELECT * FROM started`);
  const byId = new Map(rows.rows.map((row) => [row.id as string, toTargetRow(row)]));
  return input.ids.flatMap((id) => byId.get(id) ?? []);
}

export async function insertTransition(
  tx: Tx,
  transition: { tenantId: string; targetId: string; from: TargetStatus | null; to: TargetStatus; reason: string; at?: Date },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO publish_target_transitions (tenant_id, target_id, from_status, to_status, reason, at)
    VALUES (${transition.tenantId}, ${transition.targetId}, ${transition.from}, ${transition.to}, ${transition.reason},
            ${transition.at ? instant(transition.at) : sql`clock_timestamp()`})`);
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
  attempt: {
    targetId: string;
    attemptNumber: number;
    outcome: AttemptOutcome;
    errorKind: string | null;
    errorMessage: string | null;
    finishedAt: Date;
    /** A 429's Retry-After (or reset time): the dispatcher calls this connection again only after it. */
    retryNotBefore?: Date | null;
  },
): Promise<boolean> {
  const result = await tx.execute(sql`
    UPDATE publish_attempts
       SET finished_at = ${instant(attempt.finishedAt)}, outcome = ${attempt.outcome}, error_kind = ${attempt.errorKind}, error_message = ${attempt.errorMessage},
           retry_not_before = ${attempt.retryNotBefore ? instant(attempt.retryNotBefore) : null}
     WHERE target_id = ${attempt.targetId} AND attempt_number = ${attempt.attemptNumber} AND finished_at IS NULL`);
  return (result.rowCount ?? 0) > 0;
}

/**
 * The target under its row lock and finishAttempt, in one statement (the lock first, as before): the
 * target (null when it is gone: then nothing is closed) and whether this call closed the attempt.
 */
export async function lockTargetAndFinishAttempt(
  tx: Tx,
  attempt: Parameters<typeof finishAttempt>[1],
): Promise<{ target: TargetRow | null; closed: boolean }> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH current AS (
      SELECT ${targetColumns} FROM publish_targets WHERE id = ${attempt.targetId} FOR UPDATE
    ), closed AS (
      UPDATE publish_attempts
         SET finished_at = ${instant(attempt.finishedAt)}, outcome = ${attempt.outcome}, error_kind = ${attempt.errorKind}, error_message = ${attempt.errorMessage},
             retry_not_before = ${attempt.retryNotBefore ? instant(attempt.retryNotBefore) : null}
       WHERE target_id = ${attempt.targetId} AND attempt_number = ${attempt.attemptNumber} AND finished_at IS NULL
         AND EXISTS (SELECT 1 FROM current)
      RETURNING 1
    )
    SELECT current.*, (SELECT count(*) FROM closed)::int AS closed_count FROM current`);
  const row = rows.rows[0];
  if (!row) return { target: null, closed: false };
  return { target: toTargetRow(row), closed: Number(row.closed_count) > 0 };
}

/** An attempt the network accepted, as its outcome is recorded (see publishAcceptedAttempts). */
export type AcceptedAttempt = {
  targetId: string;
  attemptNumber: number;
  finishedAt: Date;
  externalId: string;
  externalUrl: string | null;
  metricsDueAt: Date;
  reason: string;
};

/**
 * The outcomes of attempts the network accepted, for many targets of any tenants in one statement (the
 * caller's transaction, under system access): each target that is still publishing on that attempt, with
 * the attempt still open, is locked (in id order), its attempt closed as published, the target published
 * (the network's ids, published_at = when the answer came, the first engagement snapshot due, marks and
 * errors cleared) and the transition publishing → published recorded. Those are returned. Any other target
 * (the sweeper took the attempt over, a later attempt exists, it is gone) is left untouched and is not in
 * the result: the caller records it on its own, through lockTargetAndFinishAttempt.
 */
export async function publishAcceptedAttempts(tx: Tx, accepted: AcceptedAttempt[]): Promise<TargetRow[]> {
  if (accepted.length === 0) return [];
  const input = accepted.map((attempt) => ({
    id: attempt.targetId,
    attempt_number: attempt.attemptNumber,
    finished_at: attempt.finishedAt.toISOString(),
    external_id: attempt.externalId,
    external_url: attempt.externalUrl,
    metrics_due_at: attempt.metricsDueAt.toISOString(),
    reason: attempt.reason,
  }));
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH input AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(input)}::json)
        AS i(id uuid, attempt_number int, finished_at timestamptz, external_id text, external_url text, metrics_due_at timestamptz, reason text)
    ), locked AS (
      SELECT t.id, i.attempt_number FROM publish_targets t JOIN input i ON i.id = t.id
       WHERE t.status = 'publishing' AND t.attempt_count = i.attempt_number
       ORDER BY t.id FOR UPDATE OF t
    ), closed AS (
      UPDATE publish_attempts a SET finished_at = i.finished_at, outcome = 'published', error_kind = NULL, error_message = NULL, retry_not_before = NULL
        FROM locked l JOIN input i ON i.id = l.id
       WHERE a.target_id = l.id AND a.attempt_number = l.attempt_number AND a.finished_at IS NULL
      RETURNING a.target_id
    ), published AS (
      UPDATE publish_targets t
         SET status = 'published', external_id = i.external_id, external_url = i.external_url, published_at = i.finished_at,
             metrics_due_at = i.metrics_due_at, next_attempt_at = NULL, dispatched_at = NULL, last_error = NULL, last_error_kind = NULL, updated_at = now()
        FROM closed c JOIN input i ON i.id = c.target_id
       WHERE t.id = c.target_id
      RETURNING ${startedTargetColumns}, i.reason AS transition_reason
    ), logged AS (
      INSERT INTO publish_target_transitions (tenant_id, target_id, from_status, to_status, reason, at)
      SELECT tenant_id, id, 'publishing', 'published', transition_reason, clock_timestamp() FROM published
    )
    SELECT * FROM published`);
  return rows.rows.map(toTargetRow);
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
  network?: string;
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
    filter.network ? sql`network = ${filter.network}` : sql`true`,
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

// ---------------------------------------------------------------- people and per-account settings

/** The email of a person, from identity's published user_directory view (for "resolved by …" reasons). */
export async function findPersonEmail(tx: Tx, userId: string): Promise<string | null> {
  const rows = await tx.execute<{ email: string }>(sql`SELECT email::text AS email FROM user_directory WHERE id = ${userId}`);
  return rows.rows[0]?.email ?? null;
}

export type SettingsRow = { accountId: string; lateAfterSeconds: number | null; timezone: string | null; updatedBy: string | null; updatedAt: Date };

function toSettingsRow(row: Record<string, unknown>): SettingsRow {
  return {
    accountId: row.account_id as string,
    lateAfterSeconds: row.late_after_seconds === null || row.late_after_seconds === undefined ? null : Number(row.late_after_seconds),
    timezone: (row.timezone as string | null) ?? null,
    updatedBy: (row.updated_by as string | null) ?? null,
    updatedAt: asDate(row.updated_at),
  };
}

/** An account's publishing settings, or null when it keeps the defaults. */
export async function findSettings(tx: Tx, accountId: string): Promise<SettingsRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT account_id, late_after_seconds, timezone, updated_by, updated_at FROM publishing_settings WHERE account_id = ${accountId}`);
  const row = rows.rows[0];
  return row ? toSettingsRow(row) : null;
}

export async function upsertSettings(
  tx: Tx,
  settings: { tenantId: string; accountId: string; lateAfterSeconds: number | null; timezone: string | null; updatedBy: string | null },
): Promise<SettingsRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO publishing_settings (tenant_id, account_id, late_after_seconds, timezone, updated_by, updated_at)
    VALUES (${settings.tenantId}, ${settings.accountId}, ${settings.lateAfterSeconds}, ${settings.timezone}, ${settings.updatedBy}, now())
    ON CONFLICT (account_id) DO UPDATE
      SET late_after_seconds = EXCLUDED.late_after_seconds, timezone = EXCLUDED.timezone, updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING account_id, late_after_seconds, timezone, updated_by, updated_at`);
  return toSettingsRow(rows.rows[0]!);
}

// ---------------------------------------------------------------- cross-tenant work (system access only)

/** The smallest missed-post allowance an account may set (publishing_settings' CHECK, the config's minimum). */
export const minimumLateAfterSeconds = 60;

/** The missed-post allowance of the account of the publish_targets row in the enclosing query (null: default). */
const accountLateAfterSeconds = sql`(SELECT s.late_after_seconds FROM publishing_settings s WHERE s.account_id = publish_targets.account_id)`;

/**
 * Whether the due publish_targets row of the enclosing query is still within its account's missed-post
 * allowance (publishing_settings.late_after_seconds, else `defaultBound`). A target due less than the
 * smallest allowance any account may set is within it without the look-up, so the hot path (targets just
 * come due) never reads the settings.
 */
function withinLateAllowance(now: Date, defaultBound: Date): SQL {
  const surelyInTime = new Date(now.getTime() - minimumLateAfterSeconds * 1000);
  return sql`(publish_targets.next_attempt_at > ${instant(surelyInTime)}
    OR publish_targets.next_attempt_at > coalesce(${instant(now)} - make_interval(secs => ${accountLateAfterSeconds}), ${instant(defaultBound)}))`;
}

export type ClaimedTarget = { id: string; tenantId: string; network: string; tenantRank: number };

/** What the dispatcher knows about due targets and the rate windows (RateWindow in publishing.rate-windows.ts). */
export type DueTargetsInput = {
  now: Date;
  notLateSince: Date;
  windows?: ReadonlyArray<{ network: string; scope: 'connection' | 'app'; limit: number; seconds: number }>;
};

/** One dispatcher at a time (until the transaction ends), so caps and rate windows are never over-claimed. */
export async function lockDispatcher(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('publishing.dispatch'))`);
}

/** Scheduled targets not yet claimed: the rows the partial index publish_targets_unclaimed_idx holds. */
const unclaimed = sql`status = 'scheduled' AND dispatched_at IS NULL`;

/**
 * The common expressions of the claim and of the wait that follows it. They read the due connections, not
 * every due target, so a claim costs the same with ten or ten thousand targets waiting:
 * - walk: each connection with unclaimed targets and its oldest one, one index probe per connection (a
 *   skip scan of publish_targets_unclaimed_idx); due_connections: those whose oldest is due;
 * - pending: targets dispatched whose attempt has not started (attempts to come, counted as used);
 * - connection_usage / network_usage: per due connection (per network with due connections) and window,
 *   the attempts started inside the window plus the pending ones;
 * - connection_room: per due connection, what its tightest window has left (null: no window) and the end
 *   of a pause a 429 asked for (null: not paused); network_room: the same for the whole network.
 * The statement must begin WITH RECURSIVE.
 */
function dueConnectionsWithRoom(input: DueTargetsInput): SQL {
  const now = instant(input.now);
  const windows = JSON.stringify((input.windows ?? []).map((window) => ({ network: window.network, scope: window.scope, max_count: window.limit, seconds: window.seconds })));
  return sql`
    rate_windows AS MATERIALIZED (
      SELECT * FROM jsonb_to_recordset(${windows}::jsonb) AS w(network text, scope text, max_count int, seconds int)
    ), walk AS (
      (SELECT connection_id, tenant_id, network, next_attempt_at FROM publish_targets
        WHERE ${unclaimed} ORDER BY connection_id, next_attempt_at LIMIT 1)
      UNION ALL
      SELECT following.* FROM walk CROSS JOIN LATERAL (
        SELECT connection_id, tenant_id, network, next_attempt_at FROM publish_targets
         WHERE ${unclaimed} AND connection_id > walk.connection_id ORDER BY connection_id, next_attempt_at LIMIT 1) following
    ), due_connections AS MATERIALIZED (
      SELECT connection_id, tenant_id, network, next_attempt_at AS oldest FROM walk WHERE next_attempt_at <= ${now}
    ), pending AS MATERIALIZED (
      SELECT connection_id, network, count(*)::int AS n FROM publish_targets
       WHERE status = 'scheduled' AND dispatched_at IS NOT NULL
       GROUP BY connection_id, network
    ), connection_usage AS MATERIALIZED (
      SELECT c.connection_id, w.max_count, w.seconds,
             (SELECT count(*)::int FROM publish_attempts a
               WHERE a.connection_id = c.connection_id AND a.started_at > ${now} - make_interval(secs => w.seconds))
             + coalesce(p.n, 0) AS used
        FROM due_connections c
        JOIN rate_windows w ON w.network = c.network AND w.scope = 'connection'
        LEFT JOIN pending p ON p.connection_id = c.connection_id
    ), connection_room AS MATERIALIZED (
      SELECT c.connection_id, c.tenant_id, c.network, c.oldest, u.room,
             (SELECT max(a.retry_not_before) FROM publish_attempts a
               WHERE a.connection_id = c.connection_id AND a.retry_not_before > ${now}) AS paused_until
        FROM due_connections c
        LEFT JOIN (SELECT connection_id, min(max_count - used) AS room FROM connection_usage GROUP BY connection_id) u
          ON u.connection_id = c.connection_id
    ), network_usage AS MATERIALIZED (
      SELECT w.network, w.max_count, w.seconds,
             (SELECT count(*)::int FROM publish_attempts a
               WHERE a.network = w.network AND a.started_at > ${now} - make_interval(secs => w.seconds))
             + coalesce((SELECT sum(p.n)::int FROM pending p WHERE p.network = w.network), 0) AS used
        FROM rate_windows w
       WHERE w.scope = 'app' AND w.network IN (SELECT network FROM due_connections)
    ), network_room AS MATERIALIZED (
      SELECT network, min(max_count - used) AS room FROM network_usage GROUP BY network
    )`;
}

export type Claim = {
  targets: ClaimedTarget[];
  /**
   * Some connection may have more due targets than it offered this claim (each offers its share of the
   * batch, see claimDueTargets): a claim that did not fill its batch may take more at once.
   */
  truncated: boolean;
};

/**
 * Claim due targets fairly, within every limit:
 * 1. a connection paused by a 429 gets nothing; a connection with rate windows offers at most what its
 *    tightest window has left; every connection offers at most its share of the batch (the batch over the
 *    tenants with connections that may go, plus one), its oldest due targets first, read through the
 *    index, so the claim reads no more than that whatever the backlog;
 * 2. rank each tenant's offered targets (oldest first) and take rank 1 of every tenant before rank 2 of
 *    any, so one tenant's burst does not delay another's post, and a tenant held back by a window does
 *    not lose its turn elsewhere;
 * 3. within each network's free capacity: its cap minus targets publishing or dispatched, and what its
 *    app-wide window has left.
 * Rows locked by another dispatcher are skipped; the status is re-checked on the locked row.
 */
export async function claimDueTargets(
  tx: Tx,
  input: DueTargetsInput & { batch: number; defaultCap: number; caps: Record<string, number> },
): Promise<Claim> {
  if (input.batch <= 0) return { targets: [], truncated: false };
  const rows = await tx.execute<{ id: string; tenant_id: string; network: string; tenant_rank: number; truncated: boolean }>(sql`
    WITH RECURSIVE ${dueConnectionsWithRoom(input)}, in_flight AS MATERIALIZED (
      -- Materialized: read once, not once per offered target (the planner expects few and would nest it).
      SELECT network, count(*)::int AS busy FROM publish_targets
       WHERE status = 'publishing' OR (status = 'scheduled' AND dispatched_at IS NOT NULL)
       GROUP BY network
    ), open_connections AS MATERIALIZED (
      SELECT connection_id, tenant_id, room FROM connection_room WHERE paused_until IS NULL AND (room IS NULL OR room > 0)
    ), share AS (
      SELECT (ceil(${input.batch}::numeric / greatest(1, count(DISTINCT tenant_id))) + 1)::int AS per_connection FROM open_connections
    ), offered AS MATERIALIZED (
      SELECT c.connection_id, d.*, least(coalesce(c.room, s.per_connection), s.per_connection) AS offer,
             coalesce(c.room, 2147483647) > s.per_connection AS may_hold_more
        FROM open_connections c CROSS JOIN share s
        CROSS JOIN LATERAL (
          SELECT id, tenant_id, network, next_attempt_at FROM publish_targets
           WHERE connection_id = c.connection_id AND ${unclaimed}
             AND next_attempt_at <= ${instant(input.now)} AND ${withinLateAllowance(input.now, input.notLateSince)}
           ORDER BY next_attempt_at, id
           LIMIT least(coalesce(c.room, s.per_connection), s.per_connection)) d
    ), ranked AS (
      SELECT id, network, next_attempt_at,
             row_number() OVER (PARTITION BY tenant_id ORDER BY next_attempt_at, id) AS tenant_rank
        FROM offered
    ), capped AS (
      SELECT ranked.*, row_number() OVER (PARTITION BY network ORDER BY tenant_rank, next_attempt_at, id) AS network_rank FROM ranked
    ), truncation AS (
      SELECT coalesce(bool_or(offered_count >= offer AND may_hold_more), false) AS truncated
        FROM (SELECT count(*) AS offered_count, min(offer) AS offer, bool_and(may_hold_more) AS may_hold_more FROM offered GROUP BY connection_id) per_connection
    )
    SELECT t.id, t.tenant_id, t.network, c.tenant_rank::int AS tenant_rank, (SELECT truncated FROM truncation) AS truncated
      FROM capped c
      JOIN publish_targets t ON t.id = c.id
      LEFT JOIN in_flight f ON f.network = c.network
      LEFT JOIN network_room n ON n.network = c.network
     WHERE c.network_rank <= least(coalesce((${JSON.stringify(input.caps)}::jsonb ->> c.network)::int, ${input.defaultCap}) - coalesce(f.busy, 0), coalesce(n.room, 2147483647))
       AND t.status = 'scheduled' AND t.dispatched_at IS NULL
     ORDER BY c.tenant_rank, c.next_attempt_at, c.id
     LIMIT ${input.batch}
       FOR UPDATE OF t SKIP LOCKED`);
  return {
    targets: rows.rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, network: row.network, tenantRank: Number(row.tenant_rank) })),
    truncated: rows.rows.some((row) => row.truncated),
  };
}

export type DispatchWait = {
  /** Connections with due targets that no window holds back: they wait only for concurrency (or the next batch). */
  ready: number;
  /** Connections with due targets held back by a full rate window or a 429 pause (theirs or their network's). */
  waiting: number;
  /**
   * When the first of them may go: the oldest attempt of a full window ages out, or a pause ends. Null when
   * no target waits, or when a window is full of attempts yet to start (their end re-arms the dispatcher).
   */
  nextFreeAt: Date | null;
  /** When the next scheduled target comes due (null: none is scheduled). */
  nextDueAt: Date | null;
};

/**
 * What is left after a claim (same transaction): connections ready, connections waiting, and when the wait
 * ends. Counted per connection, not per target, so it too reads no more with a larger backlog.
 */
export async function findDispatchWait(tx: Tx, input: DueTargetsInput): Promise<DispatchWait> {
  const now = instant(input.now);
  const rows = await tx.execute<{ ready: number; waiting: number; next_free_at: string | null; next_due_at: string | null }>(sql`
    WITH RECURSIVE ${dueConnectionsWithRoom(input)}, connection_window_free AS (
      -- A full window frees a place when its (used - max + 1)-th oldest attempt leaves it.
      SELECT u.connection_id,
             (SELECT a.started_at FROM publish_attempts a
               WHERE a.connection_id = u.connection_id AND a.started_at > ${now} - make_interval(secs => u.seconds)
               ORDER BY a.started_at OFFSET (u.used - u.max_count) LIMIT 1) + make_interval(secs => u.seconds) AS free_at
        FROM connection_usage u WHERE u.used >= u.max_count
    ), blocked_connections AS MATERIALIZED (
      SELECT r.connection_id,
             CASE WHEN bool_or(f.connection_id IS NOT NULL AND f.free_at IS NULL) THEN NULL
                  ELSE greatest(r.paused_until, max(f.free_at)) END AS free_at
        FROM connection_room r LEFT JOIN connection_window_free f ON f.connection_id = r.connection_id
       WHERE r.paused_until IS NOT NULL OR r.room <= 0
       GROUP BY r.connection_id, r.paused_until
    ), network_window_free AS (
      SELECT u.network,
             (SELECT a.started_at FROM publish_attempts a
               WHERE a.network = u.network AND a.started_at > ${now} - make_interval(secs => u.seconds)
               ORDER BY a.started_at OFFSET (u.used - u.max_count) LIMIT 1) + make_interval(secs => u.seconds) AS free_at
        FROM network_usage u WHERE u.used >= u.max_count
    ), blocked_networks AS MATERIALIZED (
      SELECT network, CASE WHEN bool_or(free_at IS NULL) THEN NULL ELSE max(free_at) END AS free_at
        FROM network_window_free GROUP BY network
    )
    SELECT count(*) FILTER (WHERE bc.connection_id IS NULL AND bn.network IS NULL)::int AS ready,
           count(*) FILTER (WHERE bc.connection_id IS NOT NULL OR bn.network IS NOT NULL)::int AS waiting,
           min(greatest(bc.free_at, bn.free_at))::text AS next_free_at,
           (SELECT min(next_attempt_at) FROM publish_targets
             WHERE status = 'scheduled' AND dispatched_at IS NULL AND next_attempt_at > ${now})::text AS next_due_at
      FROM due_connections d
      LEFT JOIN blocked_connections bc ON bc.connection_id = d.connection_id
      LEFT JOIN blocked_networks bn ON bn.network = d.network`);
  const row = rows.rows[0];
  return {
    ready: Number(row?.ready ?? 0),
    waiting: Number(row?.waiting ?? 0),
    nextFreeAt: row?.next_free_at ? asDate(row.next_free_at) : null,
    nextDueAt: row?.next_due_at ? asDate(row.next_due_at) : null,
  };
}

export async function markDispatched(tx: Tx, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`UPDATE publish_targets SET dispatched_at = ${instant(now)}, updated_at = now() WHERE id IN (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
}

/**
 * Due targets nobody published in time (no worker ran), past their account's missed-post allowance
 * (`lateBefore` for accounts without one): locked for the caller to mark late, each with the allowance
 * its account set (null: the default).
 */
export async function claimMissedTargets(tx: Tx, input: { now: Date; lateBefore: Date; batch: number }): Promise<Array<TargetRow & { lateAfterSeconds: number | null }>> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${targetColumns}, ${accountLateAfterSeconds} AS account_late_after_seconds FROM publish_targets
     WHERE status = 'scheduled' AND dispatched_at IS NULL
       AND next_attempt_at <= ${instant(new Date(input.now.getTime() - minimumLateAfterSeconds * 1000))}
       AND NOT ${withinLateAllowance(input.now, input.lateBefore)}
     ORDER BY next_attempt_at LIMIT ${input.batch}
       FOR UPDATE SKIP LOCKED`);
  return rows.rows.map((row) => ({
    ...toTargetRow(row),
    lateAfterSeconds: row.account_late_after_seconds === null || row.account_late_after_seconds === undefined ? null : Number(row.account_late_after_seconds),
  }));
}

export async function countDueTargets(tx: Tx, now: Date): Promise<number> {
  const rows = await tx.execute<{ count: number }>(sql`
    SELECT count(*)::int AS count FROM publish_targets WHERE status = 'scheduled' AND dispatched_at IS NULL AND next_attempt_at <= ${instant(now)}`);
  return Number(rows.rows[0]?.count ?? 0);
}

/**
 * Targets that need reconciliation: publishing with an attempt open since before the timeout (the worker
 * died mid-call), or unconfirmed with a lookup due (next_attempt_at) before `lookupDueBefore` that has not
 * resolved it (its job died with its worker; rows from before lookups were timed fall back to updated_at).
 */
export async function selectTargetsToReconcile(
  tx: Tx,
  input: { attemptStartedBefore: Date; lookupDueBefore: Date; limit: number },
): Promise<Array<{ id: string; tenantId: string }>> {
  const rows = await tx.execute<{ id: string; tenant_id: string }>(sql`
    SELECT t.id, t.tenant_id FROM publish_targets t
     WHERE t.status = 'publishing'
       AND EXISTS (SELECT 1 FROM publish_attempts a WHERE a.target_id = t.id AND a.finished_at IS NULL AND a.started_at < ${instant(input.attemptStartedBefore)})
    UNION ALL
    SELECT t.id, t.tenant_id FROM publish_targets t
     WHERE t.status = 'unconfirmed' AND t.last_error_kind = 'unknown_outcome' AND coalesce(t.next_attempt_at, t.updated_at) < ${instant(input.lookupDueBefore)}
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

/**
 * Published targets whose first engagement snapshot is waiting to be queued, oldest first, at most `limit`:
 * taken in one statement (locked, SKIP LOCKED so concurrent runs split the rows, metrics_due_at cleared),
 * each with the time the snapshot is due. The caller queues their jobs in the same transaction.
 */
export async function takeDueMetricsTargets(tx: Tx, limit: number): Promise<Array<{ id: string; tenantId: string; metricsDueAt: Date }>> {
  const rows = await tx.execute<{ id: string; tenant_id: string; metrics_due_at: string }>(sql`
    WITH due AS (
      SELECT id, metrics_due_at FROM publish_targets
       WHERE metrics_due_at IS NOT NULL
       ORDER BY metrics_due_at LIMIT ${limit}
         FOR UPDATE SKIP LOCKED
    )
    UPDATE publish_targets t SET metrics_due_at = NULL
      FROM due WHERE t.id = due.id
    RETURNING t.id, t.tenant_id, due.metrics_due_at`);
  return rows.rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, metricsDueAt: asDate(row.metrics_due_at) }));
}
