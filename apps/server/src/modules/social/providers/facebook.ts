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
  type ConnectionCredentials,
  type EngagementMetrics,
  type PublishContent,
  type PublishDestination,
  type PublishResult,
  type SocialProvider,
} from './provider.js';

/**
 * Facebook Pages through the Graph API (https://developers.facebook.com/docs/pages-api). Facebook Login
 * grants a user token; GET /me/accounts lists the pages the person manages, each with a Page access token
 * (a page token derived from a long-lived user token does not expire). Publishing uses the page token:
 * POST /{page-id}/feed (text and link), /{page-id}/photos (one image), unpublished photos attached to a
 * feed post (several images), /{page-id}/videos (a video).
 *
 * Facebook has no idempotency key and no hidden field on a post, so reconciliation looks through the
 * page's recent published posts for the text that was sent.
 */
const network = 'Facebook';
const scopes = ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts', 'read_insights'];
/** Pages of 100 read from /me/accounts: 5,000 Pages is beyond any agency we serve, and bounds a loop. */
const destinationPageLimit = 50;
/** Pages of 100 posts scanned when reconciling; the scan also stops at posts older than the attempt. */
const lookupPageLimit = 10;

function pageToken(credentials: ConnectionCredentials): string {
  return credentials.destinationToken ?? credentials.accessToken;
}

function postUrl(postId: string): string {
  return `https://www.facebook.com/${encodeURIComponent(postId)}`;
}

function requireId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  // The network accepted the call but we cannot tell what it created.
  throw new ProviderError('unknown_outcome', `${network}: the response carries no ${field}`);
}

function summaryCount(body: Record<string, unknown>, field: string): number | null {
  const summary = (body[field] as { summary?: { total_count?: unknown } } | undefined)?.summary;
  return numberOrNull(summary?.total_count);
}

export function createFacebookProvider(config: Config): SocialProvider {
  const graph = createMetaGraphClient(network, config, config.FACEBOOK_GRAPH_URL, scopes);
  const mediaFetcher = createMediaFetcher(network, config);

  async function publishPhotos(pageId: string, token: string, content: PublishContent, message: string): Promise<string> {
    const images = content.media.filter((media) => media.kind === 'image');
    if (images.length === 1) {
      const body = await graph.post(`/${pageId}/photos`, { url: images[0]!.url, message, published: 'true' }, { accessToken: token, createsContent: true });
      return typeof body.post_id === 'string' ? body.post_id : requireId(body, 'id');
    }
    // Several images: upload each unpublished (invisible, harmless to repeat), then one feed post.
    const mediaIds: string[] = [];
    for (const image of images) {
      const uploaded = await graph.post(`/${pageId}/photos`, { url: image.url, published: 'false' }, { accessToken: token, createsContent: false });
      mediaIds.push(requireId(uploaded, 'id'));
    }
    const form: Record<string, string> = { message };
    mediaIds.forEach((id, index) => {
      form[`attached_media[${index}]`] = JSON.stringify({ media_fbid: id });
    });
    const body = await graph.post(`/${pageId}/feed`, form, { accessToken: token, createsContent: true });
    return requireId(body, 'id');
  }

  return {
    id: 'facebook',
    displayName: 'Facebook Pages',
    isConfigured: Boolean(config.FACEBOOK_APP_ID && config.FACEBOOK_APP_SECRET),
    oauth: {
      usesPkce: false,
      refreshModel: 'extend',
      buildAuthorizationUrl: ({ state, redirectUri, codeChallenge }) => buildFacebookLoginUrl(config, { state, redirectUri, scopes, codeChallenge }),
      exchangeCode: ({ code, redirectUri }) => graph.exchangeCode({ code, redirectUri }),
      refreshTokens: ({ accessToken }) => graph.extendToken(accessToken),
    },

    async listDestinations({ accessToken }): Promise<PublishDestination[]> {
      const { items: pages } = await graph.list('/me/accounts', { fields: 'id,name,access_token,picture{url},tasks', limit: '100' }, { accessToken, maxPages: destinationPageLimit });
      return pages
        .filter((page) => !Array.isArray(page.tasks) || (page.tasks as unknown[]).includes('CREATE_CONTENT'))
        .map((page) => ({
          externalId: String(page.id),
          name: typeof page.name === 'string' ? page.name : String(page.id),
          kind: 'page' as const,
          pictureUrl: ((page.picture as { data?: { url?: unknown } } | undefined)?.data?.url as string | undefined) ?? null,
          destinationToken: typeof page.access_token === 'string' ? page.access_token : null,
          metadata: {},
        }));
    },

    async publish(credentials, content): Promise<PublishResult> {
      const pageId = encodeURIComponent(credentials.destinationId);
      const token = pageToken(credentials);
      const message = content.text;
      const videos = content.media.filter((media) => media.kind === 'video');
      if (videos.length > 1 || (videos.length === 1 && content.media.length > 1)) {
        throw new ProviderError('rejected', `${network}: a post carries either one video or images, not both`);
      }
      // Facebook downloads photo and video URLs itself: they must pass the media fetch policy first.
      mediaFetcher.requireAllowed(content.media.map((media) => media.url));
      let postId: string;
      if (videos.length === 1) {
        const body = await graph.post(`/${pageId}/videos`, { file_url: videos[0]!.url, description: message }, { accessToken: token, createsContent: true });
        postId = requireId(body, 'id');
      } else if (content.media.length > 0) {
        postId = await publishPhotos(pageId, token, content, message);
      } else {
        if (message.trim().length === 0 && !content.link) throw new ProviderError('rejected', `${network}: a post needs text, a link or media`);
        const form: Record<string, string> = { message };
        if (content.link) form.link = content.link;
        postId = requireId(await graph.post(`/${pageId}/feed`, form, { accessToken: token, createsContent: true }), 'id');
      }
      return { externalId: postId, url: postUrl(postId) };
    },

    async findPublished(credentials, _idempotencyKey, since, content) {
      const sent = normalizePostText(requireContentForLookup(network, content).text);
      const earliest = since.getTime() - 60_000;
      const listing = await graph.list(
        `/${encodeURIComponent(credentials.destinationId)}/published_posts`,
        { fields: 'id,message,created_time,permalink_url', since: String(Math.floor(earliest / 1000)), limit: '100' },
        { accessToken: pageToken(credentials), maxPages: lookupPageLimit, isDone: (page) => page.some((post) => isOlderThan(post.created_time, earliest)) },
      );
      const match = pickOldestMatch(network, listing, { text: 'message', time: 'created_time' }, sent, earliest);
      if (!match) return null;
      const id = String(match.id);
      return { externalId: id, url: typeof match.permalink_url === 'string' ? match.permalink_url : postUrl(id) };
    },

    async fetchMetrics(credentials, externalId): Promise<EngagementMetrics> {
      const token = pageToken(credentials);
      const postPath = `/${encodeURIComponent(externalId)}`;
      const body = await graph.get(
        postPath,
        { fields: 'reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares' },
        { accessToken: token },
      );
      const metrics: EngagementMetrics = {
        likes: summaryCount(body, 'reactions'),
        comments: summaryCount(body, 'comments'),
        // Meta omits "shares" until a post has been shared.
        shares: numberOrNull((body.shares as { count?: unknown } | undefined)?.count) ?? 0,
        impressions: null,
        clicks: null,
      };
      try {
        const insights = await graph.get(`${postPath}/insights`, { metric: 'post_impressions,post_clicks' }, { accessToken: token });
        for (const entry of graphData(insights)) {
          const value = numberOrNull((entry.values as Array<{ value?: unknown }> | undefined)?.[0]?.value);
          if (entry.name === 'post_impressions') metrics.impressions = value;
          if (entry.name === 'post_clicks') metrics.clicks = value;
        }
      } catch (error) {
        // Insights are refused for some posts (too new, too few followers): keep the counts we have.
        if (!(error instanceof ProviderError && error.kind === 'rejected')) throw error;
      }
      return metrics;
    },
  };
}
