import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { createDatabase, runTransaction, type Database } from './database.js';

/** Transactions send statements with parameters as named prepared statements (decision 015). */
describe('prepared statements in transactions', () => {
  let t: TestApp;
  let table: string;

  beforeAll(async () => {
    t = await createTestApp();
    // A table of the test's own, readable by the application role, in the test-only schema.
    table = `omni_test.prepared_${uniqueSuffix().replace(/[^a-z0-9]/gi, '_')}`;
    await t.owner.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
    await t.owner.query(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`);
    await t.owner.query(`GRANT SELECT ON ${table} TO PUBLIC`);
  });
  afterAll(async () => {
    await t.owner.query(`DROP TABLE IF EXISTS ${table}`);
    await t.close();
  });

  /** A pool of one connection, so every call of a test reuses (or visibly replaces) the same one. */
  async function withOneConnection(fn: (database: Database) => Promise<void>): Promise<void> {
    const database = createDatabase(inject('appDatabaseUrl'), { max: 1, logger: t.kernel.logger });
    try {
      await fn(database);
    } finally {
      await database.close();
    }
  }

  const preparedOn = (tx: Parameters<Parameters<typeof runTransaction>[2]>[0]) =>
    tx.execute<{ name: string; statement: string }>(sql`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 't\\_%'`);

  it('prepares a statement once per connection and reuses it, with the values of each call', async () => {
    await withOneConnection(async (database) => {
      const names: string[][] = [];
      for (const id of [1, 2, 1]) {
        names.push(await runTransaction(database, 'BEGIN', async (tx) => (await tx.execute<{ name: string }>(sql`SELECT name FROM ${sql.raw(table)} WHERE id = ${id}`)).rows.map((row) => row.name)));
      }
      expect(names).toEqual([['one'], ['two'], ['one']]);
      const prepared = await runTransaction(database, 'BEGIN', (tx) => preparedOn(tx));
      const mine = prepared.rows.filter((row) => row.statement.includes(table));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.name).toMatch(/^t_[A-Za-z0-9_-]{22}$/);
    });
  });

  it('drops a connection whose prepared statement a migration made stale, and the next call prepares it afresh', async () => {
    await withOneConnection(async (database) => {
      const readAll = (id: number) =>
        runTransaction(database, 'BEGIN', async (tx) => (await tx.execute<Record<string, unknown>>(sql`SELECT * FROM ${sql.raw(table)} WHERE id = ${id}`)).rows);
      expect(await readAll(1)).toEqual([{ id: 1, name: 'one' }]);
      const pidBefore = await runTransaction(database, 'BEGIN', async (tx) => (await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid);
      // What a migration does under a running process: the statement's result columns change.
      await t.owner.query(`ALTER TABLE ${table} ADD COLUMN note text`);
      await expect(readAll(1)).rejects.toMatchObject({ cause: { code: '0A000', message: expect.stringMatching(/cached plan must not change result type/) } });
      expect(await readAll(2)).toEqual([{ id: 2, name: 'two', note: null }]);
      const pidAfter = await runTransaction(database, 'BEGIN', async (tx) => (await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid);
      expect(pidAfter).not.toBe(pidBefore);
    });
  });
});
