import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, buildJobRegistry, buildKernel } from './app.js';
import { parseConfig } from './kernel/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './kernel/db/embedded.js';
import { migrateDatabase } from './kernel/db/migrate.js';
import { startJobWorker, type JobWorker } from './kernel/jobs/jobs.js';
import { createLogger, type Logger } from './kernel/logger.js';
import { deriveAppDatabaseUrl, resolveConfig } from './kernel/runtime-config.js';
import { seedDemoPlatform, type DemoLogin } from './seed.js';

type Command = 'start' | 'api' | 'worker' | 'migrate' | 'seed';
const commands: Command[] = ['start', 'api', 'worker', 'migrate', 'seed'];
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function main() {
  const command = (process.argv[2] ?? 'start') as Command;
  if (!commands.includes(command)) {
    console.error(`Usage: omni <${commands.join('|')}>\n  start    API + worker + web console (embedded PostgreSQL unless DATABASE_URL is set)\n  api      HTTP API only\n  worker   background jobs only\n  migrate  apply database migrations\n  seed     create the demo platform`);
    process.exit(2);
  }
  const raw = parseConfig(undefined, { DATA_DIR: path.join(repositoryRoot, 'data'), WEB_DIST_DIR: path.join(repositoryRoot, 'apps/web/dist') });
  const config = await resolveConfig(raw);
  const logger = createLogger(config.LOG_LEVEL, process.stdout.isTTY && config.NODE_ENV !== 'production');
  const stack: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Ctrl-C reaches the embedded PostgreSQL too (same process group), so connections drop while we
    // close them; those expected disconnect errors are silenced. Our own failures still reach stderr.
    logger.level = 'fatal';
    for (const stop of stack.reverse()) {
      await stop().catch((error: unknown) => process.stderr.write(`shutdown step failed: ${(error as Error).message}\n`));
    }
    process.stdout.write('Omni stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if ((command === 'api' || command === 'worker') && !config.DATABASE_URL) {
    console.error(`"${command}" runs one role against a shared database: set DATABASE_URL (or use "start" for the all-in-one embedded mode).`);
    process.exit(2);
  }
  let ownerUrl = config.DATABASE_URL;
  let embedded: EmbeddedDatabase | undefined;
  if (!ownerUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), password: config.localDatabasePassword, logger });
    stack.push(() => embedded!.stop());
    ownerUrl = embedded.url;
  }
  const appUrl = deriveAppDatabaseUrl(config, ownerUrl);

  if (command === 'start' || command === 'migrate' || embedded) {
    const { applied } = await migrateDatabase({ ownerUrl, appRole: config.APP_DB_ROLE, appPassword: config.APP_DB_PASSWORD, logger });
    logger.info({ applied: applied.length }, 'database migrated');
  }
  if (command === 'migrate') return shutdown('done');

  const kernel = buildKernel(config, logger, appUrl);
  stack.push(() => kernel.db.close());
  const jobs = buildJobRegistry(kernel);

  let logins: DemoLogin[] = [];
  if (command === 'seed' || (command === 'start' && config.SEED_DEMO)) logins = await seedDemoPlatform(kernel);
  if (command === 'seed') {
    printLogins(logger, logins, null);
    return shutdown('done');
  }

  let worker: JobWorker | undefined;
  if (command === 'start' || command === 'worker') {
    worker = await startJobWorker(kernel, jobs);
    stack.push(() => worker!.stop());
  }
  if (command === 'start' || command === 'api') {
    const app = await buildApp(kernel);
    stack.push(() => app.close());
    await app.listen({ host: config.HOST, port: config.PORT });
    const url = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
    printLogins(logger, logins, url);
  }
}

function printLogins(logger: Logger, logins: DemoLogin[], url: string | null) {
  const lines = [''];
  if (url) lines.push(`  Omni is running at ${url}`, `  API docs:          ${url}/docs`, '');
  if (logins.length > 0) {
    const roleWidth = Math.max(...logins.map((login) => login.role.length)) + 2;
    const emailWidth = Math.max(...logins.map((login) => login.email.length)) + 2;
    lines.push('  Demo logins:');
    for (const login of logins) lines.push(`    ${login.role.padEnd(roleWidth)}${login.email.padEnd(emailWidth)}${login.password}`);
    lines.push('');
  }
  if (lines.length > 1) process.stdout.write(`${lines.join('\n')}\n`);
  logger.debug('logins printed');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
