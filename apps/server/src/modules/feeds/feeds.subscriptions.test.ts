import type { FeedEntryList, FeedPollResult, FeedPreview, FeedSubscription, FeedSubscriptionList } from '@omni/contracts/feeds';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFeedOrigin, type FakeEntry, type FeedOrigin } from '../../../test/fakes/feed-origin.js';
import { snapshotFeedRows } from '../../../test/factories/feeds.js';
import { createPublishingTenant, type PublishingTenant } from '../../../test/factories/publishing.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';

describe('feed subscriptions and polling', () => {
  let t: TestApp;
  let origin: FeedOrigin;
  let tenant: PublishingTenant;
  let other: RegisteredTenant;
  let path: string;

  beforeAll(async () => {
    t = await createTestApp({ FEEDS_FETCH_ALLOW_LOOPBACK: 'true', FEEDS_FETCH_MAX_BYTES: '65536' });
    origin = await startFeedOrigin();
    tenant = await createPublishingTenant(t);
    other = await registerTenant(t.app);
  });
  afterAll(async () => {
    await origin?.close();
    await t?.close();
  });
  beforeEach(() => {
    path = `/blog-${uniqueSuffix()}/rss.xml`;
  });

  const recent = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
  const entry = (id: string, minutesAgo: number, extra: Partial<FakeEntry> = {}): FakeEntry => ({
    id,
    title: `Post ${id}`,
    link: `https://bella.example/${id}`,
    html: `<p>About ${id}.</p>`,
    publishedAt: recent(minutesAgo),
    ...extra,
  });

  async function subscribe(feedPath: string, body: Record<string, unknown> = {}, token = tenant.token): Promise<FeedSubscription> {
    const response = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token, payload: { url: `${origin.url}${feedPath}`, ...body } });
    if (response.statusCode !== 201) throw new Error(`subscribe: ${response.statusCode} ${response.body}`);
    return response.json<FeedSubscription>();
  }
  async function pollNow(id: string, token = tenant.token): Promise<FeedPollResult> {
    const response = await request(t.app, { method: 'POST', url: `/api/feeds/subscriptions/${id}/poll`, token });
    if (response.statusCode !== 200) throw new Error(`poll: ${response.statusCode} ${response.body}`);
    return response.json<FeedPollResult>();
  }
  async function entriesOf(subscriptionId: string) {
    const response = await request(t.app, { url: `/api/feeds/entries?sourceType=feed&sourceId=${subscriptionId}`, token: tenant.token });
    return response.json<FeedEntryList>().items;
  }
  const jobKeysFor = async (entryIds: string[]) =>
    (await t.owner.query<{ key: string }>(`SELECT key FROM graphile_worker._private_jobs WHERE key = ANY($1::text[])`, [entryIds.map((id) => `feeds.entry:${id}`)])).rows.map((row) => row.key);

  it('previews a feed without saving anything', async () => {
    origin.setFeed(path, 'rss', 'Bella’s blog', [entry('a', 30), entry('b', 10)]);
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const response = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions/preview', token: tenant.token, payload: { url: `${origin.url}${path}` } });
    expect(response.statusCode).toBe(200);
    const preview = response.json<FeedPreview>();
    expect(preview).toMatchObject({ title: 'Bella’s blog', format: 'rss' });
    expect(preview.entries.map((item) => item.key)).toEqual(['b', 'a']);
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });

  it('subscribes and queues the first poll, which records existing entries without drafts (backfill none)', async () => {
    origin.setFeed(path, 'rss', 'Bella’s blog', [entry('old-1', 60), entry('old-2', 30)]);
    const subscription = await subscribe(path, { connectionIds: [tenant.connectionId], pollIntervalMinutes: 30 });
    expect(subscription).toMatchObject({ status: 'active', format: null, backfill: 'none', connectionIds: [tenant.connectionId], consecutiveFailures: 0 });
    const queued = await t.owner.query('SELECT 1 FROM graphile_worker._private_jobs WHERE key = $1', [`feeds.poll:${subscription.id}`]);
    const polledAlready = await t.owner.query('SELECT last_polled_at FROM feed_subscriptions WHERE id = $1', [subscription.id]);
    expect(queued.rowCount === 1 || polledAlready.rows[0].last_polled_at !== null).toBe(true);

    await t.drainJobs();
    const list = await request(t.app, { url: '/api/feeds/subscriptions', token: tenant.token });
    const polled = list.json<FeedSubscriptionList>().items.find((item) => item.id === subscription.id)!;
    expect(polled).toMatchObject({ title: 'Bella’s blog', format: 'rss', status: 'active', lastError: null });
    expect(new Date(polled.nextPollAt).getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
    const entries = await entriesOf(subscription.id);
    expect(entries.map((item) => [item.title, item.status])).toEqual(
      expect.arrayContaining([
        ['Post old-1', 'skipped'],
        ['Post old-2', 'skipped'],
      ]),
    );
    expect(await jobKeysFor(entries.map((item) => item.id))).toEqual([]);
  });

  it('polls with If-None-Match: 304 changes nothing but the poll times; a new entry is recorded once, with a drafts job', async () => {
    origin.setFeed(path, 'rss', 'Blog', [entry('p1', 60)]);
    const subscription = await subscribe(path);
    // The first poll records what the feed holds (without drafts: backfill none).
    expect(await pollNow(subscription.id)).toMatchObject({ outcome: 'new_entries', newEntries: 1 });

    const unchanged = await pollNow(subscription.id);
    expect(unchanged.outcome).toBe('not_modified');
    const conditional = origin.requests.filter((item) => item.path === path).at(-1)!;
    expect(conditional.ifNoneMatch).toMatch(/^"[0-9a-f]{16}"$/);
    expect(conditional.ifModifiedSince).not.toBeNull();

    origin.addEntry(path, entry('p2', 1));
    const changed = await pollNow(subscription.id);
    expect(changed).toMatchObject({ outcome: 'new_entries', newEntries: 1 });
    const entries = await entriesOf(subscription.id);
    const fresh = entries.find((item) => item.title === 'Post p2')!;
    expect(fresh.status).toBe('pending');
    const processed = await t.owner.query('SELECT error FROM feed_entries WHERE id = $1', [fresh.id]);
    expect((await jobKeysFor([fresh.id])).length === 1 || processed.rows[0].error !== null).toBe(true);

    // The drafts job turns it into a post in review from the feed, for the subscription's connections.
    await t.drainJobs();
    const drafted = (await t.owner.query('SELECT status, post_id FROM feed_entries WHERE id = $1', [fresh.id])).rows[0];
    expect(drafted.status).toBe('drafted');
    const post = (await t.owner.query('SELECT status, source FROM posts WHERE id = $1', [drafted.post_id])).rows[0];
    expect(post).toMatchObject({ status: 'in_review', source: { kind: 'feed', id: subscription.id, entryId: fresh.id } });

    // Deduplicated by guid: the same document again (validators off, so a full 200) adds nothing.
    origin.setValidators(path, false);
    expect(await pollNow(subscription.id)).toMatchObject({ outcome: 'no_new_entries', newEntries: 0 });
    expect((await entriesOf(subscription.id)).length).toBe(2);
  });

  it('backfill latest drafts only the newest entry of a Blogger feed on the first poll', async () => {
    const bloggerPath = `/blog-${uniqueSuffix()}/feeds/posts/default`;
    origin.setFeed(bloggerPath, 'blogger', 'Bella Café', [
      entry('tag:blogger.com,1999:blog-1.post-2', 5, { imageUrl: 'https://blogger.googleusercontent.com/img/b/R29v/s72-c/soup.jpg', categories: ['Soup'] }),
      entry('tag:blogger.com,1999:blog-1.post-1', 600),
    ]);
    const subscription = await subscribe(bloggerPath, { backfill: 'latest' });
    expect(await pollNow(subscription.id)).toMatchObject({ outcome: 'new_entries', newEntries: 2 });
    const entries = await entriesOf(subscription.id);
    const byTitle = Object.fromEntries(entries.map((item) => [item.title, item]));
    expect(byTitle['Post tag:blogger.com,1999:blog-1.post-2']).toMatchObject({ status: 'pending', imageUrl: 'https://blogger.googleusercontent.com/img/b/R29v/s1600/soup.jpg' });
    expect(byTitle['Post tag:blogger.com,1999:blog-1.post-1']!.status).toBe('skipped');
    const row = await t.owner.query('SELECT format, entry_key FROM feed_entries e JOIN feed_subscriptions s ON s.id = e.source_id WHERE e.id = $1', [byTitle['Post tag:blogger.com,1999:blog-1.post-2']!.id]);
    expect(row.rows[0]).toEqual({ format: 'atom', entry_key: 'tag:blogger.com,1999:blog-1.post-2' });
  });

  it('backs off after failures, shows the error, turns failing after 10 in a row, and recovers on success', async () => {
    origin.setFeed(path, 'atom', 'Flaky', [entry('f1', 10)]);
    const subscription = await subscribe(path, { pollIntervalMinutes: 60 });
    origin.setFailure(path, { status: 503 });
    const failed = await pollNow(subscription.id);
    expect(failed.outcome).toBe('failed');
    expect(failed.subscription).toMatchObject({ status: 'active', consecutiveFailures: 1 });
    expect(failed.subscription.lastError).toContain('HTTP 503');
    const delay = new Date(failed.subscription.nextPollAt).getTime() - Date.now();
    expect(delay).toBeGreaterThan(119 * 60_000);
    expect(delay).toBeLessThanOrEqual(120 * 60_000);

    await t.owner.query('UPDATE feed_subscriptions SET consecutive_failures = 8 WHERE id = $1', [subscription.id]);
    const ninth = await pollNow(subscription.id);
    expect(ninth.subscription).toMatchObject({ status: 'active', consecutiveFailures: 9 });
    expect(new Date(ninth.subscription.nextPollAt).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const tenth = await pollNow(subscription.id);
    expect(tenth.subscription).toMatchObject({ status: 'failing', consecutiveFailures: 10 });
    const event = await t.owner.query(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'feeds.subscription_failing'`, [tenant.tenant.id]);
    expect(event.rows.map((item) => item.payload.subscriptionId)).toContain(subscription.id);
    const told = await t.owner.query(`SELECT user_id FROM notifications WHERE kind = 'feeds.subscription_failing' AND subject_id = $1`, [subscription.id]);
    expect(told.rows.map((row) => row.user_id)).toContain(tenant.user.id);

    origin.setFailure(path, null);
    const recovered = await pollNow(subscription.id);
    expect(recovered.subscription).toMatchObject({ status: 'active', consecutiveFailures: 0, lastError: null });
  });

  it('records a document that is not a feed, and one over FEEDS_FETCH_MAX_BYTES, as failures saying why', async () => {
    origin.setFeed(path, 'rss', 'Broken', []);
    const subscription = await subscribe(path);
    origin.setFailure(path, { kind: 'not_a_feed' });
    expect((await pollNow(subscription.id)).subscription.lastError).toContain('not an RSS or Atom feed');
    origin.setFailure(path, { kind: 'oversized', bytes: 70_000 });
    expect((await pollNow(subscription.id)).subscription.lastError).toContain('over the 65536-byte limit (FEEDS_FETCH_MAX_BYTES)');
    expect(await entriesOf(subscription.id)).toEqual([]);
  });

  it('refuses private and metadata addresses, credentials and other schemes (also behind a redirect), creating nothing', async () => {
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    for (const url of ['https://169.254.169.254/latest/meta-data/', 'http://10.0.0.5/feed.xml', 'https://192.168.1.10/feed', 'https://[fd00:ec2::254]/', 'https://user:pass@example.com/feed', 'ftp://example.com/feed']) {
      const response = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token: tenant.token, payload: { url } });
      expect([400, 422], `${url}: ${response.body}`).toContain(response.statusCode);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const metadata = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token: tenant.token, payload: { url: 'https://169.254.169.254/latest/meta-data/' } });
    expect(metadata.json()).toMatchObject({ code: 'feeds.url_refused' });
    expect(metadata.json().detail).toContain('cloud metadata address');
    const redirected = await request(t.app, {
      method: 'POST',
      url: '/api/feeds/subscriptions/preview',
      token: tenant.token,
      payload: { url: `${origin.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}` },
    });
    expect(redirected.statusCode).toBe(422);
    expect(redirected.json().detail).toContain('cloud metadata address');
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });

  it('refuses loopback feeds when the test switch is off, by address after DNS too', async () => {
    const strict = await createTestApp();
    try {
      const owner = await registerTenant(strict.app);
      origin.setFeed(path, 'rss', 'Local', [entry('l1', 5)]);
      const overHttp = await request(strict.app, { method: 'POST', url: '/api/feeds/subscriptions/preview', token: owner.token, payload: { url: `${origin.url}${path}` } });
      expect(overHttp.statusCode).toBe(422);
      expect(overHttp.json().detail).toContain('must use https');
      const port = new URL(origin.url).port;
      const byName = await request(strict.app, { method: 'POST', url: '/api/feeds/subscriptions/preview', token: owner.token, payload: { url: `https://localhost:${port}${path}` } });
      expect(byName.statusCode).toBe(422);
      expect(byName.json().detail).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    } finally {
      await strict.close();
    }
  });

  it('validates the settings: interval minimum, unknown connections, the same URL twice — each creating nothing', async () => {
    origin.setFeed(path, 'rss', 'Blog', []);
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const tooOften = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token: tenant.token, payload: { url: `${origin.url}${path}`, pollIntervalMinutes: 5 } });
    expect(tooOften.statusCode).toBe(422);
    expect(tooOften.json().code).toBe('feeds.poll_interval_too_short');
    const foreignConnection = await createPublishingTenant(t);
    const unknown = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token: tenant.token, payload: { url: `${origin.url}${path}`, connectionIds: [foreignConnection.connectionId] } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('feeds.connection_unknown');
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);

    await subscribe(path);
    const again = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token: tenant.token, payload: { url: `${origin.url}${path}` } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('feeds.subscription_exists');
  });

  it('refuses a template that is not the account’s with 422 and creates nothing', async () => {
    origin.setFeed(path, 'rss', 'Templated', []);
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    const response = await request(t.app, { method: 'POST', url: '/api/feeds/subscriptions', token: tenant.token, payload: { url: `${origin.url}${path}`, templateId: randomUUID() } });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'feeds.template_unknown', errors: [{ path: 'templateId' }] });
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);
  });

  it('records why no draft was made when content refuses the article (its template was deleted since), keeping no post', async () => {
    origin.setFeed(path, 'rss', 'Templated', []);
    const template = await request(t.app, { method: 'POST', url: '/api/content/templates', token: tenant.token, payload: { name: 'Blog post', bodies: { base: 'New on the blog' } } });
    expect(template.statusCode, template.body).toBe(201);
    const subscription = await subscribe(path, { templateId: template.json().id });
    expect((await request(t.app, { method: 'DELETE', url: `/api/content/templates/${template.json().id}`, token: tenant.token })).statusCode).toBe(204);
    await pollNow(subscription.id);
    origin.addEntry(path, entry('t1', 1));
    await pollNow(subscription.id);
    await t.drainJobs();
    const [failed] = await entriesOf(subscription.id);
    expect(failed).toMatchObject({ status: 'failed', postId: null });
    expect(failed!.error).toContain('Template not found');
    const posts = await t.owner.query(`SELECT count(*)::int AS count FROM posts WHERE source->>'entryId' = $1`, [failed!.id]);
    expect(posts.rows[0].count).toBe(0);
  });

  it('pauses (the scheduler skips it), resumes (polled now) and removes a subscription', async () => {
    origin.setFeed(path, 'rss', 'Blog', [entry('r1', 10)]);
    const subscription = await subscribe(path);
    await pollNow(subscription.id);
    const paused = await request(t.app, { method: 'PATCH', url: `/api/feeds/subscriptions/${subscription.id}`, token: tenant.token, payload: { status: 'paused' } });
    expect(paused.json<FeedSubscription>().status).toBe('paused');

    await t.owner.query(`UPDATE feed_subscriptions SET next_poll_at = now() - interval '1 minute' WHERE id = $1`, [subscription.id]);
    await t.owner.query(`SELECT graphile_worker.add_job('feeds.schedule-polls', '{"tenantId":null,"data":{}}'::json)`);
    await t.drainJobs();
    const stillPaused = await t.owner.query('SELECT status, last_polled_at FROM feed_subscriptions WHERE id = $1', [subscription.id]);
    expect(stillPaused.rows[0].status).toBe('paused');
    expect(new Date(stillPaused.rows[0].last_polled_at).toISOString()).toBe(paused.json<FeedSubscription>().lastPolledAt);

    const resumed = await request(t.app, { method: 'PATCH', url: `/api/feeds/subscriptions/${subscription.id}`, token: tenant.token, payload: { status: 'active', pollIntervalMinutes: 45 } });
    expect(resumed.json<FeedSubscription>()).toMatchObject({ status: 'active', pollIntervalMinutes: 45 });
    await t.drainJobs();
    const polled = await t.owner.query('SELECT last_polled_at FROM feed_subscriptions WHERE id = $1', [subscription.id]);
    expect(new Date(polled.rows[0].last_polled_at).getTime()).toBeGreaterThan(new Date(paused.json<FeedSubscription>().lastPolledAt!).getTime());

    expect((await request(t.app, { method: 'DELETE', url: `/api/feeds/subscriptions/${subscription.id}`, token: tenant.token })).statusCode).toBe(204);
    expect((await request(t.app, { method: 'DELETE', url: `/api/feeds/subscriptions/${subscription.id}`, token: tenant.token })).statusCode).toBe(404);
    // Received articles stay after the subscription goes.
    expect((await entriesOf(subscription.id)).length).toBe(1);
  });

  it('the scheduler polls due subscriptions across tenants', async () => {
    origin.setFeed(path, 'rss', 'Due', [entry('d1', 10)]);
    const subscription = await subscribe(path);
    await t.drainJobs();
    await t.owner.query(`UPDATE feed_subscriptions SET next_poll_at = now() - interval '1 minute', last_polled_at = NULL WHERE id = $1`, [subscription.id]);
    await t.owner.query(`SELECT graphile_worker.add_job('feeds.schedule-polls', '{"tenantId":null,"data":{}}'::json)`);
    await t.drainJobs();
    const row = await t.owner.query('SELECT last_polled_at, next_poll_at FROM feed_subscriptions WHERE id = $1', [subscription.id]);
    expect(row.rows[0].last_polled_at).not.toBeNull();
    expect(new Date(row.rows[0].next_poll_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps subscriptions to their account: other tenants get 404 and see none; viewers read, editors manage', async () => {
    origin.setFeed(path, 'rss', 'Private', []);
    const subscription = await subscribe(path);
    const before = await snapshotFeedRows(t, tenant.tenant.id);
    for (const call of [
      { method: 'PATCH' as const, url: `/api/feeds/subscriptions/${subscription.id}`, payload: { status: 'paused' } },
      { method: 'POST' as const, url: `/api/feeds/subscriptions/${subscription.id}/poll` },
      { method: 'DELETE' as const, url: `/api/feeds/subscriptions/${subscription.id}` },
      { method: 'PATCH' as const, url: `/api/feeds/subscriptions/${randomUUID()}`, payload: { status: 'paused' } },
    ]) {
      expect((await request(t.app, { ...call, token: other.token })).statusCode).toBe(404);
    }
    const theirs = await request(t.app, { url: '/api/feeds/subscriptions', token: other.token });
    expect(theirs.json<FeedSubscriptionList>().items).toEqual([]);
    expect(await snapshotFeedRows(t, tenant.tenant.id)).toEqual(before);

    const viewer = await addMember(t, tenant.token, { role: 'viewer', accountId: tenant.accountId });
    expect((await request(t.app, { url: '/api/feeds/subscriptions', token: viewer.token })).json<FeedSubscriptionList>().items.map((item) => item.id)).toContain(subscription.id);
    expect((await request(t.app, { method: 'POST', url: `/api/feeds/subscriptions/${subscription.id}/poll`, token: viewer.token })).statusCode).toBe(403);
  });
});
