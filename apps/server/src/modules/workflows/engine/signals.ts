import { z } from 'zod';
import type { Tx } from '../../../kernel/db/database.js';
import type { Logger } from '../../../kernel/logger.js';
import { defineJob, enqueueJob, requireJobTenant, requireTransaction } from '../../../kernel/jobs/jobs.js';
import { evaluateExpression, isTruthy, type RunData } from '../expressions.js';
import { findRun, findStep } from '../workflows.queries.js';
import { signalParkedStep } from './park.js';
import { loadRunData } from './progress.js';

/**
 * Signals to parked steps. Event subscribers only enqueue (they get no config, and a match expression may
 * take its time box): the job `workflows.signal` checks the step still waits for what the signal answers
 * (`waitKey` = `waitValue`: the approval request, the AI run, the event type), evaluates an event wait's
 * `match` over {event, trigger, steps, workflow, run}, and records the signal and enqueues the step's resume
 * (engine/park.ts signalParkedStep: the first signal wins). No job key: several signals are several jobs,
 * and the step row decides which one counts.
 */

const signalPayload = z.object({
  stepRunId: z.uuid(),
  waitKey: z.enum(['approvalRequestId', 'aiRunId', 'eventType']),
  waitValue: z.string().min(1).max(200),
  signal: z.object({
    port: z.string().min(1).max(40),
    output: z.unknown(),
    failure: z.object({ code: z.string().min(1).max(100), message: z.string().max(1000) }).optional(),
  }),
  /** An event wait's JSONata match (the event payload is `signal.output`). */
  match: z.string().max(2000).nullable().default(null),
});
export type SignalPayload = z.infer<typeof signalPayload>;

export const signalJob = defineJob({
  id: 'workflows.signal',
  payload: signalPayload,
  maxAttempts: 10,
  run: async (ctx, payload, tx) => {
    const db = requireTransaction(tx);
    requireJobTenant(ctx.tenantId);
    if (payload.match !== null && !(await eventMatches(db, payload.stepRunId, payload.match, payload.signal.output, ctx.logger))) return;
    await signalParkedStep(db, ctx.config, payload.stepRunId, (wait) => wait[payload.waitKey] === payload.waitValue, { ...payload.signal, output: payload.signal.output ?? null });
  },
});

/** Whether the event matches the wait; an expression that fails at run time matches nothing (logged). */
async function eventMatches(tx: Tx, stepRunId: string, match: string, event: unknown, logger: Logger): Promise<boolean> {
  const step = await findStep(tx, stepRunId);
  if (!step || step.status !== 'waiting') return false;
  const run = await findRun(tx, step.run_id);
  if (!run) return false;
  const data = { ...(await loadRunData(tx, run)), event } as RunData & { event: unknown };
  try {
    return await isTruthy(await evaluateExpression(match, data));
  } catch (error) {
    logger.warn({ err: error, stepRunId }, 'workflows: an event wait’s match failed on an event; treated as no match');
    return false;
  }
}

/** Enqueue a signal for a parked step of the event's tenant, in the event's transaction. */
export async function enqueueSignal(tx: Tx, tenantId: string, payload: Omit<SignalPayload, 'match'> & { match?: string | null }): Promise<void> {
  await enqueueJob(tx, signalJob, { ...payload, match: payload.match ?? null }, { tenantId });
}
