import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLinkedInFake, type FakeLinkedIn } from '../../../../test/fakes/linkedin.js';
import { providerTestConfig, unreachableBaseUrl } from '../../../../test/fakes/network/provider-config.js';
import { createLinkedInProvider, toLittleText } from './linkedin.js';
import { ProviderError, type ConnectionCredentials, type PublishContent, type SocialProvider } from './provider.js';

let fake: FakeLinkedIn;
let provider: SocialProvider;

beforeAll(async () => {
  fake = await startLinkedInFake();
  provider = createLinkedInProvider(
    providerTestConfig({
      LINKEDIN_API_URL: fake.url,
      LINKEDIN_OAUTH_URL: fake.url,
      LINKEDIN_CLIENT_ID: fake.clientId,
      LINKEDIN_CLIENT_SECRET: fake.clientSecret,
      LINKEDIN_API_VERSION: '202510',
    }),
  );
});

afterEach(() => {
  fake.clearFailures();
  fake.setOrganizationAccess(true);
});
afterAll(() => fake.close());

function organizationCredentials(): ConnectionCredentials {
  return {
    accessToken: fake.grant().accessToken,
    destinationToken: null,
    destinationId: `urn:li:organization:${fake.organization.id}`,
    metadata: {},
  };
}

function memberCredentials(): ConnectionCredentials {
  return { ...organizationCredentials(), destinationId: `urn:li:person:${fake.member.sub}` };
}

function uniqueText(prefix = 'Quarterly results (Q3)'): string {
  return `${prefix} — ${Math.random().toString(36).slice(2)}`;
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

describe('LinkedIn provider', () => {
  it('builds the authorization URL with the configured scopes and no PKCE', () => {
    const url = new URL(provider.oauth!.buildAuthorizationUrl({ state: 'st-li', redirectUri: 'https://omni.test/cb', codeChallenge: null }));
    expect(url.origin + url.pathname).toBe(`${fake.url}/oauth/v2/authorization`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(fake.clientId);
    expect(url.searchParams.get('state')).toBe('st-li');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'w_member_social', 'w_organization_social']));
    expect(provider.oauth!.usesPkce).toBe(false);
    expect(provider.oauth!.refreshModel).toBe('reuse');
  });

  it('exchanges a code for tokens with both lifetimes', async () => {
    const tokens = await provider.oauth!.exchangeCode({ code: fake.issueCode(), redirectUri: 'https://omni.test/cb', codeVerifier: null });
    expect(fake.isAccessTokenValid(tokens.accessToken)).toBe(true);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 24 * 3600 * 1000);
    expect(tokens.refreshExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 364 * 24 * 3600 * 1000);
    expect(tokens.scopes).toContain('w_organization_social');
  });

  it('refreshes with the same refresh token reused, and a dead refresh token is disconnected', async () => {
    const granted = fake.grant();
    const refreshed = await provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: granted.refreshToken });
    expect(refreshed.refreshToken).toBe(granted.refreshToken);
    expect(refreshed.accessToken).not.toBe(granted.accessToken);
    const again = await provider.oauth!.refreshTokens!({ accessToken: refreshed.accessToken, refreshToken: granted.refreshToken });
    expect(fake.isAccessTokenValid(again.accessToken)).toBe(true);
    const error = await captureError(provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: 'revoked-token' }));
    expect(error.kind).toBe('disconnected');
  });

  it('lists the member and the organizations they administer, skipping roles that cannot post', async () => {
    const destinations = await provider.listDestinations({ accessToken: fake.grant().accessToken });
    expect(destinations.map((destination) => [destination.externalId, destination.name, destination.kind])).toEqual([
      [`urn:li:person:${fake.member.sub}`, fake.member.name, 'profile'],
      [`urn:li:organization:${fake.organization.id}`, fake.organization.name, 'organization'],
    ]);
  });

  it('lists only the member when the app may not read organization roles', async () => {
    fake.setOrganizationAccess(false);
    const destinations = await provider.listDestinations({ accessToken: fake.grant().accessToken });
    expect(destinations.map((destination) => destination.kind)).toEqual(['profile']);
  });

  it('publishes a post with the version headers and returns the URN from x-restli-id', async () => {
    const text = uniqueText('Hello #omni @team (v2)');
    const result = await provider.publish(organizationCredentials(), textPost(text), 'key-text');
    expect(result.externalId).toMatch(/^urn:li:share:\d+$/);
    expect(result.url).toBe(`https://www.linkedin.com/feed/update/${result.externalId}/`);
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    expect(post).toMatchObject({ author: `urn:li:organization:${fake.organization.id}`, visibility: 'PUBLIC', commentary: toLittleText(text) });
    const request = fake.requests.filter((candidate) => candidate.method === 'POST' && candidate.path === '/rest/posts').pop()!;
    expect(request.headers['linkedin-version']).toBe('202510');
    expect(request.headers['x-restli-protocol-version']).toBe('2.0.0');
  });

  it('escapes little-text markup and keeps hashtags as hashtags', () => {
    expect(toLittleText('Q3 (final) #growth @ 50% *now*')).toBe('Q3 \\(final\\) {hashtag|\\#|growth} \\@ 50% \\*now\\*');
  });

  it('publishes an image post: initializes the upload, uploads the bytes, attaches the image with alt text', async () => {
    const content: PublishContent = {
      ...textPost(),
      media: [{ url: `${fake.url}/test-media/chart.png`, kind: 'image', altText: 'Revenue chart', mimeType: 'image/png' }],
    };
    const result = await provider.publish(memberCredentials(), content, 'key-image');
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    const imageUrn = (post.content as { media: { id: string; altText: string } }).media.id;
    expect((post.content as { media: { altText: string } }).media.altText).toBe('Revenue chart');
    const uploaded = fake.uploadedImages().find((image) => image.urn === imageUrn)!;
    expect(uploaded.owner).toBe(`urn:li:person:${fake.member.sub}`);
    expect(uploaded.bytes).toBeGreaterThan(0);
  });

  it('publishes a video: uploads every byte range, finalizes with the ETags, waits until AVAILABLE', async () => {
    const content: PublishContent = {
      ...textPost(),
      media: [{ url: `${fake.url}/test-media/clip.mp4`, kind: 'video', altText: null, mimeType: 'video/mp4' }],
      options: { title: 'Launch video' },
    };
    const result = await provider.publish(organizationCredentials(), content, 'key-video');
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    const media = (post.content as { media: { id: string; title: string } }).media;
    expect(media.title).toBe('Launch video');
    const video = fake.uploadedVideos().find((candidate) => candidate.urn === media.id)!;
    expect(video.status).toBe('AVAILABLE');
    expect(video.partBytes.length).toBeGreaterThan(1);
    expect(video.partBytes.every((bytes) => bytes > 0)).toBe(true);
  });

  it('rejects a video LinkedIn fails to process, without posting', async () => {
    const before = fake.published().length;
    fake.setVideoProcessing('fail');
    try {
      const content: PublishContent = {
        ...textPost(),
        media: [{ url: `${fake.url}/test-media/clip.mp4`, kind: 'video', altText: null, mimeType: 'video/mp4' }],
      };
      const error = await captureError(provider.publish(organizationCredentials(), content, 'key-video-bad'));
      expect(error.kind).toBe('rejected');
      expect(fake.published()).toHaveLength(before);
    } finally {
      fake.setVideoProcessing('succeed');
    }
  });

  it('publishes a link as an article card', async () => {
    const result = await provider.publish(organizationCredentials(), { ...textPost(), link: 'https://example.com/report', options: { title: 'Report' } }, 'key-link');
    const post = fake.published().find((candidate) => candidate.id === result.externalId)!;
    expect(post.content).toEqual({ article: { source: 'https://example.com/report', title: 'Report' } });
  });

  it('reads organization share statistics, and likes and comments for member posts', async () => {
    const organizationPost = await provider.publish(organizationCredentials(), textPost(), 'key-org-metrics');
    expect(await provider.fetchMetrics(organizationCredentials(), organizationPost.externalId)).toEqual({
      likes: 30,
      comments: 8,
      shares: 6,
      impressions: 450,
      clicks: 21,
    });
    const memberPost = await provider.publish(memberCredentials(), textPost(), 'key-member-metrics');
    expect(await provider.fetchMetrics(memberCredentials(), memberPost.externalId)).toEqual({
      likes: 17,
      comments: 5,
      shares: null,
      impressions: null,
      clicks: null,
    });
  });

  it('finds a published post by its commentary among the author’s recent posts', async () => {
    const since = new Date();
    const content = textPost(uniqueText('Find me #please'));
    const result = await provider.publish(organizationCredentials(), content, 'key-find');
    expect(await provider.findPublished(organizationCredentials(), 'key-find', since, content)).toEqual(result);
    expect(await provider.findPublished(organizationCredentials(), 'key-none', since, textPost())).toBeNull();
  });

  it('cannot reconcile without the content, and says so as rejected', async () => {
    const error = await captureError(provider.findPublished(organizationCredentials(), 'key', new Date()));
    expect(error.kind).toBe('rejected');
  });

  it('classifies a 429 as rate_limited with the Retry-After seconds', async () => {
    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 30 });
    const error = await captureError(provider.publish(organizationCredentials(), textPost(), 'key-429'));
    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterSeconds).toBe(30);
  });

  it('classifies a 500 as retryable', async () => {
    fake.setFailure({ kind: 'server_error' });
    const error = await captureError(provider.publish(organizationCredentials(), textPost(), 'key-500'));
    expect(error.kind).toBe('retryable');
  });

  it('classifies an expired access token as refresh_needed', async () => {
    const expired = organizationCredentials();
    fake.expireAccessTokens();
    const error = await captureError(provider.publish(expired, textPost(), 'key-401'));
    expect(error.kind).toBe('refresh_needed');
    expect(error.details.networkCode).toBe('EXPIRED_ACCESS_TOKEN');
  });

  it('classifies a duplicate post as rejected with LinkedIn’s message', async () => {
    const text = uniqueText();
    await provider.publish(organizationCredentials(), textPost(text), 'key-dup-1');
    const error = await captureError(provider.publish(organizationCredentials(), textPost(text), 'key-dup-2'));
    expect(error.kind).toBe('rejected');
    expect(error.details.status).toBe(422);
    expect(error.message).toContain('duplicate');
  });

  it('classifies posting as a foreign organization as rejected', async () => {
    const error = await captureError(
      provider.publish({ ...organizationCredentials(), destinationId: 'urn:li:organization:1' }, textPost(), 'key-403'),
    );
    expect(error.kind).toBe('rejected');
    expect(error.details.status).toBe(403);
  });

  it('classifies a timeout on publish as unknown_outcome', async () => {
    fake.setFailure({ kind: 'hang' });
    const error = await captureError(provider.publish(organizationCredentials(), textPost(), 'key-hang'));
    expect(error.kind).toBe('unknown_outcome');
  });

  it('reports a lost response as unknown_outcome, with exactly one post that reconciliation finds', async () => {
    const since = new Date();
    const content = textPost();
    fake.setFailure({ kind: 'response_lost' });
    const error = await captureError(provider.publish(organizationCredentials(), content, 'key-lost'));
    expect(error.kind).toBe('unknown_outcome');
    const matching = fake.published().filter((post) => post.commentary === toLittleText(content.text));
    expect(matching).toHaveLength(1);
    expect(await provider.findPublished(organizationCredentials(), 'key-lost', since, content)).toEqual({
      externalId: matching[0]!.id,
      url: `https://www.linkedin.com/feed/update/${matching[0]!.id}/`,
    });
  });

  it('classifies a failed image upload as retryable without creating a post', async () => {
    const before = fake.published().length;
    fake.setFailure({ kind: 'server_error' }, { operation: 'media' });
    const content: PublishContent = {
      ...textPost(),
      media: [{ url: `${fake.url}/test-media/chart.png`, kind: 'image', altText: null, mimeType: 'image/png' }],
    };
    const error = await captureError(provider.publish(organizationCredentials(), content, 'key-media-500'));
    expect(error.kind).toBe('retryable');
    expect(fake.published()).toHaveLength(before);
  });

  it('classifies a refused connection as retryable, since nothing was sent', async () => {
    const unreachable = createLinkedInProvider(providerTestConfig({ LINKEDIN_API_URL: await unreachableBaseUrl() }));
    const error = await captureError(unreachable.publish(organizationCredentials(), textPost(), 'key-down'));
    expect(error.kind).toBe('retryable');
  });
});
