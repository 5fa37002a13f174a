import type { FeedEntryList, FeedWebhookEndpointList, FeedWebhookSecret } from '@omni/contracts/feeds';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookEndpoint, snapshotFeedRows } from '../../../test/factories/feeds.js';
import { startFeedOrigin, type FeedOrigin } from '../../../test/fakes/feed-origin.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { signatureHeaderFor } from './feeds.signature.js';
import { processEntry } from './use-cases/entries.js';

describe('feeds inbound webhook', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;
  let other: RegisteredTenant;
  let hook: FeedWebhookSecret;
  let origin: FeedOrigin;
  let mediaDirectory: string;

  beforeAll(async () => {
    mediaDirectory = await mkdtemp(path.join(tmpdir(), 'omni-feeds-media-'));
    origin = await startFeedOrigin();
    t = await createTestApp({ MEDIA_LOCAL_DIR: mediaDirectory, MEDIA_FETCH_ALLOW_LOOPBACK: 'true' });
    tenant = await registerTenant(t.app);
    other = await registerTenant(t.app);
    hook = await createWebhookEndpoint(t, tenant.token, { name: 'Bella’s blog' });
  });
  afterAll(async () => {
    await t?.close();
    await origin?.close();
    await rm(mediaDirectory, { recursive: true, force: true });
  });

  let articleCounter = 0;
  const article = (overrides: Record<string, unknown> = {}) => {
    articleCounter += 1;
    return { id: `article-${articleCounter}-${randomUUID()}`, title: 'Pumpkin soup is back', url: 'https://bella.example/pumpkin', summary: '<p>Warm <b>soup</b>.</p>', tags: ['soup'], ...overrides };
  };
  const now = () => Math.floor(Date.now() / 1000);

  function deliver(endpointId: string, body: string, header: string | null, headers: Record<string, string> = {}) {
    return request(t.app, {
      method: 'POST',
      url: `/api/public/feeds/webhooks/${endpointId}`,
      headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'omni-signature': header }), ...headers },
      payload: body,
    });
  }
  const signed = (body: string, secret = hook.secret, timestamp = now()) => signatureHeaderFor(secret, timestamp, body);

  it('creates an endpoint: its public URL and a secret shown once, never listed', async () => {
    expect(hook.endpoint.url).toMatch(new RegExp(`/api/public/feeds/webhooks/${hook.endpoint.id}$`));
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(hook.signatureHeader).toBe('Omni-Signature');
    const list = await request(t.app, { url: '/api/feeds/webhooks', token: tenant.token });
    expect(list.statusCode).toBe(200);
    expect(list.json<FeedWebhookEndpointList>().items.map((item) => item.id)).toEqual([hook.endpoint.id]);
    expect(list.body).not.toContain(hook.secret);
    const stored = await t.owner.query('SELECT secret_encrypted FROM feed_webhook_endpoints WHERE id = $1', [hook.endpoint.id]);
    expect(stored.rows[0].secret_encrypted).not.toContain(hook.secret.slice(6));
  });

  it('accepts a signed article: 202 with the entry, a receipt, and a job to draft it', async () => {
    const body = JSON.stringify(article({ imageUrl: 'https://bella.example/soup.jpg', publishedAt: '2026-11-20T09:00:00+01:00' }));
    const response = await deliver(hook.endpoint.id, body, signed(body));
    expect(response.statusCode).toBe(202);
    const { entryId, duplicate } = response.json();
    expect(duplicate).toBe(false);
    const entry = await t.owner.query('SELECT * FROM feed_entries WHERE id = $1', [entryId]);
    expect(entry.rows[0]).toMatchObject({ tenant_id: tenant.tenant.id, source_type: 'webhook', source_id: hook.endpoint.id, status: 'pending', summary: 'Warm soup.', image_url: 'https://bella.example/soup.jpg' });
    const receipts = await t.owner.query('SELECT count(*)::int AS count FROM feed_webhook_receipts WHERE endpoint_id = $1', [hook.endpoint.id]);
    expect(receipts.rows[0].count).toBeGreaterThanOrEqual(1);
    // The drafts job is queued (or, test files sharing one queue, another file's drain already ran it).
    const job = await t.owner.query(`SELECT 1 FROM graphile_worker._private_jobs WHERE key = $1`, [`feeds.entry:${entryId}`]);
    const processed = await t.owner.query('SELECT error FROM feed_entries WHERE id = $1', [entryId]);
    expect(job.rowCount === 1 || processed.rows[0].error !== null).toBe(true);
    const endpoint = await t.owner.query('SELECT last_received_at FROM feed_webhook_endpoints WHERE id = $1', [hook.endpoint.id]);
    expect(endpoint.rows[0].last_received_at).not.toBeNull();

    const entries = await request(t.app, { url: `/api/feeds/entries?sourceType=webhook&sourceId=${hook.endpoint.id}`, token: tenant.token });
    expect(entries.json<FeedEntryList>().items.map((item) => item.id)).toContain(entryId);
  });

  it('drafts the article: a post in review from the webhook, requested by the system, its image in the library, editors told', async () => {
    const body = JSON.stringify(article({ title: 'Soup with a picture', imageUrl: `${origin.url}/images/soup.png` }));
    const { entryId } = (await deliver(hook.endpoint.id, body, signed(body))).json();
    // Run the job here, with this app's media settings (test files share one queue: keep others off it).
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() + interval '1 hour' WHERE key = $1`, [`feeds.entry:${entryId}`]);
    await processEntry(t.kernel, tenant.tenant.id, entryId);
    const entry = (await t.owner.query('SELECT status, post_id, error FROM feed_entries WHERE id = $1', [entryId])).rows[0];
    expect(entry).toMatchObject({ status: 'drafted', error: null });
    const post = (await t.owner.query('SELECT status, title, base_media, source FROM posts WHERE id = $1', [entry.post_id])).rows[0];
    expect(post).toMatchObject({ status: 'in_review', title: 'Soup with a picture', source: { kind: 'webhook', id: hook.endpoint.id, entryId } });
    expect(post.base_media).toHaveLength(1);
    const asset = await t.owner.query('SELECT tenant_id, account_id FROM media_assets WHERE id = $1', [post.base_media[0].assetId]);
    expect(asset.rows[0]).toEqual({ tenant_id: tenant.tenant.id, account_id: tenant.accountId });
    const approval = await t.owner.query(`SELECT status, requested_by FROM approval_requests WHERE subject_type = 'post' AND subject_id = $1`, [entry.post_id]);
    expect(approval.rows).toEqual([{ status: 'pending', requested_by: null }]);
    const told = await t.owner.query(`SELECT user_id, link_path FROM notifications WHERE kind = 'feeds.drafts_created' AND subject_id = $1`, [entry.post_id]);
    expect(told.rows).toContainEqual({ user_id: tenant.user.id, link_path: `/content/posts/${entry.post_id}` });
    const event = await t.owner.query(`SELECT payload FROM outbox_events WHERE type = 'feeds.article_received' AND payload->>'entryId' = $1`, [entryId]);
    expect(event.rows[0].payload).toMatchObject({ postId: entry.post_id, sourceType: 'webhook' });

    // A second run of the job finds the entry drafted and makes nothing more.
    await processEntry(t.kernel, tenant.tenant.id, entryId);
    const posts = await t.owner.query(`SELECT count(*)::int AS count FROM posts WHERE source->>'entryId' = $1`, [entryId]);
    expect(posts.rows[0].count).toBe(1);
  });

  it('drafts without the image when the image is refused, and says why', async () => {
    const body = JSON.stringify(article({ imageUrl: 'https://169.254.169.254/latest/meta-data/x.png' }));
    const { entryId } = (await deliver(hook.endpoint.id, body, signed(body))).json();
    await t.drainJobs();
    const entry = (await t.owner.query('SELECT status, post_id, error FROM feed_entries WHERE id = $1', [entryId])).rows[0];
    expect(entry.status).toBe('drafted');
    expect(entry.error).toContain('cloud metadata address');
    const post = (await t.owner.query('SELECT base_media FROM posts WHERE id = $1', [entry.post_id])).rows[0];
    expect(post.base_media).toEqual([]);
  });

  /** Each refusal: the status, the problem code, and not one feeds row or job changed. */
  async function expectRefusal(send: () => ReturnType<typeof deliver>, status: number, code: string) {
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const response = await send();
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().code).toBe(code);
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
    return response;
  }

  it('refuses a missing or garbled signature header with 400, whether or not the endpoint exists', async () => {
    const body = JSON.stringify(article());
    await expectRefusal(() => deliver(hook.endpoint.id, body, null), 400, 'webhook.signature_missing');
    await expectRefusal(() => deliver(hook.endpoint.id, body, 'sha256=abc'), 400, 'webhook.signature_missing');
    await expectRefusal(() => deliver(hook.endpoint.id, body, `t=${now()},v1=nothex`), 400, 'webhook.signature_missing');
    await expectRefusal(() => deliver(hook.endpoint.id, body, `v1=${'a'.repeat(64)}`), 400, 'webhook.signature_missing');
    await expectRefusal(() => deliver(randomUUID(), body, null), 400, 'webhook.signature_missing');
  });

  it('answers 404 for an unknown or disabled endpoint', async () => {
    const body = JSON.stringify(article());
    await expectRefusal(() => deliver(randomUUID(), body, signed(body)), 404, 'feed_webhook.not_found');
    const disabled = await createWebhookEndpoint(t, tenant.token, { name: 'Disabled' });
    const patched = await request(t.app, { method: 'PATCH', url: `/api/feeds/webhooks/${disabled.endpoint.id}`, token: tenant.token, payload: { status: 'disabled' } });
    expect(patched.statusCode).toBe(200);
    await expectRefusal(() => deliver(disabled.endpoint.id, body, signed(body, disabled.secret)), 404, 'feed_webhook.not_found');
  });

  it('refuses a bad signature with 401: another secret, another body, another endpoint’s secret', async () => {
    const body = JSON.stringify(article());
    await expectRefusal(() => deliver(hook.endpoint.id, body, signed(body, 'whsec_not-the-secret')), 401, 'webhook.signature_invalid');
    await expectRefusal(() => deliver(hook.endpoint.id, body, signed(`${body} `)), 401, 'webhook.signature_invalid');
    const foreign = await createWebhookEndpoint(t, other.token, { name: 'Other blog' });
    await expectRefusal(() => deliver(hook.endpoint.id, body, signed(body, foreign.secret)), 401, 'webhook.signature_invalid');
    // The signature binds the timestamp: a valid signature re-dated is invalid.
    const timestamp = now();
    const reDated = signed(body, hook.secret, timestamp).replace(`t=${timestamp}`, `t=${timestamp - 1}`);
    await expectRefusal(() => deliver(hook.endpoint.id, body, reDated), 401, 'webhook.signature_invalid');
  });

  it('refuses a timestamp outside the tolerance with 401, past or future', async () => {
    const body = JSON.stringify(article());
    await expectRefusal(() => deliver(hook.endpoint.id, body, signed(body, hook.secret, now() - 301)), 401, 'webhook.timestamp_out_of_tolerance');
    await expectRefusal(() => deliver(hook.endpoint.id, body, signed(body, hook.secret, now() + 301)), 401, 'webhook.timestamp_out_of_tolerance');
  });

  it('refuses a replay of a delivered request with 409', async () => {
    const body = JSON.stringify(article());
    const header = signed(body);
    expect((await deliver(hook.endpoint.id, body, header)).statusCode).toBe(202);
    await expectRefusal(() => deliver(hook.endpoint.id, body, header), 409, 'webhook.replayed');
    // However the header is written (extra signature values, another order), it is the same signed payload.
    const [timestampPart, signaturePart] = header.split(',');
    await expectRefusal(() => deliver(hook.endpoint.id, body, `${signaturePart},v1=${'0'.repeat(64)},${timestampPart}`), 409, 'webhook.replayed');
  });

  it('answers 200 duplicate for an article id it already has, keeping nothing of the second delivery', async () => {
    const first = article();
    const firstBody = JSON.stringify(first);
    const accepted = await deliver(hook.endpoint.id, firstBody, signed(firstBody));
    expect(accepted.statusCode).toBe(202);
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const againBody = JSON.stringify({ ...first, title: 'Edited title' });
    const again = await deliver(hook.endpoint.id, againBody, signed(againBody));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ entryId: accepted.json().entryId, duplicate: true });
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });

  it('refuses a body that is not JSON with 400 and an invalid article with 422 naming the fields', async () => {
    const notJson = '{"id": "x", title:';
    await expectRefusal(() => deliver(hook.endpoint.id, notJson, signed(notJson)), 400, 'webhook.body_invalid');
    const invalid = JSON.stringify({ id: '', title: 'x'.repeat(501), url: 'javascript:alert(1)', tags: 'soup' });
    const response = await expectRefusal(() => deliver(hook.endpoint.id, invalid, signed(invalid)), 422, 'webhook.payload_invalid');
    expect(response.json().errors.map((error: { path: string }) => error.path).sort()).toEqual(['id', 'tags', 'title', 'url']);
    const array = '[]';
    await expectRefusal(() => deliver(hook.endpoint.id, array, signed(array)), 422, 'webhook.payload_invalid');
  });

  it('refuses a body over 256 KiB with 413 before anything else', async () => {
    const body = JSON.stringify(article({ contentHtml: 'x'.repeat(300 * 1024) }));
    await expectRefusal(() => deliver(hook.endpoint.id, body, signed(body)), 413, 'request.too_large');
  });

  it('rotates the secret: the new one verifies, the previous one for 24 hours, then no more', async () => {
    const endpoint = await createWebhookEndpoint(t, tenant.token, { name: 'Rotating' });
    const rotated = await request(t.app, { method: 'POST', url: `/api/feeds/webhooks/${endpoint.endpoint.id}/rotate-secret`, token: tenant.token });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json<FeedWebhookSecret>();
    expect(fresh.secret).not.toBe(endpoint.secret);
    const expires = new Date(fresh.endpoint.previousSecretExpiresAt!).getTime();
    expect(Math.abs(expires - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);

    const withNew = JSON.stringify(article());
    expect((await deliver(endpoint.endpoint.id, withNew, signed(withNew, fresh.secret))).statusCode).toBe(202);
    const withOld = JSON.stringify(article());
    expect((await deliver(endpoint.endpoint.id, withOld, signed(withOld, endpoint.secret))).statusCode).toBe(202);

    await t.owner.query(`UPDATE feed_webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [endpoint.endpoint.id]);
    const late = JSON.stringify(article());
    await expectRefusal(() => deliver(endpoint.endpoint.id, late, signed(late, endpoint.secret)), 401, 'webhook.signature_invalid');
  });

  it('keeps endpoints to their account: another tenant cannot see, change, rotate or remove them', async () => {
    const list = await request(t.app, { url: '/api/feeds/webhooks', token: other.token });
    expect(list.json<FeedWebhookEndpointList>().items.map((item) => item.id)).not.toContain(hook.endpoint.id);
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    for (const call of [
      { method: 'PATCH' as const, url: `/api/feeds/webhooks/${hook.endpoint.id}`, payload: { name: 'Mine now' } },
      { method: 'POST' as const, url: `/api/feeds/webhooks/${hook.endpoint.id}/rotate-secret` },
      { method: 'DELETE' as const, url: `/api/feeds/webhooks/${hook.endpoint.id}` },
    ]) {
      const response = await request(t.app, { ...call, token: other.token });
      expect(response.statusCode).toBe(404);
    }
    const entries = await request(t.app, { url: `/api/feeds/entries?sourceId=${hook.endpoint.id}`, token: other.token });
    expect(entries.json<FeedEntryList>().items).toEqual([]);
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });

  it('lets viewers read endpoints but only editors manage them', async () => {
    const viewer = await addMember(t, tenant.token, { role: 'viewer', accountId: tenant.accountId });
    expect((await request(t.app, { url: '/api/feeds/webhooks', token: viewer.token })).statusCode).toBe(200);
    const created = await request(t.app, { method: 'POST', url: '/api/feeds/webhooks', token: viewer.token, payload: { name: 'Nope' } });
    expect(created.statusCode).toBe(403);
    const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    expect((await request(t.app, { method: 'POST', url: '/api/feeds/webhooks', token: editor.token, payload: { name: 'Editor’s' } })).statusCode).toBe(201);
  });

  it('refuses connections that are not the account’s with 422 and creates nothing', async () => {
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const response = await request(t.app, { method: 'POST', url: '/api/feeds/webhooks', token: tenant.token, payload: { name: 'X', connectionIds: [randomUUID()] } });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('feeds.connection_unknown');
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });

  it('refuses a template that is not the account’s with 422 and changes nothing', async () => {
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const created = await request(t.app, { method: 'POST', url: '/api/feeds/webhooks', token: tenant.token, payload: { name: 'Templated', templateId: randomUUID() } });
    expect(created.statusCode).toBe(422);
    expect(created.json().code).toBe('feeds.template_unknown');
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });
});
