import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../../src/kernel/config.js';
import { migrateDatabase } from '../../src/kernel/db/migrate.js';
import { createLogger } from '../../src/kernel/logger.js';
import { deriveAppDatabaseUrl } from '../../src/kernel/runtime-config.js';

export type CrashDatabase = {
  name: string;
  /** As the owner (migrations, the workers' DATABASE_URL, assertions past row-level security). */
  ownerUrl: string;
  /** As the non-owner app role, exactly as a worker derives it. */
  appUrl: string;
  drop(): Promise<void>;
};

/**
 * A database of its own, on the server of the suite's test database, migrated like any other. The crash
 * test needs it because the publishing dispatcher and sweeper work across tenants: on the shared database
 * the other test files' drainJobs would claim and run this test's jobs in their processes (pointing at no
 * fake), and this test's workers would run theirs. Creating it needs the CREATEDB privilege, which the
 * embedded PostgreSQL's and CI's owner role have.
 */
export async function createCrashDatabase(suiteOwnerUrl: string, config: Pick<Config, 'APP_DB_ROLE' | 'APP_DB_PASSWORD' | 'APP_DATABASE_URL'>): Promise<CrashDatabase> {
  const turn = await takeTurn(suiteOwnerUrl);
  try {
    return await createDatabase(suiteOwnerUrl, config, turn);
  } catch (error) {
    await turn.end();
    throw error;
  }
}

/**
 * Crash tests take turns: each runs three worker processes, and two at once (the suite's two forks) would
 * starve each other and the rest of the suite on a 2-core machine. The turn is a session advisory lock on
 * the suite's database, held by its own connection until the crash database is dropped (or the process ends).
 */
async function takeTurn(suiteOwnerUrl: string): Promise<pg.Client> {
  const turn = new pg.Client({ connectionString: suiteOwnerUrl });
  turn.on('error', () => undefined);
  await turn.connect();
  await turn.query(`SELECT pg_advisory_lock(hashtext('omni-crash-tests'))`);
  return turn;
}

async function createDatabase(suiteOwnerUrl: string, config: Pick<Config, 'APP_DB_ROLE' | 'APP_DB_PASSWORD' | 'APP_DATABASE_URL'>, turn: pg.Client): Promise<CrashDatabase> {
  const name = `omni_crash_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: suiteOwnerUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(`The crash test creates its own database and needs CREATEDB on ${new URL(suiteOwnerUrl).host}: ${(error as Error).message}`, { cause: error });
  } finally {
    await admin.end();
  }
  const url = new URL(suiteOwnerUrl);
  url.pathname = `/${name}`;
  const ownerUrl = url.toString();
  await migrateDatabase({ ownerUrl, appRole: config.APP_DB_ROLE, appPassword: config.APP_DB_PASSWORD, logger: createLogger('warn') });
  // APP_DATABASE_URL names the suite's database: the crash database's app URL is derived, never taken from it.
  const appUrl = deriveAppDatabaseUrl({ ...config, APP_DATABASE_URL: undefined }, ownerUrl);
  return {
    name,
    ownerUrl,
    appUrl,
    async drop() {
      const client = new pg.Client({ connectionString: suiteOwnerUrl });
      await client.connect();
      try {
        // FORCE ends the connections a killed worker may have left for the server to notice.
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
        await turn.end();
      }
    },
  };
}
