import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, buildKernel } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/kernel/config.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { createLogger } from '../../src/kernel/logger.js';
import { testConfig } from '../harness.js';
import { createCrashDatabase, type CrashDatabase } from './crash-database.js';
import { WorkerProcesses, workerEnvironment } from './worker-processes.js';

/**
 * What every crash test stands on: its own database (crash-database.ts, taking its turn), the app on it with
 * the test's settings (for the API calls that make its data), an owner pool for assertions past row-level
 * security, a directory for the workers' logs, and the workers themselves, started with the same settings.
 */
export type CrashApp = {
  database: CrashDatabase;
  config: Config;
  kernel: Kernel;
  app: FastifyInstance;
  owner: pg.Pool;
  logDirectory: string;
  /** Worker processes (the CLI's `worker` role) on the crash database with the test's settings; stopped by close(). */
  startWorkers(count: number): WorkerProcesses;
  /** Queue one run of a sweep job now (tests enqueue the minute sweep every few seconds: the cron would only make them longer). */
  enqueueSweep(jobId: string): Promise<void>;
  /** Stop the workers, close the app and the pools, drop the database, remove the logs. */
  close(): Promise<void>;
};

export async function startCrashApp(settings: Record<string, string>): Promise<CrashApp> {
  const logDirectory = await mkdtemp(path.join(os.tmpdir(), 'omni-crash-'));
  const database = await createCrashDatabase(inject('ownerDatabaseUrl'), parseConfig());
  const config = testConfig(settings);
  const kernel = buildKernel(config, createLogger('silent'), database.appUrl);
  const app = await buildApp(kernel);
  await app.ready();
  const owner = new pg.Pool({ connectionString: database.ownerUrl, max: 3 });
  // end() lets go of clients before their sockets close; dropping the database then ends them (FATAL 57P01).
  owner.on('connect', (client) => client.on('error', () => undefined));
  let workers: WorkerProcesses | undefined;
  return {
    database,
    config,
    kernel,
    app,
    owner,
    logDirectory,
    startWorkers(count) {
      workers = new WorkerProcesses(workerEnvironment(database, config, logDirectory, settings), logDirectory);
      workers.start(count);
      return workers;
    },
    async enqueueSweep(jobId) {
      await owner.query(`SELECT graphile_worker.add_job($1, '{"tenantId":null,"data":{}}'::json, job_key => 'crash-test:sweep', max_attempts => 1)`, [jobId]);
    },
    async close() {
      await workers?.stopAll();
      await app.close();
      await kernel.db.close();
      await owner.end();
      await database.drop();
      await rm(logDirectory, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
