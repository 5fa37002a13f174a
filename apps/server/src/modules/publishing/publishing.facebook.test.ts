import type { PublishTarget } from '@omni/contracts/publishing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFacebookFake, type FakeFacebook } from '../../../test/fakes/facebook.js';
import { getTargetDetail, readTargetRow, type PublishingTenant } from '../../../test/factories/publishing.js';
import { registerTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { publishTarget } from './use-cases/publish-target.js';
import { reconcileTarget } from './use-cases/reconcile-target.js';

/**
 * Every failure class against the fake Facebook Graph API (the real provider, a local server speaking
 * Graph's wire format). The engine runs with an explicit clock a few minutes ahead: the targets are due
 * for these calls only, so no other test process's dispatcher ever picks them up.
 */
describe('publishing to Facebook: failure classes', () => {
  let t: TestApp;
  let fake: FakeFacebook;
  let tenant: PublishingTenant;

  beforeAll(async () => {
    fake = await startFacebookFake();
    t = await createTestApp({
      FACEBOOK_APP_ID: fake.appId,
      FACEBOOK_APP_SECRET: fake.appSecret,
      FACEBOOK_GRAPH_URL: fake.url,
      FACEBOOK_DIALOG_URL: 'https://dialog.facebook.test',
      PUBLIC_URL: 'https://console.omni.test',
      SOCIAL_HTTP_TIMEOUT_MS: '3000',
    });
    const registered = await registerTenant(t.app);
    const started = await request(t.app, { method: 'POST', url: '/api/social/connect/facebook', token: registered.token, payload: {} });
    const authorization = new URL(started.json().authorizationUrl);
    const redirectUri = authorization.searchParams.get('redirect_uri')!;
    const callback = await request(t.app, {
      url: `/api/social/callback/facebook?${new URLSearchParams({ code: fake.issueCode(redirectUri), state: authorization.searchParams.get('state')! }).toString()}`,
    });
    const selectionId = new URL(callback.headers.location as string).searchParams.get('selection')!;
    const created = await request(t.app, { method: 'POST', url: '/api/social/connections', token: registered.token, payload: { selectionId, destinationIds: [fake.pages[0]!.id] } });
    if (created.statusCode !== 201) throw new Error(`facebook connection: ${created.statusCode} ${created.body}`);
    tenant = { ...registered, connectionId: created.json().items[0].id as string };
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => fake.clearFailures());

  /** A target due 2 minutes from now (the real clock), with a unique marker in its text. */
  async function createFacebookTarget(): Promise<{ target: PublishTarget; marker: string; dueAt: Date }> {
    const marker = `omni-${uniqueSuffix()}`;
    const dueAt = new Date(Date.now() + 120_000);
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/publishing/targets',
      token: tenant.token,
      payload: { connectionId: tenant.connectionId, content: { text: `Fresh bread today ${marker}` }, scheduledAt: dueAt.toISOString() },
    });
    if (response.statusCode !== 201) throw new Error(`create target: ${response.statusCode} ${response.body}`);
    return { target: response.json<PublishTarget>(), marker, dueAt };
  }

  const clockAt = (at: Date) => () => new Date(at.getTime());
  const after = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);
  const publishAt = (id: string, at: Date) => publishTarget(t.kernel, tenant.tenant.id, id, clockAt(at));

  it('publishes once on Facebook when nothing goes wrong', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    expect(await publishAt(target.id, after(dueAt, -30))).toBe('skipped');
    expect(await publishAt(target.id, after(dueAt, 1))).toBe('published');
    expect(await publishAt(target.id, after(dueAt, 2))).toBe('skipped');
    expect(fake.publishedCount(marker)).toBe(1);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.externalId).toBe(fake.published().find((post) => post.message.includes(marker))?.id);
  });

  it('retries a server error after an exponential backoff with jitter, then publishes exactly once', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'server_error' });
    const attemptAt = after(dueAt, 1);
    expect(await publishAt(target.id, attemptAt)).toBe('scheduled');
    const row = await readTargetRow(t, target.id);
    expect(row).toMatchObject({ status: 'scheduled', attempt_count: 1, last_error_kind: 'retryable' });
    const waitSeconds = (new Date(row.next_attempt_at!).getTime() - attemptAt.getTime()) / 1000;
    expect(waitSeconds).toBeGreaterThanOrEqual(15);
    expect(waitSeconds).toBeLessThanOrEqual(30);
    // Not before the backoff has passed.
    expect(await publishAt(target.id, after(attemptAt, 5))).toBe('skipped');
    expect(await publishAt(target.id, after(new Date(row.next_attempt_at!), 1))).toBe('published');
    expect(fake.publishedCount(marker)).toBe(1);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.attempts.map((attempt) => attempt.outcome)).toEqual(['retry', 'published']);
  });

  it('waits at least the Retry-After of a 429', async () => {
    const { target, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 900 });
    const attemptAt = after(dueAt, 1);
    expect(await publishAt(target.id, attemptAt)).toBe('scheduled');
    const row = await readTargetRow(t, target.id);
    expect(row.last_error_kind).toBe('rate_limited');
    expect(new Date(row.next_attempt_at!).getTime() - attemptAt.getTime()).toBeGreaterThanOrEqual(900_000);
  });

  it('gives up as failed after the configured number of retryable attempts', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'server_error' }, { times: t.kernel.config.PUBLISH_MAX_ATTEMPTS });
    let at = after(dueAt, 1);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < t.kernel.config.PUBLISH_MAX_ATTEMPTS; attempt += 1) {
      outcomes.push(await publishAt(target.id, at));
      const row = await readTargetRow(t, target.id);
      if (row.next_attempt_at) at = after(new Date(row.next_attempt_at), 1);
    }
    expect(outcomes.at(-1)).toBe('failed');
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'scheduled')).toBe(true);
    expect(await readTargetRow(t, target.id)).toMatchObject({ status: 'failed', attempt_count: t.kernel.config.PUBLISH_MAX_ATTEMPTS });
    expect(fake.publishedCount(marker)).toBe(0);
  });

  it('fails rejected content at once, without a retry', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'rejected', message: 'The post contains a blocked link' });
    expect(await publishAt(target.id, after(dueAt, 1))).toBe('failed');
    expect(await publishAt(target.id, after(dueAt, 3600))).toBe('skipped');
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail).toMatchObject({ status: 'failed', lastErrorKind: 'rejected', nextAttemptAt: null });
    expect(detail.attempts).toHaveLength(1);
    expect(fake.publishedCount(marker)).toBe(0);
  });

  it('an accepted post whose response was lost becomes unconfirmed and is reconciled to published without a second send', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'response_lost' });
    const attemptAt = after(dueAt, 1);
    expect(await publishAt(target.id, attemptAt)).toBe('unconfirmed');
    expect(fake.publishedCount(marker)).toBe(1);
    expect((await readTargetRow(t, target.id)).status).toBe('unconfirmed');
    // Nothing republishes an unconfirmed target.
    expect(await publishAt(target.id, after(attemptAt, 3600))).toBe('skipped');

    const reconcileAt = after(attemptAt, t.kernel.config.PUBLISH_RECONCILE_DELAY_SECONDS + 1);
    expect(await reconcileTarget(t.kernel, tenant.tenant.id, target.id, clockAt(reconcileAt))).toBe('published');
    expect(fake.publishedCount(marker)).toBe(1);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('published');
    expect(detail.externalId).toBe(fake.published().find((post) => post.message.includes(marker))?.id);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.transitions.map((transition) => transition.to)).toEqual(['scheduled', 'publishing', 'unconfirmed', 'published']);
  });

  it('a lost request the network never received is proved absent after the delay, then published once', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'hang' });
    const attemptAt = after(dueAt, 1);
    expect(await publishAt(target.id, attemptAt)).toBe('unconfirmed');
    expect(fake.publishedCount(marker)).toBe(0);
    // Too early to trust "not found".
    expect(await reconcileTarget(t.kernel, tenant.tenant.id, target.id, clockAt(after(attemptAt, 10)))).toBe('waiting');
    const reconcileAt = after(attemptAt, t.kernel.config.PUBLISH_RECONCILE_DELAY_SECONDS + 1);
    expect(await reconcileTarget(t.kernel, tenant.tenant.id, target.id, clockAt(reconcileAt))).toBe('scheduled');
    expect(await publishAt(target.id, after(reconcileAt, 1))).toBe('published');
    expect(fake.publishedCount(marker)).toBe(1);
  });

  it('an expired token is retried after the social module marks it for refresh', async () => {
    const { target, marker, dueAt } = await createFacebookTarget();
    fake.setFailure({ kind: 'token_expired' });
    const attemptAt = after(dueAt, 1);
    expect(await publishAt(target.id, attemptAt)).toBe('scheduled');
    const row = await readTargetRow(t, target.id);
    expect(row.last_error_kind).toBe('refresh_needed');
    expect(await publishAt(target.id, after(new Date(row.next_attempt_at!), 1))).toBe('published');
    expect(fake.publishedCount(marker)).toBe(1);
  });
});
