import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { withTenant } from '../db/tenancy.js';
import { executeJob } from '../jobs/jobs.js';
import { dispatchEventJob, emitEvent, type DomainEvent } from './events.js';

async function createTenant(t: TestApp): Promise<string> {
  const suffix = uniqueSuffix();
  const tenant = await t.owner.query<{ id: string }>(`INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`, [`Tenant ${suffix}`, `t-${suffix}`]);
  const tenantId = tenant.rows[0]!.id;
  await t.owner.query(`INSERT INTO accounts (tenant_id, name, slug) VALUES ($1, 'Main', $2)`, [tenantId, `a-${suffix}`]);
  return tenantId;
}

type Delivery = { event: DomainEvent; visibleTenants: string[] };

describe('domain events', () => {
  let t: TestApp;
  let tenantA: string;

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await createTenant(t);
    await createTenant(t);
  });
  afterAll(() => t.close());

  /**
   * Emit an event in tenant A and, in the same transaction, take its dispatch job out of the shared queue
   * (other test files drain it), so this test alone runs the dispatch.
   */
  async function emitAndClaim(type: string, payload: Record<string, unknown>) {
    return withTenant({ db: t.kernel.db, tenantId: tenantA }, async (tx) => {
      const eventId = await emitEvent(tx, { tenantId: tenantA, type, payload });
      const claimed = await tx.execute<{ payload: unknown }>(
        sql`DELETE FROM graphile_worker._private_jobs WHERE key = ${`event:${eventId}`} RETURNING payload`,
      );
      return { eventId, envelopes: claimed.rows.map((row) => row.payload) };
    });
  }

  function subscribeRecorder(type: string): Delivery[] {
    const deliveries: Delivery[] = [];
    t.kernel.events.subscribe(type, async (tx, event) => {
      const visible = await tx.execute<{ tenant_id: string }>(sql`SELECT DISTINCT tenant_id FROM accounts`);
      deliveries.push({ event, visibleTenants: visible.rows.map((row) => row.tenant_id) });
    });
    return deliveries;
  }

  it('emitEvent stores the event in the outbox and schedules exactly one dispatch job for it', async () => {
    const type = `test.emitted-${uniqueSuffix()}`;
    const { eventId, envelopes } = await emitAndClaim(type, { answer: 42 });
    expect(envelopes).toEqual([{ tenantId: tenantA, data: { eventId } }]);
    const stored = await t.owner.query('SELECT tenant_id, type, payload, dispatched_at FROM outbox_events WHERE id = $1', [eventId]);
    expect(stored.rows).toEqual([{ tenant_id: tenantA, type, payload: { answer: 42 }, dispatched_at: null }]);
  });

  it('dispatch delivers the event to every subscriber once, inside the event’s tenant, and marks it dispatched', async () => {
    const type = `test.delivered-${uniqueSuffix()}`;
    const first = subscribeRecorder(type);
    const second = subscribeRecorder(type);
    const { eventId, envelopes } = await emitAndClaim(type, { postId: 'p1' });
    await executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 1 });
    for (const deliveries of [first, second]) {
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]!.event).toMatchObject({ id: eventId, tenantId: tenantA, type, payload: { postId: 'p1' } });
      expect(deliveries[0]!.visibleTenants).toEqual([tenantA]);
      expect(deliveries[0]!.event.createdAt).toBeInstanceOf(Date);
      expect(Number.isNaN(deliveries[0]!.event.createdAt.getTime())).toBe(false);
    }
    const stored = await t.owner.query<{ dispatched_at: Date | null }>('SELECT dispatched_at FROM outbox_events WHERE id = $1', [eventId]);
    expect(stored.rows[0]!.dispatched_at).toBeInstanceOf(Date);
  });

  it('a dispatch job that runs twice, one after the other, calls subscribers only once', async () => {
    const type = `test.twice-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const { eventId, envelopes } = await emitAndClaim(type, {});
    await executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 1 });
    await executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 2 });
    expect(deliveries.map((delivery) => delivery.event.id)).toEqual([eventId]);
  });

  it('two dispatch jobs for the same event running at the same time call subscribers only once', async () => {
    const type = `test.concurrent-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const { eventId, envelopes } = await emitAndClaim(type, {});
    await Promise.all([
      executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 1 }),
      executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 1 }),
    ]);
    expect(deliveries.map((delivery) => delivery.event.id)).toEqual([eventId]);
  });

  it('a subscriber that fails leaves the event undispatched, so the retry delivers it', async () => {
    const type = `test.retried-${uniqueSuffix()}`;
    let calls = 0;
    t.kernel.events.subscribe(type, async () => {
      calls += 1;
      if (calls === 1) throw new Error('subscriber failed once');
    });
    const { eventId, envelopes } = await emitAndClaim(type, {});
    await expect(executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 1 })).rejects.toThrow('subscriber failed once');
    const pending = await t.owner.query('SELECT dispatched_at FROM outbox_events WHERE id = $1', [eventId]);
    expect(pending.rows).toEqual([{ dispatched_at: null }]);
    await executeJob(t.kernel, dispatchEventJob, envelopes[0], { jobId: eventId, attempt: 2 });
    expect(calls).toBe(2);
    const done = await t.owner.query<{ dispatched_at: Date | null }>('SELECT dispatched_at FROM outbox_events WHERE id = $1', [eventId]);
    expect(done.rows[0]!.dispatched_at).toBeInstanceOf(Date);
  });
});
