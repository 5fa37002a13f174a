import { createHash } from 'node:crypto';
import { fakeNumericId, fakeToken, startFakeHttpServer, type FakeHttpServer, type FakeReply, type FakeRequest } from './network/fake-http-server.js';

/**
 * A fake X API v2: POST /2/oauth2/token (PKCE S256 verified; rotating refresh tokens), GET /2/users/me,
 * POST /2/media/upload (multipart: one-shot images, and INIT/APPEND/FINALIZE for video with GET STATUS
 * polling), POST /2/media/metadata, POST /2/tweets (duplicate text refused with
 * 403 like X), GET /2/users/:id/tweets (text as X returns it: URLs as t.co links, & as &amp;, a media
 * link appended), GET /2/tweets/:id with public_metrics. Errors use X's problem body; 429 carries
 * x-rate-limit-reset (epoch seconds).
 */
export type FakeXPost = { id: string; authorId: string; text: string; mediaIds: string[]; inReplyTo: string | null; createdAt: string };

export type FakeX = FakeHttpServer & {
  clientId: string;
  clientSecret: string;
  user: { id: string; username: string; name: string };
  /** An authorization code bound to this PKCE challenge. */
  issueCode(codeChallenge: string): string;
  grant(): { accessToken: string; refreshToken: string };
  published(): FakeXPost[];
  uploadedMedia(): Array<{ id: string; category: string | null; bytes: number; altText: string | null; ready: boolean }>;
  /** Whether video processing (polled with STATUS) ends in succeeded or failed. */
  setVideoProcessing(outcome: 'succeed' | 'fail'): void;
};

function asXReturnsIt(post: FakeXPost): string {
  let text = post.text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/https?:\/\/\S+/g, () => `https://t.co/${Math.random().toString(36).slice(2, 12)}`);
  if (post.mediaIds.length > 0) text += ` https://t.co/${Math.random().toString(36).slice(2, 12)}`;
  return text;
}

export async function startXFake(): Promise<FakeX> {
  const clientId = 'x-client';
  const clientSecret = 'x-secret';
  const user = { id: '1500000000000000001', username: 'omni_demo', name: 'Omni Demo' };
  const codes = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const posts: FakeXPost[] = [];
  const media: Array<{ id: string; category: string | null; bytes: number; altText: string | null; ready: boolean }> = [];
  const sessions = new Map<string, { id: string; totalBytes: number; received: number; segments: number; finalized: boolean; statusChecks: number }>();
  let videoProcessing: 'succeed' | 'fail' = 'succeed';

  /** The chunked upload commands: INIT, APPEND, FINALIZE (answered with processing_info: poll STATUS). */
  async function chunkedUpload(command: string, form: FormData): Promise<FakeReply> {
    const invalid = (detail: string): FakeReply => ({ status: 400, body: { title: 'Invalid Request', detail, status: 400, type: 'about:blank' } });
    if (command === 'INIT') {
      const totalBytes = Number(form.get('total_bytes'));
      if (!form.get('media_type') || !Number.isInteger(totalBytes) || totalBytes <= 0) return invalid('media_type and total_bytes are required');
      const id = fakeNumericId();
      sessions.set(id, { id, totalBytes, received: 0, segments: 0, finalized: false, statusChecks: 0 });
      const category = form.get('media_category');
      media.push({ id, category: typeof category === 'string' ? category : null, bytes: 0, altText: null, ready: false });
      return { status: 200, body: { data: { id, media_key: `7_${id}`, expires_after_secs: 86_400 } } };
    }
    const session = sessions.get(String(form.get('media_id') ?? ''));
    if (!session || session.finalized) return invalid('Unknown or finalized media id');
    if (command === 'APPEND') {
      const chunk = form.get('media');
      if (!(chunk instanceof Blob) || Number(form.get('segment_index')) !== session.segments) return invalid('Segments must arrive in order');
      session.segments += 1;
      session.received += (await chunk.arrayBuffer()).byteLength;
      return { status: 200, body: {} };
    }
    if (command === 'FINALIZE') {
      if (session.received !== session.totalBytes) return invalid(`Received ${session.received} of ${session.totalBytes} bytes`);
      session.finalized = true;
      media.find((item) => item.id === session.id)!.bytes = session.received;
      return { status: 200, body: { data: { id: session.id, media_key: `7_${session.id}`, processing_info: { state: 'pending', check_after_secs: 0 } } } };
    }
    return invalid(`Unknown command ${command}`);
  }

  function issueTokens(): { access_token: string; refresh_token: string } & Record<string, unknown> {
    const accessToken = fakeToken('xa');
    const refreshToken = fakeToken('xr');
    server.allowAccessToken(accessToken);
    refreshTokens.add(refreshToken);
    return {
      token_type: 'bearer',
      expires_in: 7200,
      access_token: accessToken,
      scope: 'tweet.read tweet.write users.read offline.access media.write',
      refresh_token: refreshToken,
    };
  }

  function tokenEndpoint(request: FakeRequest) {
    const form = request.form ?? new URLSearchParams();
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (request.headers.authorization !== expected || form.get('client_id') !== clientId) {
      return { status: 401, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } };
    }
    if (form.get('grant_type') === 'authorization_code') {
      const challenge = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!challenge) return { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' } };
      codes.delete(form.get('code') ?? '');
      if (createHash('sha256').update(verifier).digest('base64url') !== challenge) {
        return { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the code verifier did not match.' } };
      }
      return { status: 200, body: issueTokens() };
    }
    if (form.get('grant_type') === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      if (!refreshTokens.delete(refreshToken)) {
        return { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } };
      }
      return { status: 200, body: issueTokens() };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  const server = await startFakeHttpServer(
    [
      { method: 'POST', pattern: /^\/2\/oauth2\/token$/, operation: 'token', authenticated: false, handle: tokenEndpoint },
      {
        method: 'GET',
        pattern: /^\/2\/users\/me$/,
        operation: 'destinations',
        authenticated: true,
        handle: () => ({ status: 200, body: { data: { ...user, profile_image_url: 'https://pbs.twimg.com/profile_images/omni.png' } } }),
      },
      {
        method: 'POST',
        pattern: /^\/2\/media\/upload$/,
        operation: 'media',
        authenticated: true,
        handle: async (request) => {
          const form = await request.multipart();
          const command = form.get('command');
          if (typeof command === 'string') return chunkedUpload(command, form);
          const file = form.get('media');
          if (!(file instanceof Blob) || file.size === 0) {
            return { status: 400, body: { title: 'Invalid Request', detail: 'media is required', status: 400, type: 'about:blank' } };
          }
          const category = form.get('media_category');
          const id = fakeNumericId();
          media.push({ id, category: typeof category === 'string' ? category : null, bytes: file.size, altText: null, ready: true });
          return {
            status: 200,
            body: { data: { id, media_key: `3_${id}`, size: file.size, expires_after_secs: 86_400, image: { image_type: file.type, w: 1, h: 1 } } },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/2\/media\/upload$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const session = sessions.get(request.query.get('media_id') ?? '');
          if (request.query.get('command') !== 'STATUS' || !session?.finalized) {
            return { status: 400, body: { title: 'Invalid Request', detail: 'Unknown media id', status: 400, type: 'about:blank' } };
          }
          session.statusChecks += 1;
          const state = videoProcessing === 'fail' ? 'failed' : session.statusChecks >= 2 ? 'succeeded' : 'in_progress';
          if (state === 'succeeded') media.find((item) => item.id === session.id)!.ready = true;
          return {
            status: 200,
            body: {
              data: {
                id: session.id,
                media_key: `7_${session.id}`,
                processing_info: {
                  state,
                  ...(state === 'in_progress' ? { check_after_secs: 0, progress_percent: 50 } : {}),
                  ...(state === 'failed' ? { error: { code: 1, name: 'InvalidMedia', message: 'Unsupported video format' } } : {}),
                },
              },
            },
          };
        },
      },
      {
        method: 'POST',
        pattern: /^\/2\/media\/metadata$/,
        operation: 'media',
        authenticated: true,
        handle: (request) => {
          const body = (request.json ?? {}) as { id?: string; metadata?: { alt_text?: { text?: string } } };
          const item = media.find((candidate) => candidate.id === body.id);
          if (!item) return { status: 400, body: { title: 'Invalid Request', detail: 'Unknown media id', status: 400, type: 'about:blank' } };
          item.altText = body.metadata?.alt_text?.text ?? null;
          return { status: 200, body: { data: { id: item.id, associated_metadata: { alt_text: { text: item.altText } } } } };
        },
      },
      {
        method: 'POST',
        pattern: /^\/2\/tweets$/,
        operation: 'publish',
        authenticated: true,
        handle: (request) => {
          const body = (request.json ?? {}) as { text?: string; media?: { media_ids?: string[] }; reply?: { in_reply_to_tweet_id?: string } };
          if (!body.text) return { status: 400, body: { title: 'Invalid Request', detail: 'text is required', status: 400, type: 'about:blank' } };
          if (posts.some((post) => post.text === body.text)) {
            return {
              status: 403,
              body: { title: 'Forbidden', detail: 'You are not allowed to create a Tweet with duplicate content.', status: 403, type: 'about:blank' },
            };
          }
          const mediaIds = body.media?.media_ids ?? [];
          if (mediaIds.some((id) => !media.some((item) => item.id === id && item.ready))) {
            return { status: 400, body: { title: 'Invalid Request', detail: 'Your media IDs are invalid.', status: 400, type: 'about:blank' } };
          }
          const inReplyTo = body.reply?.in_reply_to_tweet_id ?? null;
          if (inReplyTo && !posts.some((post) => post.id === inReplyTo)) {
            return { status: 400, body: { title: 'Invalid Request', detail: 'The post you are replying to does not exist.', status: 400, type: 'about:blank' } };
          }
          const post: FakeXPost = { id: fakeNumericId(), authorId: user.id, text: body.text, mediaIds, inReplyTo, createdAt: new Date().toISOString() };
          posts.push(post);
          return { status: 201, body: { data: { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] } } };
        },
      },
      {
        method: 'GET',
        pattern: /^\/2\/users\/([^/]+)\/tweets$/,
        operation: 'lookup',
        authenticated: true,
        handle: (request) => {
          const startTime = request.query.get('start_time');
          if (startTime && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(startTime)) {
            return { status: 400, body: { title: 'Invalid Request', detail: 'Invalid start_time', status: 400, type: 'about:blank' } };
          }
          const excludeReplies = (request.query.get('exclude') ?? '').includes('replies');
          const found = posts
            .filter((post) => post.authorId === request.params[0])
            .filter((post) => !startTime || Date.parse(post.createdAt) >= Date.parse(startTime))
            .filter((post) => !excludeReplies || !post.inReplyTo)
            .reverse();
          return {
            status: 200,
            body: {
              data: found.map((post) => ({ id: post.id, text: asXReturnsIt(post), created_at: post.createdAt, edit_history_tweet_ids: [post.id] })),
              meta: { result_count: found.length },
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/2\/tweets\/([^/]+)$/,
        operation: 'metrics',
        authenticated: true,
        handle: (request) => {
          const post = posts.find((candidate) => candidate.id === request.params[0]);
          if (!post) {
            return { status: 200, body: { errors: [{ title: 'Not Found Error', detail: `Could not find tweet with id: [${request.params[0]}].`, type: 'https://api.twitter.com/2/problems/resource-not-found' }] } };
          }
          return {
            status: 200,
            body: {
              data: {
                id: post.id,
                text: asXReturnsIt(post),
                public_metrics: { retweet_count: 3, reply_count: 4, like_count: 25, quote_count: 1, bookmark_count: 2, impression_count: 900 },
              },
            },
          };
        },
      },
    ],
    {
      render: (status, message) => {
        if (status === 401) return { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
        if (status === 429) return { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 };
        return { title: status >= 500 ? 'Internal Server Error' : 'Forbidden', detail: message, type: 'about:blank', status };
      },
      rateLimitHeaders: (retryAfterSeconds) => ({
        'x-rate-limit-limit': '100',
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + retryAfterSeconds),
      }),
    },
  );

  return Object.assign(server, {
    clientId,
    clientSecret,
    user,
    issueCode(codeChallenge: string) {
      const code = fakeToken('xc');
      codes.set(code, codeChallenge);
      return code;
    },
    grant() {
      const body = issueTokens();
      return { accessToken: body.access_token, refreshToken: body.refresh_token };
    },
    published: () => [...posts],
    uploadedMedia: () => media.map((item) => ({ ...item })),
    setVideoProcessing(outcome: 'succeed' | 'fail') {
      videoProcessing = outcome;
    },
  });
}
