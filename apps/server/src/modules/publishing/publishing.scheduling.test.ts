import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFacebookFake, type FakeFacebook } from '../../../test/fakes/facebook.js';
import { dispatchAndDrain, inOneHour, makeDue } from '../../../test/factories/publishing.js';
import { connectFacebookPage } from '../../../test/factories/social.js';
import { createAccount, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { ProviderError, reportConnectionProblem } from '../social/index.js';

/**
 * Scheduling asks the social module a light question (the connection exists in this account, is active and
 * has a destination) without decrypting or refreshing tokens; the full load, with its refresh, happens
 * when the post is published.
 */
describe('publishing: the connection check when scheduling', () => {
  let t: TestApp;
  let fake: FakeFacebook;
  let owner: RegisteredTenant;

  beforeAll(async () => {
    fake = await startFacebookFake();
    t = await createTestApp({ FACEBOOK_APP_ID: fake.appId, FACEBOOK_APP_SECRET: fake.appSecret, FACEBOOK_GRAPH_URL: fake.url });
    owner = await registerTenant(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const exchangeCount = () => fake.state.tokenRequests.filter((tokenRequest) => tokenRequest.grant_type === 'fb_exchange_token').length;
  const schedule = (connectionId: string, scheduledAt: string | null = inOneHour(), text = 'Fresh croissants at 7') =>
    request(t.app, { method: 'POST', url: '/api/publishing/targets', token: owner.token, payload: { connectionId, content: { text }, scheduledAt } });
  const secretsOf = async (id: string) =>
    (await t.owner.query('SELECT access_token_encrypted, access_token_expires_at, last_refreshed_at FROM social_connections WHERE id = $1', [id])).rows[0];

  it('schedules on a connection whose token is about to expire without refreshing it; publishing refreshes, then posts', async () => {
    const id = await connectFacebookPage(t, fake, owner);
    await t.owner.query(`UPDATE social_connections SET access_token_expires_at = now() + interval '2 minutes' WHERE id = $1`, [id]);
    const before = { exchanges: exchangeCount(), secrets: await secretsOf(id) };

    const marker = `croissants-${Date.now()}`;
    const scheduled = await schedule(id, inOneHour(), `Fresh croissants ${marker}`);
    expect(scheduled.statusCode).toBe(201);
    expect(scheduled.json()).toMatchObject({ network: 'facebook', status: 'scheduled' });
    expect(exchangeCount()).toBe(before.exchanges);
    expect(await secretsOf(id)).toEqual(before.secrets);

    await makeDue(t, scheduled.json().id);
    await dispatchAndDrain(t, scheduled.json().id);
    expect((await request(t.app, { url: `/api/publishing/targets/${scheduled.json().id}`, token: owner.token })).json().status).toBe('published');
    expect(exchangeCount()).toBe(before.exchanges + 1);
    expect(fake.publishedCount(marker)).toBe(1);
  });

  it('refuses a connection waiting to be reconnected or disconnected (409, with why), and an unknown one (404)', async () => {
    const flagged = await connectFacebookPage(t, fake, owner, 1);
    await reportConnectionProblem(t.kernel, owner.tenant.id, flagged, new ProviderError('disconnected', 'The user revoked the app.'));
    const refused = await schedule(flagged);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'publishing.connection_needs_reconnect', connectionStatus: 'needs_reconnect' });
    expect(refused.json().detail).toContain('The user revoked the app.');

    await request(t.app, { method: 'DELETE', url: `/api/social/connections/${flagged}`, token: owner.token });
    expect((await schedule(flagged)).json()).toMatchObject({ code: 'publishing.connection_needs_reconnect', connectionStatus: 'disconnected' });

    const unknown = await schedule('00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('social_connection.not_found');
    const count = await t.owner.query('SELECT count(*)::int AS count FROM publish_targets WHERE connection_id = $1', [flagged]);
    expect(count.rows[0].count).toBe(0);
  });

  it('refuses a connection of another account of the same tenant as unknown', async () => {
    const account = await createAccount(t.app, owner.token);
    const elsewhere = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: 'Other client feed', accountId: account.id } });
    expect(elsewhere.json()).toMatchObject({ accountId: account.id, status: 'active' });
    const refused = await schedule(elsewhere.json().id);
    expect(refused.statusCode).toBe(404);
    expect(refused.json().code).toBe('social_connection.not_found');
  });
});
