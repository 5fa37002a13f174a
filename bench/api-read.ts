/**
 * Benchmark: an authenticated, tenant-scoped list read through the real app, against the same SQL served
 * by a bare node:http + pg server (no framework, no auth, owner role, no RLS) — same database, same load.
 *
 *   npm run bench:api-read [-- --connections=50 --duration=10 --warmup=3 --rounds=2 --accounts=60 --profile=DIR]
 *
 * Uses DATABASE_URL (as the owner) when set, otherwise a throwaway embedded PostgreSQL. Results and how
 * to read them: docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseConfig, type Config } from '../apps/server/src/kernel/config.js';
import { findFreePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../apps/server/src/kernel/db/embedded.js';
import { migrateDatabase } from '../apps/server/src/kernel/db/migrate.js';
import { createLogger } from '../apps/server/src/kernel/logger.js';
import { measureLoad, type LoadResult } from './lib/load.js';
import { runBench, startBenchApp } from './lib/run-bench.js';
import { cpuSecondsBetween, cpuSnapshot, isPostgres, postmasterPid } from './lib/proc-cpu.js';

const targets = { minimumRatio: 0.85, maximumP99Ms: 25 };
const listLimit = 50;

type Measurement = LoadResult & { cpuMicrosecondsPerRequest: number; databaseCpuMicrosecondsPerRequest: number | null };

type AccountPage = { items: Array<{ id: string; name: string; slug: string; status: string; createdAt: string }>; nextCursor: string | null };

/**
 * The alternative's query: the SQL the tenancy module runs for a tenant admin's first page of accounts
 * (selectAccounts in tenancy.queries.ts: same columns, filter, order, and limit + 1 to detect a next
 * page), without the RLS transaction around it.
 */
const bareListSql = `SELECT a.id, a.tenant_id, a.name, a.slug, a.status, a.settings, a.created_at, a.updated_at, a.created_at::text AS cursor_at
  FROM accounts a WHERE a.tenant_id = $1 AND a.status = $2 ORDER BY a.created_at, a.id LIMIT $3`;

type BareRow = { id: string; name: string; slug: string; status: string; created_at: Date; cursor_at: string };

async function main() {
  const { values: options } = parseArgs({
    options: {
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
      accounts: { type: 'string', default: '60' },
      /** A directory: write a CPU profile of this process for every measured run (open in Chrome DevTools). */
      profile: { type: 'string' },
    },
  });
  const connections = Number(options.connections);
  const durationSeconds = Number(options.duration);
  const warmupSeconds = Number(options.warmup);
  const rounds = Number(options.rounds);
  const accountCount = Math.max(Number(options.accounts), listLimit + 1);

  const environment = parseConfig();
  const logger = createLogger('warn');
  await runBench(async (cleanup) => {
    let ownerUrl = environment.DATABASE_URL;
    // Embedded only: PostgreSQL's CPU per request, read from /proc (an external server is not ours to count).
    let postmaster: number | null = null;
    if (!ownerUrl) {
      const directory = await mkdtemp(path.join(os.tmpdir(), 'omni-bench-pg-'));
      // As root, PostgreSQL runs as the postgres user, which must be able to reach its data directory.
      await chmod(directory, 0o755);
      cleanup.push(() => rm(directory, { recursive: true, force: true }));
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir: path.join(directory, 'pg'), password: 'omni-bench', logger, persistent: false });
      cleanup.push(() => embedded.stop());
      ownerUrl = embedded.url;
      postmaster = postmasterPid(path.join(directory, 'pg'));
    }
    await migrateDatabase({ ownerUrl, appRole: environment.APP_DB_ROLE, appPassword: environment.APP_DB_PASSWORD, logger });

    // The real app, configured as in production except that rate limits cannot throttle the load.
    const raw = parseConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000000',
      DB_POOL_MAX: String(environment.DB_POOL_MAX),
      APP_DB_ROLE: environment.APP_DB_ROLE,
      APP_DB_PASSWORD: environment.APP_DB_PASSWORD,
      ...(environment.APP_DATABASE_URL ? { APP_DATABASE_URL: environment.APP_DATABASE_URL } : {}),
    });
    const config: Config = { ...raw, JWT_SECRET: randomBytes(48).toString('base64url'), ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
    const { app } = await startBenchApp(config, ownerUrl, logger, cleanup);
    const appPort = await findFreePort();
    await app.listen({ host: '127.0.0.1', port: appPort });
    const appBase = `http://127.0.0.1:${appPort}`;

    const { accessToken, tenantId } = await registerTenant(appBase);
    for (let index = 1; index < accountCount; index += 1) await createAccount(appBase, accessToken, index);

    // The alternative: same database, owner connection (no RLS), same pool size, no framework, no auth.
    const ownerPool = new pg.Pool({ connectionString: ownerUrl, max: config.DB_POOL_MAX });
    cleanup.push(() => ownerPool.end());
    const bare = http.createServer((request, response) => {
      if (request.method !== 'GET' || !request.url?.startsWith('/accounts')) {
        response.writeHead(404).end();
        return;
      }
      ownerPool.query<BareRow>(bareListSql, [tenantId, 'active', listLimit + 1]).then(
        ({ rows }) => {
          const page = rows.slice(0, listLimit);
          const last = page[page.length - 1];
          const items = page.map((row) => ({ id: row.id, name: row.name, slug: row.slug, status: row.status, createdAt: row.created_at.toISOString() }));
          const nextCursor = rows.length > listLimit && last ? Buffer.from(JSON.stringify([last.cursor_at, last.id])).toString('base64url') : null;
          const body = JSON.stringify({ items, nextCursor });
          response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
        },
        (error: unknown) => {
          console.error(error);
          response.writeHead(500).end();
        },
      );
    });
    const barePort = await findFreePort();
    await new Promise<void>((resolve) => bare.listen(barePort, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => bare.close(resolve)));

    const subjects = {
      app: { url: `${appBase}/api/accounts?limit=${listLimit}`, headers: { authorization: `Bearer ${accessToken}` } },
      bare: { url: `http://127.0.0.1:${barePort}/accounts?limit=${listLimit}`, headers: {} },
    };
    await assertSameItems(subjects.app, subjects.bare);

    const [load1] = os.loadavg();
    if (load1 !== undefined && load1 > 1) {
      console.log(`\nWARNING: the machine is busy (1-minute load average ${load1.toFixed(1)}); throughput and latency figures will be unreliable.`);
    }
    console.log(`\napi-read: GET /api/accounts?limit=${listLimit} (${accountCount} accounts in the tenant), ${connections} connections, ` +
      `${rounds} × ${durationSeconds} s per server after ${warmupSeconds} s warm-up, loopback, ${os.cpus().length} cores, Node ${process.version}`);
    for (const subject of [subjects.app, subjects.bare]) {
      await measureLoad({ ...subject, connections, durationSeconds: warmupSeconds });
    }
    const measured: Record<'app' | 'bare', Measurement[]> = { app: [], bare: [] };
    for (let round = 0; round < rounds; round += 1) {
      // Alternate the order so neither side always runs on a warmer (or more tired) machine.
      const order: Array<'app' | 'bare'> = round % 2 === 0 ? ['bare', 'app'] : ['app', 'bare'];
      for (const name of order) {
        // CPU of this process (both servers live here; the load generator does not) per request served:
        // a figure that other load on the machine disturbs far less than throughput does.
        const profiler = options.profile ? await startProfiler() : null;
        const cpuBefore = process.cpuUsage();
        const databaseBefore = postmaster === null ? null : cpuSnapshot(isPostgres(postmaster));
        const load = await measureLoad({ ...subjects[name], connections, durationSeconds });
        const cpu = process.cpuUsage(cpuBefore);
        const databaseSeconds = postmaster === null || !databaseBefore ? null : cpuSecondsBetween(databaseBefore, cpuSnapshot(isPostgres(postmaster)), ['database']).database;
        if (profiler && options.profile) await profiler.stop(path.join(options.profile, `api-read-${name}-round${round + 1}.cpuprofile`));
        const requests = Math.max(1, load.totalRequests);
        const result = {
          ...load,
          cpuMicrosecondsPerRequest: (cpu.user + cpu.system) / requests,
          databaseCpuMicrosecondsPerRequest: databaseSeconds === null ? null : (databaseSeconds * 1e6) / requests,
        };
        measured[name].push(result);
        console.log(`  round ${round + 1} ${name.padEnd(4)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.latencyP50Ms} ms  p99 ${result.latencyP99Ms} ms  ` +
          `server CPU ${result.cpuMicrosecondsPerRequest.toFixed(0)} µs/request${databaseCpu(result.databaseCpuMicrosecondsPerRequest)}  (${result.totalRequests} requests, non-2xx ${result.non2xx}, errors ${result.errors})`);
      }
    }

    const omni = summarize(measured.app);
    const alternative = summarize(measured.bare);

    const ratio = omni.requestsPerSecond / alternative.requestsPerSecond;
    const failures = omni.non2xx + omni.errors + alternative.non2xx + alternative.errors;
    const ratioPasses = ratio >= targets.minimumRatio;
    const latencyPasses = omni.latencyP99Ms <= targets.maximumP99Ms;
    console.log('');
    console.log(`  Omni API (Fastify, JWT auth, RLS transaction)  ${omni.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${omni.latencyP99Ms.toFixed(1).padStart(6)} ms   server CPU ${omni.cpuMicrosecondsPerRequest.toFixed(0)} µs/request${databaseCpu(omni.databaseCpuMicrosecondsPerRequest)}`);
    console.log(`  bare node:http + pg (owner, no RLS, no auth)    ${alternative.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${alternative.latencyP99Ms.toFixed(1).padStart(6)} ms   server CPU ${alternative.cpuMicrosecondsPerRequest.toFixed(0)} µs/request${databaseCpu(alternative.databaseCpuMicrosecondsPerRequest)}`);
    console.log(`  ratio ${ratio.toFixed(2)}x (target ≥ ${targets.minimumRatio}x): ${ratioPasses ? 'PASS' : 'FAIL'}`);
    console.log(`  Omni p99 ${omni.latencyP99Ms.toFixed(1)} ms at ${connections} connections (target ≤ ${targets.maximumP99Ms} ms): ${latencyPasses ? 'PASS' : 'FAIL'}`);
    if (failures > 0) console.log(`  FAIL: ${failures} requests failed or returned non-2xx`);
    const passed = ratioPasses && latencyPasses && failures === 0;
    console.log(`  overall: ${passed ? 'PASS' : 'FAIL'}\n`);
    return passed;
  });
}

/** A CPU profile of this process (both servers; not the load generator) from now until stop(file). */
async function startProfiler(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(profile));
    },
  };
}

function databaseCpu(microseconds: number | null): string {
  return microseconds === null ? '' : `, PostgreSQL ${microseconds.toFixed(0)} µs/request`;
}

/** Mean throughput, p99 and CPU per request over the rounds, plus every failure. */
function summarize(results: Measurement[]) {
  const mean = (pick: (result: Measurement) => number) => results.reduce((sum, result) => sum + pick(result), 0) / results.length;
  return {
    requestsPerSecond: mean((result) => result.requestsPerSecond),
    latencyP99Ms: mean((result) => result.latencyP99Ms),
    cpuMicrosecondsPerRequest: mean((result) => result.cpuMicrosecondsPerRequest),
    databaseCpuMicrosecondsPerRequest: results.some((result) => result.databaseCpuMicrosecondsPerRequest === null)
      ? null
      : mean((result) => result.databaseCpuMicrosecondsPerRequest ?? 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}

async function callJson<T>(url: string, init: { method: string; token?: string; body?: unknown }): Promise<T> {
  const response = await fetch(url, {
    method: init.method,
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method} ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function registerTenant(base: string): Promise<{ accessToken: string; tenantId: string }> {
  const suffix = randomBytes(4).toString('hex');
  const session = await callJson<{ accessToken: string; tenant: { id: string } }>(`${base}/api/auth/register`, {
    method: 'POST',
    body: { name: 'Bench Owner', email: `bench-${suffix}@example.com`, password: `bench-password-${suffix}`, tenantName: `Bench ${suffix}`, tenantSlug: `bench-${suffix}` },
  });
  return { accessToken: session.accessToken, tenantId: session.tenant.id };
}

async function createAccount(base: string, token: string, index: number): Promise<void> {
  await callJson(`${base}/api/accounts`, { method: 'POST', token, body: { name: `Client ${String(index).padStart(3, '0')}` } });
}

/** Both servers must return the same rows in the same order, or the comparison would be meaningless. */
async function assertSameItems(app: { url: string; headers: Record<string, string> }, bare: { url: string; headers: Record<string, string> }) {
  const fromApp = await callJson<AccountPage>(app.url, { method: 'GET', token: app.headers.authorization?.slice('Bearer '.length) });
  const fromBare = await callJson<AccountPage>(bare.url, { method: 'GET' });
  if (fromApp.items.length !== listLimit || JSON.stringify(fromApp) !== JSON.stringify(fromBare)) {
    throw new Error(`The two servers disagree (app ${fromApp.items.length} items, bare ${fromBare.items.length}); fix bareListSql to mirror the app's query.`);
  }
}

await main();
