import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPinterestFake, type FakePinterest } from '../../../../test/fakes/pinterest.js';
import { providerTestConfig, unreachableBaseUrl } from '../../../../test/fakes/network/provider-config.js';
import { createPinterestProvider } from './pinterest.js';
import { ProviderError, type ConnectionCredentials, type PublishContent, type SocialProvider } from './provider.js';

let fake: FakePinterest;
let provider: SocialProvider;

beforeAll(async () => {
  fake = await startPinterestFake();
  provider = createPinterestProvider(
    providerTestConfig({
      PINTEREST_API_URL: fake.url,
      PINTEREST_OAUTH_URL: fake.url,
      PINTEREST_CLIENT_ID: fake.clientId,
      PINTEREST_CLIENT_SECRET: fake.clientSecret,
    }),
  );
});

afterEach(() => fake.clearFailures());
afterAll(() => fake.close());

function credentials(): ConnectionCredentials {
  return { accessToken: fake.grant().accessToken, destinationToken: null, destinationId: fake.boards[0]!.id, metadata: {} };
}

function pinContent(text = 'Lemon tart, step by step'): PublishContent {
  return {
    text,
    media: [{ url: `${fake.url}/test-media/tart.png`, kind: 'image', altText: 'A lemon tart', mimeType: 'image/png' }],
    link: 'https://example.com/tart',
    options: { title: 'Lemon tart' },
  };
}

async function captureError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

function uniqueKey(): string {
  return `key-${Math.random().toString(36).slice(2)}`;
}

describe('Pinterest provider', () => {
  it('reports itself configured only with a client id and secret', () => {
    expect(provider.isConfigured).toBe(true);
    expect(createPinterestProvider(providerTestConfig({})).isConfigured).toBe(false);
  });

  it('builds the authorization URL with the client id, redirect URI, state and comma-separated scopes', () => {
    const url = new URL(provider.oauth!.buildAuthorizationUrl({ state: 'st-1', redirectUri: 'https://omni.test/cb', codeChallenge: null }));
    expect(url.origin + url.pathname).toBe(`${fake.url}/oauth/`);
    expect(url.searchParams.get('client_id')).toBe(fake.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe('https://omni.test/cb');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('scope')).toContain('pins:write');
    expect(provider.oauth!.usesPkce).toBe(false);
    expect(provider.oauth!.refreshModel).toBe('rotating');
  });

  it('exchanges a code for tokens with Basic client authentication and reads both expiries', async () => {
    const tokens = await provider.oauth!.exchangeCode({ code: fake.issueCode(), redirectUri: 'https://omni.test/cb', codeVerifier: null });
    expect(fake.isAccessTokenValid(tokens.accessToken)).toBe(true);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect(tokens.refreshExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 364 * 24 * 3600 * 1000);
    expect(tokens.scopes).toContain('pins:write');
  });

  it('turns a refused code into a disconnected error', async () => {
    const error = await captureError(provider.oauth!.exchangeCode({ code: 'not-issued', redirectUri: 'https://omni.test/cb', codeVerifier: null }));
    expect(error.kind).toBe('disconnected');
    expect(error.details.networkCode).toBe('invalid_grant');
  });

  it('rotates the refresh token on refresh, and the old one is then refused as disconnected', async () => {
    const granted = fake.grant();
    const refreshed = await provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: granted.refreshToken });
    expect(refreshed.refreshToken).toBeTruthy();
    expect(refreshed.refreshToken).not.toBe(granted.refreshToken);
    expect(fake.isAccessTokenValid(refreshed.accessToken)).toBe(true);
    const error = await captureError(provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: granted.refreshToken }));
    expect(error.kind).toBe('disconnected');
  });

  it.each(['omit', 'empty'] as const)('keeps the stored refresh token when a refresh answers with none (%s)', async (mode) => {
    fake.setRefreshMode(mode);
    try {
      const granted = fake.grant();
      const refreshed = await provider.oauth!.refreshTokens!({ accessToken: granted.accessToken, refreshToken: granted.refreshToken });
      expect(refreshed.refreshToken).toBe(granted.refreshToken);
      expect(refreshed.accessToken).not.toBe(granted.accessToken);
      expect(fake.isAccessTokenValid(refreshed.accessToken)).toBe(true);
    } finally {
      fake.setRefreshMode('rotate');
    }
  });

  it('lists every board across pages as destinations', async () => {
    const destinations = await provider.listDestinations({ accessToken: fake.grant().accessToken });
    expect(destinations.map((destination) => [destination.externalId, destination.name, destination.kind])).toEqual(
      fake.boards.map((board) => [board.id, board.name, 'board']),
    );
  });

  it('publishes an image pin with title, link, alt text and the key in the private note', async () => {
    const key = uniqueKey();
    const result = await provider.publish(credentials(), pinContent(), key);
    const pin = fake.published().find((candidate) => candidate.id === result.externalId)!;
    expect(pin).toMatchObject({
      boardId: fake.boards[0]!.id,
      title: 'Lemon tart',
      description: 'Lemon tart, step by step',
      link: 'https://example.com/tart',
      altText: 'A lemon tart',
      note: `omni:${key}`,
      mediaSource: { source_type: 'image_url', url: `${fake.url}/test-media/tart.png` },
    });
    expect(result.url).toBe(`https://www.pinterest.com/pin/${result.externalId}/`);
  });

  it('publishes a video pin: registers the video, uploads it with the signed fields, waits for processing', async () => {
    const content: PublishContent = {
      ...pinContent(),
      media: [{ url: `${fake.url}/test-media/clip.mp4`, kind: 'video', altText: null, mimeType: 'video/mp4' }],
    };
    const result = await provider.publish(credentials(), content, uniqueKey());
    const pin = fake.published().find((candidate) => candidate.id === result.externalId)!;
    const source = pin.mediaSource as { source_type: string; media_id: string; cover_image_key_frame_time: number };
    expect(source.source_type).toBe('video_id');
    expect(source.cover_image_key_frame_time).toBe(0);
    const video = fake.uploadedVideos().find((candidate) => candidate.id === source.media_id)!;
    expect(video.status).toBe('succeeded');
    expect(video.bytes).toBeGreaterThan(0);
  });

  it('publishes several images as a carousel pin', async () => {
    const content: PublishContent = {
      ...pinContent(),
      media: ['a', 'b'].map((name) => ({ url: `${fake.url}/test-media/${name}.png`, kind: 'image' as const, altText: null, mimeType: 'image/png' })),
    };
    const result = await provider.publish(credentials(), content, uniqueKey());
    const pin = fake.published().find((candidate) => candidate.id === result.externalId)!;
    expect(pin.mediaSource).toEqual({
      source_type: 'multiple_image_urls',
      items: [{ url: `${fake.url}/test-media/a.png` }, { url: `${fake.url}/test-media/b.png` }],
    });
  });

  it('rejects a video Pinterest fails to process, without creating a pin', async () => {
    const before = fake.published().length;
    fake.setVideoProcessing('fail');
    try {
      const content: PublishContent = {
        ...pinContent(),
        media: [{ url: `${fake.url}/test-media/clip.mp4`, kind: 'video', altText: null, mimeType: 'video/mp4' }],
      };
      const error = await captureError(provider.publish(credentials(), content, uniqueKey()));
      expect(error.kind).toBe('rejected');
      expect(fake.published()).toHaveLength(before);
    } finally {
      fake.setVideoProcessing('succeed');
    }
  });

  it('refuses a pin without an image before calling Pinterest', async () => {
    const before = fake.published().length;
    const error = await captureError(provider.publish(credentials(), { ...pinContent(), media: [] }, uniqueKey()));
    expect(error.kind).toBe('rejected');
    expect(fake.published()).toHaveLength(before);
  });

  it('reads pin analytics into engagement metrics', async () => {
    const result = await provider.publish(credentials(), pinContent(), uniqueKey());
    const metrics = await provider.fetchMetrics(credentials(), result.externalId);
    expect(metrics).toEqual({ likes: 11, comments: 2, shares: 7, impressions: 120, clicks: 9 });
  });

  it('finds a published pin by the key in its note, and nothing for an unused key', async () => {
    const since = new Date();
    const key = uniqueKey();
    const result = await provider.publish(credentials(), pinContent(), key);
    expect(await provider.findPublished(credentials(), key, since)).toEqual(result);
    expect(await provider.findPublished(credentials(), uniqueKey(), since)).toBeNull();
  });

  it('classifies a 429 as rate_limited with the Retry-After seconds', async () => {
    fake.setFailure({ kind: 'rate_limited', retryAfterSeconds: 42 });
    const error = await captureError(provider.publish(credentials(), pinContent(), uniqueKey()));
    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterSeconds).toBe(42);
  });

  it('classifies a 500 as retryable', async () => {
    fake.setFailure({ kind: 'server_error' });
    const error = await captureError(provider.publish(credentials(), pinContent(), uniqueKey()));
    expect(error.kind).toBe('retryable');
    expect(error.details.status).toBe(500);
  });

  it('classifies an expired access token as refresh_needed', async () => {
    const expired = credentials();
    fake.expireAccessTokens();
    const error = await captureError(provider.publish(expired, pinContent(), uniqueKey()));
    expect(error.kind).toBe('refresh_needed');
    expect(error.details.status).toBe(401);
  });

  it('classifies refused content as rejected with Pinterest’s message', async () => {
    fake.setFailure({ kind: 'rejected', status: 400, message: 'Your pin description is too spammy' });
    const error = await captureError(provider.publish(credentials(), pinContent(), uniqueKey()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('Your pin description is too spammy');
  });

  it('classifies a timeout on publish as unknown_outcome', async () => {
    fake.setFailure({ kind: 'hang' });
    const error = await captureError(provider.publish(credentials(), pinContent(), uniqueKey()));
    expect(error.kind).toBe('unknown_outcome');
  });

  it('classifies a timeout on a read as retryable, since reading again is harmless', async () => {
    fake.setFailure({ kind: 'hang' }, { operation: 'destinations' });
    const error = await captureError(provider.listDestinations({ accessToken: fake.grant().accessToken }));
    expect(error.kind).toBe('retryable');
  });

  it('reports a lost response as unknown_outcome, and reconciliation finds the one pin that was created', async () => {
    const since = new Date();
    const key = uniqueKey();
    const before = fake.published().length;
    fake.setFailure({ kind: 'response_lost' });
    const error = await captureError(provider.publish(credentials(), pinContent(), key));
    expect(error.kind).toBe('unknown_outcome');
    const created = fake.published().filter((pin) => pin.note === `omni:${key}`);
    expect(created).toHaveLength(1);
    expect(fake.published()).toHaveLength(before + 1);
    expect(await provider.findPublished(credentials(), key, since)).toEqual({
      externalId: created[0]!.id,
      url: `https://www.pinterest.com/pin/${created[0]!.id}/`,
    });
  });

  it('classifies a refused connection as retryable, since nothing was sent', async () => {
    // The pin's image still comes from the fake, whose origin stays allowed.
    const unreachable = createPinterestProvider(providerTestConfig({ PINTEREST_API_URL: await unreachableBaseUrl(), MEDIA_FETCH_ALLOWED_ORIGINS: fake.url }));
    const error = await captureError(unreachable.publish(credentials(), pinContent(), uniqueKey()));
    expect(error.kind).toBe('retryable');
  });
});
