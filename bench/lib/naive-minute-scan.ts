/**
 * The naive alternative of bench/publish-punctuality.ts, run as its own process: a scheduler that wakes at
 * every interval boundary (every minute by default, as a crontab "* * * * *" would), takes every post due
 * by then in one statement (marking them publishing, so an overlapping scan cannot take them twice) and
 * publishes them oldest first with a pool of NAIVE_CONCURRENCY calls in flight, through the same social
 * connections and provider clients as the engine (loadPublishingConnection + provider.publish), recording
 * published_at when the network answered. What it leaves out is what makes the engine: due-time wake-ups,
 * attempt records, fairness, caps and rate windows.
 *
 * Configured by the same environment as a worker (DATABASE_URL, JWT_SECRET, ENCRYPTION_KEY, the networks'
 * base URLs); `--concurrency=N` (default 32) and `--interval=SECONDS` (default 60). Stops on SIGTERM.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { buildKernel } from '../../apps/server/src/app.js';
import { parseConfig } from '../../apps/server/src/kernel/config.js';
import { withSystemAccess, withTenant } from '../../apps/server/src/kernel/db/tenancy.js';
import { createLogger } from '../../apps/server/src/kernel/logger.js';
import { deriveAppDatabaseUrl, resolveConfig } from '../../apps/server/src/kernel/runtime-config.js';
import { loadPublishingConnection, type PublishContent } from '../../apps/server/src/modules/social/index.js';

type DuePost = { id: string; tenant_id: string; connection_id: string; content: PublishContent; idempotency_key: string };

const config = await resolveConfig(parseConfig());
const logger = createLogger(config.LOG_LEVEL);
const kernel = buildKernel(config, logger, deriveAppDatabaseUrl(config, config.DATABASE_URL!));
const { values: options } = parseArgs({ options: { concurrency: { type: 'string', default: '32' }, interval: { type: 'string', default: '60' } } });
const concurrency = Number(options.concurrency);
const intervalMs = Number(options.interval) * 1000;

let stopping = false;
let wakeUp: () => void = () => undefined;
process.on('SIGTERM', () => {
  stopping = true;
  wakeUp();
});

async function publishOne(post: DuePost): Promise<void> {
  let outcome: { externalId: string } | { error: string };
  try {
    const connection = await loadPublishingConnection(kernel, post.tenant_id, post.connection_id);
    const result = await connection.provider.publish(connection.credentials, post.content, post.idempotency_key);
    outcome = { externalId: result.externalId };
  } catch (error) {
    outcome = { error: error instanceof Error ? error.message : String(error) };
  }
  const publishedAt = new Date().toISOString();
  await withTenant({ db: kernel.db, tenantId: post.tenant_id }, (tx) =>
    'externalId' in outcome
      ? tx.execute(sql`UPDATE publish_targets SET status = 'published', published_at = ${publishedAt}::timestamptz, external_id = ${outcome.externalId}, updated_at = now() WHERE id = ${post.id}`)
      : tx.execute(sql`UPDATE publish_targets SET status = 'failed', last_error = ${outcome.error}, updated_at = now() WHERE id = ${post.id}`),
  );
}

async function scan(): Promise<void> {
  const due = await withSystemAccess(kernel, 'bench: naive minute scan', async (tx) => {
    const rows = await tx.execute<DuePost & { scheduled_at: string }>(sql`
      UPDATE publish_targets t SET status = 'publishing', updated_at = now()
        FROM (SELECT id FROM publish_targets WHERE status = 'scheduled' AND scheduled_at <= now() FOR UPDATE SKIP LOCKED) due
       WHERE t.id = due.id
       RETURNING t.id, t.tenant_id, t.connection_id, t.content, t.idempotency_key, t.scheduled_at::text AS scheduled_at`);
    return rows.rows.sort((a, b) => Date.parse(a.scheduled_at) - Date.parse(b.scheduled_at));
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, due.length) }, async () => {
      while (next < due.length) await publishOne(due[next++]!);
    }),
  );
}

while (!stopping) {
  // Sleep to the next interval boundary of the wall clock, then scan.
  const wait = intervalMs - (Date.now() % intervalMs);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, wait);
    wakeUp = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  if (stopping) break;
  await scan();
}
await kernel.db.close();
process.exit(0);
