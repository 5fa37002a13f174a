import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, buildJobRegistry, buildKernel } from '../src/app.js';
import { parseConfig, type Config } from '../src/kernel/config.js';
import { executeJob, type JobRegistry } from '../src/kernel/jobs/jobs.js';
import type { Kernel } from '../src/kernel/kernel.js';
import { createLogger } from '../src/kernel/logger.js';
import { runPublishingLane } from '../src/modules/publishing/use-cases/lane.js';

export type TestApp = {
  app: FastifyInstance;
  kernel: Kernel;
  jobs: JobRegistry;
  /** A connection as the database owner, for assertions that must look past row-level security. */
  owner: pg.Pool;
  /** Run every due job in the queue now (in this process), repeatedly, until none is left. */
  drainJobs(): Promise<number>;
  close(): Promise<void>;
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  const raw = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    ENCRYPTION_KEY: 'test-encryption-key-test-encryption-key-01',
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    SEED_DEMO: 'false',
    // A drain runs what is due now: an event's batch job must be due at once.
    EVENTS_BATCH_DELAY_MS: '0',
    ...overrides,
  });
  return raw as Config;
}

export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const logger = createLogger(config.LOG_LEVEL);
  const kernel = buildKernel(config, logger, withDrainerName(inject('appDatabaseUrl')));
  const jobs = buildJobRegistry(kernel);
  const app = await buildApp(kernel);
  await app.ready();
  const owner = new pg.Pool({ connectionString: withDrainerName(inject('ownerDatabaseUrl')), max: 2 });
  return {
    app,
    kernel,
    jobs,
    owner,
    drainJobs: () => drainJobs(kernel, jobs, owner),
    async close() {
      await app.close();
      await kernel.db.close();
      await owner.end();
    },
  };
}

/**
 * Claim and run due jobs the way the worker does (through executeJob), without a background runner, so
 * tests are deterministic. Jobs are claimed with SKIP LOCKED and removed on success.
 *
 * Test files run in parallel processes on one queue, each with its own configuration (fake servers'
 * URLs, limits). A process leaves alone the jobs of tenants another test process created (global-setup
 * records each tenant's creator by the connection's application_name), and platform jobs naming such a
 * tenant in data.tenantIds, so a job runs with the configuration of the test that caused it. Other
 * platform jobs are anyone's: before saying "nothing left" a
 * drain waits (bounded) for those another drain holds, as they may enqueue this process's next jobs.
 */
async function drainJobs(kernel: Kernel, jobs: JobRegistry, owner: pg.Pool): Promise<number> {
  let ran = 0;
  const me = drainerName;
  // A platform job that names the tenants it works for (data.tenantIds: the outbox's several-tenant batch)
  // belongs to the process that made them, as a tenant's job does.
  const claimable = `(NOT EXISTS (
      SELECT 1 FROM omni_test.tenant_creators c
       WHERE c.creator LIKE 'omni-test-%' AND c.creator <> $2
         AND (c.tenant_id = (j.payload->>'tenantId')::uuid
              OR (j.payload->>'tenantId' IS NULL AND jsonb_typeof(j.payload::jsonb->'data'->'tenantIds') = 'array'
                  AND c.tenant_id IN (SELECT x::uuid FROM jsonb_array_elements_text(j.payload::jsonb->'data'->'tenantIds') x)))))`;
  const waitUntil = Date.now() + 20_000;
  for (let round = 0; round < 50; round += 1) {
    // Locked as the worker locks them (locked_at), so that adding a job with the same key while one runs
    // makes a new job instead of rewriting the running one, which would then be deleted unrun.
    const { rows } = await owner.query<{ id: string; task_identifier: string; payload: unknown; attempts: number }>(
      `WITH claimed AS (
         SELECT j.id FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
          WHERE j.run_at <= now() AND j.locked_at IS NULL AND j.attempts < j.max_attempts
            AND t.identifier = ANY($1::text[]) AND ${claimable}
          ORDER BY j.id LIMIT 20 FOR UPDATE OF j SKIP LOCKED)
       UPDATE graphile_worker._private_jobs j SET locked_at = now(), locked_by = $2
         FROM claimed, graphile_worker._private_tasks t
        WHERE j.id = claimed.id AND t.id = j.task_id
       RETURNING j.id, t.identifier AS task_identifier, j.payload, j.attempts`,
      [[...jobs.keys()], me],
    );
    if (rows.length === 0 && Date.now() < waitUntil) {
      const elsewhere = await owner.query(
        `SELECT 1 FROM graphile_worker._private_jobs j
          WHERE j.locked_by LIKE 'omni-test-%' AND j.locked_by <> $1 AND j.locked_at > now() - interval '1 minute'
            AND ${claimable} LIMIT 1`,
        [me, me],
      );
      if (elsewhere.rows.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        round -= 1;
        continue;
      }
    }
    rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    if (rows.length === 0) {
      // This process's publishing lane, as a worker runs it on a wake-up (which another test process may
      // have taken): what is due now, no look-ahead. Its outcomes may have queued more jobs.
      const started = jobs.has('publishing.dispatch') ? await runPublishingLane(kernel, { lookaheadMs: 0 }) : 0;
      if (started === 0) return ran;
      ran += started;
      continue;
    }
    for (const row of rows) {
      const job = jobs.get(row.task_identifier)!;
      try {
        await executeJob(kernel, job, row.payload, { jobId: row.id, attempt: row.attempts + 1 });
        await owner.query('DELETE FROM graphile_worker._private_jobs WHERE id = $1', [row.id]);
      } catch (error) {
        await owner.query(
          `UPDATE graphile_worker._private_jobs SET attempts = attempts + 1, last_error = $2, run_at = now() + interval '1 hour', locked_at = NULL, locked_by = NULL WHERE id = $1`,
          [row.id, (error as Error).message],
        );
      }
      ran += 1;
    }
  }
  return ran;
}

/** This test process's name on its connections (application_name) and on the jobs its drains lock. */
const drainerName = `omni-test-${process.pid}`;

function withDrainerName(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', drainerName);
  return url.toString();
}

export type JsonResponse<T = unknown> = LightMyRequestResponse & { body: string; json: () => T };

/** app.inject with a bearer token and JSON body. */
export async function request(app: FastifyInstance, options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse> {
  const { token, headers, ...rest } = options;
  return app.inject({ ...rest, headers: { ...(headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

let counter = 0;
/** A unique suffix for emails and slugs, so tests sharing one database never collide. */
export function uniqueSuffix(): string {
  counter += 1;
  return `${Date.now().toString(36)}${process.pid.toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
