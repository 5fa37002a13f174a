import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import type { Logger } from '../../../kernel/logger.js';
import { releaseStaleJobLocks, releaseStaleQueueLocks, selectExpiredLeases, selectOverdueWaitsWithoutJob, selectPendingWithoutJob } from '../workflows.queries.js';
import { enqueueResume, enqueueStepJobs, resumeJob, resumeJobKeyPrefix, stepJobKeyPrefix } from './jobs.js';
import { signalJob } from './signals.js';
import { workflowQueuePrefix } from './lanes.js';
import { dueResumeOf } from './park.js';

/**
 * The sweeper (job workflows.sweep, system access): graphile-worker keeps a killed worker's job locked for
 * hours, so the engine never waits for that. Running steps whose lease expired get a new job (its claim
 * takes the step over and counts the lost attempt); pending steps and overdue time waits whose job is gone,
 * or is still locked by a worker that died before committing (locked longer than a lease), get theirs back; workflow queues locked longer than a lease (by a dead worker) are freed, and so are signal and resume jobs such a worker held. At most
 * `batch` of each per sweep; the next sweep takes the rest.
 */
const batch = 500;
/** A pending step or an overdue wait must have lacked its job this long before the sweeper steps in. */
const graceSeconds = 60;

export async function sweepSteps(tx: Tx, config: Config, logger: Logger): Promise<void> {
  const released = await releaseStaleQueueLocks(tx, workflowQueuePrefix, config.WORKFLOW_STEP_LEASE_SECONDS);
  // Signals have no job key (the sweeper could not tell a lost one from a pending one): free the dead worker's lock instead.
  const freedSignals = await releaseStaleJobLocks(tx, [signalJob.id, resumeJob.id], config.WORKFLOW_STEP_LEASE_SECONDS);
  const expired = await selectExpiredLeases(tx, batch);
  // A job locked longer than a lease is a dead worker's (a step job claims within moments, a resume job is one short transaction).
  const orphaned = await selectPendingWithoutJob(tx, stepJobKeyPrefix, graceSeconds, batch, config.WORKFLOW_STEP_LEASE_SECONDS);
  await enqueueStepJobs(
    tx,
    config,
    [...expired, ...orphaned].map((step) => ({ tenantId: step.tenant_id, runId: step.run_id, stepRunId: step.id, runAt: new Date(step.due_at).getTime() > Date.now() ? new Date(step.due_at) : undefined })),
  );
  const waits = await selectOverdueWaitsWithoutJob(tx, resumeJobKeyPrefix, graceSeconds, batch, config.WORKFLOW_STEP_LEASE_SECONDS);
  for (const step of waits) {
    const resume = dueResumeOf(step.wait);
    if (resume) await enqueueResume(tx, config, { tenantId: step.tenant_id, runId: step.run_id, stepRunId: step.id, at: new Date(), port: resume.port, output: resume.output });
  }
  if (released + freedSignals + expired.length + orphaned.length + waits.length > 0) {
    logger.warn({ releasedQueues: released, freedSignalJobs: freedSignals, expiredLeases: expired.length, pendingWithoutJob: orphaned.length, waitsWithoutJob: waits.length }, 'workflow sweeper recovered steps');
  }
}
