import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFacebookFake, type FakeFacebook } from '../../../../test/fakes/facebook.js';
import { failureOf } from '../../../../test/fakes/network/provider-config.js';
import { testConfig } from '../../../../test/harness.js';
import { createFacebookProvider } from './facebook.js';
import type { ConnectionCredentials, PublishContent, SocialProvider } from './provider.js';

function content(text: string, extra: Partial<PublishContent> = {}): PublishContent {
  return { text, media: [], link: null, options: {}, ...extra };
}

describe('Facebook Pages provider against the fake Graph API', () => {
  let fake: FakeFacebook;
  let provider: SocialProvider;
  let credentials: ConnectionCredentials;
  let marker = 0;
  const nextMarker = () => `[fb-${(marker += 1)}-${Date.now()}]`;

  beforeAll(async () => {
    fake = await startFacebookFake();
    const config = testConfig({
      FACEBOOK_APP_ID: fake.appId,
      FACEBOOK_APP_SECRET: fake.appSecret,
      FACEBOOK_GRAPH_URL: fake.url,
      FACEBOOK_DIALOG_URL: 'https://dialog.facebook.test',
      SOCIAL_HTTP_TIMEOUT_MS: '2000',
      // Media comes from the fake (http on 127.0.0.1) and a CDN Facebook is told to download from.
      MEDIA_FETCH_ALLOWED_ORIGINS: `${fake.url},https://cdn.test`,
      MEDIA_FETCH_ALLOW_LOOPBACK: 'true',
    });
    provider = createFacebookProvider(config);
    const page = fake.pages[0]!;
    credentials = { accessToken: fake.grant(), destinationToken: page.accessToken, destinationId: page.id, metadata: {} };
  });
  afterEach(() => fake.clearFailures());
  afterAll(() => fake?.close());

  it('builds the Facebook Login dialog URL with state, redirect and page scopes', () => {
    const url = new URL(provider.oauth!.buildAuthorizationUrl({ state: 'state-1', redirectUri: 'https://omni.test/cb', codeChallenge: null }));
    expect(url.origin + url.pathname).toBe('https://dialog.facebook.test/v23.0/dialog/oauth');
    expect(url.searchParams.get('client_id')).toBe(fake.appId);
    expect(url.searchParams.get('state')).toBe('state-1');
    expect(url.searchParams.get('redirect_uri')).toBe('https://omni.test/cb');
    expect(url.searchParams.get('scope')).toContain('pages_manage_posts');
    expect(provider.oauth!.usesPkce).toBe(false);
    expect(provider.oauth!.refreshModel).toBe('extend');
  });

  it('exchanges a code for a long-lived token and lists the pages it may publish to, with page tokens', async () => {
    const code = fake.issueCode('https://omni.test/cb');
    const tokens = await provider.oauth!.exchangeCode({ code, redirectUri: 'https://omni.test/cb', codeVerifier: null });
    expect(tokens.accessToken).toMatch(/^EAALong/);
    expect(tokens.refreshToken).toBeNull();
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 24 * 3600 * 1000);
    expect(fake.state.tokenRequests.slice(-2).map((request) => request.grant_type ?? 'authorization_code')).toEqual(['authorization_code', 'fb_exchange_token']);
    const destinations = await provider.listDestinations({ accessToken: tokens.accessToken });
    expect(destinations.map((destination) => destination.name)).toEqual(['Corner Bakery', 'Harbour Cafe']);
    expect(destinations[0]).toMatchObject({ kind: 'page', destinationToken: fake.pages[0]!.accessToken, pictureUrl: expect.stringContaining('.png') });
  });

  it('refuses a code used twice as rejected', async () => {
    const code = fake.issueCode();
    await provider.oauth!.exchangeCode({ code, redirectUri: 'https://omni.test/cb', codeVerifier: null });
    const error = await failureOf(provider.oauth!.exchangeCode({ code, redirectUri: 'https://omni.test/cb', codeVerifier: null }));
    expect(error.kind).toBe('rejected');
  });

  it('extends a valid long-lived token, and reports a revoked grant as disconnected', async () => {
    const extended = await provider.oauth!.refreshTokens!({ accessToken: credentials.accessToken, refreshToken: null });
    expect(extended.accessToken).not.toBe(credentials.accessToken);
    expect(extended.refreshToken).toBeNull();
    const expired = await failureOf(provider.oauth!.refreshTokens!({ accessToken: 'EAA-expired', refreshToken: null }));
    expect(expired.kind).toBe('disconnected');
    fake.revokeGrant();
    try {
      const revoked = await failureOf(provider.oauth!.refreshTokens!({ accessToken: credentials.accessToken, refreshToken: null }));
      expect(revoked).toMatchObject({ kind: 'disconnected', details: { networkCode: '190/458' } });
    } finally {
      fake.state.revoked = false;
    }
  });

  it('publishes text with a link, one photo, several photos and a video with the page token', async () => {
    const text = nextMarker();
    const linked = await provider.publish(credentials, content(`Fresh bread ${text}`, { link: 'https://bakery.test' }), 'k1');
    expect(linked.externalId).toMatch(/^\d+_\d+$/);
    expect(linked.url).toBe(`https://www.facebook.com/${linked.externalId}`);
    const photo = await provider.publish(credentials, content(`Photo ${text}`, { media: [{ url: `${fake.url}/test-media/a.png`, kind: 'image', altText: null, mimeType: 'image/png' }] }), 'k2');
    const album = await provider.publish(
      credentials,
      content(`Album ${text}`, {
        media: [
          { url: `${fake.url}/test-media/a.png`, kind: 'image', altText: null, mimeType: null },
          { url: `${fake.url}/test-media/b.png`, kind: 'image', altText: null, mimeType: null },
        ],
      }),
      'k3',
    );
    const video = await provider.publish(credentials, content(`Video ${text}`, { media: [{ url: 'https://cdn.test/v.mp4', kind: 'video', altText: null, mimeType: 'video/mp4' }] }), 'k4');
    const posts = fake.published().filter((post) => post.message.includes(text));
    expect(posts.map((post) => post.id)).toEqual([linked.externalId, photo.externalId, album.externalId, video.externalId]);
    expect(posts[0]!.link).toBe('https://bakery.test');
    expect(posts[2]!.photoUrls).toHaveLength(2);
    expect(posts[3]!.videoUrl).toBe('https://cdn.test/v.mp4');
    expect(fake.publishedCount(text)).toBe(4);
  });

  it('refuses to hand Facebook a media URL outside the allowlist, and posts nothing', async () => {
    const text = nextMarker();
    const error = await failureOf(
      provider.publish(credentials, content(`Private ${text}`, { media: [{ url: 'https://intranet.example.com/secret.png', kind: 'image', altText: null, mimeType: null }] }), 'k-ssrf'),
    );
    expect(error).toMatchObject({ kind: 'rejected', details: { networkCode: 'media_refused' } });
    expect(error.message).toMatch(/^Facebook: media https:\/\/intranet\.example\.com\/secret\.png is not from an allowed origin/);
    expect(fake.publishedCount(text)).toBe(0);
  });

  it('finds a published post by its text for reconciliation, and returns null when there is none', async () => {
    const text = `Reconcile me ${nextMarker()}`;
    const since = new Date(Date.now() - 1000);
    const result = await provider.publish(credentials, content(text), 'key-r');
    expect(await provider.findPublished(credentials, 'key-r', since, content(text))).toMatchObject({ externalId: result.externalId });
    expect(await provider.findPublished(credentials, 'key-x', since, content(`Never sent ${nextMarker()}`))).toBeNull();
    expect((await failureOf(provider.findPublished(credentials, 'key-r', since))).kind).toBe('rejected');
  });

  it('reads reactions, comments, shares, impressions and clicks', async () => {
    const result = await provider.publish(credentials, content(`Metrics ${nextMarker()}`), 'key-m');
    fake.setEngagement(result.externalId, { reactions: 12, comments: 3, shares: 2, impressions: 480, clicks: 17 });
    expect(await provider.fetchMetrics(credentials, result.externalId)).toEqual({ likes: 12, comments: 3, shares: 2, impressions: 480, clicks: 17 });
  });

  it('classifies 429 with Retry-After as rate_limited', async () => {
    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 42 });
    const error = await failureOf(provider.publish(credentials, content(`Limited ${nextMarker()}`), 'k'));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterSeconds: 42 } });
  });

  it('classifies a 500 as retryable and nothing is published', async () => {
    const text = nextMarker();
    fake.setFailure({ kind: 'server_error' });
    expect((await failureOf(provider.publish(credentials, content(text), 'k'))).kind).toBe('retryable');
    expect(fake.publishedCount(text)).toBe(0);
  });

  it('classifies an expired token (190/463) as refresh_needed and an invalid one (190/467) as disconnected', async () => {
    fake.setFailure({ kind: 'token_expired' });
    expect(await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).toMatchObject({ kind: 'refresh_needed', details: { networkCode: '190/463' } });
    const invalid = await failureOf(provider.publish({ ...credentials, destinationToken: 'EAA-bogus' }, content(nextMarker()), 'k'));
    expect(invalid).toMatchObject({ kind: 'disconnected', details: { networkCode: '190/467' } });
  });

  it('classifies refused content and missing permissions as rejected and disconnected', async () => {
    fake.setFailure({ kind: 'rejected', message: '(#100) The message is too long' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('rejected');
    // A user token instead of the page token: (#200) permission error.
    expect((await failureOf(provider.publish({ ...credentials, destinationToken: null }, content(nextMarker()), 'k'))).kind).toBe('disconnected');
  });

  it('classifies a timeout after sending a publish as unknown_outcome, but a timed-out read as retryable', async () => {
    fake.setFailure({ kind: 'hang' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('unknown_outcome');
    fake.setFailure({ kind: 'hang' }, { operation: 'destinations' });
    expect((await failureOf(provider.listDestinations({ accessToken: credentials.accessToken }))).kind).toBe('retryable');
  });

  it('reports "accepted, then the response is lost" as unknown_outcome, and reconciliation finds the one post', async () => {
    const text = `Lost response ${nextMarker()}`;
    const since = new Date(Date.now() - 1000);
    fake.setFailure({ kind: 'response_lost' });
    expect((await failureOf(provider.publish(credentials, content(text), 'key-lost'))).kind).toBe('unknown_outcome');
    expect(fake.publishedCount(text)).toBe(1);
    const found = await provider.findPublished(credentials, 'key-lost', since, content(text));
    expect(found?.externalId).toBe(fake.published().find((post) => post.message === text)!.id);
  });

  it('classifies a refused connection (nothing sent) as retryable', async () => {
    const closed = await startFacebookFake();
    await closed.close();
    const offline = createFacebookProvider(testConfig({ FACEBOOK_APP_ID: 'a', FACEBOOK_APP_SECRET: 'b', FACEBOOK_GRAPH_URL: closed.url }));
    expect((await failureOf(offline.publish(credentials, content('x'), 'k'))).kind).toBe('retryable');
  });
});

describe('Facebook Graph paging', () => {
  let fake: FakeFacebook;
  let provider: SocialProvider;

  beforeAll(async () => {
    fake = await startFacebookFake();
    provider = createFacebookProvider(testConfig({ FACEBOOK_APP_ID: fake.appId, FACEBOOK_APP_SECRET: fake.appSecret, FACEBOOK_GRAPH_URL: fake.url }));
    for (let index = 1; index <= 140; index += 1) fake.addPage(`Branch ${index}`);
  });
  afterEach(() => {
    fake.state.pagingOrigin = null;
  });
  afterAll(() => fake?.close());

  const requestsTo = (suffix: string) => fake.requests.filter((request) => request.path.endsWith(suffix));

  function pageCredentials(): ConnectionCredentials {
    const page = fake.pages[0]!;
    return { accessToken: fake.grant(), destinationToken: page.accessToken, destinationId: page.id, metadata: {} };
  }

  it('lists every page the person manages, following paging.next past Graph’s page of 100', async () => {
    const before = requestsTo('/me/accounts').length;
    const token = fake.grant();
    const destinations = await provider.listDestinations({ accessToken: token });
    // 143 pages, minus the one without CREATE_CONTENT.
    expect(destinations).toHaveLength(142);
    expect(new Set(destinations.map((destination) => destination.externalId)).size).toBe(142);
    expect(destinations.at(-1)).toMatchObject({ name: 'Branch 140', destinationToken: fake.pages.at(-1)!.accessToken });
    const reads = requestsTo('/me/accounts').slice(before);
    expect(reads).toHaveLength(2);
    const second = new URLSearchParams(reads[1]!.query);
    expect(second.get('after')).toBeTruthy();
    expect(second.get('access_token')).toBe(token);
  });

  it('never follows a paging.next that leads away from the Graph API (our token stays home)', async () => {
    fake.state.pagingOrigin = 'https://collector.example.net';
    const before = requestsTo('/me/accounts').length;
    const destinations = await provider.listDestinations({ accessToken: fake.grant() });
    expect(destinations).toHaveLength(99);
    expect(requestsTo('/me/accounts').length - before).toBe(1);
  });

  it('reconciles a post buried under 150 newer posts on the second page', async () => {
    const credentials = pageCredentials();
    const since = new Date(Date.now() - 1000);
    const text = `Ours, before the crowd ${Date.now()}`;
    const ours = await provider.publish(credentials, { text, media: [], link: null, options: {} }, 'key-buried');
    fake.seedPosts(credentials.destinationId, Array.from({ length: 150 }, (_, index) => `Somebody else's post ${index}`));
    const before = requestsTo('/published_posts').length;
    expect(await provider.findPublished(credentials, 'key-buried', since, { text, media: [], link: null, options: {} })).toMatchObject({ externalId: ours.externalId });
    expect(requestsTo('/published_posts').length - before).toBe(2);
  });

  it('stops after 10 pages and answers "cannot tell" (rejected) rather than "absent", which would resend', async () => {
    const credentials = pageCredentials();
    const since = new Date(Date.now() - 1000);
    const text = `Ours, under a flood ${Date.now()}`;
    await provider.publish(credentials, { text, media: [], link: null, options: {} }, 'key-flood');
    fake.seedPosts(credentials.destinationId, Array.from({ length: 1100 }, (_, index) => `Flood ${index}`));
    const before = requestsTo('/published_posts').length;
    const lookup = provider.findPublished(credentials, 'key-flood', since, { text, media: [], link: null, options: {} });
    await expect(lookup).rejects.toMatchObject({ kind: 'rejected', message: expect.stringMatching(/too many posts since the attempt \(1000 read\)/) });
    expect(requestsTo('/published_posts').length - before).toBe(10);
  });
});
