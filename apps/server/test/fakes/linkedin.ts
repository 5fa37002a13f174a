import { fakeNumericId, fakeToken, startFakeHttpServer, type FakeHttpServer, type FakeReply, type FakeRequest } from './network/fake-http-server.js';

/**
 * A fake LinkedIn API: POST /oauth/v2/accessToken (authorization_code; refresh_token returning the same
 * refresh token with its remaining lifetime), GET /v2/userinfo, GET /rest/organizationAcls,
 * GET /rest/organizations/:id, POST /rest/images?action=initializeUpload + PUT to the upload URL,
 * POST /rest/videos?action=initializeUpload|finalizeUpload + PUT per part (ETag), GET /rest/videos/:urn,
 * POST /rest/posts (201, URN in x-restli-id), GET /rest/posts?q=author, GET /rest/socialActions/:urn,
 * GET /rest/organizationalEntityShareStatistics. Versioned /rest calls without LinkedIn-Version or
 * X-Restli-Protocol-Version are refused as LinkedIn does. Errors use { status, serviceErrorCode, code, message }.
 */
export type FakeLinkedInPost = {
  id: string;
  author: string;
  commentary: string;
  content: Record<string, unknown> | null;
  visibility: string;
  lifecycleState: string;
  createdAt: number;
};

export type FakeLinkedIn = FakeHttpServer & {
  clientId: string;
  clientSecret: string;
  member: { sub: string; name: string };
  organization: { id: string; name: string };
  issueCode(): string;
  grant(): { accessToken: string; refreshToken: string };
  /** Whether organizationAcls answers (false: 403, as for an app without organization scopes). */
  setOrganizationAccess(allowed: boolean): void;
  published(): FakeLinkedInPost[];
  uploadedImages(): Array<{ urn: string; owner: string; bytes: number }>;
  uploadedVideos(): Array<{ urn: string; owner: string; status: string; partBytes: number[] }>;
  /** Whether video processing ends AVAILABLE or PROCESSING_FAILED. */
  setVideoProcessing(outcome: 'succeed' | 'fail'): void;
};

function linkedInError(status: number, code: string, message: string): FakeReply {
  return { status, body: { status, serviceErrorCode: status === 401 ? 65600 : 100, code, message } };
}

export async function startLinkedInFake(): Promise<FakeLinkedIn> {
  const clientId = 'linkedin-client';
  const clientSecret = 'linkedin-secret';
  const member = { sub: 'aBcD3fGh1', name: 'Ada Lovelace' };
  const organization = { id: '2414183', name: 'Omni Demo Inc.' };
  const codes = new Set<string>();
  const refreshTokens = new Map<string, number>();
  const posts: FakeLinkedInPost[] = [];
  const images: Array<{ urn: string; owner: string; bytes: number; uploaded: boolean }> = [];
  /** Videos are uploaded in parts of this many bytes (tiny, so test files span several parts). */
  const videoPartBytes = 32;
  const videos: Array<{
    urn: string;
    owner: string;
    size: number;
    parts: Array<{ etag: string | null; bytes: number }>;
    uploadToken: string;
    status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
    statusChecks: number;
  }> = [];
  let videoProcessing: 'succeed' | 'fail' = 'succeed';
  let organizationAccess = true;

  function issueTokens(refreshToken?: string): Record<string, unknown> {
    const accessToken = fakeToken('lia');
    server.allowAccessToken(accessToken);
    const token = refreshToken ?? fakeToken('lir');
    if (!refreshTokens.has(token)) refreshTokens.set(token, Date.now() + 365 * 24 * 3600 * 1000);
    return {
      access_token: accessToken,
      expires_in: 5_184_000,
      refresh_token: token,
      refresh_token_expires_in: Math.floor((refreshTokens.get(token)! - Date.now()) / 1000),
      scope: 'email,openid,profile,w_member_social,r_organization_social,w_organization_social,rw_organization_admin',
    };
  }

  function versioned(request: FakeRequest): FakeReply | null {
    if (!request.headers['linkedin-version']) return linkedInError(400, 'VERSION_MISSING', 'A version must be present. Please specify a version by adding the LinkedIn-Version header.');
    if (request.headers['x-restli-protocol-version'] !== '2.0.0') return linkedInError(400, 'ILLEGAL_ARGUMENT', 'Rest.li protocol 2.0.0 is required');
    return null;
  }

  function tokenEndpoint(request: FakeRequest): FakeReply {
    const form = request.form ?? new URLSearchParams();
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    if (form.get('grant_type') === 'authorization_code') {
      if (!codes.delete(form.get('code') ?? '') || !form.get('redirect_uri')) {
        return {
          status: 400,
          body: { error: 'invalid_request', error_description: 'Unable to retrieve access token: authorization code not found' },
        };
      }
      return { status: 200, body: issueTokens() };
    }
    if (form.get('grant_type') === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      if (!refreshTokens.has(refreshToken)) {
        return {
          status: 400,
          body: { error: 'invalid_request', error_description: 'The provided authorization grant or refresh token is invalid, expired or revoked.' },
        };
      }
      return { status: 200, body: issueTokens(refreshToken) };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  const server = await startFakeHttpServer(
    [
      { method: 'POST', pattern: /^\/oauth\/v2\/accessToken$/, operation: 'token', authenticated: false, handle: tokenEndpoint },
      {
        method: 'GET',
        pattern: /^\/v2\/userinfo$/,
        operation: 'destinations',
        authenticated: true,
        handle: () => ({ status: 200, body: { sub: member.sub, name: member.name, given_name: 'Ada', family_name: 'Lovelace', picture: 'https://media.licdn.com/ada.jpg' } }),
      },
      {
        method: 'GET',
        pattern: /^\/rest\/organizationAcls$/,
        operation: 'destinations',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          if (!organizationAccess) return linkedInError(403, 'ACCESS_DENIED', 'Not enough permissions to access: organizationAcls.FINDER-roleAssignee');
          return {
            status: 200,
            body: {
              paging: { start: 0, count: 100, links: [] },
              elements: [
                { roleAssignee: `urn:li:person:${member.sub}`, state: 'APPROVED', role: 'ADMINISTRATOR', organization: `urn:li:organization:${organization.id}` },
                { roleAssignee: `urn:li:person:${member.sub}`, state: 'APPROVED', role: 'ANALYST', organization: 'urn:li:organization:999' },
              ],
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/rest\/organizations\/([^/]+)$/,
        operation: 'destinations',
        authenticated: true,
        handle: (request) =>
          versioned(request) ??
          (request.params[0] === organization.id
            ? { status: 200, body: { id: Number(organization.id), localizedName: organization.name, vanityName: 'omni-demo' } }
            : linkedInError(404, 'NOT_FOUND', 'Organization not found')),
      },
      {
        method: 'POST',
        pattern: /^\/rest\/images$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          const owner = (request.json as { initializeUploadRequest?: { owner?: string } } | null)?.initializeUploadRequest?.owner;
          if (request.query.get('action') !== 'initializeUpload' || !owner) return linkedInError(400, 'ILLEGAL_ARGUMENT', 'initializeUploadRequest.owner is required');
          const urn = `urn:li:image:D4E${fakeNumericId()}`;
          images.push({ urn, owner, bytes: 0, uploaded: false });
          return {
            status: 200,
            body: { value: { uploadUrlExpiresAt: Date.now() + 3_600_000, uploadUrl: `${server.url}/dms-uploads/${encodeURIComponent(urn)}`, image: urn } },
          };
        },
      },
      {
        method: 'POST',
        pattern: /^\/rest\/videos$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          const action = request.query.get('action');
          if (action === 'initializeUpload') {
            const input = (request.json as { initializeUploadRequest?: { owner?: string; fileSizeBytes?: number } } | null)?.initializeUploadRequest;
            if (!input?.owner || typeof input.fileSizeBytes !== 'number' || input.fileSizeBytes <= 0) {
              return linkedInError(400, 'ILLEGAL_ARGUMENT', 'owner and fileSizeBytes are required');
            }
            const urn = `urn:li:video:C5F${fakeNumericId()}`;
            const partCount = Math.ceil(input.fileSizeBytes / videoPartBytes);
            const video = {
              urn,
              owner: input.owner,
              size: input.fileSizeBytes,
              parts: Array.from({ length: partCount }, () => ({ etag: null, bytes: 0 })),
              uploadToken: '',
              status: 'WAITING_UPLOAD' as const,
              statusChecks: 0,
            };
            videos.push(video);
            return {
              status: 200,
              body: {
                value: {
                  uploadUrlsExpireAt: Date.now() + 3_600_000,
                  video: urn,
                  uploadToken: video.uploadToken,
                  uploadInstructions: video.parts.map((_part, index) => ({
                    uploadUrl: `${server.url}/dms-video-uploads/${encodeURIComponent(urn)}/${index}`,
                    firstByte: index * videoPartBytes,
                    lastByte: Math.min((index + 1) * videoPartBytes, input.fileSizeBytes!) - 1,
                  })),
                },
              },
            };
          }
          if (action === 'finalizeUpload') {
            const input = (request.json as { finalizeUploadRequest?: { video?: string; uploadedPartIds?: string[] } } | null)?.finalizeUploadRequest;
            const video = videos.find((candidate) => candidate.urn === input?.video);
            if (!video) return linkedInError(400, 'ILLEGAL_ARGUMENT', 'Unknown video');
            const expected = video.parts.map((part) => part.etag);
            if (JSON.stringify(expected) !== JSON.stringify(input?.uploadedPartIds ?? [])) {
              return linkedInError(400, 'ILLEGAL_ARGUMENT', 'uploadedPartIds do not match the uploaded parts');
            }
            video.status = 'PROCESSING';
            return { status: 200 };
          }
          return linkedInError(400, 'ILLEGAL_ARGUMENT', `Unknown action ${action}`);
        },
      },
      {
        method: 'PUT',
        pattern: /^\/dms-video-uploads\/([^/]+)\/(\d+)$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const video = videos.find((candidate) => candidate.urn === request.params[0]);
          const part = video?.parts[Number(request.params[1])];
          if (!video || !part || request.rawBody.length === 0) return linkedInError(400, 'ILLEGAL_ARGUMENT', 'Unknown upload part or empty body');
          part.bytes = request.rawBody.length;
          part.etag = `"etag-${fakeNumericId()}"`;
          return { status: 200, headers: { etag: part.etag } };
        },
      },
      {
        method: 'GET',
        pattern: /^\/rest\/videos\/([^/]+)$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          const video = videos.find((candidate) => candidate.urn === request.params[0]);
          if (!video) return linkedInError(404, 'NOT_FOUND', 'Video not found');
          if (video.status === 'PROCESSING') {
            video.statusChecks += 1;
            // One PROCESSING answer first, as a real upload rarely is ready at once.
            if (video.statusChecks >= 2) video.status = videoProcessing === 'fail' ? 'PROCESSING_FAILED' : 'AVAILABLE';
          }
          return { status: 200, body: { id: video.urn, owner: video.owner, status: video.status, duration: 1000, aspectRatioWidth: 16, aspectRatioHeight: 9 } };
        },
      },
      {
        method: 'PUT',
        pattern: /^\/dms-uploads\/([^/]+)$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const image = images.find((candidate) => candidate.urn === request.params[0]);
          if (!image || request.rawBody.length === 0) return linkedInError(400, 'ILLEGAL_ARGUMENT', 'Unknown upload or empty body');
          image.bytes = request.rawBody.length;
          image.uploaded = true;
          return { status: 201 };
        },
      },
      {
        method: 'POST',
        pattern: /^\/rest\/posts$/,
        operation: 'publish',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          const body = (request.json ?? {}) as Record<string, unknown>;
          if (typeof body.author !== 'string' || typeof body.commentary !== 'string' || body.lifecycleState !== 'PUBLISHED') {
            return linkedInError(422, 'UNPROCESSABLE_ENTITY', 'author, commentary and lifecycleState are required');
          }
          const allowedAuthors = [`urn:li:person:${member.sub}`, `urn:li:organization:${organization.id}`];
          if (!allowedAuthors.includes(body.author)) return linkedInError(403, 'ACCESS_DENIED', `Not enough permissions to post as ${body.author}`);
          const content = (body.content ?? null) as Record<string, unknown> | null;
          const mediaIds = [
            (content?.media as { id?: string } | undefined)?.id,
            ...(((content?.multiImage as { images?: Array<{ id?: string }> } | undefined)?.images ?? []).map((image) => image.id)),
          ].filter((id): id is string => typeof id === 'string');
          const mediaReady = (id: string): boolean =>
            images.some((image) => image.urn === id && image.uploaded) || videos.some((video) => video.urn === id && video.status === 'AVAILABLE');
          if (mediaIds.some((id) => !mediaReady(id))) {
            return linkedInError(422, 'UNPROCESSABLE_ENTITY', 'Media is not uploaded');
          }
          const duplicate = posts.find((post) => post.author === body.author && post.commentary === body.commentary);
          if (duplicate) return linkedInError(422, 'DUPLICATE_POST', `Content is a duplicate of ${duplicate.id}`);
          const post: FakeLinkedInPost = {
            id: `urn:li:share:${fakeNumericId()}`,
            author: body.author,
            commentary: body.commentary,
            content,
            visibility: String(body.visibility),
            lifecycleState: 'PUBLISHED',
            createdAt: Date.now(),
          };
          posts.push(post);
          return { status: 201, headers: { 'x-restli-id': post.id, 'x-linkedin-id': post.id.split(':').pop()! } };
        },
      },
      {
        method: 'GET',
        pattern: /^\/rest\/posts$/,
        operation: 'lookup',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          if (request.query.get('q') !== 'author' || request.headers['x-restli-method'] !== 'FINDER') {
            return linkedInError(400, 'ILLEGAL_ARGUMENT', 'Use the author finder');
          }
          const start = Number(request.query.get('start') ?? 0);
          const count = Number(request.query.get('count') ?? 10);
          const found = posts
            .filter((post) => post.author === request.query.get('author'))
            .sort((a, b) => b.createdAt - a.createdAt)
            .slice(start, start + count);
          return {
            status: 200,
            body: {
              paging: { start, count, links: [] },
              elements: found.map((post) => ({ ...post, publishedAt: post.createdAt, lastModifiedAt: post.createdAt })),
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/rest\/socialActions\/([^/]+)$/,
        operation: 'metrics',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          if (!posts.some((post) => post.id === request.params[0])) return linkedInError(404, 'NOT_FOUND', 'Not found');
          return {
            status: 200,
            body: {
              target: request.params[0],
              likesSummary: { totalLikes: 17, likedByCurrentUser: false },
              commentsSummary: { aggregatedTotalComments: 5, totalFirstLevelComments: 4 },
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/rest\/organizationalEntityShareStatistics$/,
        operation: 'metrics',
        authenticated: true,
        handle: (request) => {
          const refused = versioned(request);
          if (refused) return refused;
          // Rest.li 2.0: shares=List(urn%3Ali%3Ashare%3A1); the query parser has decoded the URN inside.
          const list = request.query.get('shares') ?? request.query.get('ugcPosts') ?? '';
          const share = /^List\(([^,)]+)\)$/.exec(list)?.[1];
          if (request.query.get('q') !== 'organizationalEntity' || !share || !posts.some((post) => post.id === share)) {
            return linkedInError(400, 'ILLEGAL_ARGUMENT', 'Invalid share statistics query');
          }
          return {
            status: 200,
            body: {
              paging: { start: 0, count: 10, links: [] },
              elements: [
                {
                  organizationalEntity: request.query.get('organizationalEntity'),
                  share,
                  totalShareStatistics: {
                    uniqueImpressionsCount: 300,
                    shareCount: 6,
                    engagement: 0.05,
                    clickCount: 21,
                    likeCount: 30,
                    impressionCount: 450,
                    commentCount: 8,
                  },
                },
              ],
            },
          };
        },
      },
    ],
    {
      render: (status, message, kind) => {
        if (status === 401) return { status, serviceErrorCode: 65601, code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired' };
        if (kind === 'rate_limited') return { status, code: 'TOO_MANY_REQUESTS', message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.' };
        return { status, serviceErrorCode: 100, code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNPROCESSABLE_ENTITY', message };
      },
      rateLimitHeaders: (retryAfterSeconds) => ({ 'retry-after': String(retryAfterSeconds) }),
    },
  );

  return Object.assign(server, {
    clientId,
    clientSecret,
    member,
    organization,
    issueCode() {
      const code = fakeToken('lic');
      codes.add(code);
      return code;
    },
    grant() {
      const body = issueTokens();
      return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string };
    },
    setOrganizationAccess(allowed: boolean) {
      organizationAccess = allowed;
    },
    published: () => [...posts],
    uploadedImages: () => images.map(({ urn, owner, bytes }) => ({ urn, owner, bytes })),
    uploadedVideos: () => videos.map((video) => ({ urn: video.urn, owner: video.owner, status: video.status, partBytes: video.parts.map((part) => part.bytes) })),
    setVideoProcessing(outcome: 'succeed' | 'fail') {
      videoProcessing = outcome;
    },
  });
}
