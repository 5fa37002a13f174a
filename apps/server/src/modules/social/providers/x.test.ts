import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXFake, type FakeX } from '../../../../test/fakes/x.js';
import { providerTestConfig, unreachableBaseUrl } from '../../../../test/fakes/network/provider-config.js';
import { ProviderError, type ConnectionCredentials, type PublishContent, type SocialProvider } from './provider.js';
import { createXProvider } from './x.js';

let fake: FakeX;
let provider: SocialProvider;

beforeAll(async () => {
  fake = await startXFake();
  provider = createXProvider(
    providerTestConfig({ X_API_URL: fake.url, X_OAUTH_URL: fake.url, X_CLIENT_ID: fake.clientId, X_CLIENT_SECRET: fake.clientSecret }),
  );
});

afterEach(() => fake.clearFailures());
afterAll(() => fake.close());

function credentials(): ConnectionCredentials {
  return { accessToken: fake.grant().accessToken, destinationToken: null, destinationId: fake.user.id, metadata: { username: fake.user.username } };
}

/** X refuses duplicate text, so every post in these tests is unique. */
function uniqueText(prefix = 'Launch day'): string {
  return `${prefix} & more ${Math.random().toString(36).slice(2)}`;
}

function textPost(text = uniqueText()): PublishContent {
  return { text, media: [], link: null, options: {} };
}

async function captureError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('X provider', () => {
  it('builds an authorization URL with an S256 PKCE challenge and the offline.access scope', () => {
    const { challenge } = pkcePair();
    const url = new URL(provider.oauth!.buildAuthorizationUrl({ state: 'st-x', redirectUri: 'https://omni.test/cb', codeChallenge: challenge }));
    expect(url.origin + url.pathname).toBe(`${fake.url}/i/oauth2/authorize`);
    expect(url.searchParams.get('code_challenge')).toBe(challenge);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('client_id')).toBe(fake.clientId);
    expect(url.searchParams.get('state')).toBe('st-x');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['tweet.write', 'offline.access', 'media.write']));
    expect(provider.oauth!.usesPkce).toBe(true);
    expect(provider.oauth!.refreshModel).toBe('rotating');
  });

  it('refuses to build an authorization URL without a code challenge', () => {
    expect(() => provider.oauth!.buildAuthorizationUrl({ state: 's', redirectUri: 'https://omni.test/cb', codeChallenge: null })).toThrow(ProviderError);
  });

  it('exchanges a code with its PKCE verifier for access and refresh tokens', async () => {
    const { verifier, challenge } = pkcePair();
    const tokens = await provider.oauth!.exchangeCode({ code: fake.issueCode(challenge), redirectUri: 'https://omni.test/cb', codeVerifier: verifier });
    expect(fake.isAccessTokenValid(tokens.accessToken)).toBe(true);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3600 * 1000);
    expect(tokens.scopes).toContain('offline.access');
  });

  it('fails the exchange when the verifier does not match the challenge', async () => {
    const { challenge } = pkcePair();
    const error = await captureError(
      provider.oauth!.exchangeCode({ code: fake.issueCode(challenge), redirectUri: 'https://omni.test/cb', codeVerifier: pkcePair().verifier }),
    );
    expect(error.kind).toBe('rejected');
  });

  it('rotates the refresh token, and a used refresh token is then disconnected', async () => {
    const granted = fake.grant();
    const refreshed = await provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: granted.refreshToken });
    expect(refreshed.refreshToken).toBeTruthy();
    expect(refreshed.refreshToken).not.toBe(granted.refreshToken);
    const error = await captureError(provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: granted.refreshToken }));
    expect(error.kind).toBe('disconnected');
  });

  it('lists the authenticated user as the one profile destination', async () => {
    const destinations = await provider.listDestinations({ accessToken: fake.grant().accessToken });
    expect(destinations).toEqual([
      {
        externalId: fake.user.id,
        name: fake.user.name,
        kind: 'profile',
        pictureUrl: 'https://pbs.twimg.com/profile_images/omni.png',
        destinationToken: null,
        metadata: { username: fake.user.username },
      },
    ]);
  });

  it('publishes a text post and links to it under the username', async () => {
    const text = uniqueText();
    const result = await provider.publish(credentials(), textPost(text), 'key-text');
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    expect(post.text).toBe(text);
    expect(result.url).toBe(`https://x.com/${fake.user.username}/status/${result.externalId}`);
  });

  it('publishes a thread as replies chained to the first post', async () => {
    const first = uniqueText('Thread 1/3');
    const second = uniqueText('Thread 2/3');
    const third = uniqueText('Thread 3/3');
    const result = await provider.publish(credentials(), { ...textPost(first), options: { thread: [second, third] } }, 'key-thread');
    const posts = fake.published();
    const root = posts.find((post) => post.id === result.externalId)!;
    const reply = posts.find((post) => post.text === second)!;
    const last = posts.find((post) => post.text === third)!;
    expect(root).toMatchObject({ text: first, inReplyTo: null });
    expect(reply.inReplyTo).toBe(root.id);
    expect(last.inReplyTo).toBe(reply.id);
  });

  it('uploads an image with its alt text and attaches it to the post', async () => {
    const content: PublishContent = {
      ...textPost(),
      media: [{ url: `${fake.url}/test-media/photo.png`, kind: 'image', altText: 'A red balloon', mimeType: 'image/png' }],
    };
    const result = await provider.publish(credentials(), content, 'key-image');
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    expect(post.mediaIds).toHaveLength(1);
    const uploaded = fake.uploadedMedia().find((item) => item.id === post.mediaIds[0])!;
    expect(uploaded).toMatchObject({ category: 'tweet_image', altText: 'A red balloon' });
    expect(uploaded.bytes).toBeGreaterThan(0);
  });

  it('refuses media from an origin outside the allowlist before uploading or posting anything', async () => {
    const posted = fake.published().length;
    const uploaded = fake.uploadedMedia().length;
    const content: PublishContent = {
      ...textPost(),
      media: [
        { url: `${fake.url}/test-media/photo.png`, kind: 'image', altText: null, mimeType: 'image/png' },
        { url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', kind: 'image', altText: null, mimeType: null },
      ],
    };
    const error = await captureError(provider.publish(credentials(), content, 'key-ssrf'));
    expect(error).toMatchObject({ kind: 'rejected', details: { networkCode: 'media_refused' } });
    expect(error.message).toMatch(/^X: media http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/ is not from an allowed origin/);
    expect(fake.uploadedMedia()).toHaveLength(uploaded);
    expect(fake.published()).toHaveLength(posted);
  });

  it('uploads a video in chunks, waits for processing to succeed, then attaches it', async () => {
    const content: PublishContent = {
      ...textPost(),
      media: [{ url: `${fake.url}/test-media/clip.mp4`, kind: 'video', altText: null, mimeType: 'video/mp4' }],
    };
    const result = await provider.publish(credentials(), content, 'key-video');
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    const uploaded = fake.uploadedMedia().find((item) => item.id === post.mediaIds[0])!;
    expect(uploaded).toMatchObject({ category: 'tweet_video', ready: true });
    expect(uploaded.bytes).toBeGreaterThan(0);
  });

  it('rejects a video X fails to process, without posting', async () => {
    const before = fake.published().length;
    fake.setVideoProcessing('fail');
    try {
      const content: PublishContent = {
        ...textPost(),
        media: [{ url: `${fake.url}/test-media/clip.mp4`, kind: 'video', altText: null, mimeType: 'video/mp4' }],
      };
      const error = await captureError(provider.publish(credentials(), content, 'key-video-bad'));
      expect(error.kind).toBe('rejected');
      expect(error.message).toContain('Unsupported video format');
      expect(fake.published()).toHaveLength(before);
    } finally {
      fake.setVideoProcessing('succeed');
    }
  });

  it('reads public metrics into engagement metrics', async () => {
    const result = await provider.publish(credentials(), textPost(), 'key-metrics');
    expect(await provider.fetchMetrics(credentials(), result.externalId)).toEqual({
      likes: 25,
      comments: 4,
      shares: 4,
      impressions: 900,
      clicks: null,
    });
  });

  it('finds a published post by its exact text although X rewrote its link and escaped its ampersand', async () => {
    const since = new Date();
    const content: PublishContent = { ...textPost(), link: 'https://example.com/launch' };
    const result = await provider.publish(credentials(), content, 'key-find');
    expect(await provider.findPublished(credentials(), 'key-find', since, content)).toEqual(result);
    expect(await provider.findPublished(credentials(), 'key-other', since, textPost())).toBeNull();
  });

  it('cannot reconcile without the content, and says so as rejected', async () => {
    const error = await captureError(provider.findPublished(credentials(), 'key', new Date()));
    expect(error.kind).toBe('rejected');
  });

  it('classifies a 429 as rate_limited with the seconds until x-rate-limit-reset', async () => {
    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 120 });
    const error = await captureError(provider.publish(credentials(), textPost(), 'key-429'));
    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(119);
    expect(error.details.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it('classifies a 500 as retryable', async () => {
    fake.setFailure({ kind: 'server_error' });
    const error = await captureError(provider.publish(credentials(), textPost(), 'key-500'));
    expect(error.kind).toBe('retryable');
  });

  it('classifies an expired access token as refresh_needed', async () => {
    const expired = credentials();
    fake.expireAccessTokens();
    const error = await captureError(provider.publish(expired, textPost(), 'key-401'));
    expect(error.kind).toBe('refresh_needed');
  });

  it('classifies a duplicate post as rejected with X’s message', async () => {
    const text = uniqueText();
    await provider.publish(credentials(), textPost(text), 'key-dup-1');
    const error = await captureError(provider.publish(credentials(), textPost(text), 'key-dup-2'));
    expect(error.kind).toBe('rejected');
    expect(error.details.status).toBe(403);
    expect(error.message).toContain('duplicate content');
  });

  it('classifies a timeout on publish as unknown_outcome', async () => {
    fake.setFailure({ kind: 'hang' });
    const error = await captureError(provider.publish(credentials(), textPost(), 'key-hang'));
    expect(error.kind).toBe('unknown_outcome');
  });

  it('reports a lost response as unknown_outcome, with exactly one post on X that reconciliation finds', async () => {
    const since = new Date();
    const content = textPost();
    fake.setFailure({ kind: 'response_lost' });
    const error = await captureError(provider.publish(credentials(), content, 'key-lost'));
    expect(error.kind).toBe('unknown_outcome');
    const matching = fake.published().filter((post) => post.text === content.text);
    expect(matching).toHaveLength(1);
    expect(await provider.findPublished(credentials(), 'key-lost', since, content)).toMatchObject({ externalId: matching[0]!.id });
  });

  it('reports a thread whose reply fails as unknown_outcome, and reconciliation finds the first post, sent once', async () => {
    const since = new Date();
    const content: PublishContent = { ...textPost(uniqueText('Root')), options: { thread: [uniqueText('Reply')] } };
    fake.setFailure({ kind: 'server_error' }, { after: 1 });
    const error = await captureError(provider.publish(credentials(), content, 'key-partial'));
    expect(error.kind).toBe('unknown_outcome');
    expect(error.message).toContain('partially published');
    const roots = fake.published().filter((post) => post.text === content.text);
    expect(roots).toHaveLength(1);
    expect(await provider.findPublished(credentials(), 'key-partial', since, content)).toMatchObject({ externalId: roots[0]!.id });
  });

  it('classifies a refused connection as retryable, since nothing was sent', async () => {
    const unreachable = createXProvider(providerTestConfig({ X_API_URL: await unreachableBaseUrl() }));
    const error = await captureError(unreachable.publish(credentials(), textPost(), 'key-down'));
    expect(error.kind).toBe('retryable');
  });
});
