import type { PublishTarget, PublishTargetDetail } from '@omni/contracts/publishing';
import type { SandboxBehaviour } from '@omni/contracts/social';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countSandboxPosts,
  createPublishingTenant,
  createTarget,
  dispatchAndDrain,
  findQueuedJob,
  getTargetDetail,
  inOneHour,
  makeDue,
  queueFirstMetrics,
  readFirstMetrics,
  readTargetRow,
  waitUntilSettled,
  type PublishingTenant,
} from '../../../test/factories/publishing.js';
import { addMember } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { flushAuditWrites } from '../audit/index.js';

/**
 * People settle what the engine cannot: unconfirmed posts resolved after a look at the network, failed and
 * late posts retried. The Sandbox's behaviours make each case real: `lose_response` stores the post, loses
 * the answer and offers no lookup (unconfirmed, lookup_unavailable); `reject` refuses every post (failed).
 */
describe('publishing: resolution and retry by people', () => {
  let t: TestApp;
  let tenant: PublishingTenant;
  let other: PublishingTenant;
  let lossy: string;
  let refusing: string;

  beforeAll(async () => {
    // Look unconfirmed posts up at once (the default waits 120 s for the network to show them).
    t = await createTestApp({ PUBLISH_RECONCILE_DELAY_SECONDS: '0' });
    tenant = await createPublishingTenant(t);
    other = await createPublishingTenant(t);
    lossy = await createSandbox(tenant, 'lose_response');
    refusing = await createSandbox(tenant, 'reject');
  });
  afterAll(() => t?.close());

  async function createSandbox(owner: PublishingTenant, behaviour: SandboxBehaviour): Promise<string> {
    const response = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: `Sandbox ${behaviour}`, behaviour } });
    expect(response.statusCode).toBe(201);
    expect(response.json().sandboxBehaviour).toBe(behaviour);
    return response.json().id as string;
  }

  /** A post published now on `connectionId`, after the engine (and reconciliation) had its go. */
  async function publishedOn(connectionId: string, text = 'Hello'): Promise<PublishTargetDetail> {
    const target = await createTarget(t, { ...tenant, connectionId }, { text, scheduledAt: null });
    await dispatchAndDrain(t, target.id);
    await waitUntilSettled(t, [target.id]);
    await t.drainJobs();
    return getTargetDetail(t, tenant, target.id);
  }

  const unconfirmedTarget = () => publishedOn(lossy, `Lost answer ${Math.random()}`);
  const failedTarget = () => publishedOn(refusing, `Refused ${Math.random()}`);

  async function lateTarget(owner: PublishingTenant = tenant): Promise<PublishTarget> {
    const target = await createTarget(t, owner, { text: 'Missed while no worker ran' });
    await makeDue(t, target.id, 25 * 3600);
    await dispatchAndDrain(t, target.id);
    expect((await readTargetRow(t, target.id)).status).toBe('late');
    return target;
  }

  const resolve = (id: string, payload: unknown, token = tenant.token) => request(t.app, { method: 'POST', url: `/api/publishing/targets/${id}/resolve`, token, payload: payload as object });
  const retry = (id: string, payload: unknown = {}, token = tenant.token) => request(t.app, { method: 'POST', url: `/api/publishing/targets/${id}/retry`, token, payload: payload as object });

  it('a lost answer on a network without lookup stays unconfirmed for a person, with the reason', async () => {
    const detail = await unconfirmedTarget();
    expect(detail.status).toBe('unconfirmed');
    expect(detail.lastErrorKind).toBe('lookup_unavailable');
    expect(detail.lastError).toMatch(/publish again by hand/);
    expect(detail.attempts).toEqual([expect.objectContaining({ attemptNumber: 1, outcome: 'unknown_outcome' })]);
  });

  it('resolved as published: the ids are stored, the decision is a transition naming who, metrics are scheduled, it is audited', async () => {
    const detail = await unconfirmedTarget();
    const response = await resolve(detail.id, { outcome: 'published', externalId: 'sandbox_found_by_hand', url: 'https://social.example.com/p/42', note: 'seen on the feed' });
    expect(response.statusCode).toBe(200);
    expect(response.json<PublishTarget>()).toMatchObject({ status: 'published', externalId: 'sandbox_found_by_hand', externalUrl: 'https://social.example.com/p/42', lastError: null });

    const after = await getTargetDetail(t, tenant, detail.id);
    expect(after.transitions.at(-1)).toMatchObject({ from: 'unconfirmed', to: 'published', reason: `resolved by ${tenant.email}: published, https://social.example.com/p/42 (note: seen on the feed)` });
    expect(after.attempts.at(-1)).toMatchObject({ outcome: 'published', errorMessage: `Confirmed published by ${tenant.email}.` });
    // The first engagement snapshot is due at the confirmation + 1 h, queued by the minute job (or already
    // by another test process's run: never both).
    const published = await readFirstMetrics(t, detail.id);
    const dueAt = published.publishedAt!.getTime() + 3600_000;
    expect([[dueAt, null], [null, dueAt]]).toContainEqual([published.dueAt?.getTime() ?? null, published.jobRunAt?.getTime() ?? null]);
    await queueFirstMetrics(t);
    expect(await readFirstMetrics(t, detail.id)).toEqual({ publishedAt: published.publishedAt, dueAt: null, jobRunAt: new Date(dueAt) });
    expect(await findQueuedJob(t, `metrics:${detail.id}:1`)).toMatchObject({ task: 'publishing.collect-metrics' });
    expect(await findQueuedJob(t, `reconcile:${detail.id}`)).toBeNull();
    const events = await t.owner.query(`SELECT type FROM outbox_events WHERE tenant_id = $1 AND payload->>'targetId' = $2`, [tenant.tenant.id, detail.id]);
    expect(events.rows.map((row) => row.type)).toContain('publishing.target_published');

    await flushAuditWrites();
    const audit = await t.owner.query(`SELECT actor_user_id, metadata FROM audit_log WHERE tenant_id = $1 AND target_id = $2 AND action = 'publishing.target_resolved'`, [tenant.tenant.id, detail.id]);
    expect(audit.rows).toEqual([{ actor_user_id: tenant.user.id, metadata: expect.objectContaining({ outcome: 'published', url: 'https://social.example.com/p/42' }) }]);
  });

  it('resolved as published without a link: recorded as such, and metrics collection skips a post without an id', async () => {
    const detail = await unconfirmedTarget();
    const response = await resolve(detail.id, { outcome: 'published' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'published', externalId: null, externalUrl: null });
    expect((await getTargetDetail(t, tenant, detail.id)).transitions.at(-1)?.reason).toBe(`resolved by ${tenant.email}: published, no link given`);
    await queueFirstMetrics(t);
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`metrics:${detail.id}:1`]);
    await t.drainJobs();
    expect((await getTargetDetail(t, tenant, detail.id)).latestMetrics).toBeNull();
  });

  it('not published → retry: a new attempt under a new idempotency key, with a fresh attempt budget', async () => {
    const detail = await unconfirmedTarget();
    const oldKey = (await readTargetRow(t, detail.id)).idempotency_key;
    const response = await resolve(detail.id, { outcome: 'not_published', action: 'retry' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'scheduled', lastError: null });
    const row = await readTargetRow(t, detail.id);
    expect(row.idempotency_key).not.toBe(oldKey);
    expect(row.idempotency_key).toMatch(/^omni-/);
    const base = await t.owner.query('SELECT attempt_base FROM publish_targets WHERE id = $1', [detail.id]);
    expect(base.rows[0].attempt_base).toBe(1);
    const after = await getTargetDetail(t, tenant, detail.id);
    expect(after.transitions.at(-1)).toMatchObject({ from: 'unconfirmed', to: 'scheduled', reason: `resolved by ${tenant.email}: not published, publishing again now with a new idempotency key` });
    expect(after.attempts[0]).toMatchObject({ outcome: 'retry', errorMessage: `Confirmed not published by ${tenant.email}.` });

    // The engine makes attempt 2 with the new key (this feed loses the answer again: unconfirmed again).
    await dispatchAndDrain(t, detail.id);
    await waitUntilSettled(t, [detail.id]);
    const attempts = await t.owner.query('SELECT attempt_number, idempotency_key FROM publish_attempts WHERE target_id = $1 ORDER BY attempt_number', [detail.id]);
    expect(attempts.rows).toEqual([
      { attempt_number: 1, idempotency_key: oldKey },
      { attempt_number: 2, idempotency_key: row.idempotency_key },
    ]);
    expect(await countSandboxPosts(t, row.idempotency_key)).toBe(1);
  });

  it('not published → fail: failed with the verdict, the event emitted, and it can then be retried', async () => {
    const detail = await unconfirmedTarget();
    const response = await resolve(detail.id, { outcome: 'not_published', action: 'fail' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'failed', lastErrorKind: 'not_published', lastError: `Not published (confirmed by ${tenant.email}).` });
    expect((await getTargetDetail(t, tenant, detail.id)).transitions.at(-1)).toMatchObject({ from: 'unconfirmed', to: 'failed', reason: `resolved by ${tenant.email}: not published, marked failed` });
    const events = await t.owner.query(`SELECT type FROM outbox_events WHERE tenant_id = $1 AND payload->>'targetId' = $2`, [tenant.tenant.id, detail.id]);
    expect(events.rows.map((row) => row.type)).toContain('publishing.target_failed');
    expect((await retry(detail.id)).json()).toMatchObject({ status: 'scheduled' });
  });

  it('retries a failed post now: scheduled again with the same key and a fresh budget; the transition names who', async () => {
    const detail = await failedTarget();
    expect(detail).toMatchObject({ status: 'failed', lastErrorKind: 'rejected' });
    const key = (await readTargetRow(t, detail.id)).idempotency_key;
    const response = await retry(detail.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'scheduled', lastError: null, lastErrorKind: null });
    expect(new Date(response.json().nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now());
    expect((await readTargetRow(t, detail.id)).idempotency_key).toBe(key);
    const after = await getTargetDetail(t, tenant, detail.id);
    expect(after.transitions.at(-1)).toMatchObject({ from: 'failed', to: 'scheduled', reason: `retried by ${tenant.email}: failed → publishing now` });

    // The feed still refuses it: attempt 2, failed again, nothing published.
    await dispatchAndDrain(t, detail.id);
    const again = await getTargetDetail(t, tenant, detail.id);
    expect(again.status).toBe('failed');
    expect(again.attempts.map((attempt) => attempt.attemptNumber)).toEqual([1, 2]);
    expect(await countSandboxPosts(t, key)).toBe(0);
  });

  it('retries a failed post at a later time: the wake-up is queued for it', async () => {
    const detail = await failedTarget();
    const at = new Date(Date.now() + 2 * 3600_000);
    at.setMilliseconds(0);
    const response = await retry(detail.id, { scheduledAt: at.toISOString() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'scheduled', scheduledAt: at.toISOString(), nextAttemptAt: at.toISOString() });
    expect(await findQueuedJob(t, `publishing.dispatch:${at.getTime() / 1000}`)).toMatchObject({ task: 'publishing.dispatch' });
    expect((await getTargetDetail(t, tenant, detail.id)).transitions.at(-1)?.reason).toBe(`retried by ${tenant.email}: failed → publishing at ${at.toISOString()}`);
  });

  it('retries a late post: it is published once, and audited', async () => {
    const target = await lateTarget();
    // No body at all means "now", like an empty one.
    const response = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/retry`, token: tenant.token });
    expect(response.statusCode).toBe(200);
    expect(new Date(response.json().scheduledAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await dispatchAndDrain(t, target.id);
    const detail = await getTargetDetail(t, tenant, target.id);
    expect(detail.status).toBe('published');
    expect(detail.transitions.map((transition) => transition.to)).toEqual(['scheduled', 'late', 'scheduled', 'publishing', 'published']);
    expect(await countSandboxPosts(t, (await readTargetRow(t, target.id)).idempotency_key)).toBe(1);
    await flushAuditWrites();
    const audit = await t.owner.query('SELECT action FROM audit_log WHERE tenant_id = $1 AND target_id = $2 ORDER BY created_at', [tenant.tenant.id, target.id]);
    expect(audit.rows.map((row) => row.action)).toContain('publishing.target_retried');
  });

  it('answers 409 with the current status for the wrong state, and leaves the post as it was', async () => {
    const scheduled = await createTarget(t, tenant, { scheduledAt: inOneHour() });
    const resolved = await resolve(scheduled.id, { outcome: 'published' });
    expect(resolved.statusCode).toBe(409);
    expect(resolved.headers['content-type']).toContain('application/problem+json');
    expect(resolved.json()).toMatchObject({ code: 'publishing.not_unconfirmed', currentStatus: 'scheduled', status: 409 });
    expect(resolved.json().detail).toContain('This one is scheduled.');
    const retried = await retry(scheduled.id);
    expect(retried.statusCode).toBe(409);
    expect(retried.json()).toMatchObject({ code: 'publishing.not_retryable', currentStatus: 'scheduled' });

    const failed = await failedTarget();
    expect((await resolve(failed.id, { outcome: 'not_published', action: 'retry' })).json()).toMatchObject({ code: 'publishing.not_unconfirmed', currentStatus: 'failed' });
    const unconfirmed = await unconfirmedTarget();
    expect((await retry(unconfirmed.id)).json()).toMatchObject({ code: 'publishing.not_retryable', currentStatus: 'unconfirmed' });
    await resolve(unconfirmed.id, { outcome: 'published' });
    expect((await resolve(unconfirmed.id, { outcome: 'published' })).json()).toMatchObject({ code: 'publishing.not_unconfirmed', currentStatus: 'published' });
    expect((await retry(unconfirmed.id)).json()).toMatchObject({ code: 'publishing.not_retryable', currentStatus: 'published' });
    expect((await readTargetRow(t, scheduled.id)).status).toBe('scheduled');
    expect((await readTargetRow(t, failed.id)).status).toBe('failed');
  });

  it('refuses bad bodies with problem+json and changes nothing', async () => {
    const detail = await unconfirmedTarget();
    const bodies = [
      { outcome: 'maybe' },
      { outcome: 'not_published' },
      { outcome: 'not_published', action: 'later' },
      { outcome: 'published', url: 'ftp://example.com/post' },
      { outcome: 'published', externalId: '' },
      { outcome: 'published', surprise: true },
    ];
    for (const body of bodies) {
      const response = await resolve(detail.id, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await readTargetRow(t, detail.id)).status).toBe('unconfirmed');

    const failed = await failedTarget();
    const past = await retry(failed.id, { scheduledAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(past.json().code).toBe('publishing.scheduled_in_past');
    expect((await retry(failed.id, { scheduledAt: 'tomorrow' })).statusCode).toBe(400);
    expect((await readTargetRow(t, failed.id)).status).toBe('failed');
  });

  it('will not retry on a connection that cannot publish: 409 until it is reconnected', async () => {
    const target = await lateTarget(other);
    const disconnected = await request(t.app, { method: 'DELETE', url: `/api/social/connections/${other.connectionId}`, token: other.token });
    expect(disconnected.statusCode).toBeLessThan(300);
    const response = await retry(target.id, {}, other.token);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'publishing.connection_needs_reconnect', connectionStatus: 'disconnected' });
    expect((await readTargetRow(t, target.id)).status).toBe('late');
  });

  it('permissions: viewers and contributors may not decide; editors may', async () => {
    const unconfirmed = await unconfirmedTarget();
    const failed = await failedTarget();
    for (const role of ['viewer', 'contributor', 'client'] as const) {
      const member = await addMember(t, tenant.token, { role, accountId: tenant.accountId });
      expect((await resolve(unconfirmed.id, { outcome: 'published' }, member.token)).statusCode, role).toBe(403);
      expect((await retry(failed.id, {}, member.token)).statusCode, role).toBe(403);
    }
    expect((await readTargetRow(t, unconfirmed.id)).status).toBe('unconfirmed');

    const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    const resolved = await resolve(unconfirmed.id, { outcome: 'not_published', action: 'fail' }, editor.token);
    expect(resolved.statusCode).toBe(200);
    expect((await getTargetDetail(t, tenant, unconfirmed.id)).transitions.at(-1)?.reason).toBe(`resolved by ${editor.email}: not published, marked failed`);
    expect((await retry(failed.id, {}, editor.token)).statusCode).toBe(200);
  });

  it('another tenant’s targets are 404 on resolve and retry, and stay untouched', async () => {
    const unconfirmed = await unconfirmedTarget();
    const failed = await failedTarget();
    expect((await resolve(unconfirmed.id, { outcome: 'published' }, other.token)).statusCode).toBe(404);
    expect((await resolve(unconfirmed.id, { outcome: 'not_published', action: 'retry' }, other.token)).statusCode).toBe(404);
    expect((await retry(failed.id, {}, other.token)).statusCode).toBe(404);
    expect((await readTargetRow(t, unconfirmed.id)).status).toBe('unconfirmed');
    expect((await readTargetRow(t, failed.id)).status).toBe('failed');
  });
});
