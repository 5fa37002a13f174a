import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runMigrations as runWorkerMigrations } from 'graphile-worker';
import { createWorkerLogger } from '../jobs/worker-logger.js';
import type { Logger } from '../logger.js';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

const migrationLockId = 72_450_001;

type MigrateOptions = {
  ownerUrl: string;
  appRole: string;
  appPassword: string;
  logger: Logger;
};

/**
 * Apply migrations/NNNN_*.sql in order, each in its own transaction, as the database owner. Then make sure
 * the app role exists without BYPASSRLS and holds only data privileges (so row-level security applies).
 * An advisory lock lets several processes start at once safely.
 */
export async function migrateDatabase(options: MigrateOptions): Promise<{ applied: string[] }> {
  const client = new pg.Client({ connectionString: options.ownerUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockId]);
    await ensureAppRole(client, options.appRole, options.appPassword);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const files = (await readdir(migrationsDir)).filter((file) => /^\d{4}_.+\.sql$/.test(file)).sort();
    for (const file of files) {
      const version = file.replace(/\.sql$/, '');
      if (done.has(version)) continue;
      const sqlText = await readFile(path.join(migrationsDir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sqlText);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(version);
      options.logger.info({ version }, 'migration applied');
    }
    await runWorkerMigrations({ connectionString: options.ownerUrl, logger: createWorkerLogger(options.logger) });
    await grantAppPrivileges(client, options.appRole);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockId]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}

async function ensureAppRole(client: pg.Client, role: string, password: string) {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const quotedPassword = password.replace(/'/g, "''");
  if (exists.rowCount === 0) {
    try {
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${quotedPassword}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
    } catch (error) {
      // Two databases on one server may race to create the shared role.
      if ((error as { code?: string }).code !== '42710' && (error as { code?: string }).code !== '23505') throw error;
    }
  } else {
    await client.query(`ALTER ROLE ${role} LOGIN PASSWORD '${quotedPassword}' NOSUPERUSER NOBYPASSRLS`);
  }
}

async function grantAppPrivileges(client: pg.Client, role: string) {
  const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  await client.query(`GRANT CONNECT ON DATABASE "${database.replace(/"/g, '""')}" TO ${role}`);
  for (const schema of ['public', 'graphile_worker']) {
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${role}`);
  }
  // graphile-worker enables RLS on its private tables (no policies, owner-only). The queue is not tenant
  // data and the app role runs it, so it gets an explicit all-rows policy there; tenancy of each job is
  // carried in its payload and applied by executeJob through withTenant.
  const queueTables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'graphile_worker' AND c.relkind = 'r' AND c.relrowsecurity`,
  );
  for (const { name } of queueTables.rows) {
    await client.query(`DROP POLICY IF EXISTS omni_app_queue ON graphile_worker."${name}"`);
    await client.query(`CREATE POLICY omni_app_queue ON graphile_worker."${name}" TO ${role} USING (true) WITH CHECK (true)`);
  }
  // The migrations ledger is the owner's alone.
  await client.query(`REVOKE ALL ON schema_migrations FROM ${role}`);
}
