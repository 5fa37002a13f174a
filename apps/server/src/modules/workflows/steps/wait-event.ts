import { expressionSchema, triggerEventTypeSchema } from '@omni/contracts/workflows';
import { z } from 'zod';
import type { EventBus } from '../../../kernel/events/events.js';
import { enqueueSignal } from '../engine/signals.js';
import { analyseExpression, dataRoots } from '../expressions.js';
import { deleteEventWaits, insertEventWait, selectEventWaits } from '../workflows.waits.queries.js';
import { defineStepKind } from './registry.js';

/** The name an event wait's match uses for the event's payload. */
const eventRoot = 'event';
/** Waits one event wakes at most (the rest are matched by the next event of the type). */
const waitsPerEvent = 1000;

/**
 * Wait for a domain event of the tenant (the contract's triggerable events): a workflow_event_waits row; the
 * event's subscriber finds the tenant's waits for its type and signals each one whose `match` (JSONata over
 * `event`, the payload, and the run's data) holds → default with the payload as output. After
 * timeoutMinutes it leaves through `timeout`. Resumed or cancelled, the row is deleted.
 */
export const waitEventStep = defineStepKind({
  kind: 'wait_event',
  config: z.object({
    eventType: triggerEventTypeSchema,
    /** e.g. `event.postId = trigger.payload.postId`; unset: the next event of the type. */
    match: expressionSchema.nullable().default(null),
    timeoutMinutes: z.number('Enter minutes.').int('Use whole minutes.').min(1, 'Wait at least a minute.').max(525_600, 'Wait at most a year.').nullable().default(null),
  }),
  ports: ['default', 'timeout'],
  sideEffect: false,
  transactional: true,
  check(config, checker) {
    if (!config.match) return;
    // The run's data plus `event`: references are checked by root only (the checker knows no `event`).
    const analysed = analyseExpression(config.match);
    if (!analysed.ok) return checker.issue('match', analysed.message);
    const roots = new Set<string>([eventRoot, ...dataRoots]);
    const unknown = analysed.references.find((reference) => !roots.has(reference.root));
    if (unknown) checker.issue('match', `Unknown name "${unknown.root}": the data starts with ${[eventRoot, ...dataRoots].join(', ')}.`);
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('wait_event runs inside the transaction that finishes the step');
    const timeoutAt = config.timeoutMinutes === null ? null : new Date(Date.now() + config.timeoutMinutes * 60_000);
    await insertEventWait(tx, { tenantId: step.tenantId, stepRunId: step.step.id, eventType: config.eventType, match: config.match, timeoutAt });
    return {
      outcome: 'park',
      wait: { eventType: config.eventType },
      ...(timeoutAt ? { timeoutAt, timeout: { port: 'timeout', output: { timedOut: true, event: null } } } : {}),
      input: { ...config, timeoutAt: timeoutAt?.toISOString() ?? null },
    };
  },
  async release(tx, step) {
    await deleteEventWaits(tx, [step.id]);
  },
});

/** One subscriber per triggerable event type: the tenant's waits for it (RLS: never another tenant's) get a signal each. */
export function subscribeEventWaits(bus: EventBus): void {
  for (const eventType of triggerEventTypeSchema.options) {
    bus.subscribe(eventType, async (tx, event) => {
      if (event.tenantId === null) return;
      for (const wait of await selectEventWaits(tx, eventType, waitsPerEvent)) {
        await enqueueSignal(tx, event.tenantId, { stepRunId: wait.step_run_id, waitKey: 'eventType', waitValue: eventType, match: wait.match, signal: { port: 'default', output: event.payload } });
      }
    });
  }
}
