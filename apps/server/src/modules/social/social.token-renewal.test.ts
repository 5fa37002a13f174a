import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectFacebookPage } from '../../../test/factories/social.js';
import { connectThroughOAuth } from '../../../test/factories/social-connections.js';
import { registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { startFacebookFake, type FakeFacebook } from '../../../test/fakes/facebook.js';
import { startInstagramFake, type FakeInstagram } from '../../../test/fakes/instagram.js';
import { startPinterestFake, type FakePinterest } from '../../../test/fakes/pinterest.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { decryptSecret, encryptSecret } from '../../kernel/crypto/secrets.js';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { loadPublishingConnection } from './index.js';
import { renewTokensJob, scheduleTokenRenewalsJob } from './social.jobs.js';
import { renewTenantTokens } from './social.token-renewal.js';

const day = 24 * 3600 * 1000;

/**
 * The daily renewal of tokens that would lapse on idle connections: Meta's long-lived tokens are extended
 * (fb_exchange_token) and Pinterest's rotating refresh tokens renewed, through the same locked refresh
 * path as publishing, against the networks' fakes.
 */
describe('background token renewal', () => {
  let t: TestApp;
  let facebook: FakeFacebook;
  let instagram: FakeInstagram;
  let pinterest: FakePinterest;

  beforeAll(async () => {
    [facebook, instagram, pinterest] = await Promise.all([startFacebookFake(), startInstagramFake(), startPinterestFake()]);
    t = await createTestApp({
      FACEBOOK_APP_ID: facebook.appId,
      FACEBOOK_APP_SECRET: facebook.appSecret,
      FACEBOOK_GRAPH_URL: facebook.url,
      INSTAGRAM_GRAPH_URL: instagram.url,
      PINTEREST_CLIENT_ID: pinterest.clientId,
      PINTEREST_CLIENT_SECRET: pinterest.clientSecret,
      PINTEREST_API_URL: pinterest.url,
      PUBLIC_URL: 'https://console.omni.test',
      SOCIAL_TOKEN_RENEWAL_DAYS: '14',
    });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([facebook?.close(), instagram?.close(), pinterest?.close()]);
  });

  const metaCode = (fake: FakeFacebook | FakeInstagram) => (url: URL) => fake.issueCode(url.searchParams.get('redirect_uri')!);
  /** Token extension calls that reached the network, answered or not. */
  const exchanges = (fake: FakeFacebook | FakeInstagram) =>
    fake.requests.filter((call) => call.path.endsWith('/oauth/access_token') && new URLSearchParams(call.query).get('grant_type') === 'fb_exchange_token').length;

  async function row(id: string) {
    return (await t.owner.query('SELECT * FROM social_connections WHERE id = $1', [id])).rows[0];
  }

  async function setExpiry(id: string, column: 'access_token_expires_at' | 'refresh_token_expires_at', inMs: number) {
    await t.owner.query(`UPDATE social_connections SET ${column} = $2 WHERE id = $1`, [id, new Date(Date.now() + inMs)]);
  }

  const connectFacebook = (tenant: RegisteredTenant, pageIndex: number) => connectFacebookPage(t, facebook, tenant, pageIndex);

  const runTenantJob = (tenantId: string) => executeJob(t.kernel, renewTokensJob, { tenantId, data: {} }, { jobId: 'test', attempt: 1 });

  it('extends Facebook and Instagram tokens that expire within the window, and leaves later ones alone', async () => {
    const tenant = await registerTenant(t.app);
    const due = await connectFacebook(tenant, 0);
    const later = await connectFacebook(tenant, 1);
    const reel = await connectThroughOAuth(t.app, tenant.token, 'instagram', metaCode(instagram));
    await setExpiry(due, 'access_token_expires_at', 3 * day);
    await setExpiry(reel, 'access_token_expires_at', 13 * day);
    const [dueBefore, laterBefore, reelBefore] = [await row(due), await row(later), await row(reel)];
    const [facebookExchanges, instagramExchanges] = [exchanges(facebook), exchanges(instagram)];

    await runTenantJob(tenant.tenant.id);

    expect(exchanges(facebook)).toBe(facebookExchanges + 1);
    expect(exchanges(instagram)).toBe(instagramExchanges + 1);
    for (const [id, before] of [
      [due, dueBefore],
      [reel, reelBefore],
    ] as const) {
      const after = await row(id);
      const token = decryptSecret(t.kernel.config, after.access_token_encrypted);
      expect(token).not.toBe(decryptSecret(t.kernel.config, before.access_token_encrypted));
      expect(new Date(after.access_token_expires_at).getTime()).toBeGreaterThan(Date.now() + 50 * day);
      expect(after).toMatchObject({ status: 'active', refresh_token_encrypted: null });
      expect(new Date(after.last_refreshed_at).getTime()).toBeGreaterThan(new Date(before.last_refreshed_at).getTime());
    }
    // Extending the user token leaves the page token (which does not expire) as it was.
    expect(decryptSecret(t.kernel.config, (await row(due)).destination_token_encrypted)).toBe(decryptSecret(t.kernel.config, dueBefore.destination_token_encrypted));
    expect((await row(later)).access_token_encrypted).toBe(laterBefore.access_token_encrypted);
    // The renewed token works on the network.
    const loaded = await loadPublishingConnection(t.kernel, tenant.tenant.id, reel);
    expect(instagram.isAccessTokenValid(loaded.credentials.accessToken)).toBe(true);
  });

  it('flags a revoked or lapsed grant needs_reconnect, tells the owner once, and the list says why', async () => {
    const tenant = await registerTenant(t.app);
    const revoked = await connectFacebook(tenant, 0);
    const lapsed = await connectFacebook(tenant, 1);
    // A token already past its expiry: Meta can no longer extend it.
    await t.owner.query(`UPDATE social_connections SET access_token_encrypted = $2, access_token_expires_at = now() - interval '1 day' WHERE id = $1`, [
      lapsed,
      encryptSecret(t.kernel.config, 'EAA-lapsed-token'),
    ]);
    expect(await renewTenantTokens(t.kernel, tenant.tenant.id)).toEqual({ renewed: 0, flagged: 1, deferred: 0 });
    await setExpiry(revoked, 'access_token_expires_at', 2 * day);
    facebook.revokeGrant();
    try {
      expect(await renewTenantTokens(t.kernel, tenant.tenant.id)).toEqual({ renewed: 0, flagged: 1, deferred: 0 });
    } finally {
      facebook.state.revoked = false;
    }
    // Flagged connections are not tried again (nor their owners mailed again) by later runs.
    await runTenantJob(tenant.tenant.id);

    expect(await row(revoked)).toMatchObject({ status: 'needs_reconnect', status_reason: expect.stringMatching(/^Refreshing access failed: Facebook: .*not authorized application/) });
    expect(await row(lapsed)).toMatchObject({ status: 'needs_reconnect', status_reason: expect.stringMatching(/^Refreshing access failed: Facebook: .*Session has expired/) });
    const mails = await t.owner.query(`SELECT to_address FROM mail_messages WHERE tenant_id = $1 AND template = 'social.connection-needs-reconnect'`, [tenant.tenant.id]);
    expect(mails.rows.map((mail) => mail.to_address)).toEqual([tenant.email, tenant.email]);
    const events = await t.owner.query(`SELECT payload->>'connectionId' AS id FROM outbox_events WHERE tenant_id = $1 AND type = 'social.connection_needs_reconnect'`, [tenant.tenant.id]);
    expect(events.rows.map((event) => event.id).sort()).toEqual([revoked, lapsed].sort());

    const listed = await request(t.app, { url: '/api/social/connections', token: tenant.token });
    const item = listed.json().items.find((connection: { id: string }) => connection.id === revoked);
    expect(item).toMatchObject({ status: 'needs_reconnect', needsReconnect: true, statusReason: expect.stringContaining('not authorized application') });
  });

  it('leaves a transiently failing connection for the next run, and stops calling a network that rate-limits', async () => {
    const tenant = await registerTenant(t.app);
    const first = await connectFacebook(tenant, 0);
    const second = await connectFacebook(tenant, 1);
    await setExpiry(first, 'access_token_expires_at', 1 * day);
    await setExpiry(second, 'access_token_expires_at', 2 * day);
    const firstToken = (await row(first)).access_token_encrypted;

    facebook.setFailure({ kind: 'server_error' }, { operation: 'token' });
    expect(await renewTenantTokens(t.kernel, tenant.tenant.id)).toEqual({ renewed: 1, flagged: 0, deferred: 1 });
    expect(await row(first)).toMatchObject({ status: 'active', access_token_encrypted: firstToken });
    await setExpiry(second, 'access_token_expires_at', 2 * day);

    const before = exchanges(facebook);
    facebook.setFailure({ kind: 'rate_limited', retryAfterSeconds: 600 }, { operation: 'token' });
    expect(await renewTenantTokens(t.kernel, tenant.tenant.id)).toEqual({ renewed: 0, flagged: 0, deferred: 2 });
    expect(exchanges(facebook)).toBe(before + 1);
    expect((await row(first)).status).toBe('active');

    // The next run (the fake answers again) renews both.
    expect(await renewTenantTokens(t.kernel, tenant.tenant.id)).toEqual({ renewed: 2, flagged: 0, deferred: 0 });
    expect((await row(first)).access_token_encrypted).not.toBe(firstToken);
  });

  it('renews a Pinterest refresh token close to its own expiry, and never stores an empty one', async () => {
    const tenant = await registerTenant(t.app);
    const board = await connectThroughOAuth(t.app, tenant.token, 'pinterest', () => pinterest.issueCode());
    await setExpiry(board, 'refresh_token_expires_at', 10 * day);
    const before = await row(board);
    await runTenantJob(tenant.tenant.id);
    const rotated = await row(board);
    expect(decryptSecret(t.kernel.config, rotated.refresh_token_encrypted)).not.toBe(decryptSecret(t.kernel.config, before.refresh_token_encrypted));
    expect(new Date(rotated.refresh_token_expires_at).getTime()).toBeGreaterThan(Date.now() + 300 * day);

    // A refresh answering an empty refresh_token keeps the stored one (and its expiry).
    await setExpiry(board, 'refresh_token_expires_at', 10 * day);
    const kept = await row(board);
    pinterest.setRefreshMode('empty');
    try {
      expect(await renewTenantTokens(t.kernel, tenant.tenant.id)).toEqual({ renewed: 1, flagged: 0, deferred: 0 });
    } finally {
      pinterest.setRefreshMode('rotate');
    }
    const after = await row(board);
    expect(decryptSecret(t.kernel.config, after.refresh_token_encrypted)).toBe(decryptSecret(t.kernel.config, kept.refresh_token_encrypted));
    expect(after.access_token_encrypted).not.toBe(kept.access_token_encrypted);
    expect(after.status).toBe('active');
  });

  it('shares the row lock with publishing: a renewal racing publish-time loads extends the token once', async () => {
    const tenant = await registerTenant(t.app);
    const id = await connectFacebook(tenant, 0);
    await setExpiry(id, 'access_token_expires_at', 2 * 60 * 1000);
    const before = exchanges(facebook);
    const [summary, ...loads] = await Promise.all([
      renewTenantTokens(t.kernel, tenant.tenant.id),
      loadPublishingConnection(t.kernel, tenant.tenant.id, id),
      loadPublishingConnection(t.kernel, tenant.tenant.id, id),
    ]);
    expect(exchanges(facebook)).toBe(before + 1);
    expect(new Set(loads.map((load) => load.credentials.accessToken)).size).toBe(1);
    expect(decryptSecret(t.kernel.config, (await row(id)).access_token_encrypted)).toBe(loads[0]!.credentials.accessToken);
    expect(summary.flagged).toBe(0);
  });

  it('the daily fan-out enqueues one renewal job per tenant with a token due, spread over the next hour', async () => {
    const dueTenant = await registerTenant(t.app);
    const idleTenant = await registerTenant(t.app);
    const due = await connectFacebook(dueTenant, 0);
    await connectFacebook(idleTenant, 0);
    await setExpiry(due, 'access_token_expires_at', 5 * day);
    const started = Date.now();
    try {
      await executeJob(t.kernel, scheduleTokenRenewalsJob, { tenantId: null, data: {} }, { jobId: 'test', attempt: 1 });
      const jobs = await t.owner.query<{ key: string; run_at: Date; payload: { tenantId: string } }>(
        `SELECT key, run_at, payload FROM graphile_worker._private_jobs WHERE key = ANY($1::text[])`,
        [[`social.renew-tokens:${dueTenant.tenant.id}`, `social.renew-tokens:${idleTenant.tenant.id}`]],
      );
      expect(jobs.rows.map((job) => job.payload.tenantId)).toEqual([dueTenant.tenant.id]);
      const runAt = new Date(jobs.rows[0]!.run_at).getTime();
      expect(runAt).toBeGreaterThanOrEqual(started + 59_000);
      expect(runAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    } finally {
      // Other test files drain the shared queue: leave them no renewal jobs for tenants they do not know.
      await t.owner.query(`DELETE FROM graphile_worker._private_jobs WHERE key LIKE 'social.renew-tokens:%'`);
    }
  });
});
