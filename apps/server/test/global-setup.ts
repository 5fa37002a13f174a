import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { parseConfig } from '../src/kernel/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/kernel/db/embedded.js';
import { migrateDatabase } from '../src/kernel/db/migrate.js';
import { createLogger } from '../src/kernel/logger.js';
import { deriveAppDatabaseUrl } from '../src/kernel/runtime-config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ownerDatabaseUrl: string;
    appDatabaseUrl: string;
  }
}

/**
 * One database for the whole run: the machine's PostgreSQL when DATABASE_URL is set, otherwise a fresh
 * embedded PostgreSQL in a temporary directory. Migrated once here; each test makes its own tenants.
 */
export default async function setup(project: TestProject) {
  const config = parseConfig();
  const logger = createLogger('warn');
  let embedded: EmbeddedDatabase | undefined;
  let directory: string | undefined;
  let ownerUrl = config.DATABASE_URL;
  if (!ownerUrl) {
    directory = await mkdtemp(path.join(os.tmpdir(), 'omni-test-pg-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to reach its data directory.
    await chmod(directory, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg'), password: 'omni-test', logger, persistent: false });
    ownerUrl = embedded.url;
  }
  await migrateDatabase({ ownerUrl, appRole: config.APP_DB_ROLE, appPassword: config.APP_DB_PASSWORD, logger });
  await recordTenantCreators(ownerUrl);
  project.provide('ownerDatabaseUrl', ownerUrl);
  project.provide('appDatabaseUrl', deriveAppDatabaseUrl(config, ownerUrl));
  return async () => {
    await embedded?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  };
}

/**
 * Test-only bookkeeping (schema omni_test, never in migrations): which test process created each tenant,
 * by the connection's application_name, so that parallel test files each run their own tenants' jobs
 * (see drainJobs in harness.ts). Publishing lanes claim post targets across tenants in their own process,
 * with that process's configuration (the fakes' URLs): a restrictive policy hides from a test process the
 * targets of tenants another test process made, as its drain leaves their jobs alone.
 */
async function recordTenantCreators(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS omni_test;
      CREATE TABLE IF NOT EXISTS omni_test.tenant_creators (tenant_id uuid PRIMARY KEY, creator text NOT NULL);
      CREATE OR REPLACE FUNCTION omni_test.record_tenant_creator() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog AS $fn$
        BEGIN
          INSERT INTO omni_test.tenant_creators (tenant_id, creator) VALUES (NEW.id, current_setting('application_name'))
            ON CONFLICT (tenant_id) DO NOTHING;
          RETURN NEW;
        END $fn$;
      DROP TRIGGER IF EXISTS omni_test_record_tenant_creator ON public.tenants;
      CREATE TRIGGER omni_test_record_tenant_creator AFTER INSERT ON public.tenants
        FOR EACH ROW EXECUTE FUNCTION omni_test.record_tenant_creator();
      CREATE OR REPLACE FUNCTION omni_test.is_other_test_process_tenant(tenant uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog AS $fn$
          SELECT current_setting('application_name') LIKE 'omni-test-%' AND EXISTS (
            SELECT 1 FROM omni_test.tenant_creators c
             WHERE c.tenant_id = tenant AND c.creator LIKE 'omni-test-%' AND c.creator <> current_setting('application_name'))
        $fn$;
      GRANT USAGE ON SCHEMA omni_test TO PUBLIC;
      DROP POLICY IF EXISTS omni_test_own_tenants ON public.publish_targets;
      CREATE POLICY omni_test_own_tenants ON public.publish_targets AS RESTRICTIVE FOR ALL
        USING (NOT omni_test.is_other_test_process_tenant(tenant_id));`);
  } finally {
    await client.end();
  }
}
