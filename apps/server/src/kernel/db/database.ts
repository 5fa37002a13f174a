import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Logger } from '../logger.js';

/** A transaction handle: Drizzle bound to one pooled connection inside BEGIN … COMMIT. */
export type Tx = NodePgDatabase<Record<string, never>> & { $client: pg.PoolClient };

export type Database = {
  pool: pg.Pool;
  close(): Promise<void>;
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}

// timestamptz → ISO strings would lose nothing, but Date objects are what Drizzle expects; keep pg defaults.
// bigint (int8) counts are returned as numbers: our counts never approach 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export function createDatabase(connectionString: string, options: { max: number; logger: Logger }): Database {
  const pool = new pg.Pool({ connectionString, max: options.max, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => options.logger.error({ err: error }, 'idle database connection failed'));
  return {
    pool,
    async close() {
      await pool.end();
    },
  };
}

const drizzleByClient = new WeakMap<pg.PoolClient, Tx>();

function bindDrizzle(client: pg.PoolClient): Tx {
  let db = drizzleByClient.get(client);
  if (!db) {
    db = drizzle(client) as unknown as Tx;
    drizzleByClient.set(client, db);
  }
  return db;
}

/**
 * Run fn inside one transaction. The prelude (BEGIN plus set_config) travels as a single simple-protocol
 * round trip; the values inlined in it are validated UUIDs or constants, never user text.
 */
export async function runTransaction<T>(database: Database, prelude: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await database.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(prelude);
    const result = await fn(bindDrizzle(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
