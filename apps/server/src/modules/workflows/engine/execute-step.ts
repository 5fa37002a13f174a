import type { WorkflowDefinition, WorkflowNode } from '@omni/contracts/workflows';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant } from '../../../kernel/db/tenancy.js';
import type { JobContext } from '../../../kernel/jobs/jobs.js';
import { defaultPort, hasEdgeFrom } from '../definition.js';
import type { RunData } from '../expressions.js';
import { StepFailure, toStepError, type StepError } from '../step-failure.js';
import { findStepKind, type AnyStepKind, type StepExecution, type StepResult } from '../steps/index.js';
import { claimStep, findRun, findStep, updateStep, type RunRow, type StepRow } from '../workflows.queries.js';
import { enqueueResume, enqueueStepJobs } from './jobs.js';
import { enqueueParkTimeout, releaseParkedSteps, resumeOf, toParkedWait } from './park.js';
import { completeStep, loadRunData, loadRunDefinition, refreshRun, startSuccessors } from './progress.js';

/**
 * One step, as the job `workflows.step` runs it (docs/design/workflows.md §4):
 *  1. claim, in a short transaction: pending (or running under an expired lease) → running, attempt + 1,
 *     leased for WORKFLOW_STEP_LEASE_SECONDS; read the pinned definition and the run's data;
 *  2. execute outside any transaction (a transactional kind executes in step 3's transaction instead);
 *  3. finish, in one transaction, only if the step is still running under this attempt (the run row locked
 *     first): succeeded + successors, waiting + a resume job, pending again after a retryable failure (with
 *     backoff), or failed; then the run's status.
 */

/** The longest backoff between two attempts, whatever the node's retry settings. */
const maxBackoffSeconds = 86_400;

type Claimed = { step: StepRow & { recovered: boolean }; run: RunRow; definition: WorkflowDefinition; data: RunData };
type Outcome = { kind: 'result'; result: StepResult } | { kind: 'failure'; error: StepError & { retryAfterSeconds: number | null } };

export async function runStep(ctx: JobContext, tenantId: string, stepRunId: string): Promise<void> {
  const scope = { db: ctx.db, tenantId };
  const claimed = await withTenant(scope, async (tx): Promise<Claimed | null> => {
    const step = await claimStep(tx, stepRunId, ctx.config.WORKFLOW_STEP_LEASE_SECONDS);
    if (!step) return null;
    const run = (await findRun(tx, step.run_id))!;
    return { step, run, definition: await loadRunDefinition(tx, run), data: await loadRunData(tx, run) };
  });
  if (!claimed) return;
  const { step, run, definition } = claimed;
  const node = definition.nodes.find((candidate) => candidate.id === step.node_id);
  const kind = findStepKind(step.kind);
  const prepared = prepare(node, kind, step);
  if ('failure' in prepared) {
    await finishStep(ctx, tenantId, claimed, async () => ({ kind: 'failure', error: toStepError(prepared.failure) }));
    return;
  }
  const execution: StepExecution = {
    config: ctx.config,
    db: ctx.db,
    logger: ctx.logger.child({ workflowRun: run.id, step: step.node_id, attempt: step.attempt }),
    tenantId,
    accountId: run.account_id,
    workflow: claimed.data.workflow,
    run: { id: run.id, test: run.test, startedBy: run.started_by },
    step: { id: step.id, nodeId: step.node_id, attempt: step.attempt },
    data: claimed.data,
    dryRun: run.test && prepared.kind.sideEffect,
  };
  const execute = (tx: Tx | null) => prepared.kind.execute(execution, prepared.config, tx);
  if (!prepared.kind.transactional) {
    const outcome = await execute(null).then(
      (result): Outcome => ({ kind: 'result', result }),
      (error: unknown): Outcome => ({ kind: 'failure', error: toStepError(error) }),
    );
    await finishStep(ctx, tenantId, claimed, async () => outcome);
    return;
  }
  // A transactional kind's writes commit with the step's finish, or not at all: when it throws, the
  // transaction rolls back and the failure is recorded in a second one.
  try {
    await finishStep(ctx, tenantId, claimed, async (tx) => ({ kind: 'result', result: await execute(tx).catch((error: unknown) => Promise.reject(new ExecutionFailed(error))) }));
  } catch (error) {
    if (!(error instanceof ExecutionFailed)) throw error;
    await finishStep(ctx, tenantId, claimed, async () => ({ kind: 'failure', error: toStepError(error.reason) }));
  }
}

/** Carries a transactional kind's error out of its (rolled back) transaction. */
class ExecutionFailed extends Error {
  constructor(readonly reason: unknown) {
    super('step execution failed');
  }
}

/** The node's kind and parsed config, or why the step cannot run (a recovered step past its budget too). */
function prepare(node: WorkflowNode | undefined, kind: AnyStepKind | undefined, step: StepRow & { recovered: boolean }): { kind: AnyStepKind; config: unknown } | { failure: StepFailure } {
  if (!node) return { failure: new StepFailure('workflows.node_missing', `The workflow version has no step "${step.node_id}".`) };
  if (!kind) return { failure: new StepFailure('workflows.step_kind_unavailable', `The step kind ${step.kind} is not available.`) };
  // A recovery counts the lost attempt as a failed one: a step that keeps killing its worker stops.
  if (step.recovered && step.attempt - 1 - step.attempt_base >= node.retry.maxAttempts) {
    return { failure: new StepFailure('workflows.worker_lost', `The worker running this step stopped ${step.attempt - 1 - step.attempt_base} times; retry the step once the cause is fixed.`) };
  }
  const config = kind.config.safeParse(node.config);
  if (!config.success) return { failure: new StepFailure('workflows.config_invalid', `The step's settings are invalid: ${config.error.issues.map((issue) => issue.message).join('; ')}`) };
  return { kind, config: config.data };
}

/** Step 3: the outcome, recorded only if the step is still ours (running under the attempt we claimed). */
async function finishStep(ctx: JobContext, tenantId: string, claimed: Claimed, produce: (tx: Tx) => Promise<Outcome>): Promise<void> {
  await withTenant({ db: ctx.db, tenantId }, async (tx) => {
    const run = await findRun(tx, claimed.run.id, { lock: true });
    const step = await findStep(tx, claimed.step.id, { lock: true });
    if (!run || !step || step.status !== 'running' || step.attempt !== claimed.step.attempt) return;
    const outcome = await produce(tx);
    if (outcome.kind === 'failure') await recordFailure(tx, ctx.config, run, claimed.definition, step, outcome.error);
    else await recordResult(tx, ctx.config, run, claimed.definition, step, outcome.result);
    await refreshRun(tx, run);
  });
}

async function recordResult(tx: Tx, config: Config, run: RunRow, definition: WorkflowDefinition, step: StepRow, result: StepResult): Promise<void> {
  const input = result.input ?? definition.nodes.find((node) => node.id === step.node_id)?.config ?? null;
  if (result.outcome === 'done') {
    await completeStep(tx, config, run, definition, step, { port: result.port ?? defaultPort, output: result.output, input });
    return;
  }
  if (result.outcome === 'park') {
    const wait = toParkedWait(result);
    await updateStep(tx, step.id, { status: 'waiting', input, wait });
    await enqueueParkTimeout(tx, config, run, step.id, wait);
    return;
  }
  const resume = { port: result.resume.port ?? defaultPort, output: result.resume.output };
  await updateStep(tx, step.id, { status: 'waiting', input, wait: { until: result.until.toISOString(), resume } });
  await enqueueResume(tx, config, { tenantId: run.tenant_id, runId: run.id, stepRunId: step.id, at: result.until, ...resume });
}

/** Retry with exponential backoff while the node's budget lasts; otherwise failed (handled by an error edge, if any). */
async function recordFailure(tx: Tx, config: Config, run: RunRow, definition: WorkflowDefinition, step: StepRow, error: StepError & { retryAfterSeconds: number | null }): Promise<void> {
  const { retryAfterSeconds, ...stored } = error;
  const node = definition.nodes.find((candidate) => candidate.id === step.node_id);
  const used = step.attempt - step.attempt_base;
  if (error.retryable && node && used < node.retry.maxAttempts) {
    const backoff = Math.min(node.retry.backoffSeconds * 2 ** (used - 1), maxBackoffSeconds);
    const dueAt = new Date(Date.now() + Math.max(backoff, retryAfterSeconds ?? 0) * 1000);
    await updateStep(tx, step.id, { status: 'pending', error: stored, dueAt });
    await enqueueStepJobs(tx, config, [{ tenantId: run.tenant_id, runId: run.id, stepRunId: step.id, runAt: dueAt }]);
    return;
  }
  await failStep(tx, config, run, definition, step, stored);
}

/** Failed for good: handled (through the `error` port) when the kind has one and an edge leaves it. */
async function failStep(tx: Tx, config: Config, run: RunRow, definition: WorkflowDefinition, step: StepRow, error: StepError): Promise<void> {
  const kind = findStepKind(step.kind);
  const handled = Boolean(kind?.ports.includes('error') && hasEdgeFrom(definition, step.node_id, 'error'));
  await updateStep(tx, step.id, { status: 'failed', error, port: handled ? 'error' : null });
  if (handled) await startSuccessors(tx, config, run, definition, { nodeId: step.node_id, iteration: step.iteration }, 'error');
}

/**
 * The job workflows.resume: a waiting step whose time came (or whose signal arrived) finishes through its
 * port, or fails with `failure` (nothing if it stopped waiting: the first resume wins).
 */
export async function resumeWaitingStep(tx: Tx, config: Config, tenantId: string, payload: { stepRunId: string; port: string; output?: unknown; failure?: { code: string; message: string } }): Promise<void> {
  const current = await findStep(tx, payload.stepRunId);
  if (!current || current.tenant_id !== tenantId || current.status !== 'waiting') return;
  const run = (await findRun(tx, current.run_id, { lock: true }))!;
  const step = await findStep(tx, payload.stepRunId, { lock: true });
  if (!step || step.status !== 'waiting') return;
  const definition = await loadRunDefinition(tx, run);
  const resume = resumeOf(step, { port: payload.port, output: payload.output ?? null, failure: payload.failure });
  await releaseParkedSteps(tx, [step], { kind: 'resumed', port: resume.failure ? 'error' : resume.port });
  if (resume.failure) await failStep(tx, config, run, definition, step, { ...resume.failure, retryable: false });
  else await completeStep(tx, config, run, definition, step, { port: resume.port, output: resume.output ?? null, input: step.input });
  await refreshRun(tx, run);
}
