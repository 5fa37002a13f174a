import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramFake, type FakeInstagram } from '../../../../test/fakes/instagram.js';
import { failureOf } from '../../../../test/fakes/network/provider-config.js';
import { testConfig } from '../../../../test/harness.js';
import { createInstagramProvider } from './instagram.js';
import type { ConnectionCredentials, PublishContent, PublishMedia, SocialProvider } from './provider.js';

const image = (name: string): PublishMedia => ({ url: `https://cdn.test/${name}.jpg`, kind: 'image', altText: null, mimeType: 'image/jpeg' });
const video: PublishMedia = { url: 'https://cdn.test/reel.mp4', kind: 'video', altText: null, mimeType: 'video/mp4' };

function content(text: string, media: PublishMedia[] = [image('a')]): PublishContent {
  return { text, media, link: null, options: {} };
}

describe('Instagram Business provider against the fake Graph API', () => {
  let fake: FakeInstagram;
  let provider: SocialProvider;
  let credentials: ConnectionCredentials;
  let marker = 0;
  const nextMarker = () => `[ig-${(marker += 1)}-${Date.now()}]`;

  beforeAll(async () => {
    fake = await startInstagramFake();
    const config = testConfig({
      FACEBOOK_APP_ID: fake.appId,
      FACEBOOK_APP_SECRET: fake.appSecret,
      INSTAGRAM_GRAPH_URL: fake.url,
      SOCIAL_HTTP_TIMEOUT_MS: '2000',
      MEDIA_FETCH_ALLOWED_ORIGINS: 'https://cdn.test',
    });
    provider = createInstagramProvider(config, { pollIntervalMs: 5, maxPolls: 5 });
    credentials = { accessToken: fake.grant(), destinationToken: null, destinationId: fake.igUserId, metadata: {} };
  });
  afterEach(() => {
    fake.clearFailures();
    fake.setVideoProcessingPolls(2);
  });
  afterAll(() => fake?.close());

  it('connects through Facebook Login and lists only pages with a linked Instagram account', async () => {
    const code = fake.issueCode();
    const tokens = await provider.oauth!.exchangeCode({ code, redirectUri: 'https://omni.test/cb', codeVerifier: null });
    const destinations = await provider.listDestinations({ accessToken: tokens.accessToken });
    expect(destinations).toEqual([
      expect.objectContaining({ externalId: fake.igUserId, name: '@cornerbakery', kind: 'instagram_account', destinationToken: null, metadata: expect.objectContaining({ pageId: fake.pages[0]!.id }) }),
    ]);
    expect(provider.oauth!.refreshModel).toBe('extend');
  });

  it('publishes an image through a container, then media_publish, and returns the permalink', async () => {
    const text = `Croissants ${nextMarker()}`;
    const result = await provider.publish(credentials, content(text), 'k1');
    expect(result.externalId).toMatch(/^18\d+$/);
    expect(result.url).toBe(`https://www.instagram.com/p/${result.externalId}/`);
    expect(fake.published().find((item) => item.id === result.externalId)).toMatchObject({ caption: text, mediaType: 'IMAGE' });
  });

  it('waits for a video container to finish processing before publishing a reel', async () => {
    fake.setVideoProcessingPolls(3);
    const text = `Reel ${nextMarker()}`;
    const result = await provider.publish(credentials, content(text, [video]), 'k2');
    expect(fake.published().find((item) => item.id === result.externalId)).toMatchObject({ mediaType: 'VIDEO', caption: text });
  });

  it('refuses an image_url outside the allowlist before creating any container', async () => {
    const containers = fake.containersCreated();
    const text = `Elsewhere ${nextMarker()}`;
    const error = await failureOf(provider.publish(credentials, content(text, [image('a'), { ...image('b'), url: 'https://[fd00:ec2::254]/latest/meta-data' }]), 'k-ssrf'));
    expect(error).toMatchObject({ kind: 'rejected', details: { networkCode: 'media_refused' } });
    expect(error.message).toMatch(/^Instagram: media https:\/\/\[fd00:ec2::254\]\/latest\/meta-data is not from an allowed origin/);
    expect(fake.containersCreated()).toBe(containers);
    expect(fake.publishedCount(text)).toBe(0);
  });

  it('publishes a carousel of several items', async () => {
    const text = `Carousel ${nextMarker()}`;
    const result = await provider.publish(credentials, content(text, [image('a'), image('b'), image('c')]), 'k3');
    expect(fake.published().find((item) => item.id === result.externalId)).toMatchObject({ mediaType: 'CAROUSEL_ALBUM', mediaUrls: expect.arrayContaining([image('b').url]) });
  });

  it('rejects a post without media, and a container that fails processing, without publishing', async () => {
    expect((await failureOf(provider.publish(credentials, content('text only', []), 'k'))).kind).toBe('rejected');
    const text = `Broken ${nextMarker()}`;
    fake.failNextContainer();
    expect((await failureOf(provider.publish(credentials, content(text, [video]), 'k'))).kind).toBe('rejected');
    expect(fake.publishedCount(text)).toBe(0);
  });

  it('gives up on a container that is still processing as retryable (nothing was published)', async () => {
    fake.setVideoProcessingPolls(50);
    const text = `Slow ${nextMarker()}`;
    expect((await failureOf(provider.publish(credentials, content(text, [video]), 'k'))).kind).toBe('retryable');
    expect(fake.publishedCount(text)).toBe(0);
  });

  it('finds published media by caption and reads likes, comments, views and shares', async () => {
    const text = `Find me ${nextMarker()}`;
    const since = new Date(Date.now() - 1000);
    const result = await provider.publish(credentials, content(text), 'key-f');
    expect(await provider.findPublished(credentials, 'key-f', since, content(text))).toMatchObject({ externalId: result.externalId });
    expect(await provider.findPublished(credentials, 'key-g', since, content(`Not there ${nextMarker()}`))).toBeNull();
    fake.setEngagement(result.externalId, { likes: 40, comments: 5, views: 900, shares: 3 });
    expect(await provider.fetchMetrics(credentials, result.externalId)).toEqual({ likes: 40, comments: 5, shares: 3, impressions: 900, clicks: null });
  });

  it('classifies 429 with Retry-After on media_publish as rate_limited, and a 500 as retryable', async () => {
    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 7 });
    expect(await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).toMatchObject({ kind: 'rate_limited', details: { retryAfterSeconds: 7 } });
    fake.setFailure({ kind: 'server_error' }, { operation: 'media' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('retryable');
  });

  it('classifies an expired token as refresh_needed and refused content as rejected', async () => {
    fake.setFailure({ kind: 'token_expired' }, { operation: 'media' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('refresh_needed');
    fake.setFailure({ kind: 'rejected', message: 'The aspect ratio is not supported.' }, { operation: 'media' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('rejected');
  });

  it('treats a timed-out container creation as retryable but a timed-out media_publish as unknown_outcome', async () => {
    fake.setFailure({ kind: 'hang' }, { operation: 'media' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('retryable');
    fake.setFailure({ kind: 'hang' });
    expect((await failureOf(provider.publish(credentials, content(nextMarker()), 'k'))).kind).toBe('unknown_outcome');
  });

  it('reports a lost media_publish response as unknown_outcome; reconciliation finds exactly one post', async () => {
    const text = `Lost ${nextMarker()}`;
    const since = new Date(Date.now() - 1000);
    fake.setFailure({ kind: 'response_lost' });
    expect((await failureOf(provider.publish(credentials, content(text), 'key-lost'))).kind).toBe('unknown_outcome');
    expect(fake.publishedCount(text)).toBe(1);
    expect(await provider.findPublished(credentials, 'key-lost', since, content(text))).not.toBeNull();
  });
});

describe('Instagram Graph paging', () => {
  let fake: FakeInstagram;
  let provider: SocialProvider;
  let credentials: ConnectionCredentials;

  beforeAll(async () => {
    fake = await startInstagramFake();
    provider = createInstagramProvider(testConfig({ FACEBOOK_APP_ID: fake.appId, FACEBOOK_APP_SECRET: fake.appSecret, INSTAGRAM_GRAPH_URL: fake.url, MEDIA_FETCH_ALLOWED_ORIGINS: 'https://cdn.test' }), {
      pollIntervalMs: 5,
      maxPolls: 5,
    });
    credentials = { accessToken: fake.grant(), destinationToken: null, destinationId: fake.igUserId, metadata: {} };
  });
  afterAll(() => fake?.close());

  const mediaReads = () => fake.requests.filter((request) => request.method === 'GET' && request.path.endsWith(`/${fake.igUserId}/media`)).length;

  it('lists the Instagram accounts of more than 100 pages', async () => {
    fake.addPages(120);
    const before = fake.requests.filter((request) => request.path.endsWith('/me/accounts')).length;
    const destinations = await provider.listDestinations({ accessToken: fake.grant() });
    expect(destinations).toHaveLength(121);
    expect(new Set(destinations.map((destination) => destination.externalId)).size).toBe(121);
    expect(fake.requests.filter((request) => request.path.endsWith('/me/accounts')).length - before).toBe(2);
  });

  it('stops looking at the first page that reaches media older than the attempt', async () => {
    fake.seedMedia(Array.from({ length: 300 }, (_, index) => `Last week ${index}`), new Date(Date.now() - 7 * 24 * 3600 * 1000));
    const before = mediaReads();
    expect(await provider.findPublished(credentials, 'key-none', new Date(Date.now() - 1000), content(`Never sent ${Date.now()}`))).toBeNull();
    expect(mediaReads() - before).toBe(1);
  });

  it('finds a post under 120 newer ones (third page of 50), never older media with the same caption', async () => {
    const text = `Ours among many ${Date.now()}`;
    // The same caption a week ago: outside the window, so it is not taken for this attempt.
    fake.seedMedia([text], new Date(Date.now() - 7 * 24 * 3600 * 1000));
    const since = new Date(Date.now() - 1000);
    const ours = await provider.publish(credentials, content(text), 'key-many');
    fake.seedMedia(Array.from({ length: 120 }, (_, index) => `Newer ${index}`));
    const before = mediaReads();
    expect(await provider.findPublished(credentials, 'key-many', since, content(text))).toMatchObject({ externalId: ours.externalId });
    expect(mediaReads() - before).toBe(3);
  });
});
