import type { MemberList, Profile } from '@omni/contracts/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { addMember, invite, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';

describe('tenancy: another tenant’s ids are 404 on every :id route', () => {
  let t: TestApp;
  let mine: RegisteredTenant;
  let theirs: RegisteredTenant;
  let ids: { account: string; member: string; invitation: string; profile: string; domain: string };
  beforeAll(async () => {
    t = await createTestApp();
    mine = await registerTenant(t.app);
    theirs = await registerTenant(t.app);
    const editor = await addMember(t, theirs.token, { role: 'editor', accountId: theirs.accountId });
    const members = await request(t.app, { url: '/api/members?limit=100', token: theirs.token });
    const member = members.json<MemberList>().items.find((item) => item.user.id === editor.userId)!;
    const invitation = await invite(t.app, theirs.token, { role: 'member' });
    const profile = await request(t.app, { method: 'POST', url: '/api/profiles', token: theirs.token, payload: { displayName: 'Theirs' } });
    const domain = await request(t.app, { method: 'POST', url: '/api/tenant/domains', token: theirs.token, payload: { domain: `${theirs.tenant.slug}.example` } });
    ids = { account: theirs.accountId, member: member.id, invitation: invitation.id, profile: profile.json<Profile>().id, domain: domain.json().id };
  });
  afterAll(() => t.close());

  it('answers 404 and changes nothing', async () => {
    const before = await t.owner.query(
      `SELECT (SELECT row_to_json(a) FROM accounts a WHERE id = $1) AS account, (SELECT row_to_json(m) FROM memberships m WHERE id = $2) AS member,
              (SELECT row_to_json(i) FROM invitations i WHERE id = $3) AS invitation, (SELECT row_to_json(p) FROM profiles p WHERE id = $4) AS profile,
              (SELECT row_to_json(d) FROM tenant_domains d WHERE id = $5) AS domain`,
      [ids.account, ids.member, ids.invitation, ids.profile, ids.domain],
    );
    const routes = [
      { method: 'GET' as const, url: `/api/accounts/${ids.account}` },
      { method: 'PATCH' as const, url: `/api/accounts/${ids.account}`, payload: { name: 'Stolen' } },
      { method: 'DELETE' as const, url: `/api/accounts/${ids.account}` },
      { method: 'PATCH' as const, url: `/api/members/${ids.member}`, payload: { role: 'viewer' } },
      { method: 'DELETE' as const, url: `/api/members/${ids.member}` },
      { method: 'DELETE' as const, url: `/api/invitations/${ids.invitation}` },
      { method: 'POST' as const, url: `/api/invitations/${ids.invitation}/resend` },
      { method: 'GET' as const, url: `/api/profiles/${ids.profile}` },
      { method: 'PATCH' as const, url: `/api/profiles/${ids.profile}`, payload: { bio: 'Stolen' } },
      { method: 'DELETE' as const, url: `/api/profiles/${ids.profile}` },
      { method: 'DELETE' as const, url: `/api/tenant/domains/${ids.domain}` },
      { method: 'POST' as const, url: `/api/tenant/domains/${ids.domain}/verify` },
    ];
    for (const route of routes) {
      const response = await request(t.app, { ...route, token: mine.token });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const after = await t.owner.query(
      `SELECT (SELECT row_to_json(a) FROM accounts a WHERE id = $1) AS account, (SELECT row_to_json(m) FROM memberships m WHERE id = $2) AS member,
              (SELECT row_to_json(i) FROM invitations i WHERE id = $3) AS invitation, (SELECT row_to_json(p) FROM profiles p WHERE id = $4) AS profile,
              (SELECT row_to_json(d) FROM tenant_domains d WHERE id = $5) AS domain`,
      [ids.account, ids.member, ids.invitation, ids.profile, ids.domain],
    );
    expect(after.rows[0]).toEqual(before.rows[0]);
    expect(before.rows[0].account).not.toBeNull();
  });

  it('never lists another tenant’s rows', async () => {
    for (const url of ['/api/accounts?status=all&limit=100', '/api/members?limit=100', '/api/invitations?limit=100', '/api/profiles?limit=100', '/api/tenant/domains']) {
      const response = await request(t.app, { url, token: mine.token });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toContain(theirs.tenant.id);
      for (const id of Object.values(ids)) expect(response.body, url).not.toContain(id);
    }
  });

  it('answers a malformed id with 400, not 500', async () => {
    const response = await request(t.app, { url: '/api/accounts/not-a-uuid', token: mine.token });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'request.invalid', errors: [{ path: 'params.id' }] });
  });
});
