import { startFakeHttpServer, type FakeHttpServer, type FakeRequest, type FakeReply } from './network/fake-http-server.js';
import {
  addMetaPages,
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
  versionPrefix,
  type FakePage,
  type MetaFakeState,
} from './network/meta-graph-fake.js';

/**
 * A fake Instagram Graph API (Instagram with Facebook Login): the token endpoint, GET /me/accounts with
 * instagram_business_account, POST /{ig-user}/media (containers: image, REELS, carousel items and
 * CAROUSEL), GET /{container}?fields=status_code, POST /{ig-user}/media_publish, GET /{ig-user}/media,
 * GET /{media} (like_count, comments_count, permalink) and GET /{media}/insights. Container ids start with
 * 17, media ids with 18, so failures can target containers ('media') apart from media reads ('metrics').
 */
export type FakeInstagramMedia = {
  id: string;
  igUserId: string;
  caption: string;
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  mediaUrls: string[];
  timestamp: string;
  engagement: { likes: number; comments: number; views: number; shares: number };
};

type Container = {
  id: string;
  igUserId: string;
  caption: string;
  mediaType: 'IMAGE' | 'REELS' | 'VIDEO' | 'CAROUSEL';
  urls: string[];
  isCarouselItem: boolean;
  /** Status reads left before FINISHED (videos process for a while). */
  pendingPolls: number;
  status: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'PUBLISHED';
};

export type FakeInstagram = FakeHttpServer & {
  appId: string;
  appSecret: string;
  state: MetaFakeState;
  pages: FakePage[];
  /** The Instagram account linked to the first page. */
  igUserId: string;
  issueCode(redirectUri?: string): string;
  grant(): string;
  published(): FakeInstagramMedia[];
  publishedCount(marker: string): number;
  /** How many status reads a new video container answers IN_PROGRESS before FINISHED. */
  setVideoProcessingPolls(polls: number): void;
  /** The next container's processing ends in ERROR. */
  failNextContainer(): void;
  setEngagement(mediaId: string, engagement: Partial<FakeInstagramMedia['engagement']>): void;
  containersCreated(): number;
  /** More pages the person manages, each with a linked Instagram account (e.g. to exceed a page of 100). */
  addPages(count: number): FakePage[];
  /** Media somebody else published on the account, all at `createdAt` (default now). */
  seedMedia(captions: string[], createdAt?: Date): FakeInstagramMedia[];
};

let idSequence = 0;
function graphId(prefix: '17' | '18'): string {
  idSequence += 1;
  return `${prefix}${Date.now()}${String(idSequence).padStart(5, '0')}`;
}

export async function startInstagramFake(): Promise<FakeInstagram> {
  const state = createMetaFakeState(defaultPages(true));
  const igUserId = state.pages[0]!.instagramAccount!.id;
  const containers = new Map<string, Container>();
  const media: FakeInstagramMedia[] = [];
  let videoPolls = 2;
  let failNext = false;
  // The routes need the server that is built from them: declared first, assigned once below.
  // eslint-disable-next-line prefer-const
  let server!: FakeHttpServer;

  function forUser(request: FakeRequest, id: string): FakeReply | null {
    const refused = requireToken(server, request);
    if (refused) return refused;
    if (!state.pages.some((page) => page.instagramAccount?.id === id)) return graphError(400, 100, `Unsupported request - Object with ID '${id}' does not exist`, 33);
    return null;
  }

  server = await startFakeHttpServer(
    [
      ...metaAuthRoutes(state, () => server, (page) => ({
        id: page.id,
        name: page.name,
        ...(page.instagramAccount
          ? { instagram_business_account: { ...page.instagramAccount, profile_picture_url: `https://fake.instagram.test/${page.instagramAccount.id}.jpg` } }
          : {}),
      })),
      {
        method: 'POST',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/media$`),
        operation: 'media',
        authenticated: false,
        handle(request) {
          const userId = request.params[0]!;
          const refused = forUser(request, userId);
          if (refused) return refused;
          const form = request.form ?? new URLSearchParams();
          const mediaType = (form.get('media_type') ?? 'IMAGE') as Container['mediaType'];
          let urls: string[];
          if (mediaType === 'CAROUSEL') {
            const children = (form.get('children') ?? '').split(',').filter(Boolean);
            if (children.length < 2 || children.some((child) => containers.get(child)?.status !== 'FINISHED')) {
              return graphError(400, 100, 'The carousel needs at least two finished children', 2207028);
            }
            urls = children.flatMap((child) => containers.get(child)!.urls);
          } else {
            const url = form.get(mediaType === 'IMAGE' ? 'image_url' : 'video_url');
            if (!url) return graphError(400, 100, '(#100) The parameter image_url or video_url is required');
            urls = [url];
          }
          const isVideo = mediaType === 'REELS' || mediaType === 'VIDEO';
          const container: Container = {
            id: graphId('17'),
            igUserId: userId,
            caption: form.get('caption') ?? '',
            mediaType,
            urls,
            isCarouselItem: form.get('is_carousel_item') === 'true',
            pendingPolls: isVideo ? videoPolls : 0,
            status: failNext ? 'ERROR' : isVideo ? 'IN_PROGRESS' : 'FINISHED',
          };
          failNext = false;
          containers.set(container.id, container);
          return { status: 200, body: { id: container.id } };
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`${versionPrefix}\\/(17\\d+)$`),
        operation: 'media',
        authenticated: false,
        handle(request) {
          const refused = requireToken(server, request);
          if (refused) return refused;
          const container = containers.get(request.params[0]!);
          if (!container) return graphError(400, 100, 'Unsupported get request.', 33);
          if (container.status === 'IN_PROGRESS') {
            if (container.pendingPolls <= 0) container.status = 'FINISHED';
            else container.pendingPolls -= 1;
          }
          const body: Record<string, unknown> = { id: container.id, status_code: container.status };
          if (container.status === 'ERROR') body.status = 'Error: Media upload has failed with error code 2207026';
          return { status: 200, body };
        },
      },
      {
        method: 'POST',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/media_publish$`),
        operation: 'publish',
        authenticated: false,
        handle(request) {
          const userId = request.params[0]!;
          const refused = forUser(request, userId);
          if (refused) return refused;
          const container = containers.get(request.query.get('creation_id') ?? request.form?.get('creation_id') ?? '');
          if (!container || container.igUserId !== userId || container.isCarouselItem) return graphError(400, 100, 'Media ID is not available', 2207006);
          if (container.status === 'IN_PROGRESS') return graphError(400, 9007, 'Media ID is not available: the media is not ready for publishing, please wait for a moment', 2207027);
          if (container.status === 'PUBLISHED') return graphError(400, 9007, 'The media has already been published', 2207006);
          if (container.status !== 'FINISHED') return graphError(400, 100, 'The media could not be published', 2207001);
          container.status = 'PUBLISHED';
          const item: FakeInstagramMedia = {
            id: graphId('18'),
            igUserId: userId,
            caption: container.caption,
            mediaType: container.mediaType === 'CAROUSEL' ? 'CAROUSEL_ALBUM' : container.mediaType === 'IMAGE' ? 'IMAGE' : 'VIDEO',
            mediaUrls: container.urls,
            timestamp: graphTimestamp(new Date()),
            engagement: { likes: 0, comments: 0, views: 0, shares: 0 },
          };
          media.push(item);
          return { status: 200, body: { id: item.id } };
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`${versionPrefix}\\/(\\d+)\\/media$`),
        operation: 'lookup',
        authenticated: false,
        handle(request) {
          const userId = request.params[0]!;
          const refused = forUser(request, userId);
          if (refused) return refused;
          // Newest first. `since` is deliberately not applied: the client must stop at older media itself
          // rather than rely on how this edge treats since.
          const data = media
            .map((item, index) => ({ item, index }))
            .filter(({ item }) => item.igUserId === userId)
            .sort((left, right) => right.item.timestamp.localeCompare(left.item.timestamp) || right.index - left.index)
            .map(({ item }) => ({ id: item.id, caption: item.caption, timestamp: item.timestamp, permalink: `https://www.instagram.com/p/${item.id}/` }));
          return graphPage(state, server, request, data);
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`${versionPrefix}\\/(18\\d+)\\/insights$`),
        operation: 'metrics',
        authenticated: false,
        handle(request) {
          const refused = requireToken(server, request);
          if (refused) return refused;
          const item = media.find((candidate) => candidate.id === request.params[0]);
          if (!item) return graphError(400, 100, 'Unsupported get request.', 33);
          const values: Record<string, number> = { views: item.engagement.views, shares: item.engagement.shares };
          const names = (request.query.get('metric') ?? '').split(',');
          const unknown = names.find((name) => !(name in values));
          if (unknown) return graphError(400, 100, `(#100) metric[0] must be one of the following values: views, shares, reach, saved`);
          return { status: 200, body: { data: names.map((name) => ({ name, period: 'lifetime', values: [{ value: values[name] }], id: `${item.id}/insights/${name}/lifetime` })) } };
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`${versionPrefix}\\/(18\\d+)$`),
        operation: 'metrics',
        authenticated: false,
        handle(request) {
          const refused = requireToken(server, request);
          if (refused) return refused;
          const item = media.find((candidate) => candidate.id === request.params[0]);
          if (!item) return graphError(400, 100, 'Unsupported get request.', 33);
          return {
            status: 200,
            body: { id: item.id, like_count: item.engagement.likes, comments_count: item.engagement.comments, permalink: `https://www.instagram.com/p/${item.id}/` },
          };
        },
      },
    ],
    metaErrors,
  );

  return Object.assign(server, {
    appId: metaAppId,
    appSecret: metaAppSecret,
    state,
    pages: state.pages,
    igUserId,
    issueCode: (redirectUri?: string) => issueMetaCode(state, redirectUri ?? null),
    grant: () => grantMetaToken(server),
    published: () => [...media],
    publishedCount: (marker: string) => media.filter((item) => item.caption.includes(marker)).length,
    setVideoProcessingPolls(polls: number) {
      videoPolls = polls;
    },
    failNextContainer() {
      failNext = true;
    },
    setEngagement(mediaId: string, engagement: Partial<FakeInstagramMedia['engagement']>) {
      const item = media.find((candidate) => candidate.id === mediaId);
      if (!item) throw new Error(`no media ${mediaId}`);
      Object.assign(item.engagement, engagement);
    },
    containersCreated: () => containers.size,
    addPages: (count: number) => addMetaPages(state, server, count, { withInstagram: true }),
    seedMedia: (captions: string[], createdAt?: Date) =>
      captions.map((caption) => {
        const item: FakeInstagramMedia = {
          id: graphId('18'),
          igUserId,
          caption,
          mediaType: 'IMAGE',
          mediaUrls: ['https://cdn.test/seeded.jpg'],
          timestamp: graphTimestamp(createdAt ?? new Date()),
          engagement: { likes: 0, comments: 0, views: 0, shares: 0 },
        };
        media.push(item);
        return item;
      }),
  });
}
