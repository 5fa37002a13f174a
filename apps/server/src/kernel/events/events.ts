import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../db/database.js';
import { defineJob, enqueueJob } from '../jobs/jobs.js';

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

// Raw SQL through Drizzle's node-postgres driver returns timestamptz columns as PostgreSQL's text.
type OutboxRow = { id: string; tenant_id: string | null; type: string; payload: Record<string, unknown>; created_at: string; dispatched_at: string | null };

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
    const event: DomainEvent = { id: row.id, tenantId: row.tenant_id, type: row.type, payload: row.payload, createdAt: new Date(row.created_at) };
    for (const subscriber of ctx.events.subscribersOf(event.type)) await subscriber(tx, event);
    await tx.execute(sql`UPDATE outbox_events SET dispatched_at = now() WHERE id = ${eventId}`);
  },
});

/** Write an event to the outbox in the caller's transaction and schedule its dispatch. */
export async function emitEvent(
  tx: Tx,
  event: { tenantId: string | null; type: string; payload: Record<string, unknown> },
): Promise<string> {
  const inserted = await tx.execute<{ id: string }>(
    sql`INSERT INTO outbox_events (tenant_id, type, payload) VALUES (${event.tenantId}, ${event.type}, ${JSON.stringify(event.payload)}::jsonb) RETURNING id`,
  );
  const id = inserted.rows[0]!.id;
  await enqueueJob(tx, dispatchEventJob, { eventId: id }, { tenantId: event.tenantId, key: `event:${id}` });
  return id;
}
