import type { PublishTarget, PublishTargetList } from '@omni/contracts/publishing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishingTenant, createTarget, findQueuedJob, inOneHour, readTargetRow, type PublishingTenant } from '../../../test/factories/publishing.js';
import { addMember } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { flushAuditWrites } from '../audit/index.js';

describe('publishing API', () => {
  let t: TestApp;
  let tenant: PublishingTenant;
  let other: PublishingTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createPublishingTenant(t);
    other = await createPublishingTenant(t);
  });
  afterAll(() => t?.close());

  it('schedules a post: 201 with the target, a unique idempotency key, and an audit entry', async () => {
    const scheduledAt = inOneHour();
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/publishing/targets',
      token: tenant.token,
      payload: { connectionId: tenant.connectionId, content: { text: 'Launch day', media: [{ url: 'https://cdn.example.com/a.jpg', kind: 'image' }], link: 'https://example.com' }, scheduledAt },
    });
    expect(response.statusCode).toBe(201);
    const target = response.json<PublishTarget>();
    expect(target).toMatchObject({ status: 'scheduled', network: 'sandbox', connectionId: tenant.connectionId, accountId: tenant.accountId, attemptCount: 0 });
    expect(new Date(target.scheduledAt).toISOString()).toBe(new Date(scheduledAt).toISOString());
    expect(target.content.media[0]).toEqual({ url: 'https://cdn.example.com/a.jpg', kind: 'image', altText: null, mimeType: null });
    const second = await createTarget(t, tenant);
    expect((await readTargetRow(t, target.id)).idempotency_key).not.toBe((await readTargetRow(t, second.id)).idempotency_key);
    expect(JSON.stringify(target)).not.toContain((await readTargetRow(t, target.id)).idempotency_key);

    await flushAuditWrites();
    const audit = await t.owner.query('SELECT action, target_type, target_id FROM audit_log WHERE tenant_id = $1 AND target_id = $2', [tenant.tenant.id, target.id]);
    expect(audit.rows).toEqual([{ action: 'publishing.target_created', target_type: 'publish_target', target_id: target.id }]);
  });

  it('refuses bad input with problem+json: empty post, past time, unknown or foreign connection', async () => {
    const empty = await request(t.app, { method: 'POST', url: '/api/publishing/targets', token: tenant.token, payload: { connectionId: tenant.connectionId, content: { text: '  ' } } });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');

    const past = await request(t.app, {
      method: 'POST',
      url: '/api/publishing/targets',
      token: tenant.token,
      payload: { connectionId: tenant.connectionId, content: { text: 'Late' }, scheduledAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().code).toBe('publishing.scheduled_in_past');

    const unknown = await request(t.app, { method: 'POST', url: '/api/publishing/targets', token: tenant.token, payload: { connectionId: randomUUID(), content: { text: 'x' } } });
    expect(unknown.statusCode).toBe(404);
    const foreign = await request(t.app, { method: 'POST', url: '/api/publishing/targets', token: tenant.token, payload: { connectionId: other.connectionId, content: { text: 'x' } } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe(unknown.json().code);
  });

  it('lists the account’s targets with status and connection filters and cursor paging', async () => {
    const listed = await createPublishingTenant(t);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push((await createTarget(t, listed, { text: `Post ${index}`, scheduledAt: new Date(Date.now() + (index + 1) * 3600_000).toISOString() })).id);
    await request(t.app, { method: 'POST', url: `/api/publishing/targets/${ids[0]}/cancel`, token: listed.token });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await request(t.app, { url: `/api/publishing/targets?limit=2${cursor ? `&cursor=${cursor}` : ''}`, token: listed.token });
      expect(page.statusCode).toBe(200);
      const body = page.json<PublishTargetList>();
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const cancelled = await request(t.app, { url: '/api/publishing/targets?status=cancelled', token: listed.token });
    expect(cancelled.json<PublishTargetList>().items.map((item) => item.id)).toEqual([ids[0]]);
    const byConnection = await request(t.app, { url: `/api/publishing/targets?connectionId=${randomUUID()}`, token: listed.token });
    expect(byConnection.json<PublishTargetList>().items).toEqual([]);
    const bad = await request(t.app, { url: '/api/publishing/targets?cursor=nonsense', token: listed.token });
    expect(bad.statusCode).toBe(400);
  });

  it('publish-now moves a scheduled target to now and wakes the dispatcher', async () => {
    const target = await createTarget(t, tenant);
    const response = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/publish-now`, token: tenant.token });
    expect(response.statusCode).toBe(200);
    const body = response.json<PublishTarget>();
    expect(new Date(body.nextAttemptAt!).getTime()).toBeLessThanOrEqual(Date.now());
    const second = Math.floor(new Date(body.nextAttemptAt!).getTime() / 1000);
    expect(await findQueuedJob(t, `publishing.dispatch:${second}`)).not.toBeNull();
  });

  it('reschedule, cancel and publish-now answer 409 for a target that is not scheduled', async () => {
    const target = await createTarget(t, tenant);
    await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/cancel`, token: tenant.token });
    const moved = await request(t.app, { method: 'PATCH', url: `/api/publishing/targets/${target.id}`, token: tenant.token, payload: { scheduledAt: inOneHour() } });
    expect(moved.statusCode).toBe(409);
    const now = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/publish-now`, token: tenant.token });
    expect(now.statusCode).toBe(409);
  });

  it('another tenant’s target is 404 on every route, and it stays untouched', async () => {
    const target = await createTarget(t, tenant);
    const calls = [
      { method: 'GET' as const, url: `/api/publishing/targets/${target.id}` },
      { method: 'PATCH' as const, url: `/api/publishing/targets/${target.id}`, payload: { scheduledAt: inOneHour() } },
      { method: 'POST' as const, url: `/api/publishing/targets/${target.id}/cancel` },
      { method: 'POST' as const, url: `/api/publishing/targets/${target.id}/publish-now` },
    ];
    for (const call of calls) {
      const response = await request(t.app, { ...call, token: other.token });
      expect(response.statusCode, `${call.method} ${call.url}`).toBe(404);
    }
    const list = await request(t.app, { url: '/api/publishing/targets', token: other.token });
    expect(list.json<PublishTargetList>().items.map((item) => item.id)).not.toContain(target.id);
    expect((await readTargetRow(t, target.id)).status).toBe('scheduled');
  });

  it('viewers read targets but cannot schedule; editors schedule', async () => {
    const target = await createTarget(t, tenant);
    const viewer = await addMember(t, tenant.token, { role: 'viewer', accountId: tenant.accountId });
    const read = await request(t.app, { url: `/api/publishing/targets/${target.id}`, token: viewer.token });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: target.id, attempts: [], transitions: [{ from: null, to: 'scheduled' }], latestMetrics: null });
    const refused = await request(t.app, { method: 'POST', url: '/api/publishing/targets', token: viewer.token, payload: { connectionId: tenant.connectionId, content: { text: 'No' } } });
    expect(refused.statusCode).toBe(403);
    const cancel = await request(t.app, { method: 'POST', url: `/api/publishing/targets/${target.id}/cancel`, token: viewer.token });
    expect(cancel.statusCode).toBe(403);

    const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    const created = await request(t.app, { method: 'POST', url: '/api/publishing/targets', token: editor.token, payload: { connectionId: tenant.connectionId, content: { text: 'Yes' }, scheduledAt: inOneHour() } });
    expect(created.statusCode).toBe(201);
    expect(created.json().createdBy).toBe(editor.userId);
  });
});
