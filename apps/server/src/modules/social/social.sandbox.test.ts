import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { loadPublishingConnection } from './index.js';

/** The built-in Sandbox network: connect by name, publish exactly once per key, deterministic metrics. */
describe('sandbox network', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let connectionId: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    const created = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: 'Demo feed' } });
    expect(created.statusCode).toBe(201);
    connectionId = created.json().id;
  });
  afterAll(() => t?.close());

  const post = (text: string) => ({ text, media: [], link: null, options: {} });

  it('creates an active sandbox connection without OAuth', async () => {
    const list = await request(t.app, { url: '/api/social/connections', token: owner.token });
    expect(list.json().items).toEqual([expect.objectContaining({ id: connectionId, network: 'sandbox', networkName: 'Sandbox', status: 'active', destination: expect.objectContaining({ name: 'Demo feed', kind: 'sandbox' }) })]);
    const networks = await request(t.app, { url: '/api/social/networks', token: owner.token });
    expect(networks.json().items).toEqual([expect.objectContaining({ id: 'sandbox', usesOAuth: false })]);
  });

  it('publishes once per idempotency key, finds the post by key, and lists it in the console API', async () => {
    const { provider, credentials } = await loadPublishingConnection(t.kernel, owner.tenant.id, connectionId);
    const first = await provider.publish(credentials, post('Hello sandbox'), 'target-1:attempt');
    const repeat = await provider.publish(credentials, post('Hello sandbox'), 'target-1:attempt');
    expect(repeat).toEqual(first);
    const stored = await t.owner.query('SELECT count(*)::int AS count FROM sandbox_posts WHERE connection_id = $1 AND idempotency_key = $2', [connectionId, 'target-1:attempt']);
    expect(stored.rows[0].count).toBe(1);
    expect(await provider.findPublished(credentials, 'target-1:attempt', new Date(0))).toEqual(first);
    expect(await provider.findPublished(credentials, 'never-sent', new Date(0))).toBeNull();
    const listed = await request(t.app, { url: '/api/social/sandbox/posts', token: owner.token });
    expect(listed.json().items).toEqual(expect.arrayContaining([expect.objectContaining({ externalId: first.externalId, text: 'Hello sandbox', connectionName: 'Demo feed' })]));
  });

  it('reports metrics from the stored counters, which the engagement endpoint adds to', async () => {
    const { provider, credentials } = await loadPublishingConnection(t.kernel, owner.tenant.id, connectionId);
    const published = await provider.publish(credentials, post('Count me'), 'target-2');
    expect(await provider.fetchMetrics(credentials, published.externalId)).toEqual({ likes: 0, comments: 0, shares: 0, impressions: 0, clicks: 0 });
    const postId = (await t.owner.query('SELECT id FROM sandbox_posts WHERE external_id = $1', [published.externalId])).rows[0].id;
    for (let round = 0; round < 2; round += 1) {
      const bumped = await request(t.app, { method: 'POST', url: `/api/social/sandbox/posts/${postId}/engagement`, token: owner.token, payload: { likes: 3, impressions: 50 } });
      expect(bumped.statusCode).toBe(200);
    }
    expect(await provider.fetchMetrics(credentials, published.externalId)).toEqual({ likes: 6, comments: 0, shares: 0, impressions: 100, clicks: 0 });
  });

  it('sends a test post from the console, and refuses it to a viewer', async () => {
    const sent = await request(t.app, { method: 'POST', url: '/api/social/sandbox/posts', token: owner.token, payload: { connectionId, text: 'Test from the console' } });
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ connectionId, text: 'Test from the console', idempotencyKey: expect.stringMatching(/^manual:/) });
    const viewer = await addMember(t, owner.token, { role: 'viewer', accountId: owner.accountId });
    expect((await request(t.app, { method: 'POST', url: '/api/social/sandbox/posts', token: viewer.token, payload: { connectionId, text: 'x' } })).statusCode).toBe(403);
    expect((await request(t.app, { url: '/api/social/sandbox/posts', token: viewer.token })).statusCode).toBe(200);
  });

  it('keeps another tenant away from the sandbox connection and its posts', async () => {
    const other = await registerTenant(t.app);
    const postId = (await t.owner.query('SELECT id FROM sandbox_posts WHERE connection_id = $1 LIMIT 1', [connectionId])).rows[0].id;
    expect((await request(t.app, { method: 'POST', url: `/api/social/sandbox/posts/${postId}/engagement`, token: other.token, payload: { likes: 1 } })).statusCode).toBe(404);
    expect((await request(t.app, { method: 'POST', url: '/api/social/sandbox/posts', token: other.token, payload: { connectionId, text: 'x' } })).statusCode).toBe(404);
    expect((await request(t.app, { url: '/api/social/sandbox/posts', token: other.token })).json().items).toEqual([]);
  });
});
