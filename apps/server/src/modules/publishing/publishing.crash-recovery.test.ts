import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  countSandboxPosts,
  createPublishingTenant,
  createTarget,
  dispatchAndDrain,
  getTargetDetail,
  readTargetRow,
  waitUntilSettled,
  type PublishingTenant,
} from '../../../test/factories/publishing.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { withSystemAccess } from '../../kernel/db/tenancy.js';
import { enqueueJob } from '../../kernel/jobs/jobs.js';
import { getProvider, overrideProvider, ProviderError, type SocialProvider } from '../social/index.js';
import { sweepJob } from './publishing.jobs.js';
import { publishTarget } from './use-cases/publish-target.js';
import { reconcileTarget } from './use-cases/reconcile-target.js';

/**
 * Lookups (reconciliation) interrupted by a crash, as the crash test (test/crash) provokes them: a worker
 * SIGKILLed during a lookup keeps its job locked for hours (graphile-worker), so the sweeper must take the
 * lookup over, and a lookup that finishes late must not speak for an attempt made after it began. The
 * targets are due an hour from now and driven with explicit clocks, so no other test process's dispatcher
 * touches them.
 */
describe('publishing: lookups interrupted by a crash', () => {
  let t: TestApp;
  let tenant: PublishingTenant;
  let sandbox: SocialProvider;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createPublishingTenant(t);
    sandbox = getProvider(t.kernel, 'sandbox');
  });
  afterEach(() => overrideProvider(t.kernel, sandbox));
  afterAll(() => t?.close());

  /** A Sandbox whose publish calls, in order, behave as given: the answer lost before or after the post was stored. */
  function sandboxLosingAnswers(...calls: Array<'lost_before_storing' | 'lost_after_storing'>): SocialProvider {
    return {
      ...sandbox,
      async publish(credentials, content, key) {
        const call = calls.shift();
        if (call === 'lost_after_storing') await sandbox.publish(credentials, content, key);
        if (call) throw new ProviderError('unknown_outcome', 'Sandbox: the connection was reset before the answer arrived');
        return sandbox.publish(credentials, content, key);
      },
    };
  }

  /** A Sandbox whose first lookup, once the network answered, returns only when released (a worker that stalls or dies mid-lookup). */
  function sandboxWithHeldLookup(): { provider: SocialProvider; entered: Promise<void>; release: () => void } {
    let release: () => void = () => undefined;
    let enter: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (enter = resolve));
    let isFirst = true;
    return {
      entered,
      release: () => release(),
      provider: {
        ...sandbox,
        async findPublished(credentials, key, since, content) {
          const answer = await sandbox.findPublished(credentials, key, since, content);
          if (isFirst) {
            isFirst = false;
            enter();
            await held;
          }
          return answer;
        },
      },
    };
  }

  const clock = (at: Date) => () => new Date(at.getTime());
  const seconds = (at: Date, count: number) => new Date(at.getTime() + count * 1000);

  it('the sweeper takes over a lookup whose worker died once it is PUBLISH_ATTEMPT_TIMEOUT_SECONDS overdue, and the post is published once', async () => {
    const target = await createTarget(t, tenant, { text: 'Lookup cut short' });
    const dueAt = new Date(target.scheduledAt);
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    overrideProvider(t.kernel, sandboxLosingAnswers('lost_before_storing'));
    expect(await publishTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, 1)))).toBe('unconfirmed');

    // The lookup starts (its worker holds the reconcile job) and the worker dies before it answers.
    const lookup = sandboxWithHeldLookup();
    overrideProvider(t.kernel, lookup.provider);
    const interrupted = reconcileTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, 200)));
    await lookup.entered;
    expect((await readTargetRow(t, target.id)).next_attempt_at).toEqual(seconds(dueAt, 200));
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'a-worker-that-died' WHERE key = $1`, [`reconcile:${target.id}`]);
    // All of that happened a little more than PUBLISH_ATTEMPT_TIMEOUT_SECONDS ago: far less than the
    // sweeper used to wait for an unconfirmed target (its reconcile delay plus ten minutes).
    const shift = `${Math.round((seconds(dueAt, 200).getTime() - Date.now()) / 1000) + t.kernel.config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS + 10} seconds`;
    await t.owner.query(`UPDATE publish_targets SET next_attempt_at = next_attempt_at - $2::interval, updated_at = now() - interval '${t.kernel.config.PUBLISH_ATTEMPT_TIMEOUT_SECONDS + 10} seconds' WHERE id = $1`, [target.id, shift]);
    await t.owner.query(`UPDATE publish_attempts SET started_at = started_at - $2::interval, finished_at = finished_at - $2::interval WHERE target_id = $1`, [target.id, shift]);

    overrideProvider(t.kernel, sandbox);
    await withSystemAccess(t.kernel, 'test: run the sweeper', (tx) => enqueueJob(tx, sweepJob, {}, { tenantId: null }));
    await t.drainJobs();
    await waitUntilSettled(t, [target.id], true);
    await dispatchAndDrain(t, target.id);
    // Absent (the answer was lost before the post was stored): published by a second attempt, once.
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('published');
    expect(detail.transitions.map((transition) => transition.to)).toEqual(['scheduled', 'publishing', 'unconfirmed', 'scheduled', 'publishing', 'published']);
    expect(await countSandboxPosts(t, key)).toBe(1);

    // The dead worker's lookup, should it ever finish, changes nothing.
    lookup.release();
    expect(await interrupted).toBe('skipped');
    expect(await countSandboxPosts(t, key)).toBe(1);
  });

  it('a lookup that answers after a later attempt began does not speak for that attempt (no third attempt, no double post)', async () => {
    const target = await createTarget(t, tenant, { text: 'Two lookups at once' });
    const dueAt = new Date(target.scheduledAt);
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    const delay = t.kernel.config.PUBLISH_RECONCILE_DELAY_SECONDS;
    overrideProvider(t.kernel, sandboxLosingAnswers('lost_before_storing'));
    expect(await publishTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, 1)))).toBe('unconfirmed');

    // A first lookup stalls; a second (the sweeper took over) proves attempt 1 absent; attempt 2 is stored
    // by the network but its answer is lost.
    const slow = sandboxWithHeldLookup();
    const losing = sandboxLosingAnswers('lost_after_storing');
    overrideProvider(t.kernel, { ...losing, findPublished: slow.provider.findPublished });
    const stale = reconcileTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, delay + 10)));
    await slow.entered;
    expect(await reconcileTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, delay + 11)))).toBe('scheduled');
    expect(await publishTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, delay + 12)))).toBe('unconfirmed');
    expect(await countSandboxPosts(t, key)).toBe(1);

    // The stalled lookup answers "absent" about attempt 1: attempt 2 is on the network all the same.
    slow.release();
    expect(await stale).toBe('skipped');
    expect(await readTargetRow(t, target.id)).toMatchObject({ status: 'unconfirmed', attempt_count: 2 });

    overrideProvider(t.kernel, sandbox);
    expect(await reconcileTarget(t.kernel, tenant.tenant.id, target.id, clock(seconds(dueAt, 2 * delay + 20)))).toBe('published');
    expect(await countSandboxPosts(t, key)).toBe(1);
  });
});
