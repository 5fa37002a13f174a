import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { withSystemAccess, withTenant } from '../db/tenancy.js';
import { executeJob } from '../jobs/jobs.js';
import { dispatchEventJob, dispatchEventsJob, dispatchTenantsEventsJob, emitEvent, emitEvents, outboxDispatch, type DomainEvent } from './events.js';

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

  /** A fresh tenant per test: its batch job (key events:<tenant>) and its events are that test's alone. */
  async function tenantWithEvents(): Promise<string> {
    return createTenant(t);
  }

  /**
   * Emit events in a tenant and, in the same transaction, take its batch job out of the shared queue
   * (other test files drain it), so this test alone runs the dispatch.
   */
  async function emitAndClaim(tenantId: string | null, events: Array<{ type: string; payload?: Record<string, unknown> }>) {
    const run = async (tx: Parameters<Parameters<typeof withTenant>[1]>[0]) => {
      const eventIds: string[] = [];
      for (const event of events) eventIds.push(await emitEvent(tx, { tenantId, type: event.type, payload: event.payload ?? {} }));
      const claimed = await tx.execute<{ payload: unknown }>(
        sql`DELETE FROM graphile_worker._private_jobs WHERE key = ${`events:${tenantId ?? 'platform'}`} RETURNING payload`,
      );
      return { eventIds, envelopes: claimed.rows.map((row) => row.payload) };
    };
    if (tenantId) return withTenant({ db: t.kernel.db, tenantId }, run);
    return withSystemAccess(t.kernel, 'events test', run);
  }

  async function takeJob(key: string): Promise<{ payload: unknown; runAt: Date } | null> {
    const claimed = await t.owner.query<{ payload: unknown; run_at: Date }>('DELETE FROM graphile_worker._private_jobs WHERE key = $1 RETURNING payload, run_at', [key]);
    const row = claimed.rows[0];
    return row ? { payload: row.payload, runAt: row.run_at } : null;
  }

  function runBatch(envelope: unknown, attempt = 1) {
    return executeJob(t.kernel, dispatchEventsJob, envelope, { jobId: 'batch', attempt });
  }

  function subscribeRecorder(type: string): Delivery[] {
    const deliveries: Delivery[] = [];
    t.kernel.events.subscribe(type, async (tx, event) => {
      const visible = await tx.execute<{ tenant_id: string }>(sql`SELECT DISTINCT tenant_id FROM accounts`);
      deliveries.push({ event, visibleTenants: visible.rows.map((row) => row.tenant_id) });
    });
    return deliveries;
  }

  async function outbox(eventIds: string[]) {
    const rows = await t.owner.query<{ id: string; dispatched: boolean; dispatch_failures: number }>(
      'SELECT id, dispatched_at IS NOT NULL AS dispatched, dispatch_failures FROM outbox_events WHERE id = ANY($1::uuid[])',
      [eventIds],
    );
    return Object.fromEntries(rows.rows.map((row) => [row.id, { dispatched: row.dispatched, failures: row.dispatch_failures }]));
  }

  it('emitEvent stores the event in the outbox and schedules its tenant’s batch job', async () => {
    const type = `test.emitted-${uniqueSuffix()}`;
    const { eventIds, envelopes } = await emitAndClaim(tenantA, [{ type, payload: { answer: 42 } }]);
    expect(envelopes).toEqual([{ tenantId: tenantA, data: {} }]);
    const stored = await t.owner.query('SELECT tenant_id, type, payload, dispatched_at, dispatch_failures FROM outbox_events WHERE id = $1', [eventIds[0]]);
    expect(stored.rows).toEqual([{ tenant_id: tenantA, type, payload: { answer: 42 }, dispatched_at: null, dispatch_failures: 0 }]);
  });

  it('events emitted before the batch job runs share that one job, which keeps its run_at', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.shared-${uniqueSuffix()}`;
    const later = new Date(Date.now() + 3_600_000);
    const jobs = await withTenant({ db: t.kernel.db, tenantId: tenant }, async (tx) => {
      await emitEvent(tx, { tenantId: tenant, type, payload: { n: 1 } });
      // As if the pending job were due later: another emit must neither add a job nor move this one sooner.
      await tx.execute(sql`UPDATE graphile_worker._private_jobs SET run_at = ${later.toISOString()}::timestamptz WHERE key = ${`events:${tenant}`}`);
      await emitEvent(tx, { tenantId: tenant, type, payload: { n: 2 } });
      await emitEvent(tx, { tenantId: tenant, type, payload: { n: 3 } });
      const claimed = await tx.execute<{ run_at: string }>(sql`DELETE FROM graphile_worker._private_jobs WHERE key = ${`events:${tenant}`} RETURNING run_at`);
      return claimed.rows;
    });
    expect(jobs).toHaveLength(1);
    expect(new Date(jobs[0]!.run_at).getTime()).toBe(later.getTime());
  });

  it('an emit that finds its tenant’s batch job pending joins it without calling the queue; one that finds it running queues the next', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.joined-${uniqueSuffix()}`;
    const key = `events:${tenant}`;
    const job = () => t.owner.query<{ id: string; revision: number }>('SELECT id, revision FROM graphile_worker._private_jobs WHERE key = $1', [key]);
    await withTenant({ db: t.kernel.db, tenantId: tenant }, async (tx) => {
      for (const n of [1, 2, 3]) await emitEvent(tx, { tenantId: tenant, type, payload: { n } });
      // Still the job the first emit added: add_job would have raised its revision (a replace by key).
      const pending = await tx.execute<{ revision: number }>(sql`SELECT revision FROM graphile_worker._private_jobs WHERE key = ${key}`);
      expect(pending.rows).toEqual([{ revision: 0 }]);
      // A worker takes it (graphile-worker locks it): the next emit queues a batch of its own.
      await tx.execute(sql`UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'events-test' WHERE key = ${key}`);
      await emitEvent(tx, { tenantId: tenant, type, payload: { n: 4 } });
    });
    const after = await t.owner.query<{ key: string | null; locked: boolean }>(
      `SELECT key, locked_at IS NOT NULL AS locked FROM graphile_worker._private_jobs WHERE key = $1 OR locked_by = 'events-test' ORDER BY id`,
      [key],
    );
    expect(after.rows).toEqual([
      { key: null, locked: true },
      { key, locked: false },
    ]);
    await t.owner.query(`DELETE FROM graphile_worker._private_jobs WHERE key = $1 OR locked_by = 'events-test'`, [key]);
    expect((await job()).rows).toEqual([]);
  });

  /** The several-tenant batch job emitEvents queued for exactly these tenants, taken out of the queue. */
  async function takeTenantsJob(tenantIds: string[]): Promise<unknown> {
    const claimed = await t.owner.query<{ payload: unknown }>(
      `DELETE FROM graphile_worker._private_jobs j USING graphile_worker._private_tasks k
        WHERE k.id = j.task_id AND k.identifier = 'kernel.dispatch-tenants-events' AND j.payload::jsonb->'data'->'tenantIds' = $1::jsonb
        RETURNING j.payload`,
      [JSON.stringify(tenantIds)],
    );
    expect(claimed.rows).toHaveLength(1);
    return claimed.rows[0]!.payload;
  }

  it('emitEvents writes several tenants’ events in order with one job for all, which delivers each inside its tenant', async () => {
    const [first, second] = [await tenantWithEvents(), await tenantWithEvents()];
    const type = `test.many-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    await withSystemAccess(t.kernel, 'events test', (tx) =>
      emitEvents(tx, [
        { tenantId: first, type, payload: { n: 1 } },
        { tenantId: second, type, payload: { n: 1 } },
        { tenantId: first, type, payload: { n: 2 } },
        { tenantId: second, type, payload: { n: 2 } },
      ]),
    );
    const stored = await t.owner.query<{ id: string; tenant_id: string; n: number }>(
      `SELECT id, tenant_id, (payload->>'n')::int AS n FROM outbox_events WHERE type = $1 ORDER BY position`,
      [type],
    );
    expect(stored.rows.map((row) => [row.tenant_id, row.n])).toEqual([
      [first, 1],
      [second, 1],
      [first, 2],
      [second, 2],
    ]);
    // No tenant batch job: the one job names both tenants.
    expect(await takeJob(`events:${first}`)).toBeNull();
    expect(await takeJob(`events:${second}`)).toBeNull();
    const envelope = await takeTenantsJob([first, second]);
    expect(envelope).toEqual({ tenantId: null, data: { tenantIds: [first, second] } });
    await executeJob(t.kernel, dispatchTenantsEventsJob, envelope, { jobId: 'tenants-batch', attempt: 1 });
    const seen = deliveries.map(({ event, visibleTenants }) => [event.tenantId, event.payload.n, visibleTenants]);
    expect(seen.filter(([tenant]) => tenant === first)).toEqual([
      [first, 1, [first]],
      [first, 2, [first]],
    ]);
    expect(seen.filter(([tenant]) => tenant === second)).toEqual([
      [second, 1, [second]],
      [second, 2, [second]],
    ]);
    expect(Object.values(await outbox(stored.rows.map((row) => row.id)))).toEqual(stored.rows.map(() => ({ dispatched: true, failures: 0 })));
    // Run again (a retry): nothing is delivered twice.
    await executeJob(t.kernel, dispatchTenantsEventsJob, envelope, { jobId: 'tenants-batch', attempt: 2 });
    expect(deliveries).toHaveLength(4);
  });

  it('in a several-tenant batch, a subscriber that fails holds up only its event; the others of every tenant are delivered', async () => {
    const [first, second] = [await tenantWithEvents(), await tenantWithEvents()];
    const type = `test.many-failing-${uniqueSuffix()}`;
    // What a delivery leaves is its write (the transaction that fails first is redone, one savepoint per event).
    t.kernel.events.subscribe(type, async (tx, event) => {
      await tx.execute(sql`INSERT INTO audit_log (tenant_id, action, target_type, target_id) VALUES (${event.tenantId}, ${type}, 'event', ${String(event.payload.n)})`);
      if (event.tenantId === second && event.payload.n === 1) throw new Error('subscriber broke');
    });
    await withSystemAccess(t.kernel, 'events test', (tx) =>
      emitEvents(tx, [
        { tenantId: first, type, payload: { n: 1 } },
        { tenantId: second, type, payload: { n: 1 } },
        { tenantId: second, type, payload: { n: 2 } },
      ]),
    );
    await executeJob(t.kernel, dispatchTenantsEventsJob, await takeTenantsJob([first, second]), { jobId: 'tenants-batch', attempt: 1 });
    const audit = await t.owner.query<{ tenant_id: string; target_id: string }>(`SELECT tenant_id, target_id FROM audit_log WHERE action = $1 ORDER BY tenant_id, target_id`, [type]);
    expect(audit.rows.map((row) => [row.tenant_id, row.target_id]).sort()).toEqual([[first, '1'], [second, '2']].sort());
    const failing = await t.owner.query<{ id: string; dispatched_at: Date | null; dispatch_failures: number }>(
      `SELECT id, dispatched_at, dispatch_failures FROM outbox_events WHERE type = $1 AND tenant_id = $2 AND payload->>'n' = '1'`,
      [type, second],
    );
    expect(failing.rows).toEqual([{ id: expect.any(String), dispatched_at: null, dispatch_failures: 1 }]);
    expect(await takeJob(`event:${failing.rows[0]!.id}`)).toMatchObject({ payload: { tenantId: second, data: { eventId: failing.rows[0]!.id } } });
  });

  it('a batch job taken while an emitter that joined it is still open waits for that emitter and delivers its event', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.barrier-${uniqueSuffix()}`;
    const key = `events:${tenant}`;
    const deliveries = subscribeRecorder(type);
    const first = await withTenant({ db: t.kernel.db, tenantId: tenant }, (tx) => emitEvent(tx, { tenantId: tenant, type, payload: { n: 1 } }));
    // A second emitter joins the pending job and stays open.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let joined!: (id: string) => void;
    const joinedId = new Promise<string>((resolve) => (joined = resolve));
    const emitter = withTenant({ db: t.kernel.db, tenantId: tenant }, async (tx) => {
      joined(await emitEvent(tx, { tenantId: tenant, type, payload: { n: 2 } }));
      await gate;
    });
    const second = await joinedId;
    // A worker takes the job (as graphile-worker does, locked before it runs) and runs it.
    const taken = await t.owner.query<{ payload: unknown }>(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'events-test' WHERE key = $1 RETURNING payload`,
      [key],
    );
    expect(taken.rows).toHaveLength(1);
    const batch = runBatch(taken.rows[0]!.payload);
    // It waits on the outbox lock of its key, not reading yet.
    await expect
      .poll(async () => {
        const waiting = await t.owner.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = hashtext('omni.outbox')::oid AND objid = hashtext($1)::oid`, [key]);
        return waiting.rowCount;
      })
      .toBe(1);
    expect(deliveries).toEqual([]);
    // Meanwhile another emitter does not wait behind the batch: it queues the next batch job itself.
    const third = await withTenant({ db: t.kernel.db, tenantId: tenant }, (tx) => emitEvent(tx, { tenantId: tenant, type, payload: { n: 3 } }));
    const next = await t.owner.query<{ payload: unknown }>(`DELETE FROM graphile_worker._private_jobs WHERE key = $1 AND locked_at IS NULL RETURNING payload`, [key]);
    expect(next.rows).toHaveLength(1);
    expect(deliveries).toEqual([]);
    release();
    await emitter;
    await batch;
    // The third may or may not have made it into this batch (it committed before the batch read); the next batch takes it if not.
    expect(deliveries.map((delivery) => delivery.event.id).slice(0, 2)).toEqual([first, second]);
    await runBatch(next.rows[0]!.payload);
    expect(deliveries.map((delivery) => delivery.event.id)).toEqual([first, second, third]);
    expect(Object.values(await outbox([first, second]))).toEqual([
      { dispatched: true, failures: 0 },
      { dispatched: true, failures: 0 },
    ]);
    await t.owner.query(`DELETE FROM graphile_worker._private_jobs WHERE locked_by = 'events-test'`);
  });

  it('one batch job delivers all of its tenant’s events, in order, to every subscriber, inside the tenant, and marks them dispatched', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.delivered-${uniqueSuffix()}`;
    const first = subscribeRecorder(type);
    const second = subscribeRecorder(type);
    const { eventIds, envelopes } = await emitAndClaim(tenant, [1, 2, 3].map((n) => ({ type, payload: { n } })));
    expect(envelopes).toHaveLength(1);
    await runBatch(envelopes[0]);
    for (const deliveries of [first, second]) {
      expect(deliveries.map((delivery) => delivery.event.id)).toEqual(eventIds);
      expect(deliveries.map((delivery) => delivery.event.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      for (const delivery of deliveries) {
        expect(delivery.event).toMatchObject({ tenantId: tenant, type });
        expect(delivery.visibleTenants).toEqual([tenant]);
        expect(delivery.event.createdAt).toBeInstanceOf(Date);
        expect(Number.isNaN(delivery.event.createdAt.getTime())).toBe(false);
      }
    }
    expect(Object.values(await outbox(eventIds))).toEqual([1, 2, 3].map(() => ({ dispatched: true, failures: 0 })));
  });

  it('a batch takes only its own tenant’s events; platform events go to the platform batch', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.scoped-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const platform = await emitAndClaim(null, [{ type, payload: { who: 'platform' } }]);
    const tenants = await emitAndClaim(tenant, [{ type, payload: { who: 'tenant' } }]);
    expect(platform.envelopes).toEqual([{ tenantId: null, data: {} }]);
    await runBatch(tenants.envelopes[0]);
    expect(deliveries.map((delivery) => delivery.event.payload)).toEqual([{ who: 'tenant' }]);
    await runBatch(platform.envelopes[0]);
    expect(deliveries.map((delivery) => delivery.event.payload)).toEqual([{ who: 'tenant' }, { who: 'platform' }]);
    expect(deliveries[1]!.event.tenantId).toBeNull();
  });

  it('a batch job that runs twice, one after the other, calls subscribers only once', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.twice-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const { eventIds, envelopes } = await emitAndClaim(tenant, [{ type }, { type }]);
    await runBatch(envelopes[0], 1);
    await runBatch(envelopes[0], 2);
    expect(deliveries.map((delivery) => delivery.event.id)).toEqual(eventIds);
  });

  it('two batch jobs of one tenant running at the same time deliver each event once', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.concurrent-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const { eventIds, envelopes } = await emitAndClaim(tenant, [{ type }, { type }, { type }]);
    await Promise.all([runBatch(envelopes[0]), runBatch(envelopes[0])]);
    expect(deliveries.map((delivery) => delivery.event.id).sort()).toEqual([...eventIds].sort());
    expect(Object.values(await outbox(eventIds)).every((row) => row.dispatched)).toBe(true);
  });

  it('a full batch queues the next one at once', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.full-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const { eventIds, envelopes } = await emitAndClaim(tenant, [1, 2, 3, 4, 5].map((n) => ({ type, payload: { n } })));
    const size = outboxDispatch.batchSize;
    outboxDispatch.batchSize = 2;
    try {
      await runBatch(envelopes[0]);
      expect(deliveries.map((delivery) => delivery.event.id)).toEqual(eventIds.slice(0, 2));
      const next = await takeJob(`events:${tenant}`);
      expect(next?.payload).toEqual({ tenantId: tenant, data: {} });
      await runBatch(next!.payload);
      await runBatch((await takeJob(`events:${tenant}`))!.payload);
      expect(deliveries.map((delivery) => delivery.event.id)).toEqual(eventIds);
      // The last batch was not full: nothing more queued.
      expect(await takeJob(`events:${tenant}`)).toBeNull();
    } finally {
      outboxDispatch.batchSize = size;
    }
  });

  it('a subscriber that fails holds up only its event: the others are delivered, it is retried on its own', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.retried-${uniqueSuffix()}`;
    const calls: string[] = [];
    let failing = '';
    t.kernel.events.subscribe(type, async (tx, event) => {
      // A write that must not survive the failed delivery.
      await tx.execute(sql`UPDATE outbox_events SET payload = '{"touched":true}'::jsonb WHERE id = ${event.id}`);
      calls.push(event.id);
      if (event.id === failing) throw new Error('subscriber failed once');
    });
    const { eventIds, envelopes } = await emitAndClaim(tenant, [{ type }, { type }, { type }]);
    failing = eventIds[1]!;
    await runBatch(envelopes[0]);
    // The batch ran without savepoints, met the failure, and was redone with one savepoint per event.
    expect(calls).toEqual([eventIds[0], eventIds[1], ...eventIds]);
    expect(await outbox(eventIds)).toEqual({
      [eventIds[0]!]: { dispatched: true, failures: 0 },
      [eventIds[1]!]: { dispatched: false, failures: 1 },
      [eventIds[2]!]: { dispatched: true, failures: 0 },
    });
    // Only the delivered events' writes were committed.
    const written = await t.owner.query<{ id: string; payload: unknown }>('SELECT id, payload FROM outbox_events WHERE id = ANY($1::uuid[])', [eventIds]);
    expect(Object.fromEntries(written.rows.map((row) => [row.id, row.payload]))).toEqual({
      [eventIds[0]!]: { touched: true },
      [eventIds[1]!]: {},
      [eventIds[2]!]: { touched: true },
    });
    // Its retry is its own job, with backoff; later batches leave it alone.
    const retry = await takeJob(`event:${failing}`);
    expect(retry?.payload).toEqual({ tenantId: tenant, data: { eventId: failing } });
    expect(retry!.runAt.getTime()).toBeGreaterThan(Date.now());
    await runBatch(envelopes[0]);
    expect(calls).toHaveLength(5);
    failing = '';
    await executeJob(t.kernel, dispatchEventJob, retry!.payload, { jobId: failing, attempt: 1 });
    expect(calls).toEqual([eventIds[0], eventIds[1], ...eventIds, eventIds[1]]);
    expect(Object.values(await outbox(eventIds)).every((row) => row.dispatched)).toBe(true);
  });

  it('the single-event job (retries) delivers once, even when run twice or twice at once', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.single-${uniqueSuffix()}`;
    const deliveries = subscribeRecorder(type);
    const { eventIds } = await emitAndClaim(tenant, [{ type }]);
    const envelope = { tenantId: tenant, data: { eventId: eventIds[0] } };
    await Promise.all([
      executeJob(t.kernel, dispatchEventJob, envelope, { jobId: 'single', attempt: 1 }),
      executeJob(t.kernel, dispatchEventJob, envelope, { jobId: 'single', attempt: 1 }),
    ]);
    await executeJob(t.kernel, dispatchEventJob, envelope, { jobId: 'single', attempt: 2 });
    expect(deliveries.map((delivery) => delivery.event.id)).toEqual(eventIds);
  });

  it('a single-event job whose subscriber fails leaves the event undispatched, so the retry delivers it', async () => {
    const tenant = await tenantWithEvents();
    const type = `test.single-retried-${uniqueSuffix()}`;
    let calls = 0;
    t.kernel.events.subscribe(type, async () => {
      calls += 1;
      if (calls === 1) throw new Error('subscriber failed once');
    });
    const { eventIds } = await emitAndClaim(tenant, [{ type }]);
    const envelope = { tenantId: tenant, data: { eventId: eventIds[0] } };
    await expect(executeJob(t.kernel, dispatchEventJob, envelope, { jobId: 'single', attempt: 1 })).rejects.toThrow('subscriber failed once');
    expect(await outbox(eventIds)).toEqual({ [eventIds[0]!]: { dispatched: false, failures: 0 } });
    await executeJob(t.kernel, dispatchEventJob, envelope, { jobId: 'single', attempt: 2 });
    expect(calls).toBe(2);
    expect(await outbox(eventIds)).toEqual({ [eventIds[0]!]: { dispatched: true, failures: 0 } });
  });
});
