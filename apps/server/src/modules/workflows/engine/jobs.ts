import { z } from 'zod';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { defineJob, enqueueJob, enqueueJobs, removeJob, requireJobTenant, requireTransaction } from '../../../kernel/jobs/jobs.js';
import { laneQueueName } from './lanes.js';
import { resumeWaitingStep, runStep } from './execute-step.js';
import { sweepSteps } from './sweep.js';

/**
 * The engine's jobs and the only helpers that enqueue them. A step's row is its state; a job is only a
 * wake-up (`wf-step:<stepRunId>`, `wf-resume:<stepRunId>`), harmless when duplicated or stale: a step job
 * does nothing unless it can claim its step, a resume nothing unless its step still waits.
 */

export const stepJobKeyPrefix = 'wf-step:';
export const resumeJobKeyPrefix = 'wf-resume:';

/** Execute one step: claim (short transaction), execute (outside, unless the kind is transactional), finish. */
export const stepJob = defineJob({
  id: 'workflows.step',
  payload: z.object({ stepRunId: z.string().uuid() }),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx, { stepRunId }) => {
    await runStep(ctx, requireJobTenant(ctx.tenantId), stepRunId);
  },
});

/** A waiting step's wait is over (its time came): finish it through `port` with `output`, start its successors. */
export const resumeJob = defineJob({
  id: 'workflows.resume',
  payload: z.object({
    stepRunId: z.string().uuid(),
    port: z.string().min(1).max(40),
    output: z.unknown(),
    /** A parked step's signal that fails it (an AI run that failed): through `error` when handled. */
    failure: z.object({ code: z.string().min(1).max(100), message: z.string().max(1000) }).optional(),
  }),
  maxAttempts: 10,
  run: async (ctx, payload, tx) => {
    await resumeWaitingStep(requireTransaction(tx), ctx.config, requireJobTenant(ctx.tenantId), payload);
  },
});

/**
 * Every minute (the shortest graphile-worker crontab slot), across tenants: steps whose lease expired and
 * pending steps or overdue waits whose job vanished get a new job; workflow queues locked by a dead worker
 * are freed.
 */
export const sweepJob = defineJob({
  id: 'workflows.sweep',
  payload: z.object({}),
  cron: '* * * * *',
  run: async (ctx, _payload, tx) => {
    await sweepSteps(requireTransaction(tx), ctx.config, ctx.logger);
  },
});

export const workflowsJobs = [stepJob, resumeJob, sweepJob];

type RunRef = { tenantId: string; runId: string };

/** One step job per step, in its run's lane, at runAt (default now), in the caller's transaction. */
export async function enqueueStepJobs(tx: Tx, config: Pick<Config, 'WORKFLOW_TENANT_CONCURRENCY'>, items: Array<RunRef & { stepRunId: string; runAt?: Date }>): Promise<void> {
  await enqueueJobs(
    tx,
    stepJob,
    items.map(({ tenantId, runId, stepRunId, runAt }) => ({
      payload: { stepRunId },
      options: { tenantId, key: `${stepJobKeyPrefix}${stepRunId}`, queueName: laneQueueName(tenantId, runId, config.WORKFLOW_TENANT_CONCURRENCY), runAt },
    })),
  );
}

/** Wake a waiting step at `at` and finish it through `port` with `output`. */
export async function enqueueResume(
  tx: Tx,
  config: Pick<Config, 'WORKFLOW_TENANT_CONCURRENCY'>,
  ref: RunRef & { stepRunId: string; at: Date; port: string; output: unknown; failure?: { code: string; message: string } },
): Promise<void> {
  await enqueueJob(tx, resumeJob, { stepRunId: ref.stepRunId, port: ref.port, output: ref.output, ...(ref.failure ? { failure: ref.failure } : {}) }, {
    tenantId: ref.tenantId,
    key: `${resumeJobKeyPrefix}${ref.stepRunId}`,
    queueName: laneQueueName(ref.tenantId, ref.runId, config.WORKFLOW_TENANT_CONCURRENCY),
    runAt: ref.at,
  });
}

/** Withdraw a step's pending jobs (a cancelled run); a running one finds the step cancelled and stops. */
export async function removeStepJobs(tx: Tx, stepRunIds: string[]): Promise<void> {
  for (const stepRunId of stepRunIds) {
    await removeJob(tx, `${stepJobKeyPrefix}${stepRunId}`);
    await removeJob(tx, `${resumeJobKeyPrefix}${stepRunId}`);
  }
}
