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

/**
 * A read scope: statements that set the transaction-local context (tenant or system access, read only),
 * built from validated UUIDs and constants only, never user text.
 */
export type ReadScope = { sql: string };

type QueryConfigLike = { text: string; name?: string; values?: unknown[]; rowMode?: 'array'; types?: unknown };
type ConnectionLike = {
  parse(message: { text: string; name?: string; types?: unknown[] }): void;
  bind(message: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(message: { portal?: string; rows?: number }): void;
};

/** pg.Query's protocol hooks: internal to node-postgres (stable since 8.0), absent from its type definitions. */
type PgQueryInternals = NodeJS.EventEmitter & {
  requiresPreparation(): boolean;
  prepare(connection: ConnectionLike): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: unknown): void;
};
const PgQuery = pg.Query as unknown as new (config: pg.QueryConfig) => PgQueryInternals;

/**
 * One statement run in its own implicit transaction together with the scope, in a single round trip.
 *
 * The extended query protocol runs every message up to a Sync in one implicit transaction. This query
 * sends Parse/Bind/Execute of the scope (whose set_config calls are transaction-local), then the
 * statement's own Parse/Bind/Describe/Execute, then one Sync, all in one corked write: PostgreSQL applies
 * the scope, runs the statement under it, ends the transaction at the Sync and answers in one flush. The
 * scope's own result (one row, no description) is skipped. Nothing outlives the Sync, so the pooled
 * connection carries no tenant between requests.
 */
class ScopedQuery extends PgQuery {
  private scopePending = true;

  constructor(
    config: QueryConfigLike,
    values: unknown[] | undefined,
    private readonly scopeSql: string,
  ) {
    // Unnamed: a named statement's ParseComplete bookkeeping in pg would be confused by the scope's Parse.
    super({ ...config, name: undefined, values: values ?? config.values } as pg.QueryConfig);
  }

  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: ConnectionLike): void {
    connection.parse({ text: this.scopeSql, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
    super.prepare(connection);
  }

  override handleDataRow(message: unknown): void {
    if (this.scopePending) return;
    super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: unknown): void {
    if (this.scopePending) {
      this.scopePending = false;
      return;
    }
    super.handleCommandComplete(message, connection);
  }
}

/** The minimal pg client surface Drizzle uses: `query(config, values)` resolving to a pg result. */
class ScopedReadClient {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly scopeSql: string,
  ) {}

  query(config: string | QueryConfigLike, values?: unknown[]): Promise<pg.QueryResult> {
    const normalized: QueryConfigLike = typeof config === 'string' ? { text: config } : config;
    const query = new ScopedQuery(normalized, values, this.scopeSql);
    return new Promise((resolve, reject) => {
      query.once('error', reject);
      query.once('end', (result: pg.QueryResult) => resolve(result));
      this.client.query(query as unknown as pg.QueryConfig);
    });
  }
}

/**
 * Run fn's reads on one pooled connection, each statement in a single round trip with the scope applied
 * (see ScopedQuery). No BEGIN/COMMIT: under READ COMMITTED every statement sees its own snapshot anyway,
 * and the scope makes each one read only, so a write through this handle fails loudly.
 */
export async function runScopedReads<T>(database: Database, scope: ReadScope, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await database.pool.connect();
  let broken: Error | undefined;
  try {
    const reader = new ScopedReadClient(client, scope.sql);
    return await fn(drizzle(reader as unknown as pg.PoolClient) as unknown as Tx);
  } catch (error) {
    // A protocol-level failure leaves the connection unusable; statement errors end at the Sync.
    if (!(error instanceof pg.DatabaseError)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
