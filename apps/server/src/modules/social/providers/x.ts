import type { Config } from '../../../kernel/config.js';
import {
  basicAuthorization,
  classifyHttpFailure,
  type HttpResponse,
  nonEmptyString,
  parseRetryAfter,
  readTokenResponse,
  secondsUntilEpoch,
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
  type PublishResult,
  type SocialProvider,
} from './provider.js';

/**
 * X API v2 (https://docs.x.com/x-api). OAuth 2.0 authorization code with PKCE (S256, required) at
 * /i/oauth2/authorize and POST /2/oauth2/token; with offline.access every refresh returns a new refresh
 * token and invalidates the old one — 'rotating'. The destination is the user's own profile (GET
 * /2/users/me). Posts go to POST /2/tweets (a thread: options.thread holds the follow-up posts, each a
 * reply to the previous one); images go first to POST /2/media/upload (one request), videos through its
 * chunked INIT/APPEND/FINALIZE/STATUS commands. X has no idempotency key and no
 * hidden field, so findPublished matches the exact text (URLs removed, since X rewrites them to t.co
 * links) among the profile's posts since the attempt; X itself refuses an identical duplicate post.
 */
const scopes = ['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write'];
const network = 'X';
const lookupPageLimit = 5;
/** Chunk size of the chunked (video) upload; X accepts segments up to 5 MB. */
const uploadChunkBytes = 4 * 1024 * 1024;
/** How long publish waits for X to process a video before giving up (nothing is posted yet: retryable). */
const processingBudgetMs = 5 * 60 * 1000;

type ProcessingInfo = { state?: unknown; check_after_secs?: unknown; error?: { message?: unknown; name?: unknown } };

type XPost = { id?: unknown; text?: unknown; created_at?: unknown };

function failure(response: HttpResponse): ProviderError {
  const body = (response.body ?? {}) as { detail?: unknown; title?: unknown; errors?: Array<{ message?: unknown; code?: unknown }> };
  const first = body.errors?.[0];
  const message =
    typeof body.detail === 'string'
      ? body.detail
      : typeof first?.message === 'string'
        ? first.message
        : typeof body.title === 'string'
          ? body.title
          : null;
  const networkCode = typeof first?.code === 'number' || typeof first?.code === 'string' ? String(first.code) : typeof body.title === 'string' ? body.title : null;
  return classifyHttpFailure(network, response, {
    message,
    networkCode,
    // X announces the end of the rate window as epoch seconds; Retry-After wins when present.
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) ?? secondsUntilEpoch(response.headers.get('x-rate-limit-reset')),
  });
}

/** The text as compared for reconciliation: entities decoded, URLs dropped, whitespace collapsed. */
export function comparableText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function postUrl(credentials: ConnectionCredentials, id: string): string {
  const username = credentials.metadata.username;
  return typeof username === 'string' && username
    ? `https://x.com/${encodeURIComponent(username)}/status/${id}`
    : `https://x.com/i/web/status/${id}`;
}

/** X's start_time accepts RFC 3339 without fractional seconds. */
function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function createXProvider(config: Config): SocialProvider {
  const apiUrl = config.X_API_URL.replace(/\/$/, '');
  const oauthUrl = config.X_OAUTH_URL.replace(/\/$/, '');
  const timeoutMs = config.SOCIAL_HTTP_TIMEOUT_MS;
  const mediaFetcher = createMediaFetcher(network, config);
  const clientId = config.X_CLIENT_ID ?? '';
  const clientSecret = config.X_CLIENT_SECRET ?? null;

  async function api(
    method: 'GET' | 'POST',
    path: string,
    accessToken: string,
    options: { json?: unknown; form?: FormData; createsContent?: boolean } = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) body = options.form;
    const response = await sendHttpRequest(network, {
      method,
      url: `${apiUrl}${path}`,
      headers,
      body,
      timeoutMs,
      createsContent: options.createsContent ?? false,
    });
    if (response.status < 200 || response.status >= 300) throw failure(response);
    return response.body;
  }

  async function requestTokens(form: URLSearchParams, refreshing: boolean): Promise<ProviderTokens> {
    const now = new Date();
    form.set('client_id', clientId);
    const response = await sendHttpRequest(network, {
      method: 'POST',
      url: `${apiUrl}/2/oauth2/token`,
      headers: {
        // A confidential client authenticates with Basic; a public client sends only client_id.
        ...(clientSecret ? { authorization: basicAuthorization(clientId, clientSecret) } : {}),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form,
      timeoutMs,
      createsContent: false,
    });
    // X answers a dead (used, revoked or expired) refresh token with 400 invalid_request.
    return readTokenResponse(network, response, { now, refreshing, deadRefreshCode: 'invalid_request' });
  }

  async function uploadImage(accessToken: string, url: string, altText: string | null, mimeType: string | null): Promise<string> {
    const media = await mediaFetcher.download(url);
    const form = new FormData();
    const type = mimeType ?? media.contentType ?? 'application/octet-stream';
    form.set('media', new Blob([media.bytes], { type }), 'media');
    form.set('media_category', type === 'image/gif' ? 'tweet_gif' : 'tweet_image');
    const body = (await api('POST', '/2/media/upload', accessToken, { form })) as { data?: { id?: unknown } };
    const mediaId = body.data?.id;
    if (typeof mediaId !== 'string') throw new ProviderError('retryable', `${network}: media upload answered without a media id`);
    if (altText) {
      await api('POST', '/2/media/metadata', accessToken, { json: { id: mediaId, metadata: { alt_text: { text: altText.slice(0, 1000) } } } });
    }
    return mediaId;
  }

  /** Videos use the chunked upload: INIT, APPEND per segment, FINALIZE, then STATUS until processed. */
  async function uploadVideo(accessToken: string, url: string, mimeType: string | null): Promise<string> {
    const media = await mediaFetcher.download(url);
    const type = mimeType ?? media.contentType ?? 'video/mp4';
    const command = (fields: Record<string, string>, chunk?: Blob): FormData => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      if (chunk) form.set('media', chunk, 'chunk');
      return form;
    };
    const initialized = (await api('POST', '/2/media/upload', accessToken, {
      form: command({ command: 'INIT', media_type: type, total_bytes: String(media.bytes.byteLength), media_category: 'tweet_video' }),
    })) as { data?: { id?: unknown } };
    const mediaId = initialized.data?.id;
    if (typeof mediaId !== 'string') throw new ProviderError('retryable', `${network}: media INIT answered without a media id`);
    for (let offset = 0, segment = 0; offset < media.bytes.byteLength; offset += uploadChunkBytes, segment += 1) {
      const chunk = new Blob([media.bytes.subarray(offset, offset + uploadChunkBytes)], { type: 'application/octet-stream' });
      await api('POST', '/2/media/upload', accessToken, { form: command({ command: 'APPEND', media_id: mediaId, segment_index: String(segment) }, chunk) });
    }
    const finalized = (await api('POST', '/2/media/upload', accessToken, { form: command({ command: 'FINALIZE', media_id: mediaId }) })) as {
      data?: { processing_info?: ProcessingInfo };
    };
    const initial = finalized.data?.processing_info;
    // Without processing_info the media is ready at once.
    if (!initial) return mediaId;
    let processing: ProcessingInfo | undefined = initial;
    let first = true;
    await waitForProcessing(
      network,
      async () => {
        if (!first) {
          const status = (await api('GET', `/2/media/upload?command=STATUS&media_id=${encodeURIComponent(mediaId)}`, accessToken)) as {
            data?: { processing_info?: ProcessingInfo };
          };
          processing = status.data?.processing_info;
        }
        first = false;
        if (!processing || processing.state === 'succeeded') return { state: 'done' };
        if (processing.state === 'failed') {
          return { state: 'failed', reason: typeof processing.error?.message === 'string' ? processing.error.message : 'processing failed' };
        }
        return { state: 'pending', ...(typeof processing.check_after_secs === 'number' ? { checkAfterSeconds: processing.check_after_secs } : {}) };
      },
      processingBudgetMs,
    );
    return mediaId;
  }

  async function createPost(accessToken: string, payload: Record<string, unknown>): Promise<string> {
    const body = (await api('POST', '/2/tweets', accessToken, { json: payload, createsContent: true })) as { data?: { id?: unknown } };
    if (typeof body.data?.id !== 'string') throw new ProviderError('unknown_outcome', `${network}: post created without an id in the answer`);
    return body.data.id;
  }

  return {
    id: 'x',
    displayName: 'X',
    isConfigured: Boolean(config.X_CLIENT_ID),
    oauth: {
      usesPkce: true,
      refreshModel: 'rotating',
      buildAuthorizationUrl({ state, redirectUri, codeChallenge }) {
        if (!codeChallenge) throw new ProviderError('rejected', `${network}: PKCE is required; pass an S256 code challenge`);
        const query = new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirectUri,
          scope: scopes.join(' '),
          state,
          code_challenge: codeChallenge,
          code_challenge_method: 'S256',
        });
        return `${oauthUrl}/i/oauth2/authorize?${query.toString()}`;
      },
      exchangeCode({ code, redirectUri, codeVerifier }) {
        if (!codeVerifier) throw new ProviderError('rejected', `${network}: PKCE is required; the code verifier is missing`);
        return requestTokens(
          new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier }),
          false,
        );
      },
      async refreshTokens(tokens) {
        if (!tokens.refreshToken) throw new ProviderError('disconnected', `${network}: no refresh token stored; reconnect the account`);
        const refreshed = await requestTokens(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }), true);
        return { ...refreshed, refreshToken: refreshed.refreshToken ?? tokens.refreshToken };
      },
    },

    async listDestinations({ accessToken }) {
      const body = (await api('GET', '/2/users/me?user.fields=profile_image_url,username,name', accessToken)) as {
        data?: { id?: unknown; name?: unknown; username?: unknown; profile_image_url?: unknown };
      };
      const user = body.data;
      if (typeof user?.id !== 'string') throw new ProviderError('retryable', `${network}: /2/users/me answered without a user id`);
      const username = typeof user.username === 'string' ? user.username : null;
      return [
        {
          externalId: user.id,
          name: typeof user.name === 'string' ? user.name : (username ?? user.id),
          kind: 'profile',
          pictureUrl: typeof user.profile_image_url === 'string' ? user.profile_image_url : null,
          destinationToken: null,
          metadata: { username },
        },
      ];
    },

    async publish(credentials, content) {
      const videos = content.media.filter((item) => item.kind === 'video');
      if (videos.length > 0 && content.media.length > 1) {
        throw new ProviderError('rejected', `${network}: a post takes one video, or up to 4 images`);
      }
      if (content.media.length > 4) throw new ProviderError('rejected', `${network}: a post takes at most 4 images`);
      mediaFetcher.requireAllowed(content.media.map((item) => item.url));
      const followUps = Array.isArray(content.options.thread)
        ? content.options.thread.filter((item): item is string => typeof item === 'string' && item.trim().length > 0)
        : [];
      const mediaIds: string[] = [];
      for (const item of content.media) {
        mediaIds.push(
          item.kind === 'video'
            ? await uploadVideo(credentials.accessToken, item.url, item.mimeType)
            : await uploadImage(credentials.accessToken, item.url, item.altText, item.mimeType),
        );
      }
      const text = content.link && !content.text.includes(content.link) ? `${content.text}\n${content.link}` : content.text;
      const rootId = await createPost(credentials.accessToken, { text, ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}) });
      let previousId = rootId;
      for (const [index, followUp] of followUps.entries()) {
        try {
          previousId = await createPost(credentials.accessToken, { text: followUp, reply: { in_reply_to_tweet_id: previousId } });
        } catch (error) {
          // The first post is live: resending would double it. Report an unknown outcome so the engine
          // reconciles (findPublished finds the first post) instead of retrying the whole thread.
          const reason = error instanceof Error ? error.message : String(error);
          throw new ProviderError(
            'unknown_outcome',
            `${network}: thread partially published (first post ${rootId}, ${index} of ${followUps.length} replies): ${reason}`,
            error instanceof ProviderError ? error.details : {},
          );
        }
      }
      return { externalId: rootId, url: postUrl(credentials, rootId) };
    },

    async findPublished(credentials, _idempotencyKey, since, content?: PublishContent): Promise<PublishResult | null> {
      if (!content) throw new ProviderError('rejected', `${network}: posts can only be matched by their text, which was not given`);
      const text = content.link && !content.text.includes(content.link) ? `${content.text}\n${content.link}` : content.text;
      const wanted = comparableText(text);
      const startTime = rfc3339(new Date(since.getTime() - 5 * 60 * 1000));
      let paginationToken: string | null = null;
      for (let page = 0; page < lookupPageLimit; page += 1) {
        const query = new URLSearchParams({ start_time: startTime, max_results: '100', 'tweet.fields': 'created_at', exclude: 'retweets,replies' });
        if (paginationToken) query.set('pagination_token', paginationToken);
        const body = (await api('GET', `/2/users/${encodeURIComponent(credentials.destinationId)}/tweets?${query.toString()}`, credentials.accessToken)) as {
          data?: XPost[];
          meta?: { next_token?: unknown };
        };
        const match = (body.data ?? []).find((post) => typeof post.id === 'string' && typeof post.text === 'string' && comparableText(post.text) === wanted);
        if (match) return { externalId: match.id as string, url: postUrl(credentials, match.id as string) };
        paginationToken = nonEmptyString(body.meta?.next_token);
        if (!paginationToken) break;
      }
      return null;
    },

    async fetchMetrics(credentials, externalId): Promise<EngagementMetrics> {
      const body = (await api('GET', `/2/tweets/${encodeURIComponent(externalId)}?tweet.fields=public_metrics`, credentials.accessToken)) as {
        data?: { public_metrics?: Record<string, unknown> };
      };
      const metrics = body.data?.public_metrics ?? {};
      const read = (name: string): number | null => (typeof metrics[name] === 'number' ? (metrics[name] as number) : null);
      const retweets = read('retweet_count');
      const quotes = read('quote_count');
      return {
        likes: read('like_count'),
        comments: read('reply_count'),
        shares: retweets === null && quotes === null ? null : (retweets ?? 0) + (quotes ?? 0),
        impressions: read('impression_count'),
        clicks: null,
      };
    },
  };
}
