/**
 * Benchmark: publishing punctuality. Posts due within one minute across many tenants and five networks,
 * published by the real engine (the CLI's worker role, as child processes: publishing lanes, wake-up jobs,
 * providers) against local fakes of X, Facebook, Instagram, LinkedIn and Pinterest behind a latency
 * proxy; then, in the same run, the same load published by a naive every-minute scan. Prints lateness
 * (published − due) p50/p99/max, throughput, lost and doubled posts (counted on the fakes), and the ratio.
 *
 *   npm run bench:publish-punctuality [-- --tenants=100 --posts=10000 --networks=5 --workers=2 --concurrency=128 --job-concurrency=4]
 *   npm run bench:publish-punctuality -- --quick        # 4 tenants, 200 posts, a 10-second "minute"
 *   … --latency=30-90 --cap=N --spread=60 --lead=S --timeout=600 --logs=DIR --log-level=debug --profile=DIR
 *   … --engine-only                                      # skip the naive scan (quicker, for comparing engine changes)
 *
 * Uses DATABASE_URL (as the owner) when set, otherwise a throwaway embedded PostgreSQL. Results and how to
 * read them: docs/benchmarks.md, "publish-punctuality".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { parseConfig, type Config } from '../apps/server/src/kernel/config.js';
import { startEmbeddedPostgres } from '../apps/server/src/kernel/db/embedded.js';
import { migrateDatabase } from '../apps/server/src/kernel/db/migrate.js';
import { createLogger } from '../apps/server/src/kernel/logger.js';
import { defaultRateWindows, type RateWindow } from '../apps/server/src/modules/publishing/publishing.rate-windows.js';
import { connectThroughOAuth } from '../apps/server/test/factories/social-connections.js';
import { startFacebookFake } from '../apps/server/test/fakes/facebook.js';
import { startInstagramFake } from '../apps/server/test/fakes/instagram.js';
import { startLinkedInFake } from '../apps/server/test/fakes/linkedin.js';
import { startPinterestFake } from '../apps/server/test/fakes/pinterest.js';
import { startXFake } from '../apps/server/test/fakes/x.js';
import { startLatencyProxy } from './lib/latency-proxy.js';
import { runBench, startBenchApp } from './lib/run-bench.js';
import { cpuSecondsBetween, cpuSnapshot, isPostgres, postmasterPid, type CpuSnapshot } from './lib/proc-cpu.js';

const targets = { maximumP99Seconds: 5, maximumMaxSeconds: 30 };
const networkOrder = ['x', 'facebook', 'instagram', 'linkedin', 'pinterest'] as const;
type Network = (typeof networkOrder)[number];
const publicUrl = 'https://console.omni.test';
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverDirectory = path.join(repositoryRoot, 'apps/server');
/** Marks each post's text: phase letter + index. Letters and digits only, so every wire format keeps it. */
const markerPattern = /omnibench([en])(\d+)x/g;

type Session = { token: string; refreshToken: string; connections: Partial<Record<Network, string>> };
type PhaseName = 'engine' | 'naive';
type PhasePost = { index: number; marker: string; targetId: string; network: Network };
type Lateness = { p50: number; p99: number; max: number };
type PhaseResult = {
  name: PhaseName;
  posts: number;
  dueFrom: Date;
  published: number;
  statuses: Record<string, number>;
  lateness: Lateness;
  /** Engine only: due → the attempt started (the scheduler's share of the lateness; the rest is the call). */
  startDelay: Lateness | null;
  throughput: number;
  lastPublishedAfterDueEnd: number;
  lost: number;
  doubled: number;
  fakePosts: number;
};

async function main() {
  const { values: options } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      tenants: { type: 'string' },
      posts: { type: 'string' },
      networks: { type: 'string', default: '5' },
      /**
       * Worker processes (the CLI's worker role), publishes each runs at once (PUBLISH_LANE_CONCURRENCY) and
       * other jobs each runs at once (WORKER_CONCURRENCY: events, wake-ups; the production default).
       */
      workers: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '128' },
      'job-concurrency': { type: 'string', default: '4' },
      /**
       * Per-network concurrency cap (PUBLISH_NETWORK_CONCURRENCY); default: all lanes' slots, so the cap,
       * a limit for the networks' sake, does not bind and the bench measures the scheduler.
       */
      cap: { type: 'string' },
      /** Per-request latency added in front of every fake, in ms: "min-max". */
      latency: { type: 'string', default: '30-90' },
      /** Length of the due window in seconds (a minute; --quick: 10), also the naive scan's interval. */
      spread: { type: 'string' },
      /** Seconds to let creation finish before the due window opens (default: estimated from --posts). */
      lead: { type: 'string' },
      /** Seconds after the due window closes before unpublished posts count as lost. */
      timeout: { type: 'string', default: '600' },
      /** A directory: keep the worker and naive-scheduler logs there (LOG_LEVEL of the workers: --log-level). */
      logs: { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      /** A directory: write a CPU profile of every worker process there (open in Chrome DevTools). */
      profile: { type: 'string' },
      /** Skip the naive scan: the engine's figures only (for before/after comparisons of engine changes). */
      'engine-only': { type: 'boolean', default: false },
      /** Print the statements that took PostgreSQL's time during each due window (pg_stat_statements; embedded only). */
      statements: { type: 'boolean', default: false },
    },
  });
  const quick = options.quick;
  const tenantCount = Number(options.tenants ?? (quick ? 4 : 100));
  const postCount = Number(options.posts ?? (quick ? 200 : 10_000));
  const networks = networkOrder.slice(0, Math.min(5, Math.max(1, Number(options.networks))));
  const workerCount = Number(options.workers);
  const workerConcurrency = Number(options.concurrency);
  const jobConcurrency = Number(options['job-concurrency']);
  const cap = options.cap ?? String(workerCount * workerConcurrency);
  const spreadSeconds = Number(options.spread ?? (quick ? 10 : 60));
  const [minimumMs, maximumMs] = options.latency.split('-').map(Number) as [number, number];
  const leadSeconds = options.lead === undefined ? null : Number(options.lead);
  const timeoutSeconds = Number(options.timeout);

  const environment = parseConfig();
  const logger = createLogger('warn');
  await runBench(async (cleanup) => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'omni-bench-publish-'));
    await chmod(directory, 0o755);
    cleanup.push(() => rm(directory, { recursive: true, force: true }));
    let ownerUrl = environment.DATABASE_URL;
    if (!ownerUrl) {
      const settings = options.statements ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all', 'pg_stat_statements.track_planning=on'] : [];
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg'), password: 'omni-bench', logger, persistent: false, settings });
      cleanup.push(() => embedded.stop());
      ownerUrl = embedded.url;
    }
    await migrateDatabase({ ownerUrl, appRole: environment.APP_DB_ROLE, appPassword: environment.APP_DB_PASSWORD, logger });
    const owner = new pg.Pool({ connectionString: ownerUrl, max: 4 });
    // As the app's pool (bench/lib/run-bench.ts): end() resolves before the sockets close; without the pause,
    // stopping PostgreSQL right after reports an idle connection as terminated (an unhandled pool error).
    owner.on('error', (error) => console.error('owner connection:', error.message));
    cleanup.push(async () => {
      await owner.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
    });

    // The five networks: fakes speaking each wire format, each behind a proxy that adds latency.
    const fakes = {
      x: await startXFake(),
      facebook: await startFacebookFake(),
      instagram: await startInstagramFake(),
      linkedin: await startLinkedInFake(),
      pinterest: await startPinterestFake(),
    };
    cleanup.push(() => Promise.all(Object.values(fakes).map((fake) => fake.close())));
    const proxy = {} as Record<Network, string>;
    for (const network of networkOrder) {
      const started = await startLatencyProxy(fakes[network].url, { minimumMs, maximumMs });
      cleanup.push(() => started.close());
      proxy[network] = started.url;
    }
    const issueCode: Record<Network, (url: URL) => string> = {
      x: (url) => fakes.x.issueCode(url.searchParams.get('code_challenge')!),
      facebook: (url) => fakes.facebook.issueCode(url.searchParams.get('redirect_uri')!),
      instagram: (url) => fakes.instagram.issueCode(url.searchParams.get('redirect_uri')!),
      linkedin: () => fakes.linkedin.issueCode(),
      pinterest: () => fakes.pinterest.issueCode(),
    };

    const postsPerConnection = Math.ceil(postCount / (tenantCount * networks.length));
    const windows = nonBindingWindows(postsPerConnection, Math.ceil(postCount / networks.length) + (await attemptsInLastDay(owner)));
    // One configuration for the bench's API (setup) and the workers: production, quiet, the fakes' URLs.
    const settings: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      DATA_DIR: directory,
      PUBLIC_URL: publicUrl,
      RATE_LIMIT_PER_MINUTE: '1000000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000000',
      APP_DB_ROLE: environment.APP_DB_ROLE,
      APP_DB_PASSWORD: environment.APP_DB_PASSWORD,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      X_API_URL: proxy.x,
      X_OAUTH_URL: proxy.x,
      X_CLIENT_ID: fakes.x.clientId,
      X_CLIENT_SECRET: fakes.x.clientSecret,
      FACEBOOK_APP_ID: fakes.facebook.appId,
      FACEBOOK_APP_SECRET: fakes.facebook.appSecret,
      FACEBOOK_GRAPH_URL: proxy.facebook,
      FACEBOOK_DIALOG_URL: 'https://dialog.facebook.test',
      INSTAGRAM_GRAPH_URL: proxy.instagram,
      LINKEDIN_API_URL: proxy.linkedin,
      LINKEDIN_OAUTH_URL: proxy.linkedin,
      LINKEDIN_CLIENT_ID: fakes.linkedin.clientId,
      LINKEDIN_CLIENT_SECRET: fakes.linkedin.clientSecret,
      PINTEREST_API_URL: proxy.pinterest,
      PINTEREST_OAUTH_URL: proxy.pinterest,
      PINTEREST_CLIENT_ID: fakes.pinterest.clientId,
      PINTEREST_CLIENT_SECRET: fakes.pinterest.clientSecret,
      PUBLISH_NETWORK_CONCURRENCY: cap,
      PUBLISH_NETWORK_RATE_LIMITS: windows,
    };
    const raw = parseConfig(settings);
    const config: Config = { ...raw, JWT_SECRET: settings.JWT_SECRET!, ENCRYPTION_KEY: settings.ENCRYPTION_KEY! };
    const { app } = await startBenchApp(config, ownerUrl, logger, cleanup);

    const [load1] = os.loadavg();
    console.log(
      `\npublish-punctuality: ${postCount} posts due within ${spreadSeconds} s over ${tenantCount} tenants × ${networks.length} networks (${networks.join(', ')}), ` +
        `${postsPerConnection} per connection; fakes behind ${minimumMs}–${maximumMs} ms latency per request; ${os.cpus().length} cores, Node ${process.version}` +
        `${environment.DATABASE_URL ? ', DATABASE_URL' : ', embedded PostgreSQL'}`,
    );
    console.log(`  Omni: ${workerCount} worker processes (CLI "worker" role) × PUBLISH_LANE_CONCURRENCY ${workerConcurrency}, WORKER_CONCURRENCY ${jobConcurrency}; PUBLISH_NETWORK_CONCURRENCY ${cap}; PUBLISH_DISPATCH_BATCH ${config.PUBLISH_DISPATCH_BATCH}`);
    console.log(`  rate windows: ${windows} (none binds at ${postsPerConnection} posts per connection)`);
    console.log(`  naive: 1 process, a scan every ${spreadSeconds} s on the clock, ${workerCount * workerConcurrency} publishes in flight`);
    if (load1 !== undefined && load1 > 1) console.log(`  WARNING: the machine is busy (1-minute load average ${load1.toFixed(1)}); lateness figures will be worse than on a quiet machine.`);

    const setupStarted = Date.now();
    const sessions = await mapPool(Array.from({ length: tenantCount }, (_, index) => index), 4, (index) => registerTenant(app, index));
    await mapPool(sessions, 8, async (session) => {
      for (const network of networks) session.connections[network] = await connectThroughOAuth(app, session.token, network, issueCode[network]);
    });
    console.log(`  setup: ${tenantCount} tenants registered and ${tenantCount * networks.length} connections made through OAuth in ${((Date.now() - setupStarted) / 1000).toFixed(0)} s`);

    const logDirectory = options.logs ? path.resolve(options.logs) : directory;
    if (options.logs) await mkdir(logDirectory, { recursive: true });
    const workerEnv = {
      ...settings,
      LOG_LEVEL: options['log-level'],
      DATABASE_URL: ownerUrl,
      WORKER_CONCURRENCY: String(jobConcurrency),
      PUBLISH_LANE_CONCURRENCY: String(workerConcurrency),
      // A publish holds a connection only for its two short transactions: a lane's slots share a pool.
      DB_POOL_MAX: String(Math.min(workerConcurrency, 32) + jobConcurrency + 4),
    };
    const profileFlags = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profile)}`] : [];
    // CPU spent by the scheduler's processes and by PostgreSQL (embedded only: its postmaster's children).
    const postmaster = environment.DATABASE_URL ? null : postmasterPid(path.join(directory, 'pg'));
    const phaseCpu = new Map<PhaseName, { scheduler: number; database: number | null; transactions: number }>();
    const phases: PhaseResult[] = [];
    const allPosts: PhasePost[] = [];
    const phaseNames: PhaseName[] = options['engine-only'] ? ['engine'] : ['engine', 'naive'];
    for (const name of phaseNames) {
      await refreshSessions(app, sessions);
      const creationStarted = Date.now();
      // Without --lead, time the first posts (scheduled a day out for now) to place the window just after
      // creation ends; they are moved into the window afterwards through PATCH, as a person reschedules.
      const probeCount = leadSeconds === null ? Math.min(postCount, Math.max(50, Math.ceil(postCount / 50))) : 0;
      const aDayOut = new Date(Date.now() + 86_400_000);
      const probe = await createPosts(app, sessions, networks, name, range(0, probeCount), () => aDayOut);
      const perPostMs = (Date.now() - creationStarted) / Math.max(1, probeCount);
      const leadMs = leadSeconds === null ? 20_000 + perPostMs * postCount * 1.2 : leadSeconds * 1000;
      const dueFrom = nextBoundary(Date.now() + leadMs, spreadSeconds);
      const dueAtOf = (index: number) => new Date(dueFrom + Math.floor((index / postCount) * spreadSeconds * 1000));
      const posts = [...probe, ...(await createPosts(app, sessions, networks, name, range(probeCount, postCount), dueAtOf))];
      await mapPool(probe, 8, (post) =>
        callJson(app, { method: 'PATCH', url: `/api/publishing/targets/${post.targetId}`, token: sessions[post.index % sessions.length]!.token, body: { scheduledAt: dueAtOf(post.index).toISOString() } }),
      );
      allPosts.push(...posts);
      // Fresh statistics for the tables the burst just filled, as autovacuum keeps them on a database that has
      // been running: its first pass comes up to a minute after a bulk insert, and a window opening before it
      // ran its first seconds on plans made for nearly empty tables (whole-database pauses of 1.5-2 s, p99 9-11 s).
      await owner.query('ANALYZE');
      const secondsToSpare = (dueFrom - Date.now()) / 1000;
      console.log(`  ${name}: ${posts.length} posts created through POST /api/publishing/targets in ${((Date.now() - creationStarted) / 1000).toFixed(0)} s, ${secondsToSpare.toFixed(0)} s before the window`);
      if (secondsToSpare < 5) throw new Error('Creating the posts ran into the due window: pass --lead (seconds from the start of creation to the window).');
      const listenersBefore = await countQueueListeners(owner);
      const children =
        name === 'engine'
          ? Array.from({ length: workerCount }, (_, index) => startChild([...profileFlags, '--import', 'tsx', 'src/main.ts', 'worker'], workerEnv, path.join(logDirectory, `worker-${index + 1}.log`)))
          : [
              startChild(
                ['--import', 'tsx', path.join(repositoryRoot, 'bench/lib/naive-minute-scan.ts'), `--concurrency=${workerCount * workerConcurrency}`, `--interval=${spreadSeconds}`],
                workerEnv,
                path.join(logDirectory, 'naive.log'),
              ),
            ];
      try {
        if (name === 'engine') {
          // Started, connected and listening for jobs before the window opens (tsx compiles on start-up).
          const ready = await waitForQueueListeners(owner, listenersBefore + workerCount, dueFrom - 2000);
          if (!ready) throw new Error('The workers were not listening for jobs 2 s before the window: pass a larger --lead.');
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueFrom - Date.now())));
        if (options.statements) await resetStatementStatistics(owner);
        const cpuBefore = cpuTicks(children, postmaster);
        const transactionsBefore = await committedTransactions(owner);
        await waitUntilSettled(owner, posts, dueAtOf, dueFrom + (spreadSeconds + timeoutSeconds) * 1000, children);
        const cpu = cpuSecondsBetween(cpuBefore, cpuTicks(children, postmaster), ['scheduler', 'database']);
        // Including the bench's own polling of the outcome (a few statements a second).
        const transactions = (await committedTransactions(owner)) - transactionsBefore;
        if (options.statements) await printStatementStatistics(owner, name, posts.length);
        phaseCpu.set(name, { scheduler: cpu.scheduler, database: postmaster ? cpu.database : null, transactions });
      } finally {
        await Promise.all(children.map(stopChild));
      }
      phases.push(await summarize(owner, name, posts, new Date(dueFrom), spreadSeconds));
    }

    // Count every post on the fakes by idempotency key (Pinterest keeps ours in the pin's note; the other
    // networks have no such field, so the marker in the text maps the post back to its target and key).
    const keys = await idempotencyKeys(owner, allPosts);
    const copies = new Map<string, number>();
    let fakePosts = 0;
    for (const network of networks) {
      for (const stored of fakes[network].published() as unknown[]) {
        fakePosts += 1;
        const note = network === 'pinterest' ? (stored as { note: string | null }).note : null;
        const text = JSON.stringify(stored);
        const byMarker = [...text.matchAll(markerPattern)].map((match) => keys.get(`omnibench${match[1]}${match[2]}x`));
        const key = note?.startsWith('omni:') ? note.slice('omni:'.length) : byMarker[0];
        if (key) copies.set(key, (copies.get(key) ?? 0) + 1);
      }
    }
    for (const phase of phases) {
      const phaseKeys = allPosts.filter((post) => phaseOf(post) === phase.name).map((post) => keys.get(post.marker)!);
      phase.lost = phaseKeys.filter((key) => (copies.get(key) ?? 0) === 0).length;
      phase.doubled = phaseKeys.filter((key) => (copies.get(key) ?? 0) > 1).length;
      phase.fakePosts = phaseKeys.reduce((sum, key) => sum + (copies.get(key) ?? 0), 0);
    }
    console.log(`  fakes hold ${fakePosts} posts in all`);

    const [omni, naive] = phases as [PhaseResult, PhaseResult | undefined];
    console.log('');
    console.log('                                    lateness p50    p99      max   throughput  drain after window  lost  doubled');
    for (const phase of phases) {
      const label = phase.name === 'engine' ? `Omni engine (${workerCount} × ${workerConcurrency} lane slots)` : `naive ${spreadSeconds}-s scan (${workerCount * workerConcurrency} in flight)`;
      console.log(
        `  ${label.padEnd(34)} ${seconds(phase.lateness.p50)} ${seconds(phase.lateness.p99)} ${seconds(phase.lateness.max)}  ${phase.throughput.toFixed(0).padStart(5)} posts/s ` +
          `${seconds(phase.lastPublishedAfterDueEnd).padStart(14)}      ${String(phase.lost).padStart(4)} ${String(phase.doubled).padStart(8)}   (${describeStatuses(phase.statuses)})`,
      );
    }
    if (omni.startDelay) {
      console.log(`  Omni, due → attempt started: p50 ${omni.startDelay.p50.toFixed(2)} s, p99 ${omni.startDelay.p99.toFixed(2)} s, max ${omni.startDelay.max.toFixed(2)} s (the rest of the lateness is the network call)`);
    }
    for (const phase of phases) {
      const cpu = phaseCpu.get(phase.name);
      if (!cpu) continue;
      const perPost = (seconds: number) => `${((seconds * 1000) / phase.posts).toFixed(1)} ms`;
      console.log(
        `  CPU per post, due window to last publish (${phase.name === 'engine' ? 'Omni' : 'naive'}): scheduler processes ${perPost(cpu.scheduler)}` +
          `${cpu.database === null ? '' : `, PostgreSQL ${perPost(cpu.database)}`}; ${(cpu.transactions / phase.posts).toFixed(1)} database transactions per post`,
      );
    }
    if (naive) {
      const ratio = (pick: (lateness: Lateness) => number) => pick(naive.lateness) / Math.max(0.001, pick(omni.lateness));
      console.log(`  ratio (naive ÷ Omni lateness): p50 ${ratio((l) => l.p50).toFixed(1)}×, p99 ${ratio((l) => l.p99).toFixed(1)}×, max ${ratio((l) => l.max).toFixed(1)}×`);
    }
    const checks = [
      { label: `Omni p99 ${omni.lateness.p99.toFixed(2)} s (target ≤ ${targets.maximumP99Seconds} s)`, passed: omni.lateness.p99 <= targets.maximumP99Seconds },
      { label: `Omni max ${omni.lateness.max.toFixed(2)} s (target ≤ ${targets.maximumMaxSeconds} s)`, passed: omni.lateness.max <= targets.maximumMaxSeconds },
      { label: `Omni lost ${omni.lost} (target 0)`, passed: omni.lost === 0 },
      { label: `Omni doubled ${omni.doubled} (target 0)`, passed: omni.doubled === 0 },
    ];
    for (const check of checks) console.log(`  ${check.label}: ${check.passed ? 'PASS' : 'FAIL'}`);
    const passed = checks.every((check) => check.passed);
    console.log(`  overall: ${passed ? 'PASS' : 'FAIL'}\n`);
    return passed;
  });
}

async function resetStatementStatistics(owner: pg.Pool): Promise<void> {
  await owner.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await owner.query('SELECT pg_stat_statements_reset()');
}

/** The statements that took PostgreSQL's time since the reset, the costliest first, per post. */
async function printStatementStatistics(owner: pg.Pool, phase: PhaseName, posts: number): Promise<void> {
  // Planning counts too: a statement sent with parameters but no name is planned on every call.
  const rows = await owner.query<{ query: string; calls: string; total: number; mean: number; plan: number }>(
    `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, total_exec_time + total_plan_time AS total,
            (total_exec_time + total_plan_time) / greatest(calls, 1) AS mean, total_plan_time AS plan
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time + total_plan_time DESC LIMIT 30`,
  );
  const all = await owner.query<{ total: number; plan: number; calls: string }>(
    `SELECT sum(total_exec_time + total_plan_time) AS total, sum(total_plan_time) AS plan, sum(calls) AS calls
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const perPost = (value: unknown) => (Number(value ?? 0) / posts).toFixed(2);
  console.log(`  ${phase}: statements by planning + execution time (pg_stat_statements; all: ${perPost(all.rows[0]?.total)} ms, of which planning ${perPost(all.rows[0]?.plan)} ms, and ${perPost(all.rows[0]?.calls)} calls per post)`);
  for (const row of rows.rows) {
    console.log(`    ${(row.total / posts).toFixed(3).padStart(7)} ms/post (plan ${(row.plan / posts).toFixed(3)}) ${(Number(row.calls) / posts).toFixed(2).padStart(6)} calls/post ${row.mean.toFixed(2).padStart(7)} ms  ${row.query.slice(0, 140)}`);
  }
}

/** Transactions committed in the bench's database so far (pg_stat_database: every connection, every role). */
async function committedTransactions(owner: pg.Pool): Promise<number> {
  const rows = await owner.query<{ commits: string }>('SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows.rows[0]!.commits);
}

/**
 * The networks' default windows, in force (the dispatcher computes them on every run), but raised where
 * one would bind at this size: the bench measures the scheduler, not the networks' quotas.
 */
function nonBindingWindows(postsPerConnection: number, attemptsPerNetwork: number): string {
  const raise = (window: RateWindow) => Math.max(window.limit, window.scope === 'connection' ? postsPerConnection : attemptsPerNetwork);
  return defaultRateWindows.map((window) => `${window.network}${window.scope === 'app' ? ':app' : ''}=${raise(window)}/${window.seconds}`).join(',');
}

/** Publish attempts already in the database (a reused DATABASE_URL): they count in the app-wide windows. */
async function attemptsInLastDay(owner: pg.Pool): Promise<number> {
  const rows = await owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM publish_attempts WHERE started_at > now() - interval '1 day'`);
  return rows.rows[0]!.count;
}

function nextBoundary(at: number, spreadSeconds: number): number {
  const step = spreadSeconds * 1000;
  return Math.ceil(at / step) * step;
}

async function mapPool<T, R>(items: T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index]!);
      }
    }),
  );
  return results;
}

async function callJson<T>(app: FastifyInstance, init: { method: 'GET' | 'POST' | 'PATCH'; url: string; token?: string; body?: unknown }): Promise<T> {
  const response = await app.inject({
    method: init.method,
    url: init.url,
    headers: init.token ? { authorization: `Bearer ${init.token}` } : {},
    ...(init.body === undefined ? {} : { payload: init.body as Record<string, unknown> }),
  });
  if (response.statusCode >= 300) throw new Error(`${init.method} ${init.url} → ${response.statusCode}: ${response.body}`);
  return response.json<T>();
}

async function registerTenant(app: FastifyInstance, index: number): Promise<Session> {
  const suffix = `${index}-${randomBytes(3).toString('hex')}`;
  const session = await callJson<{ accessToken: string; refreshToken: string }>(app, {
    method: 'POST',
    url: '/api/auth/register',
    body: { name: `Bench Owner ${index}`, email: `bench-${suffix}@example.com`, password: `bench-password-${suffix}`, tenantName: `Bench ${suffix}`, tenantSlug: `bench-${suffix}` },
  });
  return { token: session.accessToken, refreshToken: session.refreshToken, connections: {} };
}

/** Access tokens live 15 minutes at most: rotate every tenant's session before a phase creates posts. */
async function refreshSessions(app: FastifyInstance, sessions: Session[]): Promise<void> {
  await mapPool(sessions, 8, async (session) => {
    const renewed = await callJson<{ accessToken: string; refreshToken: string }>(app, { method: 'POST', url: '/api/auth/refresh', body: { refreshToken: session.refreshToken } });
    session.token = renewed.accessToken;
    session.refreshToken = renewed.refreshToken;
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, offset) => from + offset);
}

/**
 * The phase's posts through the API, as a client schedules them: post i goes to tenant i mod T on the
 * networks in turn, due at dueAtOf(i), with a marker in its text. Instagram and Pinterest posts carry an
 * image (a URL under PUBLIC_URL, which the media policy allows).
 */
async function createPosts(
  app: FastifyInstance,
  sessions: Session[],
  networks: readonly Network[],
  phase: PhaseName,
  indexes: number[],
  dueAtOf: (index: number) => Date,
): Promise<PhasePost[]> {
  return mapPool(indexes, 8, async (index) => {
    const session = sessions[index % sessions.length]!;
    const network = networks[Math.floor(index / sessions.length) % networks.length]!;
    const marker = `omnibench${phase === 'engine' ? 'e' : 'n'}${index}x`;
    const needsImage = network === 'instagram' || network === 'pinterest';
    const target = await callJson<{ id: string }>(app, {
      method: 'POST',
      url: '/api/publishing/targets',
      token: session.token,
      body: {
        connectionId: session.connections[network],
        content: {
          text: `Fresh from the oven, batch ${index} ${marker}`,
          media: needsImage ? [{ url: `${publicUrl}/media/bench-${index % 10}.png`, kind: 'image', altText: null, mimeType: 'image/png' }] : [],
        },
        scheduledAt: dueAtOf(index).toISOString(),
      },
    });
    return { index, marker, targetId: target.id, network };
  });
}

function startChild(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  // The environment is exactly `env`: the child's whole configuration, nothing inherited by accident.
  const child = spawn(process.execPath, args, { cwd: serverDirectory, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  (child as ChildProcess & { logFile: string }).logFile = logFile;
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Poll (every 500 ms) until every post has left scheduled/publishing/unconfirmed or the deadline passes.
 * Cheap on purpose, since it shares the machine with what it measures: a post not due yet is open without
 * asking, and only the due posts not yet seen settled are looked up (asking about all 10,000 ids took
 * ~40 ms of the database per poll).
 */
async function waitUntilSettled(owner: pg.Pool, posts: PhasePost[], dueAtOf: (index: number) => Date, deadline: number, children: ChildProcess[]): Promise<void> {
  const byDueTime = [...posts].sort((a, b) => a.index - b.index);
  let nextToAsk = 0;
  let asking: string[] = [];
  let lastReport = 0;
  for (;;) {
    const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (dead) {
      const logFile = (dead as ChildProcess & { logFile: string }).logFile;
      throw new Error(`a child process exited (${dead.exitCode ?? dead.signalCode}):\n${readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n')}`);
    }
    const now = Date.now();
    while (nextToAsk < byDueTime.length && dueAtOf(byDueTime[nextToAsk]!.index).getTime() <= now) asking.push(byDueTime[nextToAsk++]!.targetId);
    if (asking.length > 0) {
      const rows = await owner.query<{ id: string }>(
        `SELECT id FROM publish_targets WHERE id = ANY($1::uuid[]) AND status IN ('scheduled', 'publishing', 'unconfirmed')`,
        [asking],
      );
      asking = rows.rows.map((row) => row.id);
    }
    const open = asking.length + (byDueTime.length - nextToAsk);
    if (open === 0 || Date.now() > deadline) return;
    if (Date.now() - lastReport > 10_000 && open < posts.length) {
      lastReport = Date.now();
      console.log(`    … ${posts.length - open} of ${posts.length} settled`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** CPU of the scheduler's child processes and of the embedded PostgreSQL (its postmaster's children). */
function cpuTicks(children: ChildProcess[], postmaster: number | null): CpuSnapshot<'scheduler' | 'database'> {
  const childPids = new Set(children.map((child) => child.pid));
  const isDatabase = postmaster === null ? () => undefined : isPostgres(postmaster);
  return cpuSnapshot((pid, parentPid) => (childPids.has(pid) ? 'scheduler' : isDatabase(pid, parentPid)));
}

/** graphile-worker runners LISTEN on one connection each: how many are listening now. */
async function countQueueListeners(owner: pg.Pool): Promise<number> {
  const rows = await owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM pg_stat_activity WHERE query ILIKE 'listen%jobs:insert%'`);
  return rows.rows[0]!.count;
}

async function waitForQueueListeners(owner: pg.Pool, expected: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if ((await countQueueListeners(owner)) >= expected) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function phaseOf(post: PhasePost): PhaseName {
  return post.marker.startsWith('omnibenche') ? 'engine' : 'naive';
}

async function summarize(owner: pg.Pool, name: PhaseName, posts: PhasePost[], dueFrom: Date, spreadSeconds: number): Promise<PhaseResult> {
  const rows = await owner.query<{ status: string; scheduled_at: Date; published_at: Date | null; first_started_at: Date | null }>(
    `SELECT t.status, t.scheduled_at, t.published_at, (SELECT min(a.started_at) FROM publish_attempts a WHERE a.target_id = t.id) AS first_started_at
       FROM publish_targets t WHERE t.id = ANY($1::uuid[])`,
    [posts.map((post) => post.targetId)],
  );
  const statuses: Record<string, number> = {};
  const lateness: number[] = [];
  const startDelays: number[] = [];
  let lastPublished = dueFrom.getTime();
  for (const row of rows.rows) {
    statuses[row.status] = (statuses[row.status] ?? 0) + 1;
    if (row.first_started_at) startDelays.push((row.first_started_at.getTime() - row.scheduled_at.getTime()) / 1000);
    if (row.status === 'published' && row.published_at) {
      lateness.push((row.published_at.getTime() - row.scheduled_at.getTime()) / 1000);
      lastPublished = Math.max(lastPublished, row.published_at.getTime());
    }
  }
  const elapsedSeconds = Math.max(0.001, (lastPublished - dueFrom.getTime()) / 1000);
  return {
    name,
    posts: posts.length,
    dueFrom,
    published: lateness.length,
    statuses,
    lateness: percentiles(lateness),
    startDelay: startDelays.length > 0 ? percentiles(startDelays) : null,
    throughput: lateness.length / elapsedSeconds,
    lastPublishedAfterDueEnd: (lastPublished - dueFrom.getTime()) / 1000 - spreadSeconds,
    lost: 0,
    doubled: 0,
    fakePosts: 0,
  };
}

function percentiles(values: number[]): Lateness {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!);
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

async function idempotencyKeys(owner: pg.Pool, posts: PhasePost[]): Promise<Map<string, string>> {
  const rows = await owner.query<{ id: string; idempotency_key: string }>('SELECT id, idempotency_key FROM publish_targets WHERE id = ANY($1::uuid[])', [
    posts.map((post) => post.targetId),
  ]);
  const byTarget = new Map(rows.rows.map((row) => [row.id, row.idempotency_key]));
  return new Map(posts.map((post) => [post.marker, byTarget.get(post.targetId)!]));
}

function seconds(value: number): string {
  return `${value.toFixed(2)} s`.padStart(9);
}

function describeStatuses(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
}

await main();
