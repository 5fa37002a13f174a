import type { FastifyInstance } from 'fastify';
import { startFacebookFake, type FakeFacebook } from '../fakes/facebook.js';
import { startLinkedInFake, type FakeLinkedIn } from '../fakes/linkedin.js';
import type { FakeFailure, FakeHttpServer } from '../fakes/network/fake-http-server.js';
import { startPinterestFake, type FakePinterest } from '../fakes/pinterest.js';
import { startXFake, type FakeX } from '../fakes/x.js';
import { request } from '../harness.js';

/** The networks of the crash test: four real providers against their local fakes, and the Sandbox. */
export type CrashNetwork = 'x' | 'linkedin' | 'pinterest' | 'facebook' | 'sandbox';
export const fakeNetworks = ['x', 'linkedin', 'pinterest', 'facebook'] as const;
export type FakeNetwork = (typeof fakeNetworks)[number];

export type CrashFakes = {
  x: FakeX;
  linkedin: FakeLinkedIn;
  pinterest: FakePinterest;
  facebook: FakeFacebook;
  /** Config settings pointing every provider at its fake (for the test's app and the workers alike). */
  settings: Record<string, string>;
  close(): Promise<void>;
};

export const publicUrl = 'https://console.omni.test';

export async function startCrashFakes(): Promise<CrashFakes> {
  const [x, linkedin, pinterest, facebook] = await Promise.all([startXFake(), startLinkedInFake(), startPinterestFake(), startFacebookFake()]);
  return {
    x,
    linkedin,
    pinterest,
    facebook,
    settings: {
      PUBLIC_URL: publicUrl,
      X_API_URL: x.url,
      X_OAUTH_URL: x.url,
      X_CLIENT_ID: x.clientId,
      X_CLIENT_SECRET: x.clientSecret,
      LINKEDIN_API_URL: linkedin.url,
      LINKEDIN_OAUTH_URL: linkedin.url,
      LINKEDIN_CLIENT_ID: linkedin.clientId,
      LINKEDIN_CLIENT_SECRET: linkedin.clientSecret,
      PINTEREST_API_URL: pinterest.url,
      PINTEREST_OAUTH_URL: pinterest.url,
      PINTEREST_CLIENT_ID: pinterest.clientId,
      PINTEREST_CLIENT_SECRET: pinterest.clientSecret,
      FACEBOOK_APP_ID: facebook.appId,
      FACEBOOK_APP_SECRET: facebook.appSecret,
      FACEBOOK_GRAPH_URL: facebook.url,
      FACEBOOK_DIALOG_URL: 'https://dialog.facebook.test',
      // Pins carry an image served by the Pinterest fake (loopback, http): allowed for tests only.
      MEDIA_FETCH_ALLOWED_ORIGINS: pinterest.url,
      MEDIA_FETCH_ALLOW_LOOPBACK: 'true',
    },
    async close() {
      await Promise.all([x.close(), linkedin.close(), pinterest.close(), facebook.close()]);
    },
  };
}

export function fakeOf(fakes: CrashFakes, network: FakeNetwork): FakeHttpServer {
  return fakes[network];
}

/**
 * Connect `network` for the tenant the way a person does: POST /api/social/connect/:network, the
 * network's consent (the fake issues the code), the callback, then the destinations chosen.
 */
export async function connectThroughOAuth(app: FastifyInstance, token: string, fakes: CrashFakes, network: FakeNetwork, destinationIds: string[]): Promise<string[]> {
  const started = await request(app, { method: 'POST', url: `/api/social/connect/${network}`, token, payload: {} });
  if (started.statusCode !== 200) throw new Error(`connect ${network}: ${started.statusCode} ${started.body}`);
  const authorization = new URL(started.json<{ authorizationUrl: string }>().authorizationUrl);
  const redirectUri = authorization.searchParams.get('redirect_uri')!;
  const code =
    network === 'x'
      ? fakes.x.issueCode(authorization.searchParams.get('code_challenge')!)
      : network === 'facebook'
        ? fakes.facebook.issueCode(redirectUri)
        : fakes[network].issueCode();
  const query = new URLSearchParams({ code, state: authorization.searchParams.get('state')! });
  const callback = await request(app, { url: `/api/social/callback/${network}?${query.toString()}` });
  const location = callback.headers.location ? new URL(callback.headers.location as string) : null;
  const selectionId = location?.searchParams.get('selection');
  if (callback.statusCode !== 302 || !selectionId) throw new Error(`callback ${network}: ${callback.statusCode} ${callback.headers.location ?? callback.body}`);
  const created = await request(app, { method: 'POST', url: '/api/social/connections', token, payload: { selectionId, destinationIds } });
  if (created.statusCode !== 201) throw new Error(`connections ${network}: ${created.statusCode} ${created.body}`);
  return created.json<{ items: Array<{ id: string }> }>().items.map((item) => item.id);
}

export async function connectSandbox(app: FastifyInstance, token: string, name: string): Promise<string> {
  const created = await request(app, { method: 'POST', url: '/api/social/connections/sandbox', token, payload: { name } });
  if (created.statusCode !== 201) throw new Error(`sandbox connection: ${created.statusCode} ${created.body}`);
  return created.json<{ id: string }>().id;
}

/** A post as a fake network stored it: its id there, the text it carries, and the key where the network keeps one. */
export type StoredPost = { network: CrashNetwork; externalId: string; text: string; idempotencyKey: string | null };

/** Every post each fake network holds right now. */
export function postsOnFakes(fakes: CrashFakes): StoredPost[] {
  return [
    ...fakes.x.published().map((post) => ({ network: 'x' as const, externalId: post.id, text: post.text, idempotencyKey: null })),
    ...fakes.linkedin.published().map((post) => ({ network: 'linkedin' as const, externalId: post.id, text: post.commentary, idempotencyKey: null })),
    ...fakes.facebook.published().map((post) => ({ network: 'facebook' as const, externalId: post.id, text: post.message, idempotencyKey: null })),
    // Pinterest keeps our idempotency key in the pin's private note ("omni:<key>").
    ...fakes.pinterest.published().map((pin) => ({
      network: 'pinterest' as const,
      externalId: pin.id,
      text: pin.description ?? '',
      idempotencyKey: pin.note?.startsWith('omni:') ? pin.note.slice('omni:'.length) : null,
    })),
  ];
}

/** The failures injected into publish calls while workers are being killed. */
export const injectedFailures: FakeFailure[] = [{ kind: 'response_lost' }, { kind: 'server_error' }, { kind: 'rate_limited', retryAfterSeconds: 1 }];
