import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The only code that reads or writes the workflow tables (migrations/0019_workflows.sql). Every function
 * runs in the caller's transaction: withTenant (row-level security limits it to the tenant), or system
 * access for the sweeper's look-ups across tenants.
 */

const rowsOf = async <T>(tx: Tx, query: SQL): Promise<T[]> => (await tx.execute<T & Record<string, unknown>>(query)).rows as T[];
const json = (value: unknown) => JSON.stringify(value ?? null);
/** A jsonb value, or SQL NULL for null/undefined (not a JSON null). */
const jsonb = (value: unknown): SQL => (value === null || value === undefined ? sql`NULL` : sql`${JSON.stringify(value)}::jsonb`);

// ------------------------------------------------------------------------------------------ workflows

export type WorkflowRow = {
  id: string;
  tenant_id: string;
  account_id: string;
  name: string;
  description: string;
  status: 'active' | 'paused' | 'archived';
  workflow_type: string;
  current_version: number;
  template_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** The current version's definition (jsonb as stored). */
  definition: unknown;
  last_run: { id: string; status: string; started_at: string } | null;
  /** The public key of its webhook trigger (null: not a webhook workflow). */
  webhook_key: string | null;
};

const workflowColumns = sql`w.id, w.tenant_id, w.account_id, w.name, w.description, w.status, w.workflow_type, w.current_version, w.template_id,
  w.created_by, w.created_at, w.updated_at, v.definition,
  (SELECT json_build_object('id', r.id, 'status', r.status, 'started_at', r.started_at) FROM workflow_runs r
    WHERE r.tenant_id = w.tenant_id AND r.workflow_id = w.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1) AS last_run,
  (SELECT t.webhook_key FROM workflow_triggers t WHERE t.tenant_id = w.tenant_id AND t.workflow_id = w.id) AS webhook_key`;

export async function insertWorkflow(
  tx: Tx,
  values: { tenantId: string; accountId: string; name: string; description: string; status: WorkflowRow['status']; workflowType: string; templateId: string | null; definition: unknown; createdBy: string },
): Promise<string> {
  const rows = await rowsOf<{ id: string }>(
    tx,
    sql`WITH w AS (
          INSERT INTO workflows (tenant_id, account_id, name, description, status, workflow_type, template_id, created_by, updated_by)
          VALUES (${values.tenantId}, ${values.accountId}, ${values.name}, ${values.description}, ${values.status}, ${values.workflowType}, ${values.templateId}, ${values.createdBy}, ${values.createdBy})
          RETURNING id, tenant_id)
        INSERT INTO workflow_versions (tenant_id, workflow_id, version, definition, created_by)
        SELECT tenant_id, id, 1, ${json(values.definition)}::jsonb, ${values.createdBy} FROM w
        RETURNING workflow_id AS id`,
  );
  return rows[0]!.id;
}

/** A workflow of the account with its current definition (null: none, or another account's or tenant's). */
export async function findWorkflow(tx: Tx, id: string, accountId: string, options: { lock?: boolean } = {}): Promise<WorkflowRow | null> {
  const rows = await rowsOf<WorkflowRow>(
    tx,
    sql`SELECT ${workflowColumns} FROM workflows w
          JOIN workflow_versions v ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id AND v.version = w.current_version
         WHERE w.id = ${id} AND w.account_id = ${accountId} ${options.lock ? sql`FOR UPDATE OF w` : sql``}`,
  );
  return rows[0] ?? null;
}

export async function selectWorkflows(tx: Tx, accountId: string): Promise<WorkflowRow[]> {
  return rowsOf<WorkflowRow>(
    tx,
    sql`SELECT ${workflowColumns} FROM workflows w
          JOIN workflow_versions v ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id AND v.version = w.current_version
         WHERE w.account_id = ${accountId}
         ORDER BY w.updated_at DESC, w.id DESC`,
  );
}

/** Change a workflow; with a definition, version current+1 is saved and becomes current. */
export async function updateWorkflowRow(
  tx: Tx,
  workflow: Pick<WorkflowRow, 'id' | 'tenant_id' | 'current_version'>,
  values: { name?: string; description?: string; status?: WorkflowRow['status']; workflowType?: string; definition?: unknown; updatedBy: string },
): Promise<void> {
  const sets: SQL[] = [sql`updated_at = now()`, sql`updated_by = ${values.updatedBy}`];
  if (values.name !== undefined) sets.push(sql`name = ${values.name}`);
  if (values.description !== undefined) sets.push(sql`description = ${values.description}`);
  if (values.status !== undefined) sets.push(sql`status = ${values.status}`);
  if (values.workflowType !== undefined) sets.push(sql`workflow_type = ${values.workflowType}`);
  if (values.definition !== undefined) {
    const version = workflow.current_version + 1;
    await tx.execute(sql`INSERT INTO workflow_versions (tenant_id, workflow_id, version, definition, created_by)
                         VALUES (${workflow.tenant_id}, ${workflow.id}, ${version}, ${json(values.definition)}::jsonb, ${values.updatedBy})`);
    sets.push(sql`current_version = ${version}`);
  }
  await tx.execute(sql`UPDATE workflows SET ${sql.join(sets, sql`, `)} WHERE id = ${workflow.id}`);
}

export async function deleteWorkflowRow(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`DELETE FROM workflows WHERE id = ${id}`);
}

export async function countUnfinishedRuns(tx: Tx, workflowId: string): Promise<number> {
  const rows = await rowsOf<{ count: number }>(tx, sql`SELECT count(*)::int AS count FROM workflow_runs WHERE workflow_id = ${workflowId} AND status IN ('running', 'waiting')`);
  return rows[0]!.count;
}

export type VersionRow = { version: number; definition: unknown; created_by: string | null; created_at: Date };

export async function selectVersions(tx: Tx, workflowId: string): Promise<Array<Omit<VersionRow, 'definition'>>> {
  return rowsOf(tx, sql`SELECT version, created_by, created_at FROM workflow_versions WHERE workflow_id = ${workflowId} ORDER BY version DESC`);
}

export async function findVersion(tx: Tx, workflowId: string, version: number): Promise<VersionRow | null> {
  const rows = await rowsOf<VersionRow>(tx, sql`SELECT version, definition, created_by, created_at FROM workflow_versions WHERE workflow_id = ${workflowId} AND version = ${version}`);
  return rows[0] ?? null;
}

// ------------------------------------------------------------------------------------------ runs

export type RunRow = {
  id: string;
  tenant_id: string;
  account_id: string;
  workflow_id: string;
  workflow_name: string;
  version: number;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
  test: boolean;
  trigger_kind: 'event' | 'schedule' | 'webhook' | 'manual';
  trigger_payload: unknown;
  started_by: string | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
};

const runColumns = sql`r.id, r.tenant_id, r.account_id, r.workflow_id, w.name AS workflow_name, r.version, r.status, r.test, r.trigger_kind,
  r.trigger_payload, r.started_by, r.started_at, r.finished_at, r.error`;

/** Insert a run; null when its dedup key (event id, fire time, delivery id) started one of the workflow already. */
export async function insertRun(
  tx: Tx,
  values: { tenantId: string; accountId: string; workflowId: string; version: number; test: boolean; triggerKind: RunRow['trigger_kind']; triggerPayload: unknown; startedBy: string | null; dedupKey?: string | null },
): Promise<string | null> {
  const rows = await rowsOf<{ id: string }>(
    tx,
    sql`INSERT INTO workflow_runs (tenant_id, account_id, workflow_id, version, test, trigger_kind, trigger_payload, started_by, dedup_key)
        VALUES (${values.tenantId}, ${values.accountId}, ${values.workflowId}, ${values.version}, ${values.test}, ${values.triggerKind}, ${json(values.triggerPayload)}::jsonb, ${values.startedBy}, ${values.dedupKey ?? null})
        ON CONFLICT (workflow_id, dedup_key) DO NOTHING
        RETURNING id`,
  );
  return rows[0]?.id ?? null;
}

/** The run a dedup key started (a duplicate trigger answers with it). */
export async function findRunIdByDedupKey(tx: Tx, workflowId: string, dedupKey: string): Promise<string | null> {
  const rows = await rowsOf<{ id: string }>(tx, sql`SELECT id FROM workflow_runs WHERE workflow_id = ${workflowId} AND dedup_key = ${dedupKey}`);
  return rows[0]?.id ?? null;
}

/** A run (of the account, when given), optionally locked: every change to a run's steps locks the run first. */
export async function findRun(tx: Tx, id: string, options: { accountId?: string; lock?: boolean } = {}): Promise<RunRow | null> {
  const rows = await rowsOf<RunRow>(
    tx,
    sql`SELECT ${runColumns} FROM workflow_runs r JOIN workflows w ON w.tenant_id = r.tenant_id AND w.id = r.workflow_id
         WHERE r.id = ${id} ${options.accountId ? sql`AND r.account_id = ${options.accountId}` : sql``} ${options.lock ? sql`FOR UPDATE OF r` : sql``}`,
  );
  return rows[0] ?? null;
}

export async function selectRuns(tx: Tx, filter: { accountId: string; workflowId?: string; status?: string; before?: string; limit: number }): Promise<RunRow[]> {
  const conditions: SQL[] = [sql`r.account_id = ${filter.accountId}`];
  if (filter.workflowId) conditions.push(sql`r.workflow_id = ${filter.workflowId}`);
  if (filter.status) conditions.push(sql`r.status = ${filter.status}`);
  if (filter.before) conditions.push(sql`r.started_at < ${filter.before}::timestamptz`);
  return rowsOf<RunRow>(
    tx,
    sql`SELECT ${runColumns} FROM workflow_runs r JOIN workflows w ON w.tenant_id = r.tenant_id AND w.id = r.workflow_id
         WHERE ${sql.join(conditions, sql` AND `)} ORDER BY r.started_at DESC, r.id DESC LIMIT ${filter.limit}`,
  );
}

export type RunProgress = { active: number; waiting: number; failure: string | null };

/** What is left of a run: steps pending or running, steps waiting, and the first unhandled failure. */
export async function selectRunProgress(tx: Tx, runId: string): Promise<RunProgress> {
  const rows = await rowsOf<RunProgress>(
    tx,
    sql`SELECT count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS active,
               count(*) FILTER (WHERE status = 'waiting')::int AS waiting,
               (array_agg(node_id || ': ' || (error->>'message') ORDER BY finished_at, id) FILTER (WHERE status = 'failed' AND port IS NULL))[1] AS failure
          FROM workflow_step_runs WHERE run_id = ${runId}`,
  );
  return rows[0]!;
}

export async function updateRunStatus(tx: Tx, runId: string, values: { status: RunRow['status']; error: string | null; cancelledBy?: string }): Promise<void> {
  const open = values.status === 'running' || values.status === 'waiting';
  await tx.execute(
    sql`UPDATE workflow_runs SET status = ${values.status}, error = ${values.error},
               finished_at = ${open ? sql`NULL` : sql`coalesce(finished_at, clock_timestamp())`}
               ${values.cancelledBy ? sql`, cancelled_by = ${values.cancelledBy}` : sql``}
         WHERE id = ${runId}`,
  );
}

// ------------------------------------------------------------------------------------------ step runs

/** A time wait (delay, wait_until): the resume job finishes the step through `resume` at `until`. */
export type TimeWait = { until: string; resume: { port: string; output: unknown } };
/** A parked step (approval, AI run, event, engine/park.ts): what it waits for; at timeoutAt it leaves through `timeout`. */
export type ParkedWait = {
  until?: undefined;
  eventType: string | null;
  approvalRequestId: string | null;
  aiRunId: string | null;
  timeoutAt: string | null;
  timeout: { port: string; output: unknown } | null;
  /** The first signal that arrived (engine/park.ts): the resume finishes the step with it, whatever its job says. */
  signal?: ParkSignal;
};
export type ParkSignal = { port: string; output: unknown; failure?: { code: string; message: string } };

export type StepRow = {
  id: string;
  tenant_id: string;
  run_id: string;
  node_id: string;
  kind: string;
  iteration: number;
  status: 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  attempt: number;
  attempt_base: number;
  input: unknown;
  output: unknown;
  port: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
  wait: TimeWait | ParkedWait | null;
  lease_until: Date | null;
  due_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

export type NewStep = { nodeId: string; kind: string; iteration: number; failure?: { code: string; message: string } };

/**
 * Insert steps of a run; one that exists already (same node and iteration: a replayed finish) is left
 * alone. Returns the steps inserted as pending (those to enqueue). A step with `failure` is inserted failed.
 */
export async function insertSteps(tx: Tx, tenantId: string, runId: string, steps: NewStep[]): Promise<Array<{ id: string; node_id: string }>> {
  if (steps.length === 0) return [];
  const items = steps.map((step) => ({
    node_id: step.nodeId,
    kind: step.kind,
    iteration: step.iteration,
    status: step.failure ? 'failed' : 'pending',
    error: step.failure ? { ...step.failure, retryable: false } : null,
  }));
  const rows = await rowsOf<{ id: string; node_id: string; status: string }>(
    tx,
    sql`INSERT INTO workflow_step_runs (tenant_id, run_id, node_id, kind, iteration, status, error, finished_at)
        SELECT ${tenantId}, ${runId}, s.node_id, s.kind, s.iteration, s.status, s.error, CASE WHEN s.status = 'failed' THEN clock_timestamp() END
          FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS s(node_id text, kind text, iteration int, status text, error jsonb)
        ON CONFLICT (run_id, node_id, iteration) DO NOTHING
        RETURNING id, node_id, status`,
  );
  return rows.filter((row) => row.status === 'pending').map(({ id, node_id }) => ({ id, node_id }));
}

/**
 * Take a step to run: pending, or running with an expired lease (its worker died) → running, attempt + 1,
 * leased. Null when it is anything else (finished, waiting, cancelled, or running under a live lease).
 */
export async function claimStep(tx: Tx, id: string, leaseSeconds: number): Promise<(StepRow & { recovered: boolean }) | null> {
  const rows = await rowsOf<StepRow & { recovered: boolean }>(
    tx,
    sql`WITH p AS (SELECT id, status AS previous FROM workflow_step_runs WHERE id = ${id} FOR UPDATE)
        UPDATE workflow_step_runs s SET status = 'running', attempt = s.attempt + 1, lease_until = clock_timestamp() + ${leaseSeconds}::int * interval '1 second',
               started_at = coalesce(s.started_at, clock_timestamp())
          FROM p
         WHERE s.id = p.id AND (s.status = 'pending' OR (s.status = 'running' AND s.lease_until < clock_timestamp()))
        RETURNING s.*, p.previous = 'running' AS recovered`,
  );
  return rows[0] ?? null;
}

export async function findStep(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<StepRow | null> {
  const rows = await rowsOf<StepRow>(tx, sql`SELECT * FROM workflow_step_runs WHERE id = ${id} ${options.lock ? sql`FOR UPDATE` : sql``}`);
  return rows[0] ?? null;
}

export async function selectRunSteps(tx: Tx, runId: string): Promise<StepRow[]> {
  return rowsOf<StepRow>(tx, sql`SELECT * FROM workflow_step_runs WHERE run_id = ${runId} ORDER BY created_at, iteration, node_id`);
}

/** The latest output and port of every step that left through a port: the run data's `steps`. */
export async function selectStepOutputs(tx: Tx, runId: string): Promise<Array<{ node_id: string; output: unknown; port: string }>> {
  return rowsOf(
    tx,
    sql`SELECT DISTINCT ON (node_id) node_id, output, port FROM workflow_step_runs
         WHERE run_id = ${runId} AND port IS NOT NULL ORDER BY node_id, iteration DESC`,
  );
}

export type StepUpdate =
  | { status: 'succeeded'; port: string; output: unknown; input: unknown }
  | { status: 'waiting'; input: unknown; wait: NonNullable<StepRow['wait']> }
  | { status: 'pending'; error: StepRow['error']; dueAt: Date; attemptBase?: 'reset' }
  | { status: 'failed'; error: NonNullable<StepRow['error']>; port: string | null; input?: unknown }
  | { status: 'cancelled' };

/** Move a step on; leaving running always drops the lease. */
export async function updateStep(tx: Tx, id: string, update: StepUpdate): Promise<void> {
  const sets: SQL[] = [sql`status = ${update.status}`, sql`lease_until = NULL`];
  switch (update.status) {
    case 'succeeded':
      sets.push(sql`port = ${update.port}, output = ${jsonb(update.output)}, input = ${jsonb(update.input)}, error = NULL, wait = NULL, finished_at = clock_timestamp()`);
      break;
    case 'waiting':
      sets.push(sql`input = ${jsonb(update.input)}, wait = ${jsonb(update.wait)}`);
      break;
    case 'pending':
      sets.push(sql`error = ${jsonb(update.error)}, due_at = ${update.dueAt.toISOString()}::timestamptz, port = NULL, output = NULL, finished_at = NULL, wait = NULL`);
      if (update.attemptBase === 'reset') sets.push(sql`attempt_base = attempt`);
      break;
    case 'failed':
      sets.push(sql`error = ${jsonb(update.error)}, port = ${update.port}, finished_at = clock_timestamp()`);
      if (update.input !== undefined) sets.push(sql`input = ${jsonb(update.input)}`);
      break;
    case 'cancelled':
      sets.push(sql`finished_at = coalesce(finished_at, clock_timestamp())`);
      break;
  }
  await tx.execute(sql`UPDATE workflow_step_runs SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`);
}

/** Cancel a run's unfinished steps; returns their ids (to remove their jobs). */
export async function cancelOpenSteps(tx: Tx, runId: string): Promise<string[]> {
  const rows = await rowsOf<{ id: string }>(
    tx,
    sql`UPDATE workflow_step_runs SET status = 'cancelled', lease_until = NULL, finished_at = clock_timestamp()
         WHERE run_id = ${runId} AND status IN ('pending', 'running', 'waiting') RETURNING id`,
  );
  return rows.map((row) => row.id);
}

// ------------------------------------------------------------------------------------------ sweeper (system access)

export type SweptStep = { id: string; tenant_id: string; run_id: string; due_at: Date; wait: StepRow['wait'] };

/** Running steps whose lease expired: their worker died (or overran); another job takes them over. */
export async function selectExpiredLeases(tx: Tx, limit: number): Promise<SweptStep[]> {
  return rowsOf(
    tx,
    sql`SELECT id, tenant_id, run_id, due_at, wait FROM workflow_step_runs
         WHERE status = 'running' AND lease_until < clock_timestamp()
         ORDER BY lease_until LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
  );
}

/**
 * A step (due at `dueAt`) lacks a live job when it has none for `graceSeconds` past that time, or when its
 * job is locked for longer than `deadAfterSeconds`: a worker died before its transaction committed, and
 * graphile-worker keeps that job locked for hours (add_job with the same key clears the dead job's key).
 */
const lacksLiveJob = (key: SQL, dueAt: SQL, graceSeconds: number, deadAfterSeconds: number): SQL =>
  sql`((${dueAt} < clock_timestamp() - ${graceSeconds}::int * interval '1 second' AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j WHERE j.key = ${key}))
       OR (${dueAt} < clock_timestamp() AND EXISTS (SELECT 1 FROM graphile_worker._private_jobs j WHERE j.key = ${key} AND j.locked_at < now() - ${deadAfterSeconds}::int * interval '1 second')))`;

/** Pending steps due for a while whose job is gone (removed by hand, lost with a restored queue) or held by a dead worker. */
export async function selectPendingWithoutJob(tx: Tx, stepJobKeyPrefix: string, graceSeconds: number, limit: number, deadAfterSeconds: number): Promise<SweptStep[]> {
  return rowsOf(
    tx,
    sql`SELECT s.id, s.tenant_id, s.run_id, s.due_at, s.wait FROM workflow_step_runs s
         WHERE s.status = 'pending' AND ${lacksLiveJob(sql`${stepJobKeyPrefix} || s.id::text`, sql`s.due_at`, graceSeconds, deadAfterSeconds)}
         ORDER BY s.due_at LIMIT ${limit} FOR UPDATE OF s SKIP LOCKED`,
  );
}

/** Steps waiting for a time (or a parked step's timeout) that passed a while ago whose resume job is gone or held by a dead worker. */
export async function selectOverdueWaitsWithoutJob(tx: Tx, resumeJobKeyPrefix: string, graceSeconds: number, limit: number, deadAfterSeconds: number): Promise<SweptStep[]> {
  return rowsOf(
    tx,
    sql`SELECT s.id, s.tenant_id, s.run_id, s.due_at, s.wait FROM workflow_step_runs s
         WHERE s.status = 'waiting' AND coalesce(s.wait->>'until', s.wait->>'timeoutAt') IS NOT NULL
           AND ${lacksLiveJob(sql`${resumeJobKeyPrefix} || s.id::text`, sql`coalesce(s.wait->>'until', s.wait->>'timeoutAt')::timestamptz`, graceSeconds, deadAfterSeconds)}
         ORDER BY s.id LIMIT ${limit} FOR UPDATE OF s SKIP LOCKED`,
  );
}

/**
 * A worker that died while running a step left the step's named queue locked (graphile-worker frees it
 * after 4 hours): free workflow queues locked for longer than a step may run, so the lane moves again.
 */
/**
 * Free jobs of these tasks that a worker has held longer than `olderThanSeconds` (it died: these jobs are
 * short transactions), so graphile-worker runs them again now rather than hours later. Only for jobs that
 * are safe to run twice (signals and resumes: the first recorded signal wins).
 */
export async function releaseStaleJobLocks(tx: Tx, tasks: string[], olderThanSeconds: number): Promise<number> {
  const result = await tx.execute(
    sql`UPDATE graphile_worker._private_jobs j SET locked_at = NULL, locked_by = NULL
          FROM graphile_worker._private_tasks k
         WHERE k.id = j.task_id AND k.identifier = ANY(${`{${tasks.join(',')}}`}::text[])
           AND j.locked_at < now() - ${olderThanSeconds}::int * interval '1 second'`,
  );
  return result.rowCount ?? 0;
}

export async function releaseStaleQueueLocks(tx: Tx, queuePrefix: string, olderThanSeconds: number): Promise<number> {
  const result = await tx.execute(
    sql`UPDATE graphile_worker._private_job_queues SET locked_at = NULL, locked_by = NULL
         WHERE queue_name LIKE ${`${queuePrefix}%`} AND locked_at < now() - ${olderThanSeconds}::int * interval '1 second'`,
  );
  return result.rowCount ?? 0;
}
