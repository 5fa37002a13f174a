import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFacebookFake, type FakeFacebook } from '../../../test/fakes/facebook.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { decryptSecret } from '../../kernel/crypto/secrets.js';
import { getProvider, overrideProvider } from './index.js';
import type { SocialProvider } from './providers/provider.js';

/** The OAuth connect flow end to end: the API, the fake Facebook Graph API, and the database. */
describe('social connect flow (Facebook Pages)', () => {
  let t: TestApp;
  let fake: FakeFacebook;
  let owner: RegisteredTenant;

  beforeAll(async () => {
    fake = await startFacebookFake();
    t = await createTestApp({
      FACEBOOK_APP_ID: fake.appId,
      FACEBOOK_APP_SECRET: fake.appSecret,
      FACEBOOK_GRAPH_URL: fake.url,
      FACEBOOK_DIALOG_URL: 'https://dialog.facebook.test',
      PUBLIC_URL: 'https://console.omni.test',
    });
    owner = await registerTenant(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  async function startConnect(token = owner.token): Promise<{ state: string; redirectUri: string; url: URL }> {
    const response = await request(t.app, { method: 'POST', url: '/api/social/connect/facebook', token, payload: {} });
    expect(response.statusCode).toBe(200);
    const url = new URL(response.json().authorizationUrl);
    return { state: url.searchParams.get('state')!, redirectUri: url.searchParams.get('redirect_uri')!, url };
  }

  function callback(query: Record<string, string>) {
    return request(t.app, { url: `/api/social/callback/facebook?${new URLSearchParams(query).toString()}` });
  }

  async function connectThroughCallback(token = owner.token): Promise<string> {
    const { state, redirectUri } = await startConnect(token);
    const response = await callback({ code: fake.issueCode(redirectUri), state });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location as string);
    return location.searchParams.get('selection')!;
  }

  it('lists Facebook (configured) and the sandbox as connectable, but not unconfigured networks', async () => {
    const response = await request(t.app, { url: '/api/social/networks', token: owner.token });
    const ids = response.json().items.map((network: { id: string }) => network.id);
    expect(ids).toEqual(expect.arrayContaining(['facebook', 'instagram', 'sandbox']));
    expect(ids).not.toContain('linkedin');
  });

  it('connects: authorization URL, callback, destination choice, and tokens encrypted at rest', async () => {
    const { state, redirectUri, url } = await startConnect();
    expect(url.origin).toBe('https://dialog.facebook.test');
    expect(redirectUri).toBe('https://console.omni.test/api/social/callback/facebook');
    const stored = await t.owner.query('SELECT state_hash, expires_at FROM oauth_states WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1', [owner.tenant.id]);
    expect(stored.rows[0].state_hash).toBe(createHash('sha256').update(state).digest('hex'));
    expect(new Date(stored.rows[0].expires_at).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60 * 1000);

    const response = await callback({ code: fake.issueCode(redirectUri), state });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location as string);
    expect(location.origin + location.pathname).toBe('https://console.omni.test/connections');
    const selectionId = location.searchParams.get('selection')!;
    const pending = await t.owner.query('SELECT pending_encrypted FROM oauth_states WHERE id = $1', [selectionId]);
    expect(pending.rows[0].pending_encrypted).toMatch(/^v1\./);
    expect(pending.rows[0].pending_encrypted).not.toContain(fake.pages[0]!.accessToken);

    const selection = await request(t.app, { url: `/api/social/selections/${selectionId}`, token: owner.token });
    expect(selection.statusCode).toBe(200);
    expect(selection.json().destinations.map((destination: { name: string }) => destination.name)).toEqual(['Corner Bakery', 'Harbour Cafe']);
    expect(JSON.stringify(selection.json())).not.toContain(fake.pages[0]!.accessToken);

    const created = await request(t.app, { method: 'POST', url: '/api/social/connections', token: owner.token, payload: { selectionId, destinationIds: [fake.pages[0]!.id] } });
    expect(created.statusCode).toBe(201);
    const connection = created.json().items[0];
    expect(connection).toMatchObject({ network: 'facebook', status: 'active', needsReconnect: false, destination: { externalId: fake.pages[0]!.id, name: 'Corner Bakery', kind: 'page' } });
    expect(JSON.stringify(created.json())).not.toMatch(/EAA/);

    const row = (await t.owner.query('SELECT * FROM social_connections WHERE id = $1', [connection.id])).rows[0];
    expect(row.access_token_encrypted).toMatch(/^v1\.k1\./);
    expect(row.destination_token_encrypted).not.toBe(fake.pages[0]!.accessToken);
    expect(decryptSecret(t.kernel.config, row.destination_token_encrypted)).toBe(fake.pages[0]!.accessToken);
    expect(fake.isAccessTokenValid(decryptSecret(t.kernel.config, row.access_token_encrypted))).toBe(true);
    const afterChoice = await t.owner.query('SELECT pending_encrypted, completed_at FROM oauth_states WHERE id = $1', [selectionId]);
    expect(afterChoice.rows[0]).toMatchObject({ pending_encrypted: null, completed_at: expect.any(Date) });

    const list = await request(t.app, { url: '/api/social/connections', token: owner.token });
    expect(list.json().items.map((item: { id: string }) => item.id)).toContain(connection.id);
  });

  it('refuses a reused, unknown, expired or missing state with a clear 400', async () => {
    const { state, redirectUri } = await startConnect();
    expect((await callback({ code: fake.issueCode(redirectUri), state })).statusCode).toBe(302);
    const reused = await callback({ code: fake.issueCode(redirectUri), state });
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ code: 'social.oauth_state_used' });

    const unknown = await callback({ code: 'x', state: 'not-a-state-we-issued' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('social.oauth_state_invalid');

    const late = await startConnect();
    await t.owner.query(`UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE state_hash = $1`, [createHash('sha256').update(late.state).digest('hex')]);
    const expired = await callback({ code: fake.issueCode(late.redirectUri), state: late.state });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().code).toBe('social.oauth_state_expired');

    const missing = await callback({ code: 'x' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('social.oauth_state_missing');
  });

  it('a state started for one network is refused on another network’s callback', async () => {
    const { state } = await startConnect();
    const response = await request(t.app, { url: `/api/social/callback/instagram?code=x&state=${state}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('social.oauth_state_invalid');
  });

  it('sends the person back to the console with an error when they cancel or the exchange fails', async () => {
    const cancelled = await startConnect();
    const denied = await callback({ state: cancelled.state, error: 'access_denied', error_description: 'Permissions error' });
    expect(denied.statusCode).toBe(302);
    expect(new URL(denied.headers.location as string).searchParams.get('error')).toBe('access_denied');

    const failing = await startConnect();
    const response = await callback({ code: 'a-code-facebook-never-issued', state: failing.state });
    expect(response.statusCode).toBe(302);
    expect(new URL(response.headers.location as string).searchParams.get('error')).toBe('connect_failed');
  });

  it('keeps a selection to the person who started it, single use', async () => {
    const selectionId = await connectThroughCallback();
    const colleague = await addMember(t, owner.token, { role: 'admin', accountId: owner.accountId });
    const foreign = await request(t.app, { url: `/api/social/selections/${selectionId}`, token: colleague.token });
    expect(foreign.statusCode).toBe(404);
    const foreignChoice = await request(t.app, { method: 'POST', url: '/api/social/connections', token: colleague.token, payload: { selectionId, destinationIds: [fake.pages[1]!.id] } });
    expect(foreignChoice.statusCode).toBe(404);

    const notOffered = await request(t.app, { method: 'POST', url: '/api/social/connections', token: owner.token, payload: { selectionId, destinationIds: ['999'] } });
    expect(notOffered.statusCode).toBe(400);
    expect(notOffered.json().code).toBe('social.destination_unknown');

    const first = await request(t.app, { method: 'POST', url: '/api/social/connections', token: owner.token, payload: { selectionId, destinationIds: [fake.pages[1]!.id] } });
    expect(first.statusCode).toBe(201);
    const again = await request(t.app, { method: 'POST', url: '/api/social/connections', token: owner.token, payload: { selectionId, destinationIds: [fake.pages[1]!.id] } });
    expect(again.statusCode).toBe(409);
  });

  it('refuses an expired selection with 410', async () => {
    const selectionId = await connectThroughCallback();
    await t.owner.query(`UPDATE oauth_states SET pending_expires_at = now() - interval '1 second' WHERE id = $1`, [selectionId]);
    const response = await request(t.app, { method: 'POST', url: '/api/social/connections', token: owner.token, payload: { selectionId, destinationIds: [fake.pages[0]!.id] } });
    expect(response.statusCode).toBe(410);
    expect(response.json().code).toBe('social.selection_expired');
  });

  it('connecting the same page again renews the one connection instead of adding a second', async () => {
    const before = (await t.owner.query('SELECT count(*)::int AS count FROM social_connections WHERE tenant_id = $1', [owner.tenant.id])).rows[0].count;
    for (let round = 0; round < 2; round += 1) {
      const selectionId = await connectThroughCallback();
      const created = await request(t.app, { method: 'POST', url: '/api/social/connections', token: owner.token, payload: { selectionId, destinationIds: [fake.pages[0]!.id] } });
      expect(created.statusCode).toBe(201);
    }
    const after = (await t.owner.query('SELECT count(*)::int AS count FROM social_connections WHERE tenant_id = $1', [owner.tenant.id])).rows[0].count;
    expect(after).toBe(Math.max(before, 1));
  });

  it('sends a PKCE S256 challenge and then the verifier where the network uses PKCE', async () => {
    const facebook = getProvider(t.kernel, 'facebook');
    const verifiers: Array<string | null> = [];
    const withPkce: SocialProvider = {
      ...facebook,
      oauth: {
        ...facebook.oauth!,
        usesPkce: true,
        exchangeCode: (input) => {
          verifiers.push(input.codeVerifier);
          return facebook.oauth!.exchangeCode(input);
        },
      },
    };
    overrideProvider(t.kernel, withPkce);
    try {
      const { state, redirectUri, url } = await startConnect();
      const challenge = url.searchParams.get('code_challenge');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect((await callback({ code: fake.issueCode(redirectUri), state })).statusCode).toBe(302);
      expect(verifiers).toHaveLength(1);
      expect(createHash('sha256').update(verifiers[0]!).digest('base64url')).toBe(challenge);
      const stored = await t.owner.query('SELECT code_verifier_encrypted FROM oauth_states WHERE state_hash = $1', [createHash('sha256').update(state).digest('hex')]);
      expect(stored.rows[0].code_verifier_encrypted).toMatch(/^v1\./);
      expect(stored.rows[0].code_verifier_encrypted).not.toContain(verifiers[0]);
    } finally {
      overrideProvider(t.kernel, facebook);
    }
  });

  it('forgets a person’s OAuth round trips older than a day when they start a new one', async () => {
    const old = await startConnect();
    const oldHash = createHash('sha256').update(old.state).digest('hex');
    await t.owner.query(`UPDATE oauth_states SET created_at = now() - interval '25 hours' WHERE state_hash = $1`, [oldHash]);
    const fresh = await startConnect();
    const remaining = await t.owner.query('SELECT state_hash FROM oauth_states WHERE state_hash = ANY($1)', [[oldHash, createHash('sha256').update(fresh.state).digest('hex')]]);
    expect(remaining.rows.map((row) => row.state_hash)).toEqual([createHash('sha256').update(fresh.state).digest('hex')]);
  });

  it('only account admins and tenant admins may connect; viewers may list', async () => {
    const viewer = await addMember(t, owner.token, { role: 'viewer', accountId: owner.accountId });
    expect((await request(t.app, { url: '/api/social/connections', token: viewer.token })).statusCode).toBe(200);
    expect((await request(t.app, { method: 'POST', url: '/api/social/connect/facebook', token: viewer.token, payload: {} })).statusCode).toBe(403);
    expect((await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: viewer.token, payload: { name: 'x' } })).statusCode).toBe(403);
  });

  it('answers 404 for an unknown network and 400 for connecting the sandbox through OAuth', async () => {
    expect((await request(t.app, { method: 'POST', url: '/api/social/connect/myspace', token: owner.token, payload: {} })).statusCode).toBe(404);
    const sandbox = await request(t.app, { method: 'POST', url: '/api/social/connect/sandbox', token: owner.token, payload: {} });
    expect(sandbox.statusCode).toBe(400);
    expect(sandbox.json().code).toBe('social.no_oauth');
  });
});
