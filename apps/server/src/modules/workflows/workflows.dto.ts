import { workflowDefinitionSchema, type StepRun, type Workflow, type WorkflowRun } from '@omni/contracts/workflows';
import { validateDefinition } from './definition.js';
import type { RunRow, StepRow, WorkflowRow } from './workflows.queries.js';

/** Rows → the contract's DTOs. */

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

/** `publicBase`: the console's public origin (kernel/http/public-url.ts), for the webhook trigger's URL. */
export function toWorkflowDto(row: WorkflowRow, publicBase: string): Workflow {
  const { issues } = validateDefinition(row.definition);
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    description: row.description,
    status: row.status,
    workflowType: row.workflow_type as Workflow['workflowType'],
    currentVersion: row.current_version,
    definition: workflowDefinitionSchema.parse(row.definition),
    templateId: row.template_id,
    webhookUrl: row.webhook_key ? `${publicBase}/api/hooks/workflows/${row.webhook_key}` : null,
    lastRun: row.last_run ? { id: row.last_run.id, status: row.last_run.status, startedAt: iso(row.last_run.started_at) } : null,
    validation: { ok: issues.length === 0, issues },
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toRunDto(row: RunRow): WorkflowRun {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowName: row.workflow_name,
    version: row.version,
    status: row.status,
    test: row.test,
    trigger: { kind: row.trigger_kind, payload: row.trigger_payload },
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    error: row.error,
    startedBy: row.started_by,
  };
}

export function toStepDto(row: StepRow): StepRun {
  return {
    id: row.id,
    nodeId: row.node_id,
    kind: row.kind as StepRun['kind'],
    iteration: row.iteration,
    status: row.status,
    attempt: row.attempt,
    input: row.input ?? null,
    output: row.output ?? null,
    port: row.port,
    error: row.error,
    wait: toWaitDto(row.wait),
    nextAttemptAt: row.status === 'pending' ? iso(row.due_at) : null,
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    durationMs: row.started_at && row.finished_at ? new Date(row.finished_at).getTime() - new Date(row.started_at).getTime() : null,
  };
}

/** A time wait (until) or a parked step's wait (what it waits for, its timeout). */
function toWaitDto(wait: StepRow['wait']): StepRun['wait'] {
  if (!wait) return null;
  if (wait.until !== undefined) return { until: iso(wait.until), eventType: null, approvalRequestId: null, aiRunId: null, timeoutAt: null };
  return { until: null, eventType: wait.eventType, approvalRequestId: wait.approvalRequestId, aiRunId: wait.aiRunId, timeoutAt: isoOrNull(wait.timeoutAt) };
}
