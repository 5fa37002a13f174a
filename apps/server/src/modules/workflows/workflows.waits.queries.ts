import { sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';
import type { ParkSignal, StepRow } from './workflows.queries.js';

/**
 * The only code that reads or writes workflow_event_waits (migrations/0020_workflow_waits.sql), and the
 * look-ups of parked steps the wait kinds need. Every function runs in the caller's transaction (withTenant:
 * row-level security limits it to the tenant).
 */

export type EventWaitRow = { step_run_id: string; run_id: string; match: string | null };

export async function insertEventWait(tx: Tx, values: { tenantId: string; stepRunId: string; eventType: string; match: string | null; timeoutAt: Date | null }): Promise<void> {
  await tx.execute(
    sql`INSERT INTO workflow_event_waits (tenant_id, step_run_id, event_type, match, timeout_at)
        VALUES (${values.tenantId}, ${values.stepRunId}, ${values.eventType}, ${values.match}, ${values.timeoutAt?.toISOString() ?? null}::timestamptz)
        ON CONFLICT (step_run_id) DO UPDATE SET event_type = EXCLUDED.event_type, match = EXCLUDED.match, timeout_at = EXCLUDED.timeout_at`,
  );
}

/** The waits of the tenant (RLS) for an event type whose step still waits, oldest first. */
export async function selectEventWaits(tx: Tx, eventType: string, limit: number): Promise<EventWaitRow[]> {
  const result = await tx.execute<EventWaitRow>(
    sql`SELECT w.step_run_id, s.run_id, w.match FROM workflow_event_waits w
          JOIN workflow_step_runs s ON s.id = w.step_run_id AND s.status = 'waiting'
         WHERE w.event_type = ${eventType}
         ORDER BY w.created_at, w.id LIMIT ${limit}`,
  );
  return result.rows as EventWaitRow[];
}

export async function deleteEventWaits(tx: Tx, stepRunIds: string[]): Promise<void> {
  if (stepRunIds.length === 0) return;
  await tx.execute(sql`DELETE FROM workflow_event_waits WHERE step_run_id = ANY(${`{${stepRunIds.join(',')}}`}::uuid[])`);
}

/** Steps by id with their kind and wait (a cancel's cancelled steps: what they were waiting for). */
export async function selectStepsWithWaits(tx: Tx, stepRunIds: string[]): Promise<Array<Pick<StepRow, 'id' | 'kind' | 'wait'>>> {
  if (stepRunIds.length === 0) return [];
  const result = await tx.execute<Pick<StepRow, 'id' | 'kind' | 'wait'>>(
    sql`SELECT id, kind, wait FROM workflow_step_runs WHERE id = ANY(${`{${stepRunIds.join(',')}}`}::uuid[]) AND wait IS NOT NULL`,
  );
  return result.rows as Array<Pick<StepRow, 'id' | 'kind' | 'wait'>>;
}

/** Record a parked step's first signal (conditional: it still waits and has none); false when it came too late. */
export async function recordParkSignal(tx: Tx, stepRunId: string, signal: ParkSignal): Promise<boolean> {
  const result = await tx.execute(
    sql`UPDATE workflow_step_runs SET wait = wait || jsonb_build_object('signal', ${JSON.stringify(signal)}::jsonb)
         WHERE id = ${stepRunId} AND status = 'waiting' AND wait IS NOT NULL AND NOT (wait ? 'until') AND NOT (wait ? 'signal')`,
  );
  return (result.rowCount ?? 0) > 0;
}

/** The HITL workflow type of a workflow (its AI and approval steps follow that policy). */
export async function findWorkflowType(tx: Tx, workflowId: string): Promise<string> {
  const result = await tx.execute<{ workflow_type: string }>(sql`SELECT workflow_type FROM workflows WHERE id = ${workflowId}`);
  const row = result.rows[0] as { workflow_type: string } | undefined;
  if (!row) throw new Error(`Workflow ${workflowId} not found`);
  return row.workflow_type;
}
