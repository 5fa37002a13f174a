import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { findStepKind } from '../steps/registry.js';
import { findStep, type ParkedWait, type ParkSignal, type RunRow, type StepRow, type TimeWait } from '../workflows.queries.js';
import { recordParkSignal, selectStepsWithWaits } from '../workflows.waits.queries.js';
import { enqueueResume } from './jobs.js';

/**
 * Parked steps (docs/design/workflows.md §4): a step that waits for something outside the run (an approval
 * decision, an AI run decided, a domain event) becomes `waiting` with what it waits for recorded in its
 * wait, and, with a timeout, a resume job at that time (`wf-resume:<stepRunId>`). The signal enqueues the
 * same resume job (replacing the timeout's while it waits); whichever resume runs first finishes the step,
 * the others find it no longer waiting and do nothing (resumeWaitingStep locks and checks the step).
 */

/** What a parked step waits for (the kinds write their own rows: approval request, AI run, event wait). */
export type ParkTarget = { approvalRequestId?: string; aiRunId?: string; eventType?: string };

export type ParkResult = {
  outcome: 'park';
  wait: ParkTarget;
  /** When the wait gives up; it then leaves through `timeout` (required with timeoutAt). */
  timeoutAt?: Date;
  timeout?: { port: string; output: unknown };
  input?: unknown;
};

/** The wait recorded on a parked step's row (and shown as the step run's `wait`). */
export function toParkedWait(result: ParkResult): ParkedWait {
  const timeout = result.timeoutAt ? (result.timeout ?? null) : null;
  if (result.timeoutAt && !timeout) throw new Error('A parked step with timeoutAt needs its timeout port');
  return {
    eventType: result.wait.eventType ?? null,
    approvalRequestId: result.wait.approvalRequestId ?? null,
    aiRunId: result.wait.aiRunId ?? null,
    timeoutAt: result.timeoutAt?.toISOString() ?? null,
    timeout,
  };
}

/** Schedule the timeout of a step just parked (nothing without one). */
export async function enqueueParkTimeout(tx: Tx, config: Pick<Config, 'WORKFLOW_TENANT_CONCURRENCY'>, run: Pick<RunRow, 'id' | 'tenant_id'>, stepRunId: string, wait: ParkedWait): Promise<void> {
  if (!wait.timeoutAt || !wait.timeout) return;
  await enqueueResume(tx, config, { tenantId: run.tenant_id, runId: run.id, stepRunId, at: new Date(wait.timeoutAt), port: wait.timeout.port, output: wait.timeout.output });
}

/** The resume a wait's own time leads to: a time wait's `resume`, a parked step's `timeout` (null: none). */
export function dueResumeOf(wait: TimeWait | ParkedWait | null): { port: string; output: unknown } | null {
  if (!wait) return null;
  return wait.until !== undefined ? wait.resume : wait.timeout;
}

/**
 * Wake a parked step on its signal, in the event's transaction: while the step still waits and `accepts`
 * its wait (the request or run it waited for), the signal is recorded on the step (the first one only:
 * a conditional update) and a resume job enqueued now. The resume finishes the step through the recorded
 * signal's port (or fails it with its `failure`), whichever job runs it.
 */
export async function signalParkedStep(tx: Tx, config: Pick<Config, 'WORKFLOW_TENANT_CONCURRENCY'>, stepRunId: string, accepts: (wait: ParkedWait) => boolean, signal: ParkSignal): Promise<boolean> {
  const step = await findStep(tx, stepRunId, { lock: true });
  if (!step || step.status !== 'waiting' || !step.wait || step.wait.until !== undefined || !accepts(step.wait)) return false;
  if (!(await recordParkSignal(tx, step.id, signal))) return false;
  await enqueueResume(tx, config, { tenantId: step.tenant_id, runId: step.run_id, stepRunId: step.id, at: new Date(), ...signal });
  return true;
}

/** What a resume finishes a step with: its recorded signal when it has one (the first wins), else the job's. */
export function resumeOf(step: Pick<StepRow, 'wait'>, payload: ParkSignal): ParkSignal {
  return step.wait && step.wait.until === undefined && step.wait.signal ? step.wait.signal : payload;
}

/**
 * A parked step stops waiting (resumed through `port`, or cancelled with its run): its kind lets go of what
 * it held (withdraws the approval request, deletes the event wait). In the transaction that finishes it.
 */
export async function releaseParkedSteps(tx: Tx, steps: Array<Pick<StepRow, 'id' | 'kind' | 'wait'>>, reason: { kind: 'resumed'; port: string } | { kind: 'cancelled' }): Promise<void> {
  for (const step of steps) {
    if (!step.wait || step.wait.until !== undefined) continue;
    await findStepKind(step.kind)?.release?.(tx, { id: step.id, wait: step.wait }, reason);
  }
}

/** The cancel path: release whatever the cancelled steps were parked on. */
export async function releaseCancelledSteps(tx: Tx, stepRunIds: string[]): Promise<void> {
  await releaseParkedSteps(tx, await selectStepsWithWaits(tx, stepRunIds), { kind: 'cancelled' });
}
