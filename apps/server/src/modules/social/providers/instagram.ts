import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../kernel/config.js';
import {
  buildFacebookLoginUrl,
  createMetaGraphClient,
  graphData,
  isOlderThan,
  normalizePostText,
  numberOrNull,
  pickOldestMatch,
  requireContentForLookup,
} from './meta-graph.js';
import { createMediaFetcher } from './media-fetch.js';
import {
  ProviderError,
  type EngagementMetrics,
  type PublishContent,
  type PublishDestination,
  type PublishMedia,
  type PublishResult,
  type SocialProvider,
} from './provider.js';

/**
 * Instagram professional (Business/Creator) accounts through the Graph API with Facebook Login
 * (https://developers.facebook.com/docs/instagram-platform/content-publishing). Destinations are the
 * Instagram accounts linked to the Pages the person manages. Publishing is two steps: create a media
 * container (POST /{ig-user-id}/media), wait until its status_code is FINISHED, then
 * POST /{ig-user-id}/media_publish with creation_id. Only the second step makes a post visible, so only
 * its lost response is an unknown outcome; a container that never gets published simply expires.
 * Instagram posts need media; there is no idempotency key, so reconciliation matches the caption.
 */
const network = 'Instagram';
const scopes = ['instagram_basic', 'instagram_content_publish', 'instagram_manage_insights', 'pages_show_list', 'pages_read_engagement', 'business_management'];
/** Pages of 100 read from /me/accounts (bounds the loop; 5,000 Pages is beyond any agency we serve). */
const destinationPageLimit = 50;
/** Pages of 50 media scanned when reconciling; the scan also stops at media older than the attempt. */
const lookupPageLimit = 10;

export type InstagramProviderOptions = {
  /** How often to look at a container that is still processing (videos take a while). */
  pollIntervalMs?: number;
  /** Give up (retryable: nothing was published) after this many looks. */
  maxPolls?: number;
};

function requireId(body: Record<string, unknown>, field: string, createsContent: boolean): string {
  const value = body[field];
  if (typeof value === 'string' && value.length > 0) return value;
  throw new ProviderError(createsContent ? 'unknown_outcome' : 'retryable', `${network}: the response carries no ${field}`);
}

export function createInstagramProvider(config: Config, options: InstagramProviderOptions = {}): SocialProvider {
  const graph = createMetaGraphClient(network, config, config.INSTAGRAM_GRAPH_URL, scopes);
  const mediaFetcher = createMediaFetcher(network, config);
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const maxPolls = options.maxPolls ?? 60;

  function mediaFields(media: PublishMedia, content: PublishContent, isCarouselItem: boolean): Record<string, string> {
    const fields: Record<string, string> =
      media.kind === 'video'
        ? { media_type: isCarouselItem ? 'VIDEO' : 'REELS', video_url: media.url }
        : { image_url: media.url };
    if (isCarouselItem) fields.is_carousel_item = 'true';
    else fields.caption = content.text;
    if (media.kind === 'image' && media.altText) fields.alt_text = media.altText;
    return fields;
  }

  async function createContainer(userId: string, token: string, fields: Record<string, string>): Promise<string> {
    // Containers are invisible until published: creating one again is harmless, so this is not a create.
    const body = await graph.post(`/${userId}/media`, fields, { accessToken: token, createsContent: false });
    return requireId(body, 'id', false);
  }

  async function waitUntilFinished(containerId: string, token: string): Promise<void> {
    for (let poll = 0; poll < maxPolls; poll += 1) {
      const body = await graph.get(`/${encodeURIComponent(containerId)}`, { fields: 'status_code,status' }, { accessToken: token });
      const status = body.status_code;
      if (status === 'FINISHED' || status === 'PUBLISHED') return;
      if (status === 'ERROR' || status === 'EXPIRED') {
        throw new ProviderError('rejected', `${network}: the media could not be processed (${String(body.status ?? status)})`, { networkCode: String(status) });
      }
      await sleep(pollIntervalMs);
    }
    throw new ProviderError('retryable', `${network}: the media is still processing; try again later`);
  }

  async function permalinkOf(mediaId: string, token: string): Promise<string | null> {
    try {
      const body = await graph.get(`/${encodeURIComponent(mediaId)}`, { fields: 'permalink' }, { accessToken: token });
      return typeof body.permalink === 'string' ? body.permalink : null;
    } catch {
      // The post is published; a missing permalink must not turn success into a failure.
      return null;
    }
  }

  return {
    id: 'instagram',
    displayName: 'Instagram Business',
    isConfigured: Boolean(config.FACEBOOK_APP_ID && config.FACEBOOK_APP_SECRET),
    oauth: {
      usesPkce: false,
      refreshModel: 'extend',
      buildAuthorizationUrl: ({ state, redirectUri, codeChallenge }) => buildFacebookLoginUrl(config, { state, redirectUri, scopes, codeChallenge }),
      exchangeCode: ({ code, redirectUri }) => graph.exchangeCode({ code, redirectUri }),
      refreshTokens: ({ accessToken }) => graph.extendToken(accessToken),
    },

    async listDestinations({ accessToken }): Promise<PublishDestination[]> {
      const { items: pages } = await graph.list(
        '/me/accounts',
        { fields: 'id,name,instagram_business_account{id,username,name,profile_picture_url}', limit: '100' },
        { accessToken, maxPages: destinationPageLimit },
      );
      const destinations: PublishDestination[] = [];
      for (const page of pages) {
        const account = page.instagram_business_account as Record<string, unknown> | undefined;
        if (!account || typeof account.id !== 'string') continue;
        destinations.push({
          externalId: account.id,
          name: typeof account.username === 'string' ? `@${account.username}` : typeof account.name === 'string' ? account.name : account.id,
          kind: 'instagram_account',
          pictureUrl: typeof account.profile_picture_url === 'string' ? account.profile_picture_url : null,
          destinationToken: null,
          metadata: { pageId: String(page.id), pageName: typeof page.name === 'string' ? page.name : null },
        });
      }
      return destinations;
    },

    async publish(credentials, content): Promise<PublishResult> {
      const userId = encodeURIComponent(credentials.destinationId);
      const token = credentials.accessToken;
      if (content.media.length === 0) throw new ProviderError('rejected', `${network}: a post needs at least one image or video`);
      if (content.media.length > 10) throw new ProviderError('rejected', `${network}: a carousel holds at most 10 items`);
      // Instagram downloads image_url / video_url itself: they must pass the media fetch policy first.
      mediaFetcher.requireAllowed(content.media.map((media) => media.url));
      let containerId: string;
      if (content.media.length === 1) {
        containerId = await createContainer(userId, token, mediaFields(content.media[0]!, content, false));
      } else {
        const children: string[] = [];
        for (const media of content.media) {
          const childId = await createContainer(userId, token, mediaFields(media, content, true));
          await waitUntilFinished(childId, token);
          children.push(childId);
        }
        containerId = await createContainer(userId, token, { media_type: 'CAROUSEL', children: children.join(','), caption: content.text });
      }
      await waitUntilFinished(containerId, token);
      const published = await graph.post(`/${userId}/media_publish`, { creation_id: containerId }, { accessToken: token, createsContent: true });
      const mediaId = requireId(published, 'id', true);
      return { externalId: mediaId, url: await permalinkOf(mediaId, token) };
    },

    async findPublished(credentials, _idempotencyKey, since, content) {
      const sent = normalizePostText(requireContentForLookup(network, content).text);
      const earliest = since.getTime() - 60_000;
      // Newest first: once a page reaches media older than the attempt, later pages cannot hold it.
      const listing = await graph.list(
        `/${encodeURIComponent(credentials.destinationId)}/media`,
        { fields: 'id,caption,permalink,timestamp', since: String(Math.floor(earliest / 1000)), limit: '50' },
        { accessToken: credentials.accessToken, maxPages: lookupPageLimit, isDone: (page) => page.some((media) => isOlderThan(media.timestamp, earliest)) },
      );
      const match = pickOldestMatch(network, listing, { text: 'caption', time: 'timestamp' }, sent, earliest);
      if (!match) return null;
      return { externalId: String(match.id), url: typeof match.permalink === 'string' ? match.permalink : null };
    },

    async fetchMetrics(credentials, externalId): Promise<EngagementMetrics> {
      const token = credentials.accessToken;
      const mediaPath = `/${encodeURIComponent(externalId)}`;
      const body = await graph.get(mediaPath, { fields: 'like_count,comments_count' }, { accessToken: token });
      const metrics: EngagementMetrics = {
        likes: numberOrNull(body.like_count),
        comments: numberOrNull(body.comments_count),
        shares: null,
        impressions: null,
        clicks: null,
      };
      try {
        // "views" replaced "impressions" for Instagram media insights in Graph API v22.
        const insights = await graph.get(`${mediaPath}/insights`, { metric: 'views,shares' }, { accessToken: token });
        for (const entry of graphData(insights)) {
          const value = numberOrNull((entry.values as Array<{ value?: unknown }> | undefined)?.[0]?.value);
          if (entry.name === 'views') metrics.impressions = value;
          if (entry.name === 'shares') metrics.shares = value;
        }
      } catch (error) {
        if (!(error instanceof ProviderError && error.kind === 'rejected')) throw error;
      }
      return metrics;
    },
  };
}
