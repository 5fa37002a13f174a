import { createHash } from 'node:crypto';
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
  // pg-pool's end() lets go of a client before its socket has closed and drops its error listener: the
  // server ending that connection meanwhile (a shutdown, a dropped database) must not be an uncaught error.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return {
    pool,
    async close() {
      await pool.end();
    },
  };
}

/**
 * A prepared statement whose result columns changed under it (a migration added a column to a table it
 * reads with `*`): PostgreSQL refuses it on that connection from then on, so the connection is dropped
 * from the pool instead of being reused (the statement is prepared afresh on the next one).
 */
function isStalePreparedStatement(error: unknown): boolean {
  // Drizzle wraps the driver's error (cause).
  const cause = error instanceof Error && !(error instanceof pg.DatabaseError) ? error.cause : error;
  return cause instanceof pg.DatabaseError && cause.code === '0A000' && /cached plan must not change result type/.test(cause.message);
}

const drizzleByClient = new WeakMap<pg.PoolClient, Tx>();

function bindDrizzle(client: pg.PoolClient): Tx {
  let db = drizzleByClient.get(client);
  if (!db) {
    db = drizzle(preparingClient(client) as unknown as pg.PoolClient) as unknown as Tx;
    drizzleByClient.set(client, db);
  }
  return db;
}

/**
 * A transaction's client that sends statements with parameters as named prepared statements ("t_" and a
 * hash of the text; pg parses each once per connection): PostgreSQL then neither parses nor, once it
 * settles on a generic plan, plans them again. Planning was a fifth of the database's time per published
 * post (bench/publish-punctuality --statements). Past preparedStatementsPerConnection distinct texts on a
 * connection, statements run unnamed, as before.
 */
function preparingClient(client: pg.PoolClient): { query: pg.PoolClient['query'] } {
  const parsed = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
  const query = (config: string | QueryConfigLike, values?: unknown[]) => {
    if (typeof config === 'object' && config.name === undefined && (values ?? config.values)?.length) {
      const name = statementName(config.text, 't_');
      if (parsed[name] !== undefined || Object.keys(parsed).length < preparedStatementsPerConnection) config = { ...config, name };
    }
    return client.query(config as pg.QueryConfig, values);
  };
  return { query: query as unknown as pg.PoolClient['query'] };
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
    if (isStalePreparedStatement(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * A read scope: one statement that sets the transaction-local context (tenant or system access, read
 * only). It runs as a named prepared statement, so `sql` must be a constant text and anything that varies
 * goes in `values`.
 */
export type ReadScope = { name: string; sql: string; values: string[] };

type QueryConfigLike = { text: string; name?: string; values?: unknown[]; rowMode?: 'array'; types?: unknown };
type ConnectionLike = {
  parse(message: { text: string; name?: string; types?: unknown[] }): void;
  bind(message: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(message: { portal?: string; rows?: number }): void;
  close(message: { type: 'S' | 'P'; name?: string }): void;
};

/** pg.Query's protocol hooks: internal to node-postgres (stable since 8.0), absent from its type definitions. */
type PgQueryInternals = NodeJS.EventEmitter & {
  name?: string;
  requiresPreparation(): boolean;
  hasBeenParsed(connection: ConnectionLike): boolean;
  prepare(connection: ConnectionLike): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: unknown): void;
  handleReadyForQuery(connection: unknown): void;
};
const PgQuery = pg.Query as unknown as new (config: pg.QueryConfig) => PgQueryInternals;

/**
 * Prepared statements known to exist on each server connection (keyed by pg's connection object), as
 * proven by a statement that completed. Anything else is (re)parsed after a Close, which PostgreSQL
 * accepts for a statement that does not exist: after an error we cannot tell whether a Parse took effect.
 */
const preparedOnConnection = new WeakMap<ConnectionLike, Set<string>>();

/**
 * Distinct statements prepared per connection at most. Statement texts are finite (values travel as
 * parameters) but a text built from a list's length could vary; past the cap, statements run unnamed.
 */
export const preparedStatementsPerConnection = 500;

const statementNames = new Map<string, string>();

/**
 * A stable name per statement text: a prefix ("r_" scoped reads, "t_" transactions: each tracks its own
 * on a connection) and a 128-bit hash, so equal texts share a plan.
 */
function statementName(text: string, prefix = 'r_'): string {
  const cacheKey = prefix + text;
  let name = statementNames.get(cacheKey);
  if (!name) {
    name = `${prefix}${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    if (statementNames.size < 10_000) statementNames.set(cacheKey, name);
  }
  return name;
}

/**
 * One statement run in its own implicit transaction together with the scope, in a single round trip.
 *
 * The extended query protocol runs every message up to a Sync in one implicit transaction. This query
 * sends Bind/Execute of the scope (whose set_config calls are transaction-local), then the statement's
 * Bind/Describe/Execute, then one Sync, all in one corked write: PostgreSQL applies the scope, runs the
 * statement under it, ends the transaction at the Sync and answers in one flush. Both are named prepared
 * statements, parsed once per connection (a Parse goes along the first time), so PostgreSQL neither
 * parses nor plans them again: row security is applied at rewrite, which a prepared statement also skips.
 * The scope's own result (one row, no description) is skipped. Nothing outlives the Sync, so the pooled
 * connection carries no tenant between requests.
 */
class ScopedQuery extends PgQuery {
  private scopePending = true;

  constructor(
    config: QueryConfigLike,
    values: unknown[] | undefined,
    private readonly scope: ReadScope,
  ) {
    super({ ...config, name: undefined, values: values ?? config.values } as pg.QueryConfig);
  }

  override requiresPreparation(): boolean {
    return true;
  }

  override hasBeenParsed(connection: ConnectionLike): boolean {
    return this.name !== undefined && (preparedOnConnection.get(connection)?.has(this.name) ?? false);
  }

  override prepare(connection: ConnectionLike): void {
    let prepared = preparedOnConnection.get(connection);
    if (!prepared) {
      prepared = new Set();
      preparedOnConnection.set(connection, prepared);
    }
    if (!prepared.has(this.scope.name)) {
      connection.close({ type: 'S', name: this.scope.name });
      connection.parse({ text: this.scope.sql, name: this.scope.name, types: [] });
    }
    connection.bind({ portal: '', statement: this.scope.name, values: this.scope.values });
    connection.execute({ portal: '', rows: 0 });
    const name = statementName((this as unknown as { text: string }).text);
    if (prepared.has(name) || prepared.size < preparedStatementsPerConnection) {
      this.name = name;
      if (!prepared.has(name)) connection.close({ type: 'S', name });
    }
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

  /** Reached only when every message up to the Sync succeeded (pg drops the query on an error). */
  override handleReadyForQuery(connection: unknown): void {
    const prepared = preparedOnConnection.get(connection as ConnectionLike);
    prepared?.add(this.scope.name);
    if (this.name !== undefined) prepared?.add(this.name);
    super.handleReadyForQuery(connection);
  }
}

/** The minimal pg client surface Drizzle uses: `query(config, values)` resolving to a pg result. */
class ScopedReadClient {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly scope: ReadScope,
  ) {}

  query(config: string | QueryConfigLike, values?: unknown[]): Promise<pg.QueryResult> {
    const normalized: QueryConfigLike = typeof config === 'string' ? { text: config } : config;
    const query = new ScopedQuery(normalized, values, this.scope);
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
    const reader = new ScopedReadClient(client, scope);
    return await fn(drizzle(reader as unknown as pg.PoolClient) as unknown as Tx);
  } catch (error) {
    // A protocol-level failure leaves the connection unusable; statement errors end at the Sync.
    if (!(error instanceof pg.DatabaseError) || isStalePreparedStatement(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
