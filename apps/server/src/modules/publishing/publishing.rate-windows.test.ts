import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFacebookFake, type FakeFacebook } from '../../../test/fakes/facebook.js';
import { countSandboxPosts, createPublishingTenant, createTarget, readTargetRow, type PublishingTenant } from '../../../test/factories/publishing.js';
import { connectThroughOAuth } from '../../../test/factories/social-connections.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { parseConfig } from '../../kernel/config.js';
import { withSystemAccess } from '../../kernel/db/tenancy.js';
import { defaultRateWindows, rateWindows } from './publishing.rate-windows.js';
import { dispatchDueTargets, type DispatchResult } from './use-cases/dispatch.js';
import { publishTarget } from './use-cases/publish-target.js';

/**
 * Rate windows and Retry-After pauses in the dispatcher. Each test runs the engine on an explicit clock
 * hours ahead (its own), so no other test process ever finds these targets due; the dispatcher runs
 * inside a transaction that is rolled back, so the claims it makes (of anything due by that clock) are
 * seen by nobody else. Attempts are real: publishTarget against the Sandbox and a fake Facebook Graph API.
 */
describe('publishing rate windows', () => {
  let t: TestApp;
  let fake: FakeFacebook;
  const hour = 3600_000;
  const base = Date.now();
  const at = (origin: Date, seconds: number) => new Date(origin.getTime() + seconds * 1000);
  const clock = (instant: Date) => () => new Date(instant.getTime());

  beforeAll(async () => {
    fake = await startFacebookFake();
    t = await createTestApp({
      // Sandbox: 2 posts per connection per 10 minutes; Facebook keeps its default (no count window).
      PUBLISH_NETWORK_RATE_LIMITS: 'sandbox=2/600',
      // Only the windows may hold anything back: no cap, one batch, nothing ever late.
      PUBLISH_NETWORK_CONCURRENCY: '10000',
      PUBLISH_DISPATCH_BATCH: '5000',
      PUBLISH_LATE_AFTER_SECONDS: String(10 * 365 * 24 * 3600),
      FACEBOOK_APP_ID: fake.appId,
      FACEBOOK_APP_SECRET: fake.appSecret,
      FACEBOOK_GRAPH_URL: fake.url,
      FACEBOOK_DIALOG_URL: 'https://dialog.facebook.test',
      PUBLIC_URL: 'https://console.omni.test',
      SOCIAL_HTTP_TIMEOUT_MS: '3000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  type Dispatch = DispatchResult & { wakeUpQueuedAt: Date | null };

  /** One dispatcher run at `now`, rolled back; with the run_at of the wake-up job it queued, if any. */
  async function dispatchAt(now: Date): Promise<Dispatch> {
    const rolledBack = new Error('roll back the dispatch');
    let outcome: Dispatch | null = null;
    await withSystemAccess(t.kernel, 'test: dispatch on a clock', async (tx) => {
      const result = await dispatchDueTargets(t.kernel, tx, now);
      let wakeUpQueuedAt: Date | null = null;
      if (result.wakeAt) {
        const key = `publishing.dispatch:${Math.floor(result.wakeAt.getTime() / 1000)}`;
        const jobs = await tx.execute<{ run_at: string }>(sql`SELECT run_at::text AS run_at FROM graphile_worker._private_jobs WHERE key = ${key}`);
        wakeUpQueuedAt = jobs.rows[0] ? new Date(jobs.rows[0].run_at) : null;
      }
      outcome = { ...result, wakeUpQueuedAt };
      throw rolledBack;
    }).catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
    return outcome!;
  }

  const claimedIds = (dispatch: Dispatch) => dispatch.claimed.map((target) => target.id);

  async function scheduleOn(tenant: PublishingTenant, connectionId: string, dueAt: Date, text: string): Promise<string> {
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/publishing/targets',
      token: tenant.token,
      payload: { connectionId, content: { text }, scheduledAt: dueAt.toISOString() },
    });
    if (response.statusCode !== 201) throw new Error(`create target: ${response.statusCode} ${response.body}`);
    return response.json<{ id: string }>().id;
  }

  it('holds a connection’s due posts once its window is used, wakes up when the oldest attempt leaves it, and claims them then', async () => {
    const dueAt = new Date(base + 1 * hour);
    const tenant = await createPublishingTenant(t);
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) ids.push((await createTarget(t, tenant, { text: `Window ${index}`, scheduledAt: dueAt.toISOString() })).id);
    const publishedAt = at(dueAt, 1);
    for (const id of ids.slice(0, 2)) expect(await publishTarget(t.kernel, tenant.tenant.id, id, clock(publishedAt))).toBe('published');

    const held = await dispatchAt(at(dueAt, 10));
    expect(claimedIds(held)).not.toContain(ids[2]);
    expect(held.waiting).toBeGreaterThanOrEqual(1);
    // Not a poll: one wake-up, queued for when the first attempt is 600 s old.
    const freesAt = at(publishedAt, 600);
    expect(held.wakeAt?.toISOString()).toBe(freesAt.toISOString());
    expect(held.wakeUpQueuedAt?.toISOString()).toBe(freesAt.toISOString());

    expect(claimedIds(await dispatchAt(at(freesAt, -1)))).not.toContain(ids[2]);
    expect(claimedIds(await dispatchAt(freesAt))).toContain(ids[2]);

    // It goes: the attempt the dispatcher let through publishes.
    expect(await publishTarget(t.kernel, tenant.tenant.id, ids[2]!, clock(at(freesAt, 1)))).toBe('published');
    expect(await countSandboxPosts(t, (await readTargetRow(t, ids[2]!)).idempotency_key)).toBe(1);
  });

  it('counts per connection: another connection of the same tenant and another tenant are not held back', async () => {
    const dueAt = new Date(base + 3 * hour);
    const busy = await createPublishingTenant(t);
    const other = await createPublishingTenant(t);
    const second = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: busy.token, payload: { name: 'Second feed' } });
    expect(second.statusCode).toBe(201);
    const secondConnectionId = second.json<{ id: string }>().id;

    const used: string[] = [];
    for (let index = 0; index < 2; index += 1) used.push(await scheduleOn(busy, busy.connectionId, dueAt, `Used ${index}`));
    for (const id of used) expect(await publishTarget(t.kernel, busy.tenant.id, id, clock(at(dueAt, 1)))).toBe('published');
    const heldBack = await scheduleOn(busy, busy.connectionId, dueAt, 'Held back');
    const sameTenantOtherConnection = await scheduleOn(busy, secondConnectionId, dueAt, 'Other feed');
    const otherTenant = await scheduleOn(other, other.connectionId, dueAt, 'Other tenant');

    const claimed = claimedIds(await dispatchAt(at(dueAt, 10)));
    expect(claimed).not.toContain(heldBack);
    expect(claimed).toEqual(expect.arrayContaining([sameTenantOtherConnection, otherTenant]));
  });

  it('a 429 with Retry-After pauses the whole connection until then, not just the post that met it', async () => {
    const dueAt = new Date(base + 5 * hour);
    const tenant = await createPublishingTenant(t);
    const pageConnectionId = await connectThroughOAuth(t.app, tenant.token, 'facebook', (url) => fake.issueCode(url.searchParams.get('redirect_uri')!));
    const first = await scheduleOn(tenant, pageConnectionId, dueAt, 'Bread is out');
    const second = await scheduleOn(tenant, pageConnectionId, dueAt, 'Cakes are out');
    const sandboxPost = await scheduleOn(tenant, tenant.connectionId, dueAt, 'Sandbox goes on');

    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 900 });
    const limitedAt = at(dueAt, 1);
    expect(await publishTarget(t.kernel, tenant.tenant.id, first, clock(limitedAt))).toBe('scheduled');
    expect((await readTargetRow(t, first)).last_error_kind).toBe('rate_limited');
    const pausedUntil = at(limitedAt, 900);
    const attempt = await t.owner.query<{ retry_not_before: Date; connection_id: string; network: string }>(
      'SELECT retry_not_before, connection_id, network FROM publish_attempts WHERE target_id = $1',
      [first],
    );
    expect(attempt.rows[0]).toMatchObject({ connection_id: pageConnectionId, network: 'facebook' });
    expect(attempt.rows[0]!.retry_not_before.toISOString()).toBe(pausedUntil.toISOString());

    const paused = await dispatchAt(at(dueAt, 10));
    expect(claimedIds(paused)).not.toContain(second);
    expect(claimedIds(paused)).toContain(sandboxPost);
    expect(paused.wakeAt?.toISOString()).toBe(pausedUntil.toISOString());
    expect(paused.wakeUpQueuedAt?.toISOString()).toBe(pausedUntil.toISOString());

    expect(claimedIds(await dispatchAt(at(pausedUntil, -1)))).not.toContain(second);
    const resumed = claimedIds(await dispatchAt(at(pausedUntil, 1)));
    expect(resumed).toEqual(expect.arrayContaining([first, second]));
    expect(await publishTarget(t.kernel, tenant.tenant.id, second, clock(at(pausedUntil, 2)))).toBe('published');
    expect(fake.publishedCount('Cakes are out')).toBe(1);
  });
});

describe('rate window configuration', () => {
  const windowsOf = (value: string) => rateWindows(parseConfig({ PUBLISH_NETWORK_RATE_LIMITS: value }));

  it('uses the networks’ published limits by default', () => {
    expect(windowsOf('')).toEqual(defaultRateWindows);
    expect(windowsOf('')).toEqual(
      expect.arrayContaining([
        { network: 'x', scope: 'connection', limit: 100, seconds: 900 },
        { network: 'x', scope: 'app', limit: 10_000, seconds: 86_400 },
        { network: 'instagram', scope: 'connection', limit: 50, seconds: 86_400 },
      ]),
    );
  });

  it('replaces exactly the windows of the networks it names, and removes them with off', () => {
    const windows = windowsOf('x=5/60,instagram=100/86400,instagram:app=1000/3600,linkedin=off');
    expect(windows.filter((window) => window.network === 'x')).toEqual([{ network: 'x', scope: 'connection', limit: 5, seconds: 60 }]);
    expect(windows.filter((window) => window.network === 'instagram')).toEqual([
      { network: 'instagram', scope: 'connection', limit: 100, seconds: 86_400 },
      { network: 'instagram', scope: 'app', limit: 1000, seconds: 3600 },
    ]);
    expect(windows.some((window) => window.network === 'linkedin')).toBe(false);
    expect(windows.filter((window) => window.network === 'pinterest')).toEqual(defaultRateWindows.filter((window) => window.network === 'pinterest'));
  });

  it('refuses entries it cannot read, naming the variable', () => {
    for (const value of ['x=100', 'x=0/900', 'x:user=1/1', 'X=1/1', 'x=1/0']) {
      expect(() => parseConfig({ PUBLISH_NETWORK_RATE_LIMITS: value })).toThrow(/PUBLISH_NETWORK_RATE_LIMITS/);
    }
  });
});
