import { fakeNumericId, fakeToken, startFakeHttpServer, type FakeHttpServer, type FakeRequest } from './network/fake-http-server.js';

/**
 * A fake Pinterest API v5: POST /v5/oauth/token (Basic client auth; authorization_code and refresh_token
 * with continuous refresh), GET /v5/boards, POST /v5/media + the storage upload + GET /v5/media/:id
 * (video registration and processing), POST /v5/pins, GET /v5/pins/:id, GET /v5/boards/:id/pins,
 * GET /v5/pins/:id/analytics. Errors use Pinterest's { code, message } body.
 */
export type FakePin = {
  id: string;
  boardId: string;
  title: string | null;
  description: string | null;
  link: string | null;
  note: string | null;
  altText: string | null;
  mediaSource: unknown;
  createdAt: string;
};

export type FakePinterest = FakeHttpServer & {
  clientId: string;
  clientSecret: string;
  /** An authorization code the token endpoint will accept once. */
  issueCode(): string;
  /** Access and refresh tokens valid right now, as after a connect. */
  grant(): { accessToken: string; refreshToken: string };
  /**
   * What a refresh answers: a new refresh token (continuous refresh, the default), no refresh_token
   * field, or an empty one. In the last two cases the presented refresh token stays valid.
   */
  setRefreshMode(mode: 'rotate' | 'omit' | 'empty'): void;
  boards: Array<{ id: string; name: string }>;
  published(): FakePin[];
  uploadedVideos(): Array<{ id: string; status: string; bytes: number }>;
  /** Whether video processing (GET /v5/media/:id) ends succeeded or failed. */
  setVideoProcessing(outcome: 'succeed' | 'fail'): void;
  /** Add a pin directly, e.g. older pins on the board. */
  addPin(pin: Partial<FakePin> & { boardId: string }): FakePin;
};

export async function startPinterestFake(): Promise<FakePinterest> {
  const clientId = 'pinterest-client';
  const clientSecret = 'pinterest-secret';
  const codes = new Set<string>();
  const refreshTokens = new Set<string>();
  const pins: FakePin[] = [];
  const boards = [
    { id: '900000000000000001', name: 'Recipes' },
    { id: '900000000000000002', name: 'Travel' },
  ];
  let refreshMode: 'rotate' | 'omit' | 'empty' = 'rotate';
  const videos: Array<{ id: string; status: 'registered' | 'processing' | 'succeeded' | 'failed'; bytes: number; statusChecks: number }> = [];
  let videoProcessing: 'succeed' | 'fail' = 'succeed';

  function issueTokens(withRefresh: boolean): Record<string, unknown> {
    const accessToken = fakeToken('pina');
    server.allowAccessToken(accessToken);
    const now = Math.floor(Date.now() / 1000);
    const body: Record<string, unknown> = {
      access_token: accessToken,
      response_type: 'authorization_code',
      token_type: 'bearer',
      expires_in: 2_592_000,
      scope: 'boards:read pins:read pins:write user_accounts:read',
    };
    if (withRefresh) {
      const refreshToken = fakeToken('pinr');
      refreshTokens.add(refreshToken);
      Object.assign(body, { refresh_token: refreshToken, refresh_token_expires_in: 31_536_000, refresh_token_expires_at: now + 31_536_000 });
    }
    return body;
  }

  function tokenEndpoint(request: FakeRequest) {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (request.headers.authorization !== expected) return { status: 401, body: { code: 2, message: 'Authentication failed.' } };
    const form = request.form ?? new URLSearchParams();
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      if (!codes.delete(code) || !form.get('redirect_uri')) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid authorization code' } };
      }
      return { status: 200, body: issueTokens(true) };
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      if (!refreshTokens.has(refreshToken)) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
      const rotate = refreshMode === 'rotate';
      if (rotate) refreshTokens.delete(refreshToken);
      const body = issueTokens(rotate);
      body.response_type = 'refresh_token';
      if (refreshMode === 'empty') body.refresh_token = '';
      return { status: 200, body };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  function pinBody(pin: FakePin) {
    return {
      id: pin.id,
      created_at: pin.createdAt,
      board_id: pin.boardId,
      title: pin.title,
      description: pin.description,
      link: pin.link,
      note: pin.note,
      alt_text: pin.altText,
    };
  }

  function addPin(input: Partial<FakePin> & { boardId: string }): FakePin {
    const pin: FakePin = {
      id: input.id ?? fakeNumericId(),
      boardId: input.boardId,
      title: input.title ?? null,
      description: input.description ?? null,
      link: input.link ?? null,
      note: input.note ?? null,
      altText: input.altText ?? null,
      mediaSource: input.mediaSource ?? null,
      createdAt: input.createdAt ?? new Date().toISOString(),
    };
    pins.push(pin);
    return pin;
  }

  const server = await startFakeHttpServer(
    [
      { method: 'POST', pattern: /^\/v5\/oauth\/token$/, operation: 'token', authenticated: false, handle: tokenEndpoint },
      {
        method: 'GET',
        pattern: /^\/v5\/boards$/,
        operation: 'destinations',
        authenticated: true,
        handle: (request) => {
          // Two pages, to exercise the bookmark.
          const second = request.query.get('bookmark') === 'page-2';
          const items = (second ? boards.slice(1) : boards.slice(0, 1)).map((board) => ({
            id: board.id,
            name: board.name,
            privacy: 'PUBLIC',
            media: { image_cover_url: null },
          }));
          return { status: 200, body: { items, bookmark: second ? null : 'page-2' } };
        },
      },
      {
        method: 'POST',
        pattern: /^\/v5\/media$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          if ((request.json as { media_type?: string } | null)?.media_type !== 'video') return { status: 400, body: { code: 1, message: 'media_type must be video' } };
          const id = fakeNumericId();
          videos.push({ id, status: 'registered', bytes: 0, statusChecks: 0 });
          return {
            status: 201,
            body: {
              media_id: id,
              media_type: 'video',
              upload_url: `${server.url}/storage-upload/${id}`,
              upload_parameters: { key: `uploads/${id}.mp4`, policy: 'signed-policy', 'x-amz-signature': 'signature', 'Content-Type': 'multipart/form-data' },
            },
          };
        },
      },
      {
        // The storage service the upload URL points at: no bearer, signed form fields, then the file.
        method: 'POST',
        pattern: /^\/storage-upload\/([^/]+)$/,
        operation: 'media',
        authenticated: false,
        handle: async (request) => {
          const video = videos.find((candidate) => candidate.id === request.params[0]);
          const form = await request.multipart();
          const file = form.get('file');
          if (!video || form.get('x-amz-signature') !== 'signature' || !(file instanceof Blob) || file.size === 0) {
            return { status: 403, raw: Buffer.from('<Error><Code>AccessDenied</Code></Error>'), headers: { 'content-type': 'application/xml' } };
          }
          video.bytes = file.size;
          video.status = 'processing';
          return { status: 204 };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v5\/media\/([^/]+)$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const video = videos.find((candidate) => candidate.id === request.params[0]);
          if (!video) return { status: 404, body: { code: 50, message: 'Media not found.' } };
          if (video.status === 'processing') {
            video.statusChecks += 1;
            if (video.statusChecks >= 2) video.status = videoProcessing === 'fail' ? 'failed' : 'succeeded';
          }
          return { status: 200, body: { media_id: video.id, media_type: 'video', status: video.status } };
        },
      },
      {
        method: 'POST',
        pattern: /^\/v5\/pins$/,
        operation: 'publish',
        authenticated: true,
        handle: (request) => {
          const body = (request.json ?? {}) as Record<string, unknown>;
          const source = body.media_source as { source_type?: string; url?: string; items?: unknown[]; media_id?: string } | undefined;
          if (typeof body.board_id !== 'string' || !boards.some((board) => board.id === body.board_id)) {
            return { status: 400, body: { code: 1, message: 'Invalid board_id' } };
          }
          const videoReady = videos.some((video) => video.id === source?.media_id && video.status === 'succeeded');
          if (
            !source ||
            (source.source_type === 'image_url' && !source.url) ||
            (source.source_type === 'multiple_image_urls' && !source.items?.length) ||
            (source.source_type === 'video_id' && !videoReady)
          ) {
            return { status: 400, body: { code: 1, message: 'media_source is invalid' } };
          }
          const pin = addPin({
            boardId: body.board_id,
            title: typeof body.title === 'string' ? body.title : null,
            description: typeof body.description === 'string' ? body.description : null,
            link: typeof body.link === 'string' ? body.link : null,
            note: typeof body.note === 'string' ? body.note : null,
            altText: typeof body.alt_text === 'string' ? body.alt_text : null,
            mediaSource: source,
          });
          return { status: 201, body: pinBody(pin) };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v5\/boards\/([^/]+)\/pins$/,
        operation: 'lookup',
        authenticated: true,
        handle: (request) => {
          const boardPins = pins.filter((pin) => pin.boardId === request.params[0]).reverse();
          return { status: 200, body: { items: boardPins.map(pinBody), bookmark: null } };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v5\/pins\/([^/]+)\/analytics$/,
        operation: 'metrics',
        authenticated: true,
        handle: (request) => {
          const pin = pins.find((candidate) => candidate.id === request.params[0]);
          if (!pin) return { status: 404, body: { code: 50, message: 'Pin not found.' } };
          if (!request.query.get('start_date') || !request.query.get('end_date')) {
            return { status: 400, body: { code: 1, message: 'start_date and end_date are required' } };
          }
          return {
            status: 200,
            body: {
              all: {
                daily_metrics: [],
                summary_metrics: { IMPRESSION: 120, SAVE: 7, PIN_CLICK: 15, OUTBOUND_CLICK: 9 },
                lifetime_metrics: { TOTAL_COMMENTS: 2, TOTAL_REACTIONS: 11 },
              },
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v5\/pins\/([^/]+)$/,
        operation: 'lookup',
        authenticated: true,
        handle: (request) => {
          const pin = pins.find((candidate) => candidate.id === request.params[0]);
          return pin ? { status: 200, body: pinBody(pin) } : { status: 404, body: { code: 50, message: 'Pin not found.' } };
        },
      },
    ],
    {
      render: (status, message, kind) => {
        if (kind === 'rate_limited') return { code: 8, message: 'You have exceeded your rate limit. Try again later.' };
        if (status === 401) return { code: 2, message: 'Authentication failed.' };
        return { code: status >= 500 ? 0 : 1, message };
      },
      rateLimitHeaders: (retryAfterSeconds) => ({ 'retry-after': String(retryAfterSeconds) }),
    },
  );

  return Object.assign(server, {
    clientId,
    clientSecret,
    issueCode(): string {
      const code = fakeToken('pinc');
      codes.add(code);
      return code;
    },
    grant() {
      const body = issueTokens(true);
      return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string };
    },
    setRefreshMode(mode: 'rotate' | 'omit' | 'empty') {
      refreshMode = mode;
    },
    boards,
    published: () => [...pins],
    uploadedVideos: () => videos.map(({ id, status, bytes }) => ({ id, status, bytes })),
    setVideoProcessing(outcome: 'succeed' | 'fail') {
      videoProcessing = outcome;
    },
    addPin,
  });
}
