import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/kernel/db/tenancy.js';
import { isAppError } from '../../src/kernel/errors.js';
import {
  cancelScheduledTarget,
  getAccountTimezone,
  getLatestEngagement,
  getTargetStatuses,
  listConnectionLoad,
  perConnectionWindows,
  reviseScheduledTarget,
  scheduleTargetsInTx,
  summarizeEngagementByHour,
} from '../../src/modules/publishing/index.js';
import { listSchedulableConnections, checkSchedulingConnection } from '../../src/modules/social/index.js';
import { createPublishingTenant, createTarget, dispatchAndDrain, findQueuedJob, makeDue, readTargetRow, type PublishingTenant } from '../factories/publishing.js';
import { createAccount } from '../factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../harness.js';

/**
 * Publishing's internal API for content (design §3.5) and social's scheduling seams: transaction-level,
 * no permission checks, the same state machine and exactly-once rules as the public routes.
 */
describe('publishing and social seams for the content studio', () => {
  let t: TestApp;
  let tenant: PublishingTenant;
  const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000);
  const inTenant = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, fn);
  const countTargets = async (connectionId: string) =>
    (await t.owner.query<{ count: number }>('SELECT count(*)::int AS count FROM publish_targets WHERE connection_id = $1', [connectionId])).rows[0]!.count;

  /** A publish job as versions before the publishing lanes queued one per claimed target. */
  const queueLegacyPublishJob = (targetId: string) =>
    t.owner.query(
      `SELECT graphile_worker.add_job('publishing.publish', json_build_object('tenantId', $1::text, 'data', json_build_object('targetId', $2::text)), job_key => 'publish:' || $2)`,
      [tenant.tenant.id, targetId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createPublishingTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('schedules targets in the caller’s transaction, with omni-media references, transitions and a dispatcher wake-up', async () => {
    const at = inHours(2);
    const media = { url: 'omni-media://0b7c5a0e-7d1a-4f43-9d43-1f7d0d2b6c11/instagram', kind: 'image' as const, altText: 'A croissant', mimeType: 'image/jpeg' };
    const targets = await inTenant((tx) =>
      scheduleTargetsInTx(tx, {
        tenantId: tenant.tenant.id,
        accountId: tenant.accountId,
        createdBy: tenant.user.id,
        items: [
          { connectionId: tenant.connectionId, content: { text: 'First', media: [media] }, scheduledAt: at },
          { connectionId: tenant.connectionId, content: { text: 'Second' }, scheduledAt: at },
        ],
      }),
    );
    expect(targets.map((target) => [target.status, target.network, target.content.text])).toEqual([
      ['scheduled', 'sandbox', 'First'],
      ['scheduled', 'sandbox', 'Second'],
    ]);
    expect(targets[0]!.content.media[0]!.url).toBe(media.url);
    const keys = await Promise.all(targets.map(async (target) => (await readTargetRow(t, target.id)).idempotency_key));
    expect(new Set(keys).size).toBe(2);
    const transitions = await t.owner.query('SELECT target_id, from_status, to_status FROM publish_target_transitions WHERE target_id = ANY($1::uuid[])', [targets.map((target) => target.id)]);
    expect(transitions.rows).toHaveLength(2);
    expect(transitions.rows.every((row) => row.from_status === null && row.to_status === 'scheduled')).toBe(true);
    expect(await findQueuedJob(t, `publishing.dispatch:${Math.floor(at.getTime() / 1000)}`)).not.toBeNull();
  });

  it('rolls back with the caller: no target, no transition, no wake-up', async () => {
    const at = inHours(3);
    const before = await countTargets(tenant.connectionId);
    await expect(
      inTenant(async (tx) => {
        await scheduleTargetsInTx(tx, { tenantId: tenant.tenant.id, accountId: tenant.accountId, createdBy: null, items: [{ connectionId: tenant.connectionId, content: { text: 'Rolled back' }, scheduledAt: at }] });
        throw new Error('the caller failed later');
      }),
    ).rejects.toThrow('the caller failed later');
    expect(await countTargets(tenant.connectionId)).toBe(before);
    expect(await findQueuedJob(t, `publishing.dispatch:${Math.floor(at.getTime() / 1000)}`)).toBeNull();
  });

  it('refuses another account’s connection (404), a past time (400) and invalid content (422), creating nothing', async () => {
    const account = await createAccount(t.app, tenant.token);
    const other = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: 'Other feed', accountId: account.id } });
    const attempt = (connectionId: string, content: { text: string; link?: string; media?: Array<{ url: string; kind: 'image' }> }, scheduledAt = inHours(1)) =>
      inTenant((tx) => scheduleTargetsInTx(tx, { tenantId: tenant.tenant.id, accountId: tenant.accountId, createdBy: null, items: [{ connectionId, content, scheduledAt }] })).then(
        () => null,
        (error: unknown) => (isAppError(error) ? [error.status, error.code] : error),
      );
    const before = await countTargets(tenant.connectionId);
    expect(await attempt(other.json<{ id: string }>().id, { text: 'Not yours' })).toEqual([404, 'social_connection.not_found']);
    expect(await attempt(tenant.connectionId, { text: 'Yesterday' }, inHours(-24))).toEqual([400, 'publishing.scheduled_in_past']);
    expect(await attempt(tenant.connectionId, { text: 'Bad media', media: [{ url: 'omni-media://not-an-asset/x', kind: 'image' }] })).toEqual([422, 'publishing.invalid_content']);
    expect(await attempt(tenant.connectionId, { text: ' ' })).toEqual([422, 'publishing.invalid_content']);
    expect(await attempt(tenant.connectionId, { text: 'Bad link', link: 'javascript:alert(1)' })).toEqual([422, 'publishing.invalid_content']);
    expect(await countTargets(tenant.connectionId)).toBe(before);
    expect(await countTargets(other.json<{ id: string }>().id)).toBe(0);
  });

  it('revises a scheduled target whose publish job an earlier version queued: the job is removed, the new content goes out once, same key', async () => {
    const target = await createTarget(t, tenant, { text: 'Old text' });
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    // As the dispatcher before publishing lanes left it: dispatched, and a publish job queued for it.
    await t.owner.query('UPDATE publish_targets SET dispatched_at = now() WHERE id = $1', [target.id]);
    await queueLegacyPublishJob(target.id);
    expect(await findQueuedJob(t, `publish:${target.id}`)).not.toBeNull();

    const newTime = inHours(5);
    const revised = await inTenant((tx) => reviseScheduledTarget(tx, { targetId: target.id, content: { text: 'New text' }, scheduledAt: newTime, reason: 'post revision 2' }));
    expect(revised).toMatchObject({ ok: true, target: { status: 'scheduled', content: { text: 'New text' }, scheduledAt: newTime.toISOString() } });
    expect(await findQueuedJob(t, `publish:${target.id}`)).toBeNull();
    const row = await readTargetRow(t, target.id);
    expect(row).toMatchObject({ idempotency_key: key, dispatched_at: null });
    const reasons = await t.owner.query('SELECT from_status, to_status, reason FROM publish_target_transitions WHERE target_id = $1 ORDER BY id', [target.id]);
    expect(reasons.rows.at(-1)).toEqual({ from_status: 'scheduled', to_status: 'scheduled', reason: 'post revision 2' });

    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    const posts = await t.owner.query('SELECT text FROM sandbox_posts WHERE idempotency_key = $1', [key]);
    expect(posts.rows).toEqual([{ text: 'New text' }]);

    // Published now: neither revise nor cancel touches it.
    expect(await inTenant((tx) => reviseScheduledTarget(tx, { targetId: target.id, content: { text: 'Too late' }, reason: 'post revision 3' }))).toEqual({ ok: false, currentStatus: 'published' });
    expect(await inTenant((tx) => cancelScheduledTarget(tx, { targetId: target.id, reason: 'destination removed' }))).toEqual({ ok: false, currentStatus: 'published' });
    expect((await t.owner.query('SELECT content->>\'text\' AS text FROM publish_targets WHERE id = $1', [target.id])).rows[0].text).toBe('New text');
  });

  it('cancels only a scheduled target; a cancelled one never publishes; unknown ids are a typed not_found', async () => {
    const target = await createTarget(t, tenant, { text: 'Cancel me' });
    const key = (await readTargetRow(t, target.id)).idempotency_key;
    await queueLegacyPublishJob(target.id);
    expect(await inTenant((tx) => cancelScheduledTarget(tx, { targetId: target.id, reason: 'destination removed' }))).toMatchObject({ ok: true, target: { status: 'cancelled' } });
    expect(await findQueuedJob(t, `publish:${target.id}`)).toBeNull();
    expect(await inTenant((tx) => cancelScheduledTarget(tx, { targetId: target.id, reason: 'again' }))).toEqual({ ok: false, currentStatus: 'cancelled' });
    expect(await inTenant((tx) => reviseScheduledTarget(tx, { targetId: target.id, scheduledAt: inHours(1), reason: 'moved' }))).toEqual({ ok: false, currentStatus: 'cancelled' });
    await dispatchAndDrain(t, target.id);
    expect((await t.owner.query('SELECT count(*)::int AS count FROM sandbox_posts WHERE idempotency_key = $1', [key])).rows[0].count).toBe(0);
    expect(await inTenant((tx) => cancelScheduledTarget(tx, { targetId: '00000000-0000-4000-8000-000000000000', reason: 'x' }))).toEqual({ ok: false, currentStatus: 'not_found' });
    expect(await inTenant((tx) => reviseScheduledTarget(tx, { targetId: 'nope', reason: 'x' }))).toEqual({ ok: false, currentStatus: 'not_found' });
  });

  it('reads many statuses in one call and the load of connections, including targets made through the public API', async () => {
    const scheduled = await createTarget(t, tenant, { text: 'Load 1', scheduledAt: inHours(30).toISOString() });
    const cancelled = await createTarget(t, tenant, { text: 'Load 2', scheduledAt: inHours(31).toISOString() });
    await inTenant((tx) => cancelScheduledTarget(tx, { targetId: cancelled.id, reason: 'gone' }));
    const statuses = await inTenant((tx) => getTargetStatuses(tx, [scheduled.id, cancelled.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']));
    expect(statuses.map((status) => [status.id, status.status, status.network, status.connectionId])).toEqual([
      [scheduled.id, 'scheduled', 'sandbox', tenant.connectionId],
      [cancelled.id, 'cancelled', 'sandbox', tenant.connectionId],
    ]);
    expect(statuses[0]).toMatchObject({ scheduledAt: scheduled.scheduledAt, publishedAt: null, externalUrl: null, lastError: null });

    const load = await inTenant((tx) => listConnectionLoad(tx, { connectionIds: [tenant.connectionId], from: inHours(29), to: inHours(32) }));
    expect(load).toEqual([{ targetId: scheduled.id, connectionId: tenant.connectionId, network: 'sandbox', scheduledAt: scheduled.scheduledAt, status: 'scheduled' }]);
    expect(await inTenant((tx) => listConnectionLoad(tx, { connectionIds: [tenant.connectionId], from: inHours(31), to: inHours(32) }))).toEqual([]);
  });

  it('does not read another tenant’s targets', async () => {
    const stranger = await createPublishingTenant(t);
    const theirs = await createTarget(t, stranger, { text: 'Theirs' });
    expect(await inTenant((tx) => getTargetStatuses(tx, [theirs.id]))).toEqual([]);
    expect(await inTenant((tx) => listConnectionLoad(tx, { connectionIds: [stranger.connectionId], from: inHours(0), to: inHours(2) }))).toEqual([]);
    expect(await inTenant((tx) => reviseScheduledTarget(tx, { targetId: theirs.id, content: { text: 'Hijacked' }, reason: 'x' }))).toEqual({ ok: false, currentStatus: 'not_found' });
  });

  it('summarizes engagement per weekday and hour in the account’s zone, latest snapshot per target', async () => {
    const owner = await createPublishingTenant(t);
    // Published Monday 2030-07-15 07:30 UTC (09:30 in Berlin, 17:30 in Sydney) and Sunday 23:30 UTC (Monday 09:30 in Sydney).
    const insert = async (network: string, publishedAt: string, snapshots: Array<[string, number, number | null]>) => {
      const target = await t.owner.query<{ id: string }>(
        `INSERT INTO publish_targets (tenant_id, account_id, connection_id, network, content, scheduled_at, status, idempotency_key, published_at)
         VALUES ($1, $2, $3, $4, '{"text":"x","media":[],"link":null,"options":{}}', $5, 'published', gen_random_uuid()::text, $5) RETURNING id`,
        [owner.tenant.id, owner.accountId, owner.connectionId, network, publishedAt],
      );
      const id = target.rows[0]!.id;
      for (const [collectedAt, likes, impressions] of snapshots) {
        await t.owner.query('INSERT INTO engagement_metrics (tenant_id, target_id, collected_at, likes, comments, impressions) VALUES ($1, $2, $3, $4, 1, $5)', [
          owner.tenant.id,
          id,
          collectedAt,
          likes,
          impressions,
        ]);
      }
      return id;
    };
    const a = await insert('sandbox', '2030-07-15T07:30:00Z', [
      ['2030-07-15T08:30:00Z', 1, 100],
      ['2030-07-18T08:30:00Z', 9, 100],
    ]);
    await insert('sandbox', '2030-07-14T23:30:00Z', [['2030-07-15T23:30:00Z', 19, 200]]);
    await insert('x', '2030-07-15T07:45:00Z', [['2030-07-15T08:45:00Z', 4, null]]);

    const scope = { db: t.kernel.db, tenantId: owner.tenant.id };
    const since = new Date('2030-07-01T00:00:00Z');
    const sydney = await withTenant(scope, (tx) => summarizeEngagementByHour(tx, { accountId: owner.accountId, since, timeZone: 'Australia/Sydney' }));
    expect(sydney).toEqual([
      // Both sandbox samples have impressions: a rate; the first target counts with its latest snapshot (9 + 1) / 100.
      { network: 'sandbox', weekday: 1, hour: 9, samples: 1, meanScore: 0.1, scoreKind: 'per_impression' },
      { network: 'sandbox', weekday: 1, hour: 17, samples: 1, meanScore: 0.1, scoreKind: 'per_impression' },
      // X has a sample without impressions: plain counts.
      { network: 'x', weekday: 1, hour: 17, samples: 1, meanScore: 5, scoreKind: 'count' },
    ]);
    const berlin = await withTenant(scope, (tx) => summarizeEngagementByHour(tx, { accountId: owner.accountId, network: 'sandbox', since, timeZone: 'Europe/Berlin' }));
    expect(berlin.map((bucket) => [bucket.weekday, bucket.hour])).toEqual([
      [1, 1],
      [1, 9],
    ]);
    await expect(withTenant(scope, (tx) => summarizeEngagementByHour(tx, { accountId: owner.accountId, since, timeZone: 'Mars/Base' }))).rejects.toMatchObject({ status: 400 });

    const latest = await withTenant(scope, (tx) => getLatestEngagement(tx, [a]));
    expect(latest).toEqual([{ targetId: a, collectedAt: '2030-07-18T08:30:00.000Z', likes: 9, comments: 1, shares: null, impressions: 100, clicks: null }]);
    // Another tenant sees none of it.
    expect(await inTenant((tx) => getLatestEngagement(tx, [a]))).toEqual([]);
  });

  it('gives the account’s zone and the per-connection rate windows', async () => {
    expect(await inTenant((tx) => getAccountTimezone(tx, tenant.accountId))).toBeNull();
    await request(t.app, { method: 'PUT', url: '/api/publishing/settings', token: tenant.token, payload: { lateAfterSeconds: null, timezone: 'Australia/Sydney' } });
    expect(await inTenant((tx) => getAccountTimezone(tx, tenant.accountId))).toBe('Australia/Sydney');
    const windows = perConnectionWindows(t.kernel.config);
    expect(windows.every((window) => window.scope === 'connection')).toBe(true);
    expect(windows).toContainEqual({ network: 'instagram', scope: 'connection', limit: 50, seconds: 86_400 });
  });

  it('social: the scheduling check names the destination kind; schedulable connections leave out disconnected ones', async () => {
    const check = await inTenant((tx) => checkSchedulingConnection(tx, { accountId: tenant.accountId, connectionId: tenant.connectionId }));
    expect(check).toEqual({ ok: true, network: 'sandbox', destinationName: 'Sandbox page', destinationKind: 'sandbox' });

    const second = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: 'Second feed' } });
    const third = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: 'Third feed' } });
    await t.owner.query(`UPDATE social_connections SET status = 'needs_reconnect' WHERE id = $1`, [second.json<{ id: string }>().id]);
    await request(t.app, { method: 'DELETE', url: `/api/social/connections/${third.json<{ id: string }>().id}`, token: tenant.token });

    const listed = await inTenant((tx) => listSchedulableConnections(tx, tenant.accountId));
    expect(listed).toEqual([
      { id: tenant.connectionId, network: 'sandbox', destinationKind: 'sandbox', destinationName: 'Sandbox page', status: 'active' },
      { id: second.json<{ id: string }>().id, network: 'sandbox', destinationKind: 'sandbox', destinationName: 'Second feed', status: 'needs_reconnect' },
    ]);
    const otherAccount = await createAccount(t.app, tenant.token);
    expect(await inTenant((tx) => listSchedulableConnections(tx, otherAccount.id))).toEqual([]);
  });
});
