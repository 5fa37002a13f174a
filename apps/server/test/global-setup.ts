import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  project.provide('ownerDatabaseUrl', ownerUrl);
  project.provide('appDatabaseUrl', deriveAppDatabaseUrl(config, ownerUrl));
  return async () => {
    await embedded?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  };
}
