import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/kernel/db/tenancy.js';
import { scheduleTargetsInTx } from '../../src/modules/publishing/index.js';
import { findTarget } from '../../src/modules/publishing/publishing.queries.js';
import { markLate } from '../../src/modules/publishing/use-cases/outcomes.js';
import { uploadReadyImage } from '../factories/media.js';
import { createPublishingTenant, createTarget, dispatchAndDrain, makeDue, readTargetRow, waitUntilSettled, type PublishingTenant } from '../factories/publishing.js';
import { createTestApp, request, type TestApp } from '../harness.js';

/**
 * What content's status sync listens to: every publishing event carries {targetId, accountId,
 * connectionId, network, status}; late and "back to scheduled by a person" have their own events. And
 * publish-time media resolution: omni-media:// references are signed just before the provider call, and a
 * deleted asset fails the attempt without anything reaching the network.
 */
describe('publishing events and publish-time media', () => {
  let t: TestApp;
  let tenant: PublishingTenant;

  const eventsOf = async (targetId: string) =>
    (await t.owner.query<{ type: string; payload: Record<string, unknown> }>(`SELECT type, payload FROM outbox_events WHERE payload->>'targetId' = $1 ORDER BY created_at, id`, [targetId])).rows;
  const sandbox = async (behaviour: 'publish' | 'lose_response' | 'reject') => {
    const response = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: `Feed ${behaviour}`, behaviour } });
    return response.json<{ id: string }>().id;
  };
  const common = (targetId: string, connectionId: string) => ({ targetId, accountId: tenant.accountId, connectionId, network: 'sandbox' });

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createPublishingTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('published carries the common payload with status published', async () => {
    const target = await createTarget(t, tenant, { text: 'Event: published' });
    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    const [event] = await eventsOf(target.id);
    expect(event).toMatchObject({ type: 'publishing.target_published', payload: { ...common(target.id, tenant.connectionId), status: 'published' } });
  });

  it('failed, then a person’s retry: target_failed and target_rescheduled', async () => {
    const connectionId = await sandbox('reject');
    const target = await createTarget(t, { ...tenant, connectionId }, { text: 'Event: rejected' });
    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    expect((await readTargetRow(t, target.id)).status).toBe('failed');
    const retried = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/retry`, token: tenant.token, payload: {} });
    expect(retried.statusCode).toBe(200);
    const events = await eventsOf(target.id);
    expect(events.map((event) => [event.type, event.payload.status])).toEqual([
      ['publishing.target_failed', 'failed'],
      ['publishing.target_rescheduled', 'scheduled'],
    ]);
    expect(events[1]!.payload).toMatchObject(common(target.id, connectionId));
  });

  it('unconfirmed, then resolved "not published, retry": target_unconfirmed and target_rescheduled', async () => {
    const connectionId = await sandbox('lose_response');
    const target = await createTarget(t, { ...tenant, connectionId }, { text: 'Event: lost' });
    await makeDue(t, target.id);
    await dispatchAndDrain(t, target.id);
    expect((await readTargetRow(t, target.id)).status).toBe('unconfirmed');
    const resolved = await request(t.app, {
      method: 'POST',
      url: `/api/publishing/targets/${target.id}/resolve`,
      token: tenant.token,
      payload: { outcome: 'not_published', action: 'retry' },
    });
    expect(resolved.statusCode).toBe(200);
    const events = await eventsOf(target.id);
    expect(events.map((event) => [event.type, event.payload.status])).toEqual([
      ['publishing.target_unconfirmed', 'unconfirmed'],
      ['publishing.target_rescheduled', 'scheduled'],
    ]);
    expect(events[0]!.payload).toMatchObject({ ...common(target.id, connectionId), sent: true });
  });

  it('late: the transition and its event together', async () => {
    const target = await createTarget(t, tenant, { text: 'Event: late' });
    await withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, async (tx) => {
      const row = (await findTarget(tx, target.id, { lock: true }))!;
      await markLate(tx, row, 'not published: due 4000 s ago, more than the 3600 s allowed (no worker ran)');
    });
    expect((await readTargetRow(t, target.id)).status).toBe('late');
    expect(await eventsOf(target.id)).toEqual([{ type: 'publishing.target_late', payload: { ...common(target.id, tenant.connectionId), status: 'late' } }]);
  });

  it('resolves omni-media:// references to signed URLs just before the provider call', async () => {
    const asset = await uploadReadyImage(t, tenant.token);
    const reference = `omni-media://${asset.id}/medium`;
    const [target] = await withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, (tx) =>
      scheduleTargetsInTx(tx, {
        tenantId: tenant.tenant.id,
        accountId: tenant.accountId,
        createdBy: tenant.user.id,
        items: [{ connectionId: tenant.connectionId, content: { text: 'With our photo', media: [{ url: reference, kind: 'image', altText: 'Bread', mimeType: null }] }, scheduledAt: new Date(Date.now() + 60_000) }],
      }),
    );
    await makeDue(t, target!.id);
    await dispatchAndDrain(t, target!.id);
    expect((await readTargetRow(t, target!.id)).status).toBe('published');
    const key = (await readTargetRow(t, target!.id)).idempotency_key;
    const post = (await t.owner.query<{ media: Array<{ url: string }> }>('SELECT media FROM sandbox_posts WHERE idempotency_key = $1', [key])).rows[0]!;
    expect(post.media[0]!.url).toMatch(/^https?:\/\//);
    expect(post.media[0]!.url).toContain(asset.id);
    // The stored target keeps the reference: a later attempt signs afresh.
    expect((await t.owner.query(`SELECT content->'media'->0->>'url' AS url FROM publish_targets WHERE id = $1`, [target!.id])).rows[0].url).toBe(reference);
  });

  it('fails the attempt when a referenced asset is gone, and nothing reaches the network', async () => {
    const missing = 'omni-media://5d0f2d7e-2b7c-4a57-9a4c-2b1f0e9b8a11/medium';
    const [target] = await withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, (tx) =>
      scheduleTargetsInTx(tx, {
        tenantId: tenant.tenant.id,
        accountId: tenant.accountId,
        createdBy: null,
        items: [{ connectionId: tenant.connectionId, content: { text: 'Deleted photo', media: [{ url: missing, kind: 'image' }] }, scheduledAt: new Date(Date.now() + 60_000) }],
      }),
    );
    await makeDue(t, target!.id);
    await dispatchAndDrain(t, target!.id);
    await waitUntilSettled(t, [target!.id]);
    const row = await readTargetRow(t, target!.id);
    expect(row).toMatchObject({ status: 'failed', last_error_kind: 'rejected' });
    expect(row.last_error).toContain('was deleted from the library');
    expect((await t.owner.query('SELECT count(*)::int AS count FROM sandbox_posts WHERE idempotency_key = $1', [row.idempotency_key])).rows[0].count).toBe(0);
  });
});
