import { triggerNodeId, type StartWorkflowRunBody, type WorkflowRunDetail, type WorkflowRunList, type WorkflowRunListQuery } from '@omni/contracts/workflows';
import { requireActor } from '../../kernel/access.js';
import type { Config } from '../../kernel/config.js';
import { isUuid, type Tx } from '../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, conflict, notFound } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { checkDefinition, defaultPort } from './definition.js';
import { enqueueStepJobs, removeStepJobs } from './engine/jobs.js';
import { releaseCancelledSteps } from './engine/park.js';
import { loadRunDefinition, refreshRun, startSuccessors } from './engine/progress.js';
import { toRunDto, toStepDto } from './workflows.dto.js';
import { workflowsPermissions } from './workflows.permissions.js';
import { cancelOpenSteps, findRun, findRunIdByDedupKey, findStep, insertRun, selectRunSteps, selectRuns, updateRunStatus, updateStep, type RunRow, type WorkflowRow } from './workflows.queries.js';
import { requireScope, requireWorkflow } from './workflows.service.js';

/**
 * Run use cases: start a manual (or test) run, list runs, read one with its steps, cancel it, retry a
 * failed step. The engine (engine/*) moves runs on; these only start and steer them.
 */

async function requireRun(tx: Tx, id: string, accountId: string, options: { lock?: boolean } = {}): Promise<RunRow> {
  const run = isUuid(id) ? await findRun(tx, id, { accountId, lock: options.lock }) : null;
  if (!run) throw notFound('Workflow run');
  return run;
}

async function loadRunDetail(tx: Tx, run: RunRow): Promise<WorkflowRunDetail> {
  const steps = await selectRunSteps(tx, run.id);
  return { ...toRunDto(run), definition: await loadRunDefinition(tx, run), steps: steps.map(toStepDto) };
}

/**
 * A manual run of the current version: the run and the trigger's successors in one transaction, their
 * jobs with it. Test runs work on paused drafts too; real ones need an active workflow. Either needs a
 * definition without problems (422 workflows.definition_invalid, with the issues).
 */
export async function startManualRun(ctx: ServiceContext, workflowId: string, body: StartWorkflowRunBody): Promise<WorkflowRunDetail> {
  const { tenantId, accountId } = requireScope(ctx, workflowsPermissions.run);
  const userId = requireActor(ctx).userId;
  const detail = await withTenant(ctx, async (tx) => {
    const workflow = await requireWorkflow(tx, workflowId, accountId);
    if (workflow.status === 'archived') throw conflict('workflows.archived', 'This workflow is archived: set it to paused or active to run it.');
    if (workflow.status !== 'active' && !body.test) throw conflict('workflows.not_active', 'This workflow is paused: activate it, or start a test run.');
    const issues = checkDefinition(await loadRunDefinition(tx, { tenant_id: tenantId, workflow_id: workflow.id, version: workflow.current_version }));
    if (issues.length > 0) {
      throw new AppError('unprocessable', 'workflows.definition_invalid', 'The workflow has problems (see issues): fix them before running it.', { issues });
    }
    const { runId } = await startRunInTx(tx, ctx.config, workflow, { test: body.test, triggerKind: 'manual', payload: body.input, startedBy: userId });
    return loadRunDetail(tx, (await findRun(tx, runId))!);
  });
  ctx.audit.targetType = 'workflow_run';
  ctx.audit.targetId = detail.id;
  ctx.audit.metadata = { workflowId, version: detail.version, test: detail.test };
  return detail;
}

/**
 * Start a run of the workflow's current version in the caller's transaction (the workflow's tenant): the
 * run, the trigger's successors and their jobs. With a dedup key (event id, schedule fire time, webhook
 * delivery id) a key that started a run of this workflow before starts nothing: that run's id comes back
 * with duplicate true. Callers check the workflow may run (active, valid) first.
 */
export async function startRunInTx(
  tx: Tx,
  config: Pick<Config, 'WORKFLOW_TENANT_CONCURRENCY'>,
  workflow: Pick<WorkflowRow, 'id' | 'tenant_id' | 'account_id' | 'current_version'>,
  start: { test: boolean; triggerKind: RunRow['trigger_kind']; payload: unknown; startedBy: string | null; dedupKey?: string },
): Promise<{ runId: string; duplicate: boolean }> {
  const definition = await loadRunDefinition(tx, { tenant_id: workflow.tenant_id, workflow_id: workflow.id, version: workflow.current_version });
  const runId = await insertRun(tx, {
    tenantId: workflow.tenant_id,
    accountId: workflow.account_id,
    workflowId: workflow.id,
    version: workflow.current_version,
    test: start.test,
    triggerKind: start.triggerKind,
    triggerPayload: start.payload,
    startedBy: start.startedBy,
    dedupKey: start.dedupKey,
  });
  if (!runId) return { runId: (await findRunIdByDedupKey(tx, workflow.id, start.dedupKey!))!, duplicate: true };
  const row = (await findRun(tx, runId))!;
  await startSuccessors(tx, config, row, definition, { nodeId: triggerNodeId, iteration: 0 }, defaultPort);
  await refreshRun(tx, row);
  return { runId, duplicate: false };
}

export async function listRuns(ctx: ServiceContext, query: WorkflowRunListQuery): Promise<WorkflowRunList> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  const rows = await withTenantRead(ctx, (tx) => selectRuns(tx, { accountId, workflowId: query.workflowId, status: query.status, before: query.before, limit: query.limit }));
  return { items: rows.map(toRunDto) };
}

export async function getRun(ctx: ServiceContext, id: string): Promise<WorkflowRunDetail> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  return withTenantRead(ctx, async (tx) => loadRunDetail(tx, await requireRun(tx, id, accountId)));
}

/** Cancel a run still going: its unfinished steps are cancelled, their jobs withdrawn, what parked ones held released (approval requests withdrawn). */
export async function cancelRun(ctx: ServiceContext, id: string): Promise<WorkflowRunDetail> {
  const { accountId } = requireScope(ctx, workflowsPermissions.run);
  const userId = requireActor(ctx).userId;
  const detail = await withTenant(ctx, async (tx) => {
    const run = await requireRun(tx, id, accountId, { lock: true });
    if (run.status !== 'running' && run.status !== 'waiting') {
      throw new AppError('conflict', 'workflows.run_finished', `This run has ended (${run.status}): there is nothing to cancel.`, { currentStatus: run.status });
    }
    const cancelled = await cancelOpenSteps(tx, run.id);
    await removeStepJobs(tx, cancelled);
    await releaseCancelledSteps(tx, cancelled);
    await updateRunStatus(tx, run.id, { status: 'cancelled', error: null, cancelledBy: userId });
    return loadRunDetail(tx, (await findRun(tx, run.id))!);
  });
  ctx.audit.targetType = 'workflow_run';
  return detail;
}

/** Run a failed step again (a new attempt with a fresh retry budget); the run goes back to running. */
export async function retryStep(ctx: ServiceContext, runId: string, stepRunId: string): Promise<WorkflowRunDetail> {
  const { accountId } = requireScope(ctx, workflowsPermissions.run);
  const detail = await withTenant(ctx, async (tx) => {
    const run = await requireRun(tx, runId, accountId, { lock: true });
    const step = isUuid(stepRunId) ? await findStep(tx, stepRunId, { lock: true }) : null;
    if (!step || step.run_id !== run.id) throw notFound('Workflow step');
    if (run.status === 'cancelled') throw conflict('workflows.run_cancelled', 'This run was cancelled: start a new run instead.');
    if (step.status !== 'failed') {
      throw new AppError('conflict', 'workflows.step_not_failed', `Only a failed step can be retried; this one is ${step.status}.`, { currentStatus: step.status });
    }
    const dueAt = new Date();
    await updateStep(tx, step.id, { status: 'pending', error: null, dueAt, attemptBase: 'reset' });
    await enqueueStepJobs(tx, ctx.config, [{ tenantId: run.tenant_id, runId: run.id, stepRunId: step.id }]);
    await refreshRun(tx, run);
    return loadRunDetail(tx, (await findRun(tx, run.id))!);
  });
  ctx.audit.targetType = 'workflow_run';
  ctx.audit.metadata = { stepRunId };
  return detail;
}
