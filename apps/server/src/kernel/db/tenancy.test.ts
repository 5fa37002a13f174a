import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { databaseErrorOf } from '../../../test/database-errors.js';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { emitEvent } from '../events/events.js';
import { defineJob, enqueueJob } from '../jobs/jobs.js';
import { queueMail } from '../mail/mail.js';
import { asTenantWithin, withSystemAccess, withTenant } from './tenancy.js';

type TenantFixture = { tenantId: string; accountId: string };

async function createTenantFixture(t: TestApp): Promise<TenantFixture> {
  const suffix = uniqueSuffix();
  const tenant = await t.owner.query<{ id: string }>(`INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`, [`Tenant ${suffix}`, `t-${suffix}`]);
  const tenantId = tenant.rows[0]!.id;
  const account = await t.owner.query<{ id: string }>(`INSERT INTO accounts (tenant_id, name, slug) VALUES ($1, 'Main', $2) RETURNING id`, [tenantId, `a-${suffix}`]);
  return { tenantId, accountId: account.rows[0]!.id };
}

const probeJob = defineJob({ id: 'test.tenancy-probe', payload: z.object({ marker: z.string() }), async run() {} });

describe('tenant transactions', () => {
  let t: TestApp;
  let tenantA: TenantFixture;
  let tenantB: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await createTenantFixture(t);
    tenantB = await createTenantFixture(t);
  });
  afterAll(() => t.close());

  it('withTenant limits a SELECT without a WHERE clause to the active tenant', async () => {
    const accounts = await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) =>
      tx.execute<{ id: string; tenant_id: string }>(sql`SELECT id, tenant_id FROM accounts`),
    );
    expect(accounts.rows.map((row) => row.id)).toContain(tenantA.accountId);
    expect(new Set(accounts.rows.map((row) => row.tenant_id))).toEqual(new Set([tenantA.tenantId]));

    const tenants = await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) => tx.execute<{ id: string }>(sql`SELECT id FROM tenants`));
    expect(tenants.rows).toEqual([{ id: tenantA.tenantId }]);
  });

  it('withTenant accepts an upper-case tenant id and still scopes to that tenant', async () => {
    const accounts = await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId.toUpperCase() }, (tx) =>
      tx.execute<{ tenant_id: string }>(sql`SELECT DISTINCT tenant_id FROM accounts`),
    );
    expect(accounts.rows).toEqual([{ tenant_id: tenantA.tenantId }]);
  });

  it('asTenantWithin runs its part of a system-access transaction as that tenant, and restores system access after, even when it throws', async () => {
    const tenantsSeen = (tx: Parameters<Parameters<typeof withSystemAccess>[2]>[0]) =>
      tx.execute<{ tenant_id: string }>(sql`SELECT DISTINCT tenant_id FROM accounts WHERE tenant_id IN (${tenantA.tenantId}, ${tenantB.tenantId}) ORDER BY tenant_id`);
    const both = [tenantA.tenantId, tenantB.tenantId].sort();
    const seen = await withSystemAccess(t.kernel, 'test: several tenants', async (tx) => {
      const before = await tenantsSeen(tx);
      const asA = await asTenantWithin(tx, tenantA.tenantId, () => tenantsSeen(tx));
      const intruding = await asTenantWithin(tx, tenantB.tenantId, async () => {
        await tx.execute(sql`SAVEPOINT intrusion`);
        const refused = await databaseErrorOf(tx.execute(sql`INSERT INTO accounts (tenant_id, name, slug) VALUES (${tenantA.tenantId}, 'Intruder', ${`x-${uniqueSuffix()}`})`));
        await tx.execute(sql`ROLLBACK TO SAVEPOINT intrusion`);
        return refused;
      });
      const thrown = await asTenantWithin(tx, tenantB.tenantId, async () => {
        throw new Error('a subscriber broke');
      }).catch((error: Error) => error.message);
      const after = await tenantsSeen(tx);
      return { before, asA, intruding, thrown, after };
    });
    expect(seen.before.rows.map((row) => row.tenant_id)).toEqual(both);
    expect(seen.asA.rows.map((row) => row.tenant_id)).toEqual([tenantA.tenantId]);
    expect(seen.intruding).toMatch(/new row violates row-level security policy for table "accounts"/);
    expect(seen.thrown).toBe('a subscriber broke');
    expect(seen.after.rows.map((row) => row.tenant_id)).toEqual(both);
    await expect(withSystemAccess(t.kernel, 'test', (tx) => asTenantWithin(tx, 'not-a-uuid', async () => 1))).rejects.toThrow(/uuid/);
  });

  it('withTenant refuses to insert a row carrying another tenant id', async () => {
    const insert = withTenant({ db: t.kernel.db, tenantId: tenantB.tenantId }, (tx) =>
      tx.execute(sql`INSERT INTO accounts (tenant_id, name, slug) VALUES (${tenantA.tenantId}, 'Intruder', ${`x-${uniqueSuffix()}`})`),
    );
    expect(await databaseErrorOf(insert)).toMatch(/new row violates row-level security policy for table "accounts"/);
  });

  it('withTenant updates and deletes none of another tenant’s rows', async () => {
    const outcome = await withTenant({ db: t.kernel.db, tenantId: tenantB.tenantId }, async (tx) => {
      const updated = await tx.execute(sql`UPDATE accounts SET name = 'Hijacked' WHERE id = ${tenantA.accountId}`);
      const deleted = await tx.execute(sql`DELETE FROM accounts WHERE id = ${tenantA.accountId}`);
      const updatedTenant = await tx.execute(sql`UPDATE tenants SET name = 'Hijacked' WHERE id = ${tenantA.tenantId}`);
      return { updated: updated.rowCount, deleted: deleted.rowCount, updatedTenant: updatedTenant.rowCount };
    });
    expect(outcome).toEqual({ updated: 0, deleted: 0, updatedTenant: 0 });
    const stored = await t.owner.query('SELECT name FROM accounts WHERE id = $1', [tenantA.accountId]);
    expect(stored.rows).toEqual([{ name: 'Main' }]);
  });

  it('withTenant refuses to move its own row into another tenant', async () => {
    const move = withTenant({ db: t.kernel.db, tenantId: tenantB.tenantId }, (tx) =>
      tx.execute(sql`UPDATE accounts SET tenant_id = ${tenantA.tenantId} WHERE id = ${tenantB.accountId}`),
    );
    expect(await databaseErrorOf(move)).toMatch(/new row violates row-level security policy for table "accounts"/);
  });

  it('withSystemAccess sees every tenant’s rows', async () => {
    const rows = await withSystemAccess(t.kernel, 'test', (tx) =>
      tx.execute<{ tenant_id: string }>(sql`SELECT tenant_id FROM accounts WHERE id IN (${tenantA.accountId}, ${tenantB.accountId})`),
    );
    expect(new Set(rows.rows.map((row) => row.tenant_id))).toEqual(new Set([tenantA.tenantId, tenantB.tenantId]));
  });

  it('a connection of the app role with neither setting sees no tenant rows', async () => {
    const rows = await t.kernel.db.pool.query('SELECT id FROM accounts WHERE id IN ($1, $2)', [tenantA.accountId, tenantB.accountId]);
    expect(rows.rowCount).toBe(0);
  });

  it('the tenant setting does not leak to the next transaction on the same pooled connection', async () => {
    await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) => tx.execute(sql`SELECT 1`));
    // Exhaust the pool's idle connections so the previous one is certainly reused at least once.
    const settings = await Promise.all(
      Array.from({ length: 5 }, () => t.kernel.db.pool.query<{ tenant: string | null; system: string | null }>(
        `SELECT current_setting('app.tenant_id', true) AS tenant, current_setting('app.system_access', true) AS system`,
      )),
    );
    for (const setting of settings) {
      expect(setting.rows[0]!.tenant ?? '').toBe('');
      expect(setting.rows[0]!.system ?? '').toBe('');
    }
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
    ['a non-uuid', 'tenant-a'],
    ['an injection attempt', `${'00000000-0000-0000-0000-000000000000'}', true); SELECT set_config('app.system_access', 'on`],
  ])('withTenant throws before opening a transaction when the tenant id is %s', async (_label, tenantId) => {
    let ran = false;
    await expect(
      withTenant({ db: t.kernel.db, tenantId }, async () => {
        ran = true;
      }),
    ).rejects.toThrow(/tenant id/);
    expect(ran).toBe(false);
  });

  it('a transaction that throws leaves no row, job, event or mail behind', async () => {
    const marker = uniqueSuffix();
    const failure = new Error('the use case failed after its writes');
    await expect(
      withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, async (tx) => {
        await writeEverything(tx, tenantA.tenantId, marker);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await countLeftovers(t, marker)).toEqual({ accounts: 0, jobs: 0, events: 0, mails: 0 });
  });

  it('a transaction that completes keeps its row, job, event and mail together', async () => {
    const marker = uniqueSuffix();
    await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) => writeEverything(tx, tenantA.tenantId, marker));
    expect(await countLeftovers(t, marker)).toEqual({ accounts: 1, jobs: 1, events: 1, mails: 1 });
    // No worker knows the probe job: remove it so it does not sit in the shared queue.
    await t.owner.query('DELETE FROM graphile_worker._private_jobs WHERE key = $1', [`probe:${marker}`]);
  });

  it('the app role is neither a superuser nor allowed to bypass row-level security, and owns no table', async () => {
    const current = await t.kernel.db.pool.query<{ role: string }>('SELECT current_user AS role');
    const role = current.rows[0]!.role;
    const flags = await t.owner.query('SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1', [role]);
    expect(flags.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false }]);
    const owned = await t.owner.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`, [role]);
    expect(owned.rows).toEqual([]);
    // An owner role would bypass non-forced policies; make sure the owner we assert with is a different role.
    const ownerRole = await t.owner.query<{ role: string }>('SELECT current_user AS role');
    expect(ownerRole.rows[0]!.role).not.toBe(role);
  });

  it('the app role cannot take on the owner role to escape row-level security', async () => {
    const ownerRole = (await t.owner.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
    const attempt = withTenant({ db: t.kernel.db, tenantId: tenantB.tenantId }, (tx) => tx.execute(sql.raw(`SET LOCAL ROLE "${ownerRole}"`)));
    expect(await databaseErrorOf(attempt)).toMatch(/permission denied to set role/);
  });
});

async function writeEverything(tx: Parameters<Parameters<typeof withTenant>[1]>[0], tenantId: string, marker: string) {
  await tx.execute(sql`INSERT INTO accounts (tenant_id, name, slug) VALUES (${tenantId}, 'Rolled back?', ${`r-${marker}`})`);
  await enqueueJob(tx, probeJob, { marker }, { tenantId, key: `probe:${marker}` });
  await emitEvent(tx, { tenantId, type: `test.rollback-${marker}`, payload: {} });
  await queueMail(tx, { tenantId, to: `rollback-${marker}@example.test`, subject: 'Hello', text: 'Hello', template: 'test.rollback' });
}

async function countLeftovers(t: TestApp, marker: string) {
  const count = async (query: string, value: string) => (await t.owner.query<{ count: number }>(query, [value])).rows[0]!.count;
  return {
    accounts: await count('SELECT count(*)::int AS count FROM accounts WHERE slug = $1', `r-${marker}`),
    jobs: await count('SELECT count(*)::int AS count FROM graphile_worker._private_jobs WHERE key = $1', `probe:${marker}`),
    events: await count('SELECT count(*)::int AS count FROM outbox_events WHERE type = $1', `test.rollback-${marker}`),
    mails: await count('SELECT count(*)::int AS count FROM mail_messages WHERE to_address = $1', `rollback-${marker}@example.test`),
  };
}
