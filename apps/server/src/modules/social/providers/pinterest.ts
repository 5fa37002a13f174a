import type { Config } from '../../../kernel/config.js';
import {
  basicAuthorization,
  classifyHttpFailure,
  type HttpResponse,
  nonEmptyString,
  readTokenResponse,
  sendHttpRequest,
  waitForProcessing,
} from './http-client.js';
import { createMediaFetcher } from './media-fetch.js';
import {
  ProviderError,
  type ConnectionCredentials,
  type EngagementMetrics,
  type ProviderTokens,
  type PublishContent,
  type PublishDestination,
  type PublishResult,
  type SocialProvider,
} from './provider.js';

/**
 * Pinterest API v5 (https://developers.pinterest.com/docs/api/v5/). OAuth 2.0 authorization code with
 * HTTP Basic client authentication at POST /v5/oauth/token; continuous refresh, so each refresh may
 * return a new refresh token (with refresh_token_expires_at) — 'rotating'. Destinations are the user's
 * boards; a post is a pin created from image URLs (media_source image_url / multiple_image_urls), or from
 * a video registered with POST /v5/media, uploaded to the returned URL and processed. The idempotency key goes into the
 * pin's private note ("omni:<key>", visible only to the owner and board collaborators), which is what
 * findPublished matches on the board's recent pins.
 */
const scopes = ['boards:read', 'pins:read', 'pins:write', 'user_accounts:read'];
const network = 'Pinterest';
/** Pages of 100 pins scanned when reconciling: a board rarely gets more than that since one attempt. */
const lookupPageLimit = 5;
/** How long publish waits for Pinterest to process an uploaded video before giving up (retryable). */
const processingBudgetMs = 5 * 60 * 1000;

type PinterestPin = { id?: unknown; note?: unknown; created_at?: unknown; board_id?: unknown };

export function noteForKey(idempotencyKey: string): string {
  return `omni:${idempotencyKey}`;
}

function failure(response: HttpResponse): ProviderError {
  const body = (response.body ?? {}) as { code?: unknown; message?: unknown };
  return classifyHttpFailure(network, response, {
    message: typeof body.message === 'string' ? body.message : null,
    networkCode: typeof body.code === 'number' || typeof body.code === 'string' ? String(body.code) : null,
  });
}

function pinResult(id: string): PublishResult {
  return { externalId: id, url: `https://www.pinterest.com/pin/${encodeURIComponent(id)}/` };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function createPinterestProvider(config: Config): SocialProvider {
  const apiUrl = config.PINTEREST_API_URL.replace(/\/$/, '');
  const oauthUrl = config.PINTEREST_OAUTH_URL.replace(/\/$/, '');
  const timeoutMs = config.SOCIAL_HTTP_TIMEOUT_MS;
  const mediaFetcher = createMediaFetcher(network, config);
  const clientId = config.PINTEREST_CLIENT_ID ?? '';
  const clientSecret = config.PINTEREST_CLIENT_SECRET ?? '';

  async function api(
    method: 'GET' | 'POST',
    path: string,
    accessToken: string,
    options: { json?: unknown; createsContent?: boolean } = {},
  ): Promise<unknown> {
    const response = await sendHttpRequest(network, {
      method,
      url: `${apiUrl}${path}`,
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/json',
        ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
      timeoutMs,
      createsContent: options.createsContent ?? false,
    });
    if (response.status < 200 || response.status >= 300) throw failure(response);
    return response.body;
  }

  async function requestTokens(form: URLSearchParams): Promise<ProviderTokens> {
    const now = new Date();
    const response = await sendHttpRequest(network, {
      method: 'POST',
      url: `${apiUrl}/v5/oauth/token`,
      headers: {
        authorization: basicAuthorization(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form,
      timeoutMs,
      createsContent: false,
    });
    return readTokenResponse(network, response, { now, refreshing: false });
  }

  /** Register the video, upload it to the storage URL Pinterest hands out, and wait until it is processed. */
  async function uploadVideo(accessToken: string, url: string, mimeType: string | null): Promise<string> {
    const media = await mediaFetcher.download(url);
    const registered = (await api('POST', '/v5/media', accessToken, { json: { media_type: 'video' } })) as {
      media_id?: unknown;
      upload_url?: unknown;
      upload_parameters?: Record<string, unknown>;
    };
    if (typeof registered.media_id !== 'string' || typeof registered.upload_url !== 'string') {
      throw new ProviderError('retryable', `${network}: video registration answered without media_id or upload_url`);
    }
    const mediaId = registered.media_id;
    const form = new FormData();
    for (const [name, value] of Object.entries(registered.upload_parameters ?? {})) {
      if (typeof value === 'string') form.set(name, value);
    }
    // The storage service reads the file as the last field, after the signed parameters.
    form.set('file', new Blob([media.bytes], { type: mimeType ?? media.contentType ?? 'video/mp4' }), 'video');
    const upload = await sendHttpRequest(network, { method: 'POST', url: registered.upload_url, body: form, timeoutMs, createsContent: false });
    if (upload.status < 200 || upload.status >= 300) throw failure(upload);
    await waitForProcessing(
      network,
      async () => {
        const status = ((await api('GET', `/v5/media/${encodeURIComponent(mediaId)}`, accessToken)) as { status?: unknown }).status;
        if (status === 'succeeded') return { state: 'done' };
        if (status === 'failed') return { state: 'failed', reason: 'Pinterest could not process the video' };
        return { state: 'pending' };
      },
      processingBudgetMs,
    );
    return mediaId;
  }

  return {
    id: 'pinterest',
    displayName: 'Pinterest',
    isConfigured: Boolean(config.PINTEREST_CLIENT_ID && config.PINTEREST_CLIENT_SECRET),
    oauth: {
      usesPkce: false,
      refreshModel: 'rotating',
      buildAuthorizationUrl({ state, redirectUri }) {
        const query = new URLSearchParams({
          client_id: clientId,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: scopes.join(','),
          state,
        });
        return `${oauthUrl}/oauth/?${query.toString()}`;
      },
      exchangeCode({ code, redirectUri }) {
        return requestTokens(
          new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, continuous_refresh: 'true' }),
        );
      },
      async refreshTokens(tokens) {
        if (!tokens.refreshToken) throw new ProviderError('disconnected', `${network}: no refresh token stored; reconnect the account`);
        const refreshed = await requestTokens(
          new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, continuous_refresh: 'true' }),
        );
        // Continuous refresh returns a new refresh token; an answer without one keeps the stored token.
        return { ...refreshed, refreshToken: refreshed.refreshToken ?? tokens.refreshToken };
      },
    },

    async listDestinations({ accessToken }) {
      const destinations: PublishDestination[] = [];
      let bookmark: string | null = null;
      for (let page = 0; page < 20; page += 1) {
        const query = new URLSearchParams({ page_size: '100' });
        if (bookmark) query.set('bookmark', bookmark);
        const body = (await api('GET', `/v5/boards?${query.toString()}`, accessToken)) as {
          items?: Array<{ id?: unknown; name?: unknown; privacy?: unknown; description?: unknown; media?: { image_cover_url?: unknown } | null }>;
          bookmark?: unknown;
        };
        for (const board of body.items ?? []) {
          if (typeof board.id !== 'string') continue;
          destinations.push({
            externalId: board.id,
            name: typeof board.name === 'string' ? board.name : board.id,
            kind: 'board',
            pictureUrl: typeof board.media?.image_cover_url === 'string' ? board.media.image_cover_url : null,
            destinationToken: null,
            metadata: { privacy: typeof board.privacy === 'string' ? board.privacy : null },
          });
        }
        bookmark = nonEmptyString(body.bookmark);
        if (!bookmark) break;
      }
      return destinations;
    },

    async publish(credentials, content, idempotencyKey) {
      const images = content.media.filter((item) => item.kind === 'image');
      const video = content.media.find((item) => item.kind === 'video');
      if (content.media.length === 0) throw new ProviderError('rejected', `${network}: a pin needs an image or a video`);
      if (video && content.media.length > 1) throw new ProviderError('rejected', `${network}: a video pin takes exactly one video`);
      if (images.length > 5) throw new ProviderError('rejected', `${network}: a carousel pin takes at most 5 images`);
      const coverImageUrl = typeof content.options.coverImageUrl === 'string' ? content.options.coverImageUrl : null;
      // Pinterest downloads image URLs (and a video's cover) itself: they must pass the same policy.
      mediaFetcher.requireAllowed([...content.media.map((item) => item.url), ...(coverImageUrl ? [coverImageUrl] : [])]);
      const boardId = typeof content.options.boardId === 'string' ? content.options.boardId : credentials.destinationId;
      const title = typeof content.options.title === 'string' ? content.options.title : null;
      let mediaSource: Record<string, unknown>;
      if (video) {
        const mediaId = await uploadVideo(credentials.accessToken, video.url, video.mimeType);
        // A video pin needs a cover: an image URL when the post has one, else the first frame.
        const cover = coverImageUrl ? { cover_image_url: coverImageUrl } : { cover_image_key_frame_time: 0 };
        mediaSource = { source_type: 'video_id', media_id: mediaId, ...cover };
      } else if (images.length === 1) {
        mediaSource = { source_type: 'image_url', url: images[0]!.url };
      } else {
        mediaSource = { source_type: 'multiple_image_urls', items: images.map((image) => ({ url: image.url })) };
      }
      const altText = content.media[0]!.altText;
      const body = (await api('POST', '/v5/pins', credentials.accessToken, {
        createsContent: true,
        json: {
          board_id: boardId,
          ...(title ? { title: title.slice(0, 100) } : {}),
          description: content.text.slice(0, 500),
          ...(content.link ? { link: content.link } : {}),
          ...(altText ? { alt_text: altText.slice(0, 500) } : {}),
          note: noteForKey(idempotencyKey),
          media_source: mediaSource,
        },
      })) as PinterestPin;
      if (typeof body?.id !== 'string') throw new ProviderError('unknown_outcome', `${network}: pin created without an id in the answer`);
      return pinResult(body.id);
    },

    async findPublished(credentials: ConnectionCredentials, idempotencyKey: string, since: Date, content?: PublishContent) {
      const boardId = typeof content?.options.boardId === 'string' ? content.options.boardId : credentials.destinationId;
      const note = noteForKey(idempotencyKey);
      // Allow for clock skew between us and Pinterest when comparing creation times.
      const earliest = since.getTime() - 5 * 60 * 1000;
      let bookmark: string | null = null;
      for (let page = 0; page < lookupPageLimit; page += 1) {
        const query = new URLSearchParams({ page_size: '100' });
        if (bookmark) query.set('bookmark', bookmark);
        const body = (await api('GET', `/v5/boards/${encodeURIComponent(boardId)}/pins?${query.toString()}`, credentials.accessToken)) as {
          items?: PinterestPin[];
          bookmark?: unknown;
        };
        const items = body.items ?? [];
        const match = items.find((pin) => pin.note === note && typeof pin.id === 'string');
        if (match) return pinResult(match.id as string);
        // Pins come newest first: once a page reaches before the attempt, older pages cannot match.
        const reachedOlder = items.some((pin) => typeof pin.created_at === 'string' && Date.parse(pin.created_at) < earliest);
        bookmark = nonEmptyString(body.bookmark);
        if (!bookmark || reachedOlder) break;
      }
      return null;
    },

    async fetchMetrics(credentials, externalId): Promise<EngagementMetrics> {
      const today = new Date();
      // Pin analytics cover at most the last 90 days.
      const start = new Date(today.getTime() - 89 * 24 * 3600 * 1000);
      const query = new URLSearchParams({
        start_date: isoDay(start),
        end_date: isoDay(today),
        metric_types: 'IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK,TOTAL_COMMENTS,TOTAL_REACTIONS',
      });
      const body = (await api('GET', `/v5/pins/${encodeURIComponent(externalId)}/analytics?${query.toString()}`, credentials.accessToken)) as {
        all?: { summary_metrics?: Record<string, unknown>; lifetime_metrics?: Record<string, unknown> };
      };
      const summary = body.all?.summary_metrics ?? {};
      const lifetime = body.all?.lifetime_metrics ?? {};
      const read = (source: Record<string, unknown>, name: string): number | null =>
        typeof source[name] === 'number' ? (source[name] as number) : null;
      return {
        likes: read(lifetime, 'TOTAL_REACTIONS'),
        comments: read(lifetime, 'TOTAL_COMMENTS'),
        shares: read(summary, 'SAVE'),
        impressions: read(summary, 'IMPRESSION'),
        clicks: read(summary, 'OUTBOUND_CLICK'),
      };
    },
  };
}
