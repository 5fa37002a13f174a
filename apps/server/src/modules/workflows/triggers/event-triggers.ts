import { triggerEventTypeSchema } from '@omni/contracts/workflows';
import type { Tx } from '../../../kernel/db/database.js';
import type { DomainEvent, EventBus } from '../../../kernel/events/events.js';
import { evaluateExpression, isTruthy, type RunData } from '../expressions.js';
import { filterRoot } from './checks.js';
import { enqueueEventRunStart } from './jobs.js';
import { selectEventTriggers } from './triggers.queries.js';

/**
 * Event triggers: one bus subscriber per triggerable event type (the contract's triggerEventTypeSchema).
 * In the event's transaction (its tenant's) it finds the tenant's active triggers of that type for the
 * event's account (payloads carry accountId), evaluates each filter over `event` (the payload), and for
 * each match only enqueues the start (workflows.start-event-run, keyed by workflow and event); the run's
 * dedup key is the event id, so a redelivered event never starts a second run. A filter that fails on an
 * unexpected payload counts as false: throwing would redeliver the event to every subscriber, forever.
 */

/** Filters see the payload as `event` (no run exists yet, so nothing else). */
function filterData(payload: unknown): RunData {
  return { [filterRoot]: payload } as unknown as RunData;
}

async function matches(filter: string | null, event: DomainEvent): Promise<boolean> {
  if (filter === null) return true;
  try {
    return await isTruthy(await evaluateExpression(filter, filterData(event.payload)));
  } catch {
    return false;
  }
}

/** Enqueue the runs an event triggers, in the event's transaction; returns how many matched. */
export async function enqueueEventRuns(tx: Tx, event: DomainEvent): Promise<number> {
  const accountId = event.payload.accountId;
  if (!event.tenantId || typeof accountId !== 'string') return 0;
  let matched = 0;
  for (const trigger of await selectEventTriggers(tx, event.type, accountId)) {
    if (!(await matches(trigger.filter, event))) continue;
    await enqueueEventRunStart(tx, { tenantId: event.tenantId, accountId, workflowId: trigger.workflow_id, eventId: event.id, payload: event.payload });
    matched += 1;
  }
  return matched;
}

/** Subscribe to every event a workflow can start on. */
export function subscribeEventTriggers(bus: EventBus): void {
  for (const type of triggerEventTypeSchema.options) {
    bus.subscribe(type, async (tx, event) => {
      await enqueueEventRuns(tx, event);
    });
  }
}
