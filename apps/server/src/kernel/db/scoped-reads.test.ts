import { asc, eq, sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseErrorOf } from '../../../test/database-errors.js';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { createDatabase, preparedStatementsPerConnection, runScopedReads } from './database.js';
import { withSystemAccessRead, withTenant, withTenantRead } from './tenancy.js';

const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey(),
  tenantId: uuid('tenant_id').notNull(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

type TenantFixture = { tenantId: string; accountIds: string[] };

async function createTenantFixture(t: TestApp, accountCount: number): Promise<TenantFixture> {
  const suffix = uniqueSuffix();
  const tenant = await t.owner.query<{ id: string }>(`INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`, [`Tenant ${suffix}`, `t-${suffix}`]);
  const tenantId = tenant.rows[0]!.id;
  const accountIds: string[] = [];
  for (let index = 0; index < accountCount; index += 1) {
    const account = await t.owner.query<{ id: string }>(`INSERT INTO accounts (tenant_id, name, slug) VALUES ($1, $2, $3) RETURNING id`, [tenantId, `Account ${index}`, `a-${index}-${suffix}`]);
    accountIds.push(account.rows[0]!.id);
  }
  return { tenantId, accountIds };
}

describe('scoped reads (one round trip per statement)', () => {
  let t: TestApp;
  let tenantA: TenantFixture;
  let tenantB: TenantFixture;

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await createTenantFixture(t, 3);
    tenantB = await createTenantFixture(t, 2);
  });
  afterAll(() => t.close());

  it('sees exactly what withTenant sees: the tenant rows, through RLS, with parsed types', async () => {
    const ctx = { db: t.kernel.db, tenantId: tenantA.tenantId };
    const query = (tx: Parameters<Parameters<typeof withTenant>[1]>[0]) => tx.select().from(accounts).orderBy(asc(accounts.createdAt), asc(accounts.id));
    const read = await withTenantRead(ctx, query);
    const transactional = await withTenant(ctx, query);
    expect(read).toEqual(transactional);
    expect(read.map((row) => row.id).sort()).toEqual([...tenantA.accountIds].sort());
    expect(read[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('applies the scope to every statement of the callback, not only the first', async () => {
    const counts = await withTenantRead({ db: t.kernel.db, tenantId: tenantB.tenantId }, async (tx) => {
      const first = await tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM accounts`);
      const second = await tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM accounts WHERE tenant_id = ${tenantA.tenantId}`);
      const third = await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.tenantId, tenantB.tenantId));
      return [first.rows[0]!.n, second.rows[0]!.n, third.length];
    });
    expect(counts).toEqual([2, 0, 2]);
  });

  it('is read only: a write through it fails and changes nothing', async () => {
    const ctx = { db: t.kernel.db, tenantId: tenantA.tenantId };
    const message = await databaseErrorOf(withTenantRead(ctx, (tx) => tx.execute(sql`UPDATE accounts SET name = 'changed' WHERE id = ${tenantA.accountIds[0]!}`)));
    expect(message).toMatch(/read-only transaction/);
    const name = await t.owner.query<{ name: string }>('SELECT name FROM accounts WHERE id = $1', [tenantA.accountIds[0]]);
    expect(name.rows[0]!.name).toBe('Account 0');
  });

  it('leaves nothing on the pooled connection: the next statement outside a scope sees no tenant', async () => {
    const database = createDatabase(inject('appDatabaseUrl'), { max: 1, logger: t.kernel.logger });
    try {
      await runScopedReads(database, { name: 'scoped_reads_leak_test', sql: `SELECT set_config('app.tenant_id', $1, true)`, values: [tenantA.tenantId] }, (tx) =>
        tx.execute(sql`SELECT 1`),
      );
      const client = await database.pool.connect();
      try {
        const setting = await client.query<{ tenant: string | null; visible: number; readOnly: string }>(
          `SELECT current_setting('app.tenant_id', true) AS tenant, (SELECT count(*)::int FROM accounts) AS visible, current_setting('transaction_read_only') AS "readOnly"`,
        );
        expect(setting.rows[0]!.tenant ?? '').toBe('');
        expect(setting.rows[0]!.visible).toBe(0);
        expect(setting.rows[0]!.readOnly).toBe('off');
      } finally {
        client.release();
      }
    } finally {
      await database.close();
    }
  });

  it('reports a statement error and keeps the connection usable', async () => {
    const database = createDatabase(inject('appDatabaseUrl'), { max: 1, logger: t.kernel.logger });
    try {
      // Twice: the failed statement's Parse may have taken effect, so the second run must not trip on it.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const message = await databaseErrorOf(withTenantRead({ db: database, tenantId: tenantA.tenantId }, (tx) => tx.execute(sql`SELECT 1 / 0`)));
        expect(message).toMatch(/division by zero/);
      }
      const after = await withTenantRead({ db: database, tenantId: tenantA.tenantId }, (tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM accounts`));
      expect(after.rows[0]!.n).toBe(3);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const syntax = await databaseErrorOf(withTenantRead({ db: database, tenantId: tenantA.tenantId }, (tx) => tx.execute(sql.raw('SELEC broken'))));
        expect(syntax).toMatch(/syntax error/);
      }
      const again = await withTenantRead({ db: database, tenantId: tenantB.tenantId }, (tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM accounts`));
      expect(again.rows[0]!.n).toBe(2);
    } finally {
      await database.close();
    }
  });

  it('prepares the scope and each statement once per connection, and cached plans still follow the tenant', async () => {
    const database = createDatabase(inject('appDatabaseUrl'), { max: 1, logger: t.kernel.logger });
    try {
      const count = (tenantId: string) =>
        withTenantRead({ db: database, tenantId }, (tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM accounts WHERE name <> ${'none'}`));
      // More runs than PostgreSQL's five custom plans, so the generic (cached) plan is used too.
      const counts: number[] = [];
      for (let run = 0; run < 8; run += 1) counts.push((await count(run % 2 === 0 ? tenantA.tenantId : tenantB.tenantId)).rows[0]!.n);
      expect(counts).toEqual([3, 2, 3, 2, 3, 2, 3, 2]);

      const client = await database.pool.connect();
      type Connection = { parse: (...args: unknown[]) => void };
      const connection = (client as unknown as { connection: Connection }).connection;
      const statements = await client.query<{ name: string; statement: string }>(`SELECT name, statement FROM pg_prepared_statements ORDER BY name`);
      client.release();
      expect(statements.rows.map((row) => row.name)).toContain('omni_tenant_read');
      expect(statements.rows.filter((row) => row.statement.includes("name <> $1"))).toHaveLength(1);

      const parse = connection.parse.bind(connection);
      let parsed = 0;
      connection.parse = (...args: unknown[]) => {
        parsed += 1;
        parse(...args);
      };
      expect((await count(tenantA.tenantId)).rows[0]!.n).toBe(3);
      expect(parsed).toBe(0);
      expect((await withTenantRead({ db: database, tenantId: tenantB.tenantId }, (tx) => tx.execute<{ n: number }>(sql`SELECT 2 AS n`))).rows[0]!.n).toBe(2);
      expect(parsed).toBe(1);
    } finally {
      await database.close();
    }
  });

  it(`runs statements unnamed past ${preparedStatementsPerConnection} distinct ones on a connection`, async () => {
    const database = createDatabase(inject('appDatabaseUrl'), { max: 1, logger: t.kernel.logger });
    try {
      for (let index = 0; index < preparedStatementsPerConnection + 20; index += 1) {
        const result = await withTenantRead({ db: database, tenantId: tenantA.tenantId }, (tx) => tx.execute<{ n: number }>(sql.raw(`SELECT ${index} AS n`)));
        expect(result.rows[0]!.n).toBe(index);
      }
      const client = await database.pool.connect();
      try {
        const prepared = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements`);
        // The cap counts the scope's statement too.
        expect(prepared.rows[0]!.n).toBe(preparedStatementsPerConnection);
      } finally {
        client.release();
      }
    } finally {
      await database.close();
    }
  });

  it('runs named prepared statements too (unnamed under the scope) and refuses a tenant id that is not a uuid', async () => {
    const ctx = { db: t.kernel.db, tenantId: tenantA.tenantId };
    const prepared = await withTenantRead(ctx, (tx) => tx.select({ id: accounts.id }).from(accounts).prepare('scoped_reads_test').execute());
    expect(prepared).toHaveLength(3);
    await expect(withTenantRead({ db: t.kernel.db, tenantId: "x' OR true --" }, (tx) => tx.execute(sql`SELECT 1`))).rejects.toThrow(/uuid/);
  });

  it('system-access reads see every tenant and are read only too', async () => {
    const rows = await withSystemAccessRead({ db: t.kernel.db }, 'test', (tx) =>
      tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM accounts WHERE tenant_id IN (${tenantA.tenantId}, ${tenantB.tenantId})`),
    );
    expect(rows.rows[0]!.n).toBe(5);
    const message = await databaseErrorOf(withSystemAccessRead({ db: t.kernel.db }, 'test', (tx) => tx.execute(sql`DELETE FROM accounts WHERE id = ${tenantB.accountIds[0]!}`)));
    expect(message).toMatch(/read-only transaction/);
  });

  it('sends the scope and the statement in one write and gets one answer back', async () => {
    const database = createDatabase(inject('appDatabaseUrl'), { max: 1, logger: t.kernel.logger });
    try {
      // Warm the connection, then count socket writes for one scoped read.
      await withTenantRead({ db: database, tenantId: tenantA.tenantId }, (tx) => tx.execute(sql`SELECT 1`));
      const client = await database.pool.connect();
      type Stream = { cork: () => void; uncork: () => void; write: (...args: unknown[]) => boolean };
      const stream = (client as unknown as { connection: { stream: Stream } }).connection.stream;
      client.release();
      let corked = 0;
      const writeDepths: number[] = [];
      const { cork, uncork, write } = { cork: stream.cork.bind(stream), uncork: stream.uncork.bind(stream), write: stream.write.bind(stream) };
      stream.cork = () => {
        corked += 1;
        cork();
      };
      stream.uncork = () => {
        corked -= 1;
        uncork();
      };
      stream.write = (...args: unknown[]) => {
        writeDepths.push(corked);
        return write(...args);
      };
      await withTenantRead({ db: database, tenantId: tenantA.tenantId }, (tx) => tx.execute(sql`SELECT count(*) FROM accounts WHERE name <> ${'x'}`));
      // Several protocol messages, all written while the stream is corked: one flush to the socket.
      expect(writeDepths.length).toBeGreaterThan(4);
      expect(writeDepths.every((depth) => depth > 0)).toBe(true);
    } finally {
      await database.close();
    }
  });
});
