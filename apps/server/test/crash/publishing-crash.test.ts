import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant } from '../factories/tenancy.js';
import { request } from '../harness.js';
import { sleep, startCrashApp, type CrashApp } from './crash-app.js';
import {
  connectSandbox,
  connectThroughOAuth,
  fakeNetworks,
  fakeOf,
  injectedFailures,
  postsOnFakes,
  startCrashFakes,
  type CrashFakes,
  type CrashNetwork,
  type StoredPost,
} from './crash-networks.js';
import { repeatUntil, type WorkerProcesses } from './worker-processes.js';

/**
 * The publishing engine's crash proof (issue 4). 1,000 scheduled posts of 5 tenants come due over 30 s on
 * 5 networks: X, LinkedIn, Pinterest and Facebook through their real providers against the local fakes
 * (which answer each publish call 250 ms after taking it), and the Sandbox. Meanwhile real worker
 * processes (the CLI's `worker` role, 3 of them) are SIGKILLed and restarted every 1–3 s, and the fakes
 * lose the answer after accepting a post, answer 500, or answer 429. Once nothing is scheduled, publishing
 * or unconfirmed any more, every post must be on its network exactly once (counted on the fakes' side by
 * the marker in its text, and by our idempotency key where the network stores one) and published in the
 * database with the id the network returned.
 *
 * Nothing is timed: the phases only bound how long we wait. The test runs in its own database (see
 * crash-database.ts); it enqueues the minute sweep every 5 s (the cron schedule would only make it
 * longer); test data goes through the API (tenants, OAuth connections, targets).
 */

const tenantCount = 5;
const postCount = 1000;
const workerCount = 3;
const networks: CrashNetwork[] = ['x', 'linkedin', 'pinterest', 'facebook', 'sandbox'];
/** Posts come due over this window, which opens this long after their creation starts. */
const dueSpreadMs = 30_000;
const firstDueAfterMs = 20_000;
/** Every fake network answers a publish call this long after taking it, so kills land mid-call. */
const publishLatencyMs = 250;
/** Kills go on this long after the last post is due, and until this many kills (a busy machine boots workers slowly). */
const chaosAfterLastDueMs = 15_000;
const minimumKills = 10;
/** How long the system may take to become quiet after the last kill before the test calls it stuck. */
const quietDeadlineMs = 240_000;
const sweepEveryMs = 5_000;

/**
 * Engine settings for the test's app and the workers alike. The attempt timeout and the dispatch lease
 * are at their configured minimums (30 s, 60 s): what a killed worker leaves behind waits that long
 * before the sweeper takes it over. Retries are quick and plentiful, so a post hit by several kills and
 * injected failures still ends published rather than failed for lack of attempts.
 */
const engineSettings = {
  PUBLISH_MAX_ATTEMPTS: '50',
  PUBLISH_RETRY_BASE_SECONDS: '1',
  PUBLISH_RETRY_MAX_SECONDS: '4',
  PUBLISH_ATTEMPT_TIMEOUT_SECONDS: '30',
  PUBLISH_RECONCILE_DELAY_SECONDS: '2',
  PUBLISH_DISPATCH_LEASE_SECONDS: '60',
  // Well inside the attempt timeout: a live attempt always ends before the sweeper may take it over.
  SOCIAL_HTTP_TIMEOUT_MS: '5000',
};

type CrashTenant = { token: string; connections: Record<CrashNetwork, string[]> };
type PlannedPost = { index: number; marker: string; network: CrashNetwork; tenant: CrashTenant; connectionId: string };
type TargetRecord = { id: string; status: string; external_id: string | null; idempotency_key: string; network: string; content: { text: string }; last_error: string | null };

describe('publishing under worker crashes', () => {
  let crash: CrashApp | undefined;
  let fakes: CrashFakes;
  let app: FastifyInstance;
  let owner: pg.Pool;
  let workers: WorkerProcesses | undefined;
  const tenants: CrashTenant[] = [];
  const runId = randomBytes(4).toString('hex');

  beforeAll(async () => {
    fakes = await startCrashFakes();
    crash = await startCrashApp({ ...fakes.settings, ...engineSettings });
    ({ app, owner } = crash);

    for (let index = 0; index < tenantCount; index += 1) {
      const registered = await registerTenant(app);
      // Each tenant has two Facebook pages of its own; the fakes' X account, LinkedIn member and
      // organization and Pinterest boards are shared (their lookups scan enough recent posts for this load).
      const pages = [fakes.facebook.addPage(`Tenant ${index} bakery`), fakes.facebook.addPage(`Tenant ${index} cafe`)];
      tenants.push({
        token: registered.token,
        connections: {
          x: await connectThroughOAuth(app, registered.token, fakes, 'x', [fakes.x.user.id]),
          linkedin: await connectThroughOAuth(app, registered.token, fakes, 'linkedin', [
            `urn:li:person:${fakes.linkedin.member.sub}`,
            `urn:li:organization:${fakes.linkedin.organization.id}`,
          ]),
          pinterest: await connectThroughOAuth(app, registered.token, fakes, 'pinterest', fakes.pinterest.boards.map((board) => board.id)),
          facebook: await connectThroughOAuth(app, registered.token, fakes, 'facebook', pages.map((page) => page.id)),
          sandbox: [await connectSandbox(app, registered.token, `Tenant ${index} sandbox`)],
        },
      });
    }
  }, 600_000); // with the wait for another crash test's turn (crash-database.ts)

  afterAll(async () => {
    await crash?.close();
    await fakes?.close();
  }, 60_000);

  /** Round-robin over networks, then tenants, then each tenant's connections on that network. */
  function planPosts(): PlannedPost[] {
    return Array.from({ length: postCount }, (_, index) => {
      const network = networks[index % networks.length]!;
      const tenant = tenants[Math.floor(index / networks.length) % tenants.length]!;
      const connections = tenant.connections[network];
      const connectionId = connections[Math.floor(index / (networks.length * tenants.length)) % connections.length]!;
      return { index, marker: `crash-${runId}-${index}`, network, tenant, connectionId };
    });
  }

  async function createTarget(post: PlannedPost, scheduledAt: Date): Promise<void> {
    const text = `Fresh bread at noon ${post.marker}`;
    const content =
      post.network === 'pinterest'
        ? { text, media: [{ url: `${fakes.pinterest.url}/test-media/${post.marker}.png`, kind: 'image' as const }], options: { title: 'Bread' } }
        : { text };
    const response = await request(app, {
      method: 'POST',
      url: '/api/publishing/targets',
      token: post.tenant.token,
      payload: { connectionId: post.connectionId, content, scheduledAt: scheduledAt.toISOString() },
    });
    if (response.statusCode !== 201) throw new Error(`create target ${post.marker}: ${response.statusCode} ${response.body}`);
  }

  async function countUnsettled(): Promise<number> {
    const { rows } = await owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM publish_targets WHERE status IN ('scheduled', 'publishing', 'unconfirmed')`);
    return rows[0]!.count;
  }

  /** For a failure report: the oldest unsettled targets with their history, and what the workers said last. */
  async function describeUnsettled(): Promise<string> {
    const { rows } = await owner.query(
      `SELECT t.id, t.status, t.network, t.attempt_count, t.next_attempt_at::text, t.dispatched_at::text, t.last_error,
              (SELECT string_agg(to_char(r.at, 'HH24:MI:SS') || ' ' || r.to_status || ': ' || r.reason, ' | ' ORDER BY r.id)
                 FROM publish_target_transitions r WHERE r.target_id = t.id) AS history
         FROM publish_targets t WHERE t.status IN ('scheduled', 'publishing', 'unconfirmed') ORDER BY t.updated_at LIMIT 10`,
    );
    return `${rows.map((row) => JSON.stringify(row)).join('\n')}\n${workers?.logTails() ?? ''}`;
  }

  it('publishes 1,000 posts exactly once while workers are SIGKILLed and restarted', async () => {
    const plan = planPosts();
    for (const network of fakeNetworks) fakeOf(fakes, network).setLatency('publish', publishLatencyMs);

    // Targets are created through the API, 6 at a time, before the workers start; if that takes longer
    // than the lead, the first ones are simply due (missed while no worker ran) when the workers come up.
    const creationStartedAt = Date.now();
    const firstDue = creationStartedAt + firstDueAfterMs;
    const lastDue = firstDue + dueSpreadMs;
    const queue = [...plan];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let post = queue.shift(); post; post = queue.shift()) await createTarget(post, new Date(firstDue + (post.index / postCount) * dueSpreadMs));
      }),
    );
    const creationSeconds = Math.round((Date.now() - creationStartedAt) / 1000);

    const startedAt = Date.now();
    workers = crash!.startWorkers(workerCount);
    const chaosUntil = Math.max(lastDue, startedAt) + chaosAfterLastDueMs;
    const chaosLimit = chaosUntil + 120_000;
    let injected = 0;
    let sweeps = 0;
    let stop = false;

    // Kills go on until well after the last post is due and at least `minimumKills` kills.
    const chaos = workers.killRepeatedly({ until: chaosUntil, minimumKills, limit: chaosLimit, stopped: () => stop });

    const failures = (async () => {
      // While posts come due, every 1.5 s the next publish call of a random fake network fails: the post
      // is taken but the answer lost, or a 500, or a 429 (Retry-After 1 s), in turn.
      await sleep(Math.max(0, firstDue - Date.now()));
      while (!stop && Date.now() < lastDue) {
        fakeOf(fakes, fakeNetworks[Math.floor(Math.random() * fakeNetworks.length)]!).setFailure(injectedFailures[injected % injectedFailures.length]!);
        injected += 1;
        await sleep(1500);
      }
    })();

    const sweeper = repeatUntil(() => stop, sweepEveryMs, async () => {
      await crash!.enqueueSweep('publishing.sweep');
      sweeps += 1;
    });

    let unsettled = -1;
    try {
      await chaos;
      await failures;
      const chaosEndedAt = Date.now();
      // Quiet: the workers run on, unharmed, until no target is scheduled, publishing or unconfirmed.
      unsettled = await workers.waitUntilQuiet(countUnsettled, quietDeadlineMs);
      if (unsettled !== 0) console.error(`Targets still unsettled ${quietDeadlineMs / 1000} s after the last kill:\n${await describeUnsettled()}`);
      console.info(
        `crash test: ${postCount} posts created in ${creationSeconds} s; ${workers.describeKills()}, ${injected} failures injected, ${sweeps} sweeps; kills for ` +
          `${Math.round((chaosEndedAt - startedAt) / 1000)} s, quiet ${Math.round((Date.now() - chaosEndedAt) / 1000)} s later`,
      );
    } finally {
      stop = true;
      await Promise.allSettled([chaos, failures, sweeper]);
      await workers.stopAll();
    }
    expect(unsettled).toBe(0);

    // Every target published in the database, and each post exactly once on its network, with the id we
    // recorded (and our key where the network keeps one). One list of every problem, so a failure shows
    // both sides (a double is a failed target on X and LinkedIn, which refuse duplicate text).
    const { rows: targets } = await owner.query<TargetRecord>('SELECT id, status, external_id, idempotency_key, network, content, last_error FROM publish_targets');
    const { rows: sandboxPosts } = await owner.query<{ external_id: string; text: string; idempotency_key: string }>('SELECT external_id, text, idempotency_key FROM sandbox_posts');
    const stored: StoredPost[] = [
      ...postsOnFakes(fakes),
      ...sandboxPosts.map((post) => ({ network: 'sandbox' as const, externalId: post.external_id, text: post.text, idempotencyKey: post.idempotency_key })),
    ];
    const markerOf = (text: string) => new RegExp(`crash-${runId}-\\d+`).exec(text)?.[0] ?? null;
    const byMarker = new Map<string, StoredPost[]>();
    for (const post of stored) {
      const marker = markerOf(post.text);
      if (marker) byMarker.set(marker, [...(byMarker.get(marker) ?? []), post]);
    }
    const problems: string[] = [];
    const perNetwork: Record<string, number> = {};
    for (const target of targets) {
      const marker = markerOf(target.content.text)!;
      const posts = byMarker.get(marker) ?? [];
      perNetwork[target.network] = (perNetwork[target.network] ?? 0) + 1;
      if (target.status !== 'published') problems.push(`${marker} (${target.network}) is ${target.status}: ${target.last_error}`);
      if (posts.length !== 1) problems.push(`${marker} (${target.network}) is on the network ${posts.length} times`);
      else if (posts[0]!.network !== target.network) problems.push(`${marker} went to ${posts[0]!.network}, not ${target.network}`);
      else if (target.status === 'published' && posts[0]!.externalId !== target.external_id) problems.push(`${marker}: the database says ${target.external_id}, the network ${posts[0]!.externalId}`);
      else if (posts[0]!.idempotencyKey !== null && posts[0]!.idempotencyKey !== target.idempotency_key) problems.push(`${marker}: stored under the key ${posts[0]!.idempotencyKey}`);
    }
    expect({ problems: problems.length, first: problems.slice(0, 30) }).toEqual({ problems: 0, first: [] });
    expect(targets).toHaveLength(postCount);
    expect([...byMarker.values()].flat()).toHaveLength(postCount);
    expect(perNetwork).toEqual(Object.fromEntries(networks.map((network) => [network, postCount / networks.length])));

    // The run went through the paths it is about: attempts cut by a kill and lost answers, both resolved
    // by a lookup, and retried 500s and 429s.
    const { rows: paths } = await owner.query<{ kind: string; count: number }>(`
      SELECT 'cut_by_kill' AS kind, count(*)::int AS count FROM publish_target_transitions WHERE to_status = 'unconfirmed' AND reason LIKE '%did not finish within%'
      UNION ALL SELECT 'answer_lost', count(*)::int FROM publish_target_transitions WHERE to_status = 'unconfirmed' AND reason LIKE '%outcome unknown%'
      UNION ALL SELECT 'found_by_lookup', count(*)::int FROM publish_target_transitions WHERE to_status = 'published' AND reason LIKE 'reconciled:%'
      UNION ALL SELECT 'absent_so_sent_again', count(*)::int FROM publish_target_transitions WHERE to_status = 'scheduled' AND reason LIKE 'reconciled:%'
      UNION ALL SELECT 'retried_500_or_429', count(*)::int FROM publish_attempts WHERE error_kind IN ('retryable', 'rate_limited')`);
    const exercised = Object.fromEntries(paths.map((row) => [row.kind, row.count]));
    console.info(`crash test paths: ${JSON.stringify(exercised)}`);
    expect(workers.kills).toBeGreaterThanOrEqual(minimumKills);
    expect(exercised.cut_by_kill).toBeGreaterThan(0);
    expect(exercised.answer_lost).toBeGreaterThan(0);
    expect(exercised.found_by_lookup).toBeGreaterThan(0);
    expect(exercised.retried_500_or_429).toBeGreaterThan(0);
  }, 600_000);
});
