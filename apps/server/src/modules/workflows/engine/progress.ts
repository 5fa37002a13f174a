import { workflowDefinitionSchema, type WorkflowDefinition } from '@omni/contracts/workflows';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { successorsOf } from '../definition.js';
import type { RunData } from '../expressions.js';
import { findVersion, insertSteps, selectRunProgress, selectStepOutputs, updateRunStatus, updateStep, type NewStep, type RunRow, type StepRow } from '../workflows.queries.js';
import { enqueueStepJobs } from './jobs.js';

/**
 * How a run moves on, in the caller's transaction (with the run row locked: every change to a run's steps
 * takes that lock first, so two steps finishing at once see each other and exactly one ends the run).
 */

/** A loop may come back to a step this many times in one run; the next time fails the run. */
export const maxIterations = 1000;

type EngineConfig = Pick<Config, 'WORKFLOW_TENANT_CONCURRENCY'>;

const definitionCache = new Map<string, WorkflowDefinition>();
const definitionCacheSize = 500;

/** The definition a run is pinned to (versions are immutable, so parsed ones are kept). */
export async function loadRunDefinition(tx: Tx, run: Pick<RunRow, 'tenant_id' | 'workflow_id' | 'version'>): Promise<WorkflowDefinition> {
  const key = `${run.tenant_id}:${run.workflow_id}:${run.version}`;
  const cached = definitionCache.get(key);
  if (cached) return cached;
  const version = await findVersion(tx, run.workflow_id, run.version);
  if (!version) throw new Error(`Workflow ${run.workflow_id} has no version ${run.version}`);
  const definition = workflowDefinitionSchema.parse(version.definition);
  if (definitionCache.size >= definitionCacheSize) definitionCache.delete(definitionCache.keys().next().value!);
  definitionCache.set(key, definition);
  return definition;
}

/** The data expressions and templates see: the trigger, the latest output and port of each step, ids. */
export async function loadRunData(tx: Tx, run: RunRow): Promise<RunData> {
  const outputs = await selectStepOutputs(tx, run.id);
  return {
    trigger: { kind: run.trigger_kind, payload: run.trigger_payload },
    steps: Object.fromEntries(outputs.map((row) => [row.node_id, { output: row.output, port: row.port }])),
    workflow: { id: run.workflow_id, name: run.workflow_name, version: run.version },
    run: { id: run.id, test: run.test },
  };
}

/** Insert steps (a replayed insert is a no-op) and enqueue a job for each one inserted pending. */
export async function startSteps(tx: Tx, config: EngineConfig, run: Pick<RunRow, 'id' | 'tenant_id'>, steps: NewStep[]): Promise<void> {
  const inserted = await insertSteps(tx, run.tenant_id, run.id, steps);
  await enqueueStepJobs(tx, config, inserted.map((step) => ({ tenantId: run.tenant_id, runId: run.id, stepRunId: step.id })));
}

/** Start what follows `from` (the trigger, or a step of that iteration) through `port`. */
export async function startSuccessors(tx: Tx, config: EngineConfig, run: Pick<RunRow, 'id' | 'tenant_id'>, definition: WorkflowDefinition, from: { nodeId: string; iteration: number }, port: string): Promise<void> {
  const steps: NewStep[] = successorsOf(definition, from.nodeId, port, from.iteration).map((successor) =>
    successor.iteration > maxIterations
      ? { ...successor, iteration: maxIterations + 1, failure: { code: 'workflows.loop_limit', message: `A loop reached this step more than ${maxIterations} times in one run.` } }
      : successor,
  );
  await startSteps(tx, config, run, steps);
}

/** A step succeeded (at once, or its wait ended): record it and start its successors. */
export async function completeStep(
  tx: Tx,
  config: EngineConfig,
  run: RunRow,
  definition: WorkflowDefinition,
  step: Pick<StepRow, 'id' | 'node_id' | 'iteration'>,
  result: { port: string; output: unknown; input: unknown },
): Promise<void> {
  await updateStep(tx, step.id, { status: 'succeeded', port: result.port, output: result.output, input: result.input });
  await startSuccessors(tx, config, run, definition, { nodeId: step.node_id, iteration: step.iteration }, result.port);
}

/**
 * Bring the run's status in line with its steps: running while any is pending or running, waiting while
 * only waits remain, then failed (a failure nothing handled) or succeeded. A cancelled run stays cancelled.
 */
export async function refreshRun(tx: Tx, run: Pick<RunRow, 'id' | 'status'>): Promise<RunRow['status']> {
  if (run.status === 'cancelled') return run.status;
  const progress = await selectRunProgress(tx, run.id);
  const status: RunRow['status'] = progress.active > 0 ? 'running' : progress.waiting > 0 ? 'waiting' : progress.failure ? 'failed' : 'succeeded';
  const error = status === 'failed' ? progress.failure : null;
  await updateRunStatus(tx, run.id, { status, error });
  return status;
}
