import { sql, type SQL } from 'drizzle-orm';
import { parseCronItems, run, type Runner, type TaskList } from 'graphile-worker';
import { z, type ZodType } from 'zod';
import type { Tx } from '../db/database.js';
import type { Kernel } from '../kernel.js';
import { withSystemAccess, withTenant } from '../db/tenancy.js';
import { jobsCounter } from '../metrics.js';
import { createWorkerLogger } from './worker-logger.js';

/** What a job's run function receives. tenantId is null for platform jobs (run under system access). */
export type JobContext = Kernel & {
  tenantId: string | null;
  jobId: string;
  attempt: number;
};

export type JobDefinition<P> = {
  id: string;
  payload: ZodType<P>;
  maxAttempts?: number;
  /**
   * true (default): run inside withTenant (or withSystemAccess for platform jobs) and receive tx.
   * false: for jobs that call the outside world and must not hold a transaction open across the call.
   */
  transactional?: boolean;
  /**
   * A crontab time pattern ("* * * * *"): the worker role enqueues this platform job (tenantId null, empty
   * payload) on that schedule, once per slot across all worker processes, without backfilling missed slots.
   */
  cron?: string;
  run(ctx: JobContext, payload: P, tx: Tx | null): Promise<void>;
};

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

const envelopeSchema = z.object({ tenantId: z.string().uuid().nullable(), data: z.unknown() });

export type EnqueueOptions = {
  tenantId: string | null;
  /** Deterministic key: a second enqueue with the same key replaces the pending job instead of adding one. */
  key?: string;
  runAt?: Date;
  maxAttempts?: number;
  /**
   * Jobs sharing a queue name run one at a time, in order, across all workers (graphile-worker named
   * queues): a serialized job waits in the queue instead of holding a worker slot while it waits.
   */
  queueName?: string;
  /** Lower runs first among jobs that are due (graphile-worker priority; default 0). */
  priority?: number;
  /**
   * With a key, a pending job with that key keeps its run_at instead of taking this one (graphile-worker's
   * 'preserve_run_at'): a stream of enqueues cannot postpone the job forever. Default: replaced.
   */
  preserveRunAt?: boolean;
  /** Run this many milliseconds after the database's clock (ignored with runAt). */
  delayMs?: number;
};

/** Enqueue in the caller's transaction, so the job exists exactly when the write it follows commits. */
export async function enqueueJob<P>(tx: Tx, job: JobDefinition<P>, payload: P, options: EnqueueOptions): Promise<void> {
  await tx.execute(sql`SELECT ${addJobCall(job, payload, options)}`);
}

/**
 * The add_job call as an SQL expression, for a statement that enqueues a job along with another write (one
 * round trip instead of two). Same semantics as enqueueJob.
 */
export function addJobCall<P>(job: JobDefinition<P>, payload: P, options: EnqueueOptions): SQL {
  const data = job.payload.parse(payload);
  const envelope = JSON.stringify({ tenantId: options.tenantId, data });
  const runAt = options.runAt
    ? sql`${options.runAt.toISOString()}::timestamptz`
    : options.delayMs
      ? sql`clock_timestamp() + ${options.delayMs}::int * interval '1 millisecond'`
      : sql`NULL::timestamptz`;
  return sql`graphile_worker.add_job(
    identifier => ${job.id},
    payload => ${envelope}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${runAt},
    max_attempts => ${options.maxAttempts ?? job.maxAttempts ?? 10}::int,
    job_key => ${options.key ?? null}::text,
    priority => ${options.priority ?? null}::int,
    job_key_mode => ${options.preserveRunAt ? 'preserve_run_at' : 'replace'}::text
  )`;
}

/**
 * Enqueue several jobs of one kind in one statement (graphile-worker's add_jobs), in the caller's
 * transaction. Jobs without a runAt run in the order given: add_jobs does not keep it in the ids, so
 * their run_at is now() plus one microsecond per position (the queue takes run_at before id).
 */
export async function enqueueJobs<P>(tx: Tx, job: JobDefinition<P>, items: Array<{ payload: P; options: EnqueueOptions }>): Promise<void> {
  if (items.length === 0) return;
  if (items.some(({ options }) => options.preserveRunAt || options.delayMs)) throw new Error('enqueueJobs takes runAt, not preserveRunAt or delayMs');
  const specs = items.map(({ payload, options }, position) => ({
    position,
    payload: { tenantId: options.tenantId, data: job.payload.parse(payload) },
    queue_name: options.queueName ?? null,
    run_at: options.runAt ? options.runAt.toISOString() : null,
    max_attempts: options.maxAttempts ?? job.maxAttempts ?? 10,
    job_key: options.key ?? null,
    priority: options.priority ?? null,
  }));
  await tx.execute(sql`SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
    SELECT ROW(${job.id}::text, s.payload, s.queue_name, coalesce(s.run_at, now() + s.position * interval '1 microsecond'), s.max_attempts, s.job_key, s.priority, NULL)::graphile_worker.job_spec
      FROM json_to_recordset(${JSON.stringify(specs)}::json) AS s(position int, payload json, queue_name text, run_at timestamptz, max_attempts int, job_key text, priority int)
     ORDER BY s.position))`);
}

/**
 * Remove the pending job with this key in the caller's transaction (a cancelled schedule). A job that is
 * already running is not interrupted: it loses its key and finishes, so its run must re-check state.
 */
export async function removeJob(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`SELECT graphile_worker.remove_job(${key}::text)`);
}

export type JobRegistry = Map<string, JobDefinition<unknown>>;

export function createJobRegistry(): JobRegistry {
  return new Map();
}

export function registerJob<P>(registry: JobRegistry, job: JobDefinition<P>): void {
  if (registry.has(job.id)) throw new Error(`Job ${job.id} is defined twice`);
  registry.set(job.id, job as JobDefinition<unknown>);
}

/** Run one job envelope: re-validate, then execute inside the tenant's (or the system's) transaction. */
export async function executeJob(
  deps: Kernel,
  job: JobDefinition<unknown>,
  rawEnvelope: unknown,
  meta: { jobId: string; attempt: number },
): Promise<void> {
  const logger = deps.logger.child({ job: job.id, jobId: meta.jobId, attempt: meta.attempt });
  const envelope = envelopeSchema.safeParse(rawEnvelope);
  const payload = envelope.success ? job.payload.safeParse(envelope.data.data) : null;
  if (!envelope.success || !payload?.success) {
    // A payload that fails validation will never succeed: record it and drop it rather than retry.
    logger.error({ issues: envelope.success ? payload?.error?.issues : envelope.error.issues }, 'job payload invalid; dropped');
    jobsCounter.inc({ job: job.id, outcome: 'invalid' });
    return;
  }
  const ctx: JobContext = { ...deps, logger, tenantId: envelope.data.tenantId, ...meta };
  try {
    if (job.transactional === false) {
      await job.run(ctx, payload.data, null);
    } else if (ctx.tenantId) {
      await withTenant(ctx, (tx) => job.run(ctx, payload.data, tx));
    } else {
      await withSystemAccess(ctx, `job:${job.id}`, (tx) => job.run(ctx, payload.data, tx));
    }
    jobsCounter.inc({ job: job.id, outcome: 'success' });
  } catch (error) {
    jobsCounter.inc({ job: job.id, outcome: 'failure' });
    logger.warn({ err: error }, 'job failed; it will be retried with backoff');
    throw error;
  }
}

export type JobWorker = { stop(): Promise<void> };

/** Start the worker role: graphile-worker polling + LISTEN/NOTIFY, each task through executeJob. */
export async function startJobWorker(deps: Kernel, registry: JobRegistry): Promise<JobWorker> {
  const taskList: TaskList = {};
  for (const [id, job] of registry) {
    taskList[id] = async (payload, helpers) => {
      await executeJob(deps, job, payload, { jobId: String(helpers.job.id), attempt: helpers.job.attempts });
    };
  }
  const cronItems = [...registry.values()]
    .filter((job) => job.cron)
    .map((job) => ({
      task: job.id,
      match: job.cron!,
      identifier: job.id,
      options: { backfillPeriod: 0, maxAttempts: 1, jobKey: `cron:${job.id}` },
      payload: { tenantId: null, data: {} },
    }));
  const runner: Runner = await run({
    pgPool: deps.db.pool,
    taskList,
    parsedCronItems: parseCronItems(cronItems),
    concurrency: deps.config.WORKER_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: createWorkerLogger(deps.logger),
  });
  deps.logger.info({ jobs: [...registry.keys()], concurrency: deps.config.WORKER_CONCURRENCY }, 'worker started');
  return {
    async stop() {
      await runner.stop();
    },
  };
}

/** The transaction a (transactional) job runs in; a job declared non-transactional has none. */
export function requireTransaction(tx: Tx | null): Tx {
  if (!tx) throw new Error('This job runs in a transaction (defineJob without transactional: false)');
  return tx;
}

/** The tenant a job runs for; platform jobs (tenantId null) must not call tenant work. */
export function requireJobTenant(tenantId: string | null): string {
  if (!tenantId) throw new Error('This job runs inside a tenant (enqueued with a tenantId)');
  return tenantId;
}
