import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../db/database.js';
import { asTenantWithin, withSystemAccess, withTenant } from '../db/tenancy.js';
import { addJobCall, defineJob, enqueueJob, type JobContext } from '../jobs/jobs.js';

/** A domain event as stored in the outbox. Types are past tense and owned by the emitting module. */
export type DomainEvent = {
  id: string;
  tenantId: string | null;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
};

/** Subscribers only enqueue jobs, inside the dispatch transaction. */
export type EventSubscriber = (tx: Tx, event: DomainEvent) => Promise<void>;

export type EventBus = {
  subscribe(type: string, subscriber: EventSubscriber): void;
  subscribersOf(type: string): EventSubscriber[];
};

export function createEventBus(): EventBus {
  const subscribers = new Map<string, EventSubscriber[]>();
  return {
    subscribe(type, subscriber) {
      subscribers.set(type, [...(subscribers.get(type) ?? []), subscriber]);
    },
    subscribersOf(type) {
      return subscribers.get(type) ?? [];
    },
  };
}

/**
 * How the outbox is dispatched. Each emit schedules its tenant's batch job (job key `events:<tenantId>`,
 * `events:platform` for platform events), due `batchDelayMs` later; further emits before a worker takes it
 * join it without calling the queue at all (outbox_join_pending_batch, migration 0023, decision 013: a
 * shared advisory lock on the key, only tried, held until the emitter commits, which the batch job waits
 * out before it reads, see waitForEmitters), and the pending job keeps its run_at, so a steady stream
 * cannot postpone it. With no delay, batches form while the job waits in the queue, i.e. exactly when the
 * workers are busy. The job delivers the tenant's
 * undispatched events in order, at most `batchSize` at a time (a full batch queues the next at once),
 * each to all its subscribers inside the tenant's transaction, and marks them dispatched. An event one of
 * whose subscribers throws is rolled back alone (the batch is redone with a savepoint per event), leaves
 * the batches, and is retried by its own job (`event:<id>`, graphile-worker's backoff and attempts) as
 * before batching. The delay (EVENTS_BATCH_DELAY_MS, set by buildKernel; 0 in tests, whose drains run what
 * is due now) trades up to a second of event latency for fewer jobs: each batch job costs a queue add, a
 * fetch, a transaction and a completion, whatever its size.
 *
 * A caller writing many tenants' events at once (emitEvents: the publishing lane's outcomes) queues one job
 * for all of them instead (dispatchTenantsEventsJob, due at once): one transaction under system access that
 * delivers each tenant's events inside that tenant (asTenantWithin), so a write of events for twenty
 * tenants costs one queue job and one transaction, not twenty of each.
 */
export const outboxDispatch = { batchDelayMs: 0, batchSize: 500, firstRetryDelayMs: 2000 };

// Raw SQL through Drizzle's node-postgres driver returns timestamptz columns as PostgreSQL's text.
type OutboxRow = { id: string; tenant_id: string | null; type: string; payload: Record<string, unknown>; created_at: string; dispatched_at: string | null };

function toEvent(row: OutboxRow): DomainEvent {
  return { id: row.id, tenantId: row.tenant_id, type: row.type, payload: row.payload, createdAt: new Date(row.created_at) };
}

function batchKey(tenantId: string | null): string {
  return `events:${tenantId ?? 'platform'}`;
}

/** One event, on its own: the retry path of an event whose subscriber failed (and jobs queued before batching). */
export const dispatchEventJob = defineJob({
  id: 'kernel.dispatch-event',
  payload: z.object({ eventId: z.string().uuid() }),
  async run(ctx, { eventId }, tx) {
    if (!tx) throw new Error('dispatch-event is transactional');
    const rows = await tx.execute<OutboxRow>(
      sql`SELECT id, tenant_id, type, payload, created_at, dispatched_at FROM outbox_events WHERE id = ${eventId} FOR UPDATE`,
    );
    const row = rows.rows[0];
    if (!row || row.dispatched_at) return; // dispatched already: a retry or a duplicate does nothing
    const event = toEvent(row);
    for (const subscriber of ctx.events.subscribersOf(event.type)) await subscriber(tx, event);
    await tx.execute(sql`UPDATE outbox_events SET dispatched_at = now() WHERE id = ${eventId}`);
  },
});

/**
 * A batch of one tenant's undispatched events (or the platform's), in the order they were emitted, in one
 * transaction inside the tenant. Subscribers run without savepoints (no extra round trips); if one throws,
 * that transaction rolls back and the batch runs again with a savepoint per event, which isolates it.
 */
export const dispatchEventsJob = defineJob({
  id: 'kernel.dispatch-events',
  payload: z.object({}),
  transactional: false,
  async run(ctx) {
    await waitForEmitters(ctx, batchKey(ctx.tenantId));
    const inScope = (fn: (tx: Tx) => Promise<void>) =>
      ctx.tenantId ? withTenant({ db: ctx.db, tenantId: ctx.tenantId }, fn) : withSystemAccess(ctx, 'events: dispatch the platform outbox', fn);
    try {
      await inScope((tx) => dispatchBatch(ctx, tx, false));
    } catch (error) {
      ctx.logger.info({ err: error }, 'an event subscriber failed; dispatching the batch again, one savepoint per event');
      await inScope((tx) => dispatchBatch(ctx, tx, true));
    }
  },
});

/**
 * The barrier of the batch job, once it is fetched (locked, so new emitters queue the next batch): wait until
 * every emitter that saw it pending and joined it has committed, so the batch reads their events. The
 * exclusive lock on the key is taken and released in one statement of its own (autocommit), not held
 * through the subscribers: a subscriber waiting for a row an emitter holds would otherwise deadlock.
 */
async function waitForEmitters(ctx: JobContext, key: string): Promise<void> {
  await ctx.db.pool.query(`SELECT pg_advisory_xact_lock(hashtext('omni.outbox'), hashtext($1))`, [key]);
}

async function dispatchBatch(ctx: JobContext, tx: Tx, isolate: boolean): Promise<void> {
  const scope = ctx.tenantId ? sql`tenant_id = ${ctx.tenantId}` : sql`tenant_id IS NULL`;
  // SKIP LOCKED: two batch jobs of one tenant (one emitted while the other ran) split the events, never share one.
  const rows = await tx.execute<OutboxRow>(sql`
    SELECT id, tenant_id, type, payload, created_at, dispatched_at FROM outbox_events
     WHERE ${scope} AND dispatched_at IS NULL AND dispatch_failures = 0
     ORDER BY position LIMIT ${outboxDispatch.batchSize} FOR UPDATE SKIP LOCKED`);
  const delivered = await deliverEvents(ctx, tx, rows.rows.map(toEvent), isolate);
  await markDispatched(tx, delivered);
  // A full batch: more may be waiting. The key was this job's (a concurrent emit may have queued one already).
  if (rows.rows.length === outboxDispatch.batchSize) {
    await enqueueJob(tx, dispatchEventsJob, {}, { tenantId: ctx.tenantId, key: batchKey(ctx.tenantId) });
  }
}

/**
 * Each event to all its subscribers, in the caller's transaction and scope, in order; returns the ids
 * delivered. Isolated, each event has a savepoint: one whose subscriber throws is rolled back alone, counted
 * (dispatch_failures, so batches leave it) and handed to its own retrying job.
 */
async function deliverEvents(ctx: JobContext, tx: Tx, events: DomainEvent[], isolate: boolean): Promise<string[]> {
  const delivered: string[] = [];
  for (const event of events) {
    const subscribers = ctx.events.subscribersOf(event.type);
    if (subscribers.length === 0 || !isolate) {
      for (const subscriber of subscribers) await subscriber(tx, event);
      delivered.push(event.id);
      continue;
    }
    await tx.execute(sql`SAVEPOINT outbox_event`);
    try {
      for (const subscriber of subscribers) await subscriber(tx, event);
      await tx.execute(sql`RELEASE SAVEPOINT outbox_event`);
      delivered.push(event.id);
    } catch (error) {
      await tx.execute(sql`ROLLBACK TO SAVEPOINT outbox_event`);
      ctx.logger.warn({ err: error, eventId: event.id, type: event.type }, 'event subscriber failed; the event will be retried on its own');
      await tx.execute(sql`UPDATE outbox_events SET dispatch_failures = dispatch_failures + 1 WHERE id = ${event.id}`);
      await enqueueJob(tx, dispatchEventJob, { eventId: event.id }, { tenantId: event.tenantId, key: `event:${event.id}`, delayMs: outboxDispatch.firstRetryDelayMs });
    }
  }
  return delivered;
}

async function markDispatched(tx: Tx, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await tx.execute(sql`UPDATE outbox_events SET dispatched_at = now() WHERE id = ANY(${`{${eventIds.join(',')}}`}::uuid[])`);
}

/**
 * The pending events of several tenants (those emitEvents wrote for), in one transaction: read under system
 * access, each tenant's delivered in order inside that tenant (asTenantWithin: its row security, as in its
 * own batch job), all marked dispatched together. Same failure handling as the tenant batch: a subscriber
 * that throws makes the transaction run again with a savepoint per event. Events another batch holds are
 * skipped (SKIP LOCKED), as are those of emitters still open (not visible yet; their own batch job waits
 * for them). A full batch queues the next job for the same tenants.
 */
export const dispatchTenantsEventsJob = defineJob({
  id: 'kernel.dispatch-tenants-events',
  payload: z.object({ tenantIds: z.array(z.string().uuid()).min(1) }),
  transactional: false,
  async run(ctx, { tenantIds }) {
    const attempt = (isolate: boolean) =>
      withSystemAccess(ctx, 'events: dispatch several tenants', async (tx) => {
        const rows = await tx.execute<OutboxRow>(sql`
          SELECT id, tenant_id, type, payload, created_at, dispatched_at FROM outbox_events
           WHERE tenant_id = ANY(${`{${tenantIds.join(',')}}`}::uuid[]) AND dispatched_at IS NULL AND dispatch_failures = 0
           ORDER BY tenant_id, position LIMIT ${outboxDispatch.batchSize} FOR UPDATE SKIP LOCKED`);
        const delivered: string[] = [];
        const events = rows.rows.map(toEvent);
        for (let start = 0; start < events.length; ) {
          const tenantId = events[start]!.tenantId!;
          let end = start;
          while (end < events.length && events[end]!.tenantId === tenantId) end += 1;
          const ofTenant = events.slice(start, end);
          delivered.push(...(await asTenantWithin(tx, tenantId, () => deliverEvents(ctx, tx, ofTenant, isolate))));
          start = end;
        }
        await markDispatched(tx, delivered);
        if (rows.rows.length === outboxDispatch.batchSize) await enqueueJob(tx, dispatchTenantsEventsJob, { tenantIds }, { tenantId: null });
      });
    try {
      await attempt(false);
    } catch (error) {
      ctx.logger.info({ err: error }, 'an event subscriber failed; dispatching the batch again, one savepoint per event');
      await attempt(true);
    }
  },
});

/**
 * Write an event to the outbox in the caller's transaction and schedule its dispatch: its tenant's batch
 * job, in the same statement. Delivery is at least once per event and once per subscriber on success,
 * inside the event's tenant, after the emitting transaction commits (see outboxDispatch).
 */
export async function emitEvent(
  tx: Tx,
  event: { tenantId: string | null; type: string; payload: Record<string, unknown> },
): Promise<string> {
  const key = batchKey(event.tenantId);
  const enqueue = addJobCall(dispatchEventsJob, {}, { tenantId: event.tenantId, key, delayMs: outboxDispatch.batchDelayMs, preserveRunAt: true });
  // CASE evaluates in order: the batch job is queued only when no pending one was joined.
  const inserted = await tx.execute<{ id: string }>(sql`
    WITH event AS (
      INSERT INTO outbox_events (tenant_id, type, payload) VALUES (${event.tenantId}, ${event.type}, ${JSON.stringify(event.payload)}::jsonb) RETURNING id
    )
    SELECT event.id, CASE WHEN outbox_join_pending_batch(${key}::text) THEN NULL ELSE (${enqueue}).id END AS job_id FROM event`);
  return inserted.rows[0]!.id;
}

/**
 * emitEvent for many events of several tenants at once (a caller that records many outcomes together,
 * under system access): the events are written in the order given and one job delivers them all
 * (dispatchTenantsEventsJob), queued in the same statement and due at once: it exists only when the
 * events do, so it needs no barrier, and per call it costs one queue job instead of one per tenant.
 * Delivery as with emitEvent: at least once per event, once per subscriber on success, inside the
 * event's tenant, in each tenant's order.
 */
export async function emitEvents(tx: Tx, events: Array<{ tenantId: string; type: string; payload: Record<string, unknown> }>): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event, position) => ({ position, tenant_id: event.tenantId, type: event.type, payload: event.payload }));
  const tenantIds = [...new Set(events.map((event) => event.tenantId))];
  const enqueue = addJobCall(dispatchTenantsEventsJob, { tenantIds }, { tenantId: null });
  // A data-modifying CTE runs whether or not the statement reads it.
  await tx.execute(sql`
    WITH inserted AS (
      INSERT INTO outbox_events (tenant_id, type, payload)
      SELECT tenant_id, type, payload FROM json_to_recordset(${JSON.stringify(rows)}::json) AS e(position int, tenant_id uuid, type text, payload jsonb)
       ORDER BY position
    )
    SELECT (${enqueue}).id`);
}
