import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFacebookFake, type FakeFacebook } from '../../../test/fakes/facebook.js';
import { connectFacebookPage as connectPage } from '../../../test/factories/social.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { decryptSecret, encryptSecret } from '../../kernel/crypto/secrets.js';
import { ProviderError, getProvider, loadPublishingConnection, overrideProvider, reportConnectionProblem, type ProviderTokens, type SocialProvider } from './index.js';

/**
 * What the publishing engine relies on: decrypted credentials, refresh per the network's model (and
 * serialized), flagging and notifying on lost access, and tenant isolation of connections.
 */
describe('social connections for publishing', () => {
  let t: TestApp;
  let fake: FakeFacebook;
  let owner: RegisteredTenant;

  beforeAll(async () => {
    fake = await startFacebookFake();
    t = await createTestApp({ FACEBOOK_APP_ID: fake.appId, FACEBOOK_APP_SECRET: fake.appSecret, FACEBOOK_GRAPH_URL: fake.url, PUBLIC_URL: 'https://console.omni.test' });
    owner = await registerTenant(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  /** Connect a Facebook page through the API and the fake; returns the connection id. */
  const connectFacebookPage = (tenant: RegisteredTenant = owner, pageIndex = 0): Promise<string> => connectPage(t, fake, tenant, pageIndex);

  async function connectionRow(id: string) {
    return (await t.owner.query('SELECT * FROM social_connections WHERE id = $1', [id])).rows[0];
  }

  async function expireSoon(id: string) {
    await t.owner.query(`UPDATE social_connections SET access_token_expires_at = now() + interval '2 minutes' WHERE id = $1`, [id]);
  }

  const exchangeCount = () => fake.state.tokenRequests.filter((request) => request.grant_type === 'fb_exchange_token').length;

  it('returns decrypted credentials without refreshing a token that is far from expiry', async () => {
    const id = await connectFacebookPage();
    const before = exchangeCount();
    const connection = await loadPublishingConnection(t.kernel, owner.tenant.id, id);
    expect(connection).toMatchObject({ connectionId: id, network: 'facebook', status: 'active' });
    expect(connection.provider.id).toBe('facebook');
    expect(connection.credentials).toMatchObject({ destinationId: fake.pages[0]!.id, destinationToken: fake.pages[0]!.accessToken });
    expect(connection.credentials.metadata).toMatchObject({ tenantId: owner.tenant.id, connectionId: id });
    expect(fake.isAccessTokenValid(connection.credentials.accessToken)).toBe(true);
    expect(exchangeCount()).toBe(before);
  });

  it('extends a Meta token that expires within 5 minutes, once, even when loads race', async () => {
    const id = await connectFacebookPage();
    const old = decryptSecret(t.kernel.config, (await connectionRow(id)).access_token_encrypted);
    await expireSoon(id);
    const before = exchangeCount();
    const loads = await Promise.all([1, 2, 3, 4].map(() => loadPublishingConnection(t.kernel, owner.tenant.id, id)));
    expect(exchangeCount()).toBe(before + 1);
    const tokens = new Set(loads.map((load) => load.credentials.accessToken));
    expect(tokens.size).toBe(1);
    const [token] = [...tokens];
    expect(token).not.toBe(old);
    const row = await connectionRow(id);
    expect(decryptSecret(t.kernel.config, row.access_token_encrypted)).toBe(token);
    expect(new Date(row.access_token_expires_at).getTime()).toBeGreaterThan(Date.now() + 50 * 24 * 3600 * 1000);
    expect(row.refresh_token_encrypted).toBeNull();
    // The page token is not touched by extending the user token.
    expect(decryptSecret(t.kernel.config, row.destination_token_encrypted)).toBe(fake.pages[0]!.accessToken);
  });

  it('flags the connection and mails the owner once when extending fails because the grant was revoked', async () => {
    const id = await connectFacebookPage(owner, 1);
    await expireSoon(id);
    fake.revokeGrant();
    try {
      await expect(loadPublishingConnection(t.kernel, owner.tenant.id, id)).rejects.toMatchObject({ kind: 'disconnected' });
    } finally {
      fake.state.revoked = false;
    }
    const row = await connectionRow(id);
    expect(row.status).toBe('needs_reconnect');
    expect(row.status_reason).toMatch(/Refreshing access failed/);
    const mails = await t.owner.query(`SELECT to_address, subject, text_body FROM mail_messages WHERE tenant_id = $1 AND template = 'social.connection-needs-reconnect' AND text_body LIKE $2`, [owner.tenant.id, `%reconnect=${id}%`]);
    expect(mails.rows.map((mail) => mail.to_address)).toEqual([owner.email]);
    expect(mails.rows[0].subject).toBe('Reconnect Facebook Pages: Harbour Cafe');
    const events = await t.owner.query(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'social.connection_needs_reconnect' AND payload->>'connectionId' = $2`, [owner.tenant.id, id]);
    expect(events.rows).toHaveLength(1);
    // Loading a flagged connection does not refresh; it reports the status.
    expect((await loadPublishingConnection(t.kernel, owner.tenant.id, id)).status).toBe('needs_reconnect');
  });

  it('reportConnectionProblem: disconnected flags at once, notifies account admins and the connector once per incident', async () => {
    const tenant = await registerTenant(t.app);
    const accountAdmin = await addMember(t, tenant.token, { role: 'admin', accountId: tenant.accountId });
    const id = await connectFacebookPage(tenant);
    const problem = new ProviderError('disconnected', 'Facebook: Error validating access token: The user has not authorized application.');
    await reportConnectionProblem(t.kernel, tenant.tenant.id, id, problem);
    await reportConnectionProblem(t.kernel, tenant.tenant.id, id, problem);
    expect(await connectionRow(id)).toMatchObject({ status: 'needs_reconnect', status_reason: problem.message });
    const mails = await t.owner.query(`SELECT to_address FROM mail_messages WHERE tenant_id = $1 AND template = 'social.connection-needs-reconnect' ORDER BY to_address`, [tenant.tenant.id]);
    expect(mails.rows.map((mail) => mail.to_address).sort()).toEqual([accountAdmin.email, tenant.email].sort());
    const events = await t.owner.query(`SELECT count(*)::int AS count FROM outbox_events WHERE tenant_id = $1 AND type = 'social.connection_needs_reconnect'`, [tenant.tenant.id]);
    expect(events.rows[0].count).toBe(1);

    const listed = await request(t.app, { url: '/api/social/connections', token: tenant.token });
    expect(listed.json().items.find((item: { id: string }) => item.id === id)).toMatchObject({ status: 'needs_reconnect', needsReconnect: true, statusReason: problem.message });
  });

  it('reportConnectionProblem: a first refresh_needed forces a refresh on the next load; a repeat flags the connection', async () => {
    const id = await connectFacebookPage();
    const before = exchangeCount();
    await reportConnectionProblem(t.kernel, owner.tenant.id, id, new ProviderError('refresh_needed', 'Facebook: Session has expired'));
    expect((await connectionRow(id)).status).toBe('active');
    await loadPublishingConnection(t.kernel, owner.tenant.id, id);
    expect(exchangeCount()).toBe(before + 1);
    await reportConnectionProblem(t.kernel, owner.tenant.id, id, new ProviderError('refresh_needed', 'Facebook: Session has expired'));
    expect(await connectionRow(id)).toMatchObject({ status: 'needs_reconnect', refresh_failures: 2 });
    // Other kinds change nothing.
    const other = await connectFacebookPage(owner, 0);
    await reportConnectionProblem(t.kernel, owner.tenant.id, other, new ProviderError('rate_limited', 'slow down', { retryAfterSeconds: 5 }));
    expect((await connectionRow(other)).status).toBe('active');
  });

  it('reconnecting renews the credentials and makes the connection active again', async () => {
    const id = await connectFacebookPage();
    await reportConnectionProblem(t.kernel, owner.tenant.id, id, new ProviderError('disconnected', 'revoked'));
    const started = await request(t.app, { method: 'POST', url: `/api/social/connections/${id}/reconnect`, token: owner.token });
    expect(started.statusCode).toBe(200);
    const url = new URL(started.json().authorizationUrl);
    const callback = await request(t.app, { url: `/api/social/callback/facebook?code=${fake.issueCode()}&state=${url.searchParams.get('state')}` });
    expect(callback.statusCode).toBe(302);
    expect(new URL(callback.headers.location as string).searchParams.get('reconnected')).toBe(id);
    expect(await connectionRow(id)).toMatchObject({ status: 'active', status_reason: null, problem_notified_at: null });
  });

  it('disconnecting wipes every token', async () => {
    const id = await connectFacebookPage();
    const response = await request(t.app, { method: 'DELETE', url: `/api/social/connections/${id}`, token: owner.token });
    expect(response.statusCode).toBe(204);
    expect(await connectionRow(id)).toMatchObject({ status: 'disconnected', access_token_encrypted: null, refresh_token_encrypted: null, destination_token_encrypted: null });
    expect((await loadPublishingConnection(t.kernel, owner.tenant.id, id)).status).toBe('disconnected');
  });

  it('keeps connections to their tenant: another tenant’s id is a 404 over HTTP and not found for publishing', async () => {
    const id = await connectFacebookPage();
    const other = await registerTenant(t.app);
    for (const call of [
      { method: 'GET' as const, url: `/api/social/connections/${id}` },
      { method: 'DELETE' as const, url: `/api/social/connections/${id}` },
      { method: 'POST' as const, url: `/api/social/connections/${id}/reconnect` },
    ]) {
      const response = await request(t.app, { ...call, token: other.token });
      expect(response.statusCode).toBe(404);
    }
    expect((await request(t.app, { url: '/api/social/connections', token: other.token })).json().items).toEqual([]);
    await expect(loadPublishingConnection(t.kernel, other.tenant.id, id)).rejects.toMatchObject({ status: 404 });
    await expect(reportConnectionProblem(t.kernel, other.tenant.id, id, new ProviderError('disconnected', 'x'))).rejects.toMatchObject({ status: 404 });
    expect((await connectionRow(id)).status).toBe('active');
  });

  it('after a key rotation, old tokens still decrypt and move to the new key on first use', async () => {
    const id = await connectFacebookPage();
    const rotated = await createTestApp({
      FACEBOOK_APP_ID: fake.appId,
      FACEBOOK_APP_SECRET: fake.appSecret,
      FACEBOOK_GRAPH_URL: fake.url,
      ENCRYPTION_KEY: 'rotated-encryption-key-rotated-encryption-key-02',
      ENCRYPTION_KEY_ID: 'k2',
      ENCRYPTION_PREVIOUS_KEYS: `k1:${t.kernel.config.ENCRYPTION_KEY}`,
    });
    try {
      const loaded = await loadPublishingConnection(rotated.kernel, owner.tenant.id, id);
      expect(loaded.credentials.destinationToken).toBe(fake.pages[0]!.accessToken);
      const row = await connectionRow(id);
      expect(row.access_token_encrypted).toMatch(/^v1\.k2\./);
      expect(row.destination_token_encrypted).toMatch(/^v1\.k2\./);
      expect(decryptSecret(rotated.kernel.config, row.destination_token_encrypted)).toBe(fake.pages[0]!.accessToken);
      expect(() => decryptSecret(t.kernel.config, row.destination_token_encrypted)).toThrow();
    } finally {
      await rotated.close();
    }
  });

  describe('refresh models with a stub network', () => {
    const refreshCalls: Array<{ accessToken: string; refreshToken: string | null }> = [];
    let nextTokens: ProviderTokens;

    function stubProvider(refreshModel: 'rotating' | 'reuse'): SocialProvider {
      const base = getProvider(t.kernel, 'facebook');
      return {
        ...base,
        id: 'linkedin',
        displayName: 'Stub LinkedIn',
        oauth: {
          ...base.oauth!,
          refreshModel,
          async refreshTokens(tokens) {
            refreshCalls.push(tokens);
            return nextTokens;
          },
        },
      };
    }

    async function insertConnection(refreshToken: string): Promise<string> {
      const config = t.kernel.config;
      const rows = await t.owner.query(
        `INSERT INTO social_connections (tenant_id, account_id, network, destination_id, destination_name, destination_kind,
           access_token_encrypted, refresh_token_encrypted, access_token_expires_at, refresh_token_expires_at, scopes, connected_by)
         VALUES ($1, $2, 'linkedin', $3, 'Stub profile', 'profile', $4, $5, now() + interval '1 minute', now() + interval '300 days', '{w_member_social}', $6)
         RETURNING id`,
        [owner.tenant.id, owner.accountId, `urn:li:person:${Date.now()}${Math.random()}`, encryptSecret(config, 'old-access'), encryptSecret(config, refreshToken), owner.user.id],
      );
      return rows.rows[0].id as string;
    }

    it('a refresh that returns no refresh token keeps the stored one (reuse model)', async () => {
      overrideProvider(t.kernel, stubProvider('reuse'));
      const id = await insertConnection('stored-refresh');
      nextTokens = { accessToken: 'new-access', refreshToken: null, expiresAt: new Date(Date.now() + 3600_000), refreshExpiresAt: null, scopes: [] };
      const loaded = await loadPublishingConnection(t.kernel, owner.tenant.id, id);
      expect(loaded.credentials.accessToken).toBe('new-access');
      expect(refreshCalls.at(-1)).toEqual({ accessToken: 'old-access', refreshToken: 'stored-refresh' });
      const row = await connectionRow(id);
      expect(decryptSecret(t.kernel.config, row.refresh_token_encrypted)).toBe('stored-refresh');
      expect(new Date(row.refresh_token_expires_at).getTime()).toBeGreaterThan(Date.now() + 200 * 24 * 3600 * 1000);
      expect(row.scopes).toEqual(['w_member_social']);
    });

    it('a rotating refresh replaces the stored refresh token with the new one', async () => {
      overrideProvider(t.kernel, stubProvider('rotating'));
      const id = await insertConnection('first-refresh');
      nextTokens = { accessToken: 'rotated-access', refreshToken: 'second-refresh', expiresAt: new Date(Date.now() + 3600_000), refreshExpiresAt: new Date(Date.now() + 60 * 24 * 3600_000), scopes: ['a', 'b'] };
      await loadPublishingConnection(t.kernel, owner.tenant.id, id);
      const row = await connectionRow(id);
      expect(decryptSecret(t.kernel.config, row.refresh_token_encrypted)).toBe('second-refresh');
      expect(row.scopes).toEqual(['a', 'b']);
    });
  });
});
