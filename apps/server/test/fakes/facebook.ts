import { fakeNumericId, fakeToken, startFakeHttpServer, type FakeHttpServer, type FakeRequest, type FakeReply } from './network/fake-http-server.js';
import {
  accessTokenOf,
  createMetaFakeState,
  defaultPages,
  graphError,
  grantMetaToken,
  graphPage,
  graphTimestamp,
  issueMetaCode,
  metaAppId,
  metaAppSecret,
  metaAuthRoutes,
  metaErrors,
  requireToken,
  unixSeconds,
  versionPrefix,
  type FakePage,
  type MetaFakeState,
} from './network/meta-graph-fake.js';

/**
 * A fake Facebook Graph API for Pages: the token endpoint (code exchange, fb_exchange_token), GET
 * /me/accounts (pages with page tokens), POST /{page}/feed, /{page}/photos (published or not, and
 * attached_media), /{page}/videos, GET /{page}/published_posts, GET /{post} (reactions, comments, shares)
 * and GET /{post}/insights. Errors use Graph's { error: { code, error_subcode, … } } body. Failures are
 * injected per operation (token, destinations, publish, lookup, metrics) through setFailure.
 */
export type FakeFacebookPost = {
  id: string;
  pageId: string;
  message: string;
  link: string | null;
  photoUrls: string[];
  videoUrl: string | null;
  createdTime: string;
  engagement: { reactions: number; comments: number; shares: number; impressions: number; clicks: number };
};

export type FakeFacebook = FakeHttpServer & {
  appId: string;
  appSecret: string;
  state: MetaFakeState;
  pages: FakePage[];
  /** An authorization code the token endpoint accepts once (only with this redirect_uri when given). */
  issueCode(redirectUri?: string): string;
  /** A long-lived user token valid right now. */
  grant(): string;
  /** Every visible post, oldest first. */
  published(): FakeFacebookPost[];
  /** How many visible posts contain the marker in their message: exactly-once proofs count with this. */
  publishedCount(marker: string): number;
  setEngagement(postId: string, engagement: Partial<FakeFacebookPost['engagement']>): void;
  /** Revoke the app's grant: token extension then fails with 190/458. */
  revokeGrant(): void;
  /** Another page the user manages (with a page token), e.g. one page per tenant in a load test. */
  addPage(name: string): FakePage;
  /** Posts somebody else made on a page, all at `createdAt` (default now). */
  seedPosts(pageId: string, messages: string[], createdAt?: Date): FakeFacebookPost[];
};

export async function startFacebookFake(): Promise<FakeFacebook> {
  const state = createMetaFakeState(defaultPages(false));
  const posts: FakeFacebookPost[] = [];
  const unpublishedPhotos = new Map<string, { pageId: string; url: string }>();
  // The routes need the server that is built from them: declared first, assigned once below.
  // eslint-disable-next-line prefer-const
  let server!: FakeHttpServer;

  function pageFor(request: FakeRequest, pageId: string): { page: FakePage } | { refused: FakeReply } {
    const refused = requireToken(server, request);
    if (refused) return { refused };
    const page = state.pages.find((candidate) => candidate.id === pageId);
    if (!page) return { refused: graphError(400, 100, `Unsupported request - Object with ID '${pageId}' does not exist`, 33) };
    if (accessTokenOf(request) !== page.accessToken) return { refused: graphError(403, 200, '(#200) The user has not granted the permission: publish as Page requires a Page access token') };
    return { page };
  }

  function addPost(pageId: string, fields: Partial<FakeFacebookPost>): FakeFacebookPost {
    const post: FakeFacebookPost = {
      id: `${pageId}_${fakeNumericId()}`,
      pageId,
      message: fields.message ?? '',
      link: fields.link ?? null,
      photoUrls: fields.photoUrls ?? [],
      videoUrl: fields.videoUrl ?? null,
      createdTime: fields.createdTime ?? graphTimestamp(new Date()),
      engagement: { reactions: 0, comments: 0, shares: 0, impressions: 0, clicks: 0 },
    };
    posts.push(post);
    return post;
  }

  const postPattern = new RegExp(`${versionPrefix}\\/(\\d+_\\d+)$`);
  server = await startFakeHttpServer(
    [
      ...metaAuthRoutes(state, () => server, (page) => ({
        id: page.id,
        name: page.name,
        access_token: page.accessToken,
        category: 'Bakery',
        tasks: page.tasks,
        picture: { data: { url: `https://fake.facebook.test/${page.id}.png`, is_silhouette: false } },
      })),
      {
        method: 'POST',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/feed$`),
        operation: 'publish',
        authenticated: false,
        handle(request) {
          const found = pageFor(request, request.params[0]!);
          if ('refused' in found) return found.refused;
          const form = request.form ?? new URLSearchParams();
          const attached: string[] = [];
          for (let index = 0; form.has(`attached_media[${index}]`); index += 1) {
            const { media_fbid: mediaId } = JSON.parse(form.get(`attached_media[${index}]`)!) as { media_fbid: string };
            const photo = unpublishedPhotos.get(mediaId);
            if (!photo) return graphError(400, 100, `(#100) Invalid media_fbid ${mediaId}`);
            attached.push(photo.url);
          }
          const message = form.get('message') ?? '';
          if (!message && !form.get('link') && attached.length === 0) return graphError(400, 100, '(#100) Missing message or attachment');
          const post = addPost(found.page.id, { message, link: form.get('link'), photoUrls: attached });
          return { status: 200, body: { id: post.id } };
        },
      },
      {
        method: 'POST',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/photos$`),
        operation: 'publish',
        authenticated: false,
        handle(request) {
          const found = pageFor(request, request.params[0]!);
          if ('refused' in found) return found.refused;
          const form = request.form ?? new URLSearchParams();
          const url = form.get('url');
          if (!url) return graphError(400, 324, '(#324) Requires upload file');
          const photoId = fakeNumericId();
          if (form.get('published') === 'false') {
            unpublishedPhotos.set(photoId, { pageId: found.page.id, url });
            return { status: 200, body: { id: photoId } };
          }
          const post = addPost(found.page.id, { message: form.get('message') ?? form.get('caption') ?? '', photoUrls: [url] });
          return { status: 200, body: { id: photoId, post_id: post.id } };
        },
      },
      {
        method: 'POST',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/videos$`),
        operation: 'publish',
        authenticated: false,
        handle(request) {
          const found = pageFor(request, request.params[0]!);
          if ('refused' in found) return found.refused;
          const form = request.form ?? new URLSearchParams();
          const fileUrl = form.get('file_url');
          if (!fileUrl) return graphError(400, 100, '(#100) file_url is required');
          const post = addPost(found.page.id, { message: form.get('description') ?? '', videoUrl: fileUrl });
          return { status: 200, body: { id: post.id } };
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/published_posts$`),
        operation: 'lookup',
        authenticated: false,
        handle(request) {
          const found = pageFor(request, request.params[0]!);
          if ('refused' in found) return found.refused;
          const since = Number(request.query.get('since') ?? '0');
          // Newest first, as Graph lists a page's posts; equal times keep the later-created post first.
          const data = posts
            .map((post, index) => ({ post, index }))
            .filter(({ post }) => post.pageId === found.page.id && unixSeconds(post.createdTime.replace('+0000', 'Z')) >= since)
            .sort((left, right) => right.post.createdTime.localeCompare(left.post.createdTime) || right.index - left.index)
            .map(({ post }) => ({ id: post.id, message: post.message, created_time: post.createdTime, permalink_url: `https://www.facebook.com/${post.id}` }));
          return graphPage(state, server, request, data);
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+_\\d+)\\/insights$`),
        operation: 'metrics',
        authenticated: false,
        handle(request) {
          const refused = requireToken(server, request);
          if (refused) return refused;
          const post = posts.find((candidate) => candidate.id === request.params[0]);
          if (!post) return graphError(400, 100, 'Unsupported get request.', 33);
          const names = (request.query.get('metric') ?? '').split(',');
          const values: Record<string, number> = { post_impressions: post.engagement.impressions, post_clicks: post.engagement.clicks };
          return {
            status: 200,
            body: { data: names.filter((name) => name in values).map((name) => ({ name, period: 'lifetime', values: [{ value: values[name] }], id: `${post.id}/insights/${name}/lifetime` })) },
          };
        },
      },
      {
        method: 'GET',
        pattern: postPattern,
        operation: 'metrics',
        authenticated: false,
        handle(request) {
          const refused = requireToken(server, request);
          if (refused) return refused;
          const post = posts.find((candidate) => candidate.id === request.params[0]);
          if (!post) return graphError(400, 100, 'Unsupported get request.', 33);
          const body: Record<string, unknown> = {
            id: post.id,
            reactions: { data: [], summary: { total_count: post.engagement.reactions, viewer_reaction: 'NONE' } },
            comments: { data: [], summary: { order: 'ranked', total_count: post.engagement.comments, can_comment: true } },
          };
          if (post.engagement.shares > 0) body.shares = { count: post.engagement.shares };
          return { status: 200, body };
        },
      },
    ],
    metaErrors,
  );
  for (const page of state.pages) server.allowAccessToken(page.accessToken);

  return Object.assign(server, {
    appId: metaAppId,
    appSecret: metaAppSecret,
    state,
    pages: state.pages,
    issueCode: (redirectUri?: string) => issueMetaCode(state, redirectUri ?? null),
    grant: () => grantMetaToken(server),
    published: () => [...posts],
    publishedCount: (marker: string) => posts.filter((post) => post.message.includes(marker)).length,
    setEngagement(postId: string, engagement: Partial<FakeFacebookPost['engagement']>) {
      const post = posts.find((candidate) => candidate.id === postId);
      if (!post) throw new Error(`no post ${postId}`);
      Object.assign(post.engagement, engagement);
    },
    revokeGrant() {
      state.revoked = true;
    },
    addPage(name: string) {
      const page: FakePage = { id: `1${fakeNumericId()}`, name, accessToken: fakeToken('EAAPage'), tasks: ['CREATE_CONTENT', 'MODERATE', 'ANALYZE'], instagramAccount: null };
      state.pages.push(page);
      server.allowAccessToken(page.accessToken);
      return page;
    },
    seedPosts: (pageId: string, messages: string[], createdAt?: Date) =>
      messages.map((message) => addPost(pageId, { message, ...(createdAt ? { createdTime: graphTimestamp(createdAt) } : {}) })),
  });
}
