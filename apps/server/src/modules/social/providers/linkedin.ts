import type { Config } from '../../../kernel/config.js';
import {
  classifyHttpFailure,
  type HttpResponse,
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
 * LinkedIn (https://learn.microsoft.com/linkedin/). OAuth 2.0 authorization code at /oauth/v2/authorization
 * and /oauth/v2/accessToken (client id and secret in the form). Refresh tokens exist for approved apps and
 * stay the same across refreshes until their fixed end of life — 'reuse'. Destinations are the member
 * (OpenID userinfo → urn:li:person) and the organizations the member administers (organizationAcls).
 * Posts go to the versioned REST API (POST /rest/posts with LinkedIn-Version and
 * X-Restli-Protocol-Version 2.0.0); the new post's URN comes back in the x-restli-id header. Images are
 * uploaded through /rest/images?action=initializeUpload, videos through /rest/videos (multipart by
 * byte range, finalized with the parts' ETags, posted once AVAILABLE). LinkedIn has no idempotency key and no hidden
 * field: findPublished matches the exact commentary among the author's posts since the attempt (finder
 * q=author, which needs r_organization_social for organizations and r_member_social for members).
 */
const network = 'LinkedIn';
const postingRoles = new Set(['ADMINISTRATOR', 'CONTENT_ADMINISTRATOR']);
const lookupPageLimit = 3;
const lookupPageSize = 50;
/** How long publish waits for LinkedIn to process an uploaded video before giving up (retryable). */
const processingBudgetMs = 5 * 60 * 1000;

/**
 * LinkedIn's "little text" format: these characters are markup and must be backslash-escaped, or the
 * text after them can be lost. Hashtags become the hashtag template so they stay hashtags.
 */
export function toLittleText(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/#([\p{L}\p{N}_]+)/gu)) {
    parts.push(escapeLittleText(text.slice(last, match.index)));
    parts.push(`{hashtag|\\#|${escapeLittleText(match[1]!)}}`);
    last = match.index! + match[0].length;
  }
  parts.push(escapeLittleText(text.slice(last)));
  return parts.join('');
}

function escapeLittleText(text: string): string {
  return text.replace(/[\\|{}@[\]()<>#*_~]/g, (character) => `\\${character}`);
}

function failure(response: HttpResponse): ProviderError {
  const body = (response.body ?? {}) as { message?: unknown; code?: unknown; serviceErrorCode?: unknown };
  const networkCode = typeof body.code === 'string' ? body.code : typeof body.serviceErrorCode === 'number' ? String(body.serviceErrorCode) : null;
  return classifyHttpFailure(network, response, { message: typeof body.message === 'string' ? body.message : null, networkCode });
}

function postUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

function commentaryFor(content: PublishContent): string {
  const hasImages = content.media.length > 0;
  // An article card carries the link; with images the link can only live in the text.
  const text = content.link && hasImages && !content.text.includes(content.link) ? `${content.text}\n\n${content.link}` : content.text;
  return toLittleText(text);
}

export function createLinkedInProvider(config: Config): SocialProvider {
  const apiUrl = config.LINKEDIN_API_URL.replace(/\/$/, '');
  const oauthUrl = config.LINKEDIN_OAUTH_URL.replace(/\/$/, '');
  const timeoutMs = config.SOCIAL_HTTP_TIMEOUT_MS;
  const mediaFetcher = createMediaFetcher(network, config);
  const clientId = config.LINKEDIN_CLIENT_ID ?? '';
  const clientSecret = config.LINKEDIN_CLIENT_SECRET ?? '';

  function restHeaders(accessToken: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      authorization: `Bearer ${accessToken}`,
      'linkedin-version': config.LINKEDIN_API_VERSION,
      'x-restli-protocol-version': '2.0.0',
      accept: 'application/json',
      ...extra,
    };
  }

  async function call(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array<ArrayBuffer> | undefined,
    createsContent: boolean,
  ): Promise<HttpResponse> {
    const response = await sendHttpRequest(network, { method, url, headers, body, timeoutMs, createsContent });
    if (response.status < 200 || response.status >= 300) throw failure(response);
    return response;
  }

  async function rest(accessToken: string, path: string, options: { method?: 'GET' | 'POST'; json?: unknown; finder?: boolean; createsContent?: boolean } = {}) {
    const extra: Record<string, string> = {};
    if (options.json !== undefined) extra['content-type'] = 'application/json';
    if (options.finder) extra['x-restli-method'] = 'FINDER';
    return call(
      options.method ?? 'GET',
      `${apiUrl}${path}`,
      restHeaders(accessToken, extra),
      options.json !== undefined ? JSON.stringify(options.json) : undefined,
      options.createsContent ?? false,
    );
  }

  async function requestTokens(form: URLSearchParams, refreshing: boolean): Promise<ProviderTokens> {
    const now = new Date();
    form.set('client_id', clientId);
    form.set('client_secret', clientSecret);
    const response = await sendHttpRequest(network, {
      method: 'POST',
      url: `${oauthUrl}/oauth/v2/accessToken`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      timeoutMs,
      createsContent: false,
    });
    // LinkedIn answers an expired or revoked refresh token with 400 invalid_request.
    return readTokenResponse(network, response, { now, refreshing, deadRefreshCode: 'invalid_request' });
  }

  async function uploadImage(accessToken: string, owner: string, url: string): Promise<string> {
    const media = await mediaFetcher.download(url);
    const initialized = await rest(accessToken, '/rest/images?action=initializeUpload', {
      method: 'POST',
      json: { initializeUploadRequest: { owner } },
    });
    const value = (initialized.body as { value?: { uploadUrl?: unknown; image?: unknown } } | null)?.value;
    if (typeof value?.uploadUrl !== 'string' || typeof value.image !== 'string') {
      throw new ProviderError('retryable', `${network}: image upload was not initialized (no uploadUrl or image URN)`);
    }
    await call('PUT', value.uploadUrl, { authorization: `Bearer ${accessToken}`, 'content-type': media.contentType ?? 'application/octet-stream' }, media.bytes, false);
    return value.image;
  }

  /**
   * Videos: initializeUpload gives upload instructions (byte ranges and URLs); each part's ETag goes into
   * finalizeUpload; the post may reference the video once GET /rest/videos reports it AVAILABLE.
   */
  async function uploadVideo(accessToken: string, owner: string, url: string): Promise<string> {
    const media = await mediaFetcher.download(url);
    const initialized = await rest(accessToken, '/rest/videos?action=initializeUpload', {
      method: 'POST',
      json: { initializeUploadRequest: { owner, fileSizeBytes: media.bytes.byteLength, uploadCaptions: false, uploadThumbnail: false } },
    });
    const value = (initialized.body as {
      value?: { video?: unknown; uploadToken?: unknown; uploadInstructions?: Array<{ uploadUrl?: unknown; firstByte?: unknown; lastByte?: unknown }> };
    } | null)?.value;
    if (typeof value?.video !== 'string' || !Array.isArray(value.uploadInstructions) || value.uploadInstructions.length === 0) {
      throw new ProviderError('retryable', `${network}: video upload was not initialized (no video URN or upload instructions)`);
    }
    const video = value.video;
    const partIds: string[] = [];
    for (const instruction of value.uploadInstructions) {
      if (typeof instruction.uploadUrl !== 'string' || typeof instruction.firstByte !== 'number' || typeof instruction.lastByte !== 'number') {
        throw new ProviderError('retryable', `${network}: malformed video upload instruction`);
      }
      const part = media.bytes.slice(instruction.firstByte, instruction.lastByte + 1);
      const uploaded = await call('PUT', instruction.uploadUrl, { authorization: `Bearer ${accessToken}`, 'content-type': 'application/octet-stream' }, part, false);
      const etag = uploaded.headers.get('etag');
      if (!etag) throw new ProviderError('retryable', `${network}: a video part was uploaded without an ETag`);
      partIds.push(etag);
    }
    await rest(accessToken, '/rest/videos?action=finalizeUpload', {
      method: 'POST',
      json: { finalizeUploadRequest: { video, uploadToken: typeof value.uploadToken === 'string' ? value.uploadToken : '', uploadedPartIds: partIds } },
    });
    await waitForProcessing(
      network,
      async () => {
        const response = await rest(accessToken, `/rest/videos/${encodeURIComponent(video)}`);
        const status = (response.body as { status?: unknown } | null)?.status;
        if (status === 'AVAILABLE') return { state: 'done' };
        if (status === 'PROCESSING_FAILED') return { state: 'failed', reason: 'LinkedIn could not process the video' };
        return { state: 'pending' };
      },
      processingBudgetMs,
    );
    return video;
  }

  return {
    id: 'linkedin',
    displayName: 'LinkedIn',
    isConfigured: Boolean(config.LINKEDIN_CLIENT_ID && config.LINKEDIN_CLIENT_SECRET),
    oauth: {
      usesPkce: false,
      refreshModel: 'reuse',
      buildAuthorizationUrl({ state, redirectUri }) {
        const query = new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirectUri,
          state,
          scope: config.LINKEDIN_SCOPES,
        });
        return `${oauthUrl}/oauth/v2/authorization?${query.toString()}`;
      },
      exchangeCode({ code, redirectUri }) {
        return requestTokens(new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }), false);
      },
      async refreshTokens(tokens) {
        if (!tokens.refreshToken) {
          throw new ProviderError('disconnected', `${network}: this app has no refresh token (not enabled for it); reconnect the account`);
        }
        const refreshed = await requestTokens(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }), true);
        return { ...refreshed, refreshToken: refreshed.refreshToken ?? tokens.refreshToken };
      },
    },

    async listDestinations({ accessToken }) {
      const userinfo = await call('GET', `${apiUrl}/v2/userinfo`, { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, undefined, false);
      const member = (userinfo.body ?? {}) as { sub?: unknown; name?: unknown; picture?: unknown };
      if (typeof member.sub !== 'string') throw new ProviderError('retryable', `${network}: userinfo answered without a member id`);
      const destinations: PublishDestination[] = [
        {
          externalId: `urn:li:person:${member.sub}`,
          name: typeof member.name === 'string' ? member.name : member.sub,
          kind: 'profile',
          pictureUrl: typeof member.picture === 'string' ? member.picture : null,
          destinationToken: null,
          metadata: {},
        },
      ];
      let acls: HttpResponse;
      try {
        acls = await rest(accessToken, '/rest/organizationAcls?q=roleAssignee&state=APPROVED&count=100');
      } catch (error) {
        // Without the organization scopes (an app not approved for them) the member can still post as themself.
        if (error instanceof ProviderError && error.kind === 'rejected') return destinations;
        throw error;
      }
      const elements = ((acls.body as { elements?: Array<{ organization?: unknown; role?: unknown }> } | null)?.elements ?? []).filter(
        (element): element is { organization: string; role: string } =>
          typeof element.organization === 'string' && typeof element.role === 'string' && postingRoles.has(element.role),
      );
      const seen = new Set<string>();
      for (const element of elements) {
        if (seen.has(element.organization)) continue;
        seen.add(element.organization);
        const id = element.organization.split(':').pop() ?? '';
        const organization = await rest(accessToken, `/rest/organizations/${encodeURIComponent(id)}`);
        const details = (organization.body ?? {}) as { localizedName?: unknown; vanityName?: unknown };
        destinations.push({
          externalId: element.organization,
          name: typeof details.localizedName === 'string' ? details.localizedName : element.organization,
          kind: 'organization',
          pictureUrl: null,
          destinationToken: null,
          metadata: { role: element.role, vanityName: typeof details.vanityName === 'string' ? details.vanityName : null },
        });
      }
      return destinations;
    },

    async publish(credentials, content) {
      const video = content.media.find((item) => item.kind === 'video');
      if (video && content.media.length > 1) throw new ProviderError('rejected', `${network}: a post takes one video, or up to 20 images`);
      if (content.media.length > 20) throw new ProviderError('rejected', `${network}: a post takes at most 20 images`);
      mediaFetcher.requireAllowed(content.media.map((item) => item.url));
      const author = credentials.destinationId;
      const title = typeof content.options.title === 'string' ? content.options.title : null;
      let postContent: Record<string, unknown> | null = null;
      if (video) {
        const videoUrn = await uploadVideo(credentials.accessToken, author, video.url);
        postContent = { media: { id: videoUrn, ...(title ? { title } : {}) } };
      } else if (content.media.length > 0) {
        const images: Array<{ id: string; altText: string | null }> = [];
        for (const item of content.media) images.push({ id: await uploadImage(credentials.accessToken, author, item.url), altText: item.altText });
        const described = images.map((image) => ({ id: image.id, ...(image.altText ? { altText: image.altText } : {}) }));
        postContent = described.length === 1 ? { media: described[0] } : { multiImage: { images: described } };
      } else if (content.link) {
        postContent = { article: { source: content.link, title: title ?? content.link } };
      }
      const response = await rest(credentials.accessToken, '/rest/posts', {
        method: 'POST',
        createsContent: true,
        json: {
          author,
          commentary: commentaryFor(content),
          visibility: 'PUBLIC',
          distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
          ...(postContent ? { content: postContent } : {}),
        },
      });
      const urn = response.headers.get('x-restli-id');
      if (!urn) throw new ProviderError('unknown_outcome', `${network}: post created without an x-restli-id header`);
      return { externalId: urn, url: postUrl(urn) };
    },

    async findPublished(credentials: ConnectionCredentials, _idempotencyKey: string, since: Date, content?: PublishContent): Promise<PublishResult | null> {
      if (!content) throw new ProviderError('rejected', `${network}: posts can only be matched by their text, which was not given`);
      const wanted = commentaryFor(content);
      const earliest = since.getTime() - 5 * 60 * 1000;
      for (let page = 0; page < lookupPageLimit; page += 1) {
        const query = new URLSearchParams({
          author: credentials.destinationId,
          q: 'author',
          count: String(lookupPageSize),
          start: String(page * lookupPageSize),
          sortBy: 'CREATED',
        });
        const response = await rest(credentials.accessToken, `/rest/posts?${query.toString()}`, { finder: true });
        const elements = (response.body as { elements?: Array<{ id?: unknown; commentary?: unknown; createdAt?: unknown }> } | null)?.elements ?? [];
        const match = elements.find(
          (post) =>
            typeof post.id === 'string' &&
            post.commentary === wanted &&
            (typeof post.createdAt !== 'number' || post.createdAt >= earliest),
        );
        if (match) return { externalId: match.id as string, url: postUrl(match.id as string) };
        const reachedOlder = elements.some((post) => typeof post.createdAt === 'number' && post.createdAt < earliest);
        if (elements.length < lookupPageSize || reachedOlder) break;
      }
      return null;
    },

    async fetchMetrics(credentials, externalId): Promise<EngagementMetrics> {
      if (credentials.destinationId.startsWith('urn:li:organization:')) {
        const listName = externalId.startsWith('urn:li:ugcPost:') ? 'ugcPosts' : 'shares';
        // Rest.li 2.0 list syntax: List(...) stays literal, the URNs inside are encoded.
        const query = `q=organizationalEntity&organizationalEntity=${encodeURIComponent(credentials.destinationId)}&${listName}=List(${encodeURIComponent(externalId)})`;
        const response = await rest(credentials.accessToken, `/rest/organizationalEntityShareStatistics?${query}`);
        const statistics =
          (response.body as { elements?: Array<{ totalShareStatistics?: Record<string, unknown> }> } | null)?.elements?.[0]?.totalShareStatistics ?? {};
        const read = (name: string): number | null => (typeof statistics[name] === 'number' ? (statistics[name] as number) : null);
        return {
          likes: read('likeCount'),
          comments: read('commentCount'),
          shares: read('shareCount'),
          impressions: read('impressionCount'),
          clicks: read('clickCount'),
        };
      }
      // Member posts: share statistics are organization-only; social actions give likes and comments.
      const response = await rest(credentials.accessToken, `/rest/socialActions/${encodeURIComponent(externalId)}`);
      const body = (response.body ?? {}) as { likesSummary?: { totalLikes?: unknown }; commentsSummary?: { aggregatedTotalComments?: unknown } };
      return {
        likes: typeof body.likesSummary?.totalLikes === 'number' ? body.likesSummary.totalLikes : null,
        comments: typeof body.commentsSummary?.aggregatedTotalComments === 'number' ? body.commentsSummary.aggregatedTotalComments : null,
        shares: null,
        impressions: null,
        clicks: null,
      };
    },
  };
}
