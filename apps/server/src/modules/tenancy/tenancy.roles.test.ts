import type { Member, MemberList } from '@omni/contracts/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { addMember, createAccount, registerTenant, signIn, testPassword, type RegisteredTenant } from '../../../test/factories/tenancy.js';

describe('tenancy: roles inherit downward and are delegated, never escalated', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let bella: { id: string };
  let urban: { id: string };
  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    bella = await createAccount(t.app, owner.token, 'Bella');
    urban = await createAccount(t.app, owner.token, 'Urban');
  });
  afterAll(() => t.close());

  const membershipOf = async (userId: string, accountId: string | null): Promise<Member> => {
    const list = await request(t.app, { url: `/api/members?limit=100${accountId ? `&accountId=${accountId}` : ''}`, token: owner.token });
    const item = list.json<MemberList>().items.find((member) => member.user.id === userId && member.accountId === accountId);
    if (!item) throw new Error('membership not found');
    return item;
  };

  it('lets a tenant admin manage every account, including ones they hold no role in', async () => {
    const admin = await addMember(t, owner.token, { role: 'admin' });
    expect(admin.session.scope).toMatchObject({ tenantId: owner.tenant.id, tenantRole: 'admin', accountRole: null });

    const renamed = await request(t.app, { method: 'PATCH', url: `/api/accounts/${urban.id}`, token: admin.token, payload: { name: 'Urban Threads' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: urban.id, name: 'Urban Threads' });

    const invite = await request(t.app, { method: 'POST', url: '/api/invitations', token: admin.token, payload: { email: `x-${uniqueSuffix()}@example.test`, role: 'admin', accountId: bella.id } });
    expect(invite.statusCode).toBe(201);

    const editor = await addMember(t, owner.token, { role: 'editor', accountId: bella.id });
    const member = await membershipOf(editor.userId, bella.id);
    const changed = await request(t.app, { method: 'PATCH', url: `/api/members/${member.id}`, token: admin.token, payload: { role: 'viewer' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ id: member.id, role: 'viewer', accountId: bella.id, accountName: 'Bella' });

    const accounts = await request(t.app, { url: '/api/accounts', token: admin.token });
    expect(accounts.json().items.map((account: { id: string }) => account.id)).toEqual(expect.arrayContaining([bella.id, urban.id, owner.accountId]));
  });

  it('keeps an account editor out of member management', async () => {
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: bella.id });
    const viewer = await addMember(t, owner.token, { role: 'viewer', accountId: bella.id });
    const target = await membershipOf(viewer.userId, bella.id);
    const patch = await request(t.app, { method: 'PATCH', url: `/api/members/${target.id}`, token: editor.token, payload: { role: 'editor' } });
    expect(patch.statusCode).toBe(403);
    const remove = await request(t.app, { method: 'DELETE', url: `/api/members/${target.id}`, token: editor.token });
    expect(remove.statusCode).toBe(403);
    const createAccountAttempt = await request(t.app, { method: 'POST', url: '/api/accounts', token: editor.token, payload: { name: 'Nope' } });
    expect(createAccountAttempt.statusCode).toBe(403);
    expect((await membershipOf(viewer.userId, bella.id)).role).toBe('viewer');
  });

  it('refuses invitations from a viewer', async () => {
    const viewer = await addMember(t, owner.token, { role: 'viewer', accountId: bella.id });
    const response = await request(t.app, { method: 'POST', url: '/api/invitations', token: viewer.token, payload: { email: `v-${uniqueSuffix()}@example.test`, role: 'client', accountId: bella.id } });
    expect(response.statusCode).toBe(403);
    expect((await request(t.app, { url: '/api/invitations', token: viewer.token })).statusCode).toBe(403);
  });

  it('lets an account admin invite into their own account only, and never a tenant-level role', async () => {
    const accountAdmin = await addMember(t, owner.token, { role: 'admin', accountId: bella.id });
    expect(accountAdmin.session.scope).toMatchObject({ accountId: bella.id, tenantRole: null, accountRole: 'admin' });
    const invite = (payload: Record<string, unknown>) =>
      request(t.app, { method: 'POST', url: '/api/invitations', token: accountAdmin.token, payload: { email: `a-${uniqueSuffix()}@example.test`, ...payload } });

    const own = await invite({ role: 'editor', accountId: bella.id });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ role: 'editor', accountId: bella.id, accountName: 'Bella', status: 'pending' });

    const otherAccount = await invite({ role: 'viewer', accountId: urban.id });
    expect(otherAccount.statusCode).toBe(403);
    expect(otherAccount.json()).toMatchObject({ code: 'membership.role_not_allowed' });

    for (const role of ['admin', 'member', 'owner']) {
      const tenantLevel = await invite({ role });
      expect(tenantLevel.statusCode, role).toBe(403);
      expect(tenantLevel.json().code).toBe('membership.role_not_allowed');
    }

    // Account admins see their account's invitations only.
    const list = await request(t.app, { url: '/api/invitations', token: accountAdmin.token });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.every((item: { accountId: string }) => item.accountId === bella.id)).toBe(true);
    expect((await request(t.app, { url: `/api/invitations?accountId=${urban.id}`, token: accountAdmin.token })).statusCode).toBe(403);
  });

  it('never lets anyone grant a role above their own', async () => {
    const admin = await addMember(t, owner.token, { role: 'admin' });
    const asOwner = await request(t.app, { method: 'POST', url: '/api/invitations', token: admin.token, payload: { email: `o-${uniqueSuffix()}@example.test`, role: 'owner' } });
    expect(asOwner.statusCode).toBe(403);
    const member = await addMember(t, owner.token, { role: 'member' });
    const promote = await request(t.app, { method: 'PATCH', url: `/api/members/${(await membershipOf(member.userId, null)).id}`, token: admin.token, payload: { role: 'owner' } });
    expect(promote.statusCode).toBe(403);
    const ownerMembership = await membershipOf(owner.user.id, null);
    const demoteOwner = await request(t.app, { method: 'PATCH', url: `/api/members/${ownerMembership.id}`, token: admin.token, payload: { role: 'member' } });
    expect(demoteOwner.statusCode).toBe(403);
    const removeOwner = await request(t.app, { method: 'DELETE', url: `/api/members/${ownerMembership.id}`, token: admin.token });
    expect(removeOwner.statusCode).toBe(403);
    // A tenant member cannot invite at all.
    expect((await request(t.app, { method: 'POST', url: '/api/invitations', token: member.token, payload: { email: `m-${uniqueSuffix()}@example.test`, role: 'member' } })).statusCode).toBe(403);
  });

  it('refuses a role that does not fit the level', async () => {
    const member = await addMember(t, owner.token, { role: 'member' });
    const membership = await membershipOf(member.userId, null);
    const response = await request(t.app, { method: 'PATCH', url: `/api/members/${membership.id}`, token: owner.token, payload: { role: 'editor' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'membership.role_invalid' });
    const invite = await request(t.app, { method: 'POST', url: '/api/invitations', token: owner.token, payload: { email: `r-${uniqueSuffix()}@example.test`, role: 'client' } });
    expect(invite.statusCode).toBe(400);
  });

  it('protects the last owner from removal and demotion, and allows it once another owner exists', async () => {
    const solo = await registerTenant(t.app);
    const list = await request(t.app, { url: '/api/members', token: solo.token });
    const ownMembership = list.json<MemberList>().items[0]!;
    const demote = await request(t.app, { method: 'PATCH', url: `/api/members/${ownMembership.id}`, token: solo.token, payload: { role: 'admin' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toMatchObject({ code: 'membership.last_owner' });
    const remove = await request(t.app, { method: 'DELETE', url: `/api/members/${ownMembership.id}`, token: solo.token });
    expect(remove.statusCode).toBe(409);
    expect(remove.json()).toMatchObject({ code: 'membership.last_owner' });

    const coOwner = await addMember(t, solo.token, { role: 'owner' });
    expect(coOwner.session.scope).toMatchObject({ tenantRole: 'owner' });
    const demoteNow = await request(t.app, { method: 'PATCH', url: `/api/members/${ownMembership.id}`, token: coOwner.token, payload: { role: 'admin' } });
    expect(demoteNow.statusCode).toBe(200);
    expect(demoteNow.json()).toMatchObject({ role: 'admin' });

    // The demoted user's old access token is refused; a new sign-in carries the new role.
    const stale = await request(t.app, { url: '/api/tenant', token: solo.token });
    expect(stale.statusCode).toBe(401);
    const fresh = await signIn(t.app, solo.email, testPassword);
    expect(fresh.scope).toMatchObject({ tenantId: solo.tenant.id, tenantRole: 'admin' });
  });

  it('lets account admins manage their own account members but not tenant members or other accounts', async () => {
    const accountAdmin = await addMember(t, owner.token, { role: 'admin', accountId: bella.id });
    const bellaClient = await addMember(t, owner.token, { role: 'client', accountId: bella.id });
    const urbanEditor = await addMember(t, owner.token, { role: 'editor', accountId: urban.id });
    const tenantMember = await addMember(t, owner.token, { role: 'member' });

    const bellaMembership = await membershipOf(bellaClient.userId, bella.id);
    const promote = await request(t.app, { method: 'PATCH', url: `/api/members/${bellaMembership.id}`, token: accountAdmin.token, payload: { role: 'contributor' } });
    expect(promote.statusCode).toBe(200);
    const urbanMembership = await membershipOf(urbanEditor.userId, urban.id);
    expect((await request(t.app, { method: 'DELETE', url: `/api/members/${urbanMembership.id}`, token: accountAdmin.token })).statusCode).toBe(403);
    const tenantMembership = await membershipOf(tenantMember.userId, null);
    expect((await request(t.app, { method: 'DELETE', url: `/api/members/${tenantMembership.id}`, token: accountAdmin.token })).statusCode).toBe(403);

    // Their member list is their account's.
    const visible = await request(t.app, { url: '/api/members?limit=100', token: accountAdmin.token });
    expect(visible.statusCode).toBe(200);
    expect(visible.json<MemberList>().items.every((item) => item.accountId === bella.id)).toBe(true);

    const removed = await request(t.app, { method: 'DELETE', url: `/api/members/${bellaMembership.id}`, token: accountAdmin.token });
    expect(removed.statusCode).toBe(204);
    const rows = await t.owner.query('SELECT count(*)::int AS n FROM memberships WHERE id = $1', [bellaMembership.id]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('shows non-admins only the accounts they belong to', async () => {
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: bella.id });
    const list = await request(t.app, { url: '/api/accounts', token: editor.token });
    expect(list.json().items.map((account: { id: string }) => account.id)).toEqual([bella.id]);
    expect((await request(t.app, { url: `/api/accounts/${urban.id}`, token: editor.token })).statusCode).toBe(404);
    expect((await request(t.app, { url: `/api/accounts/${bella.id}`, token: editor.token })).statusCode).toBe(200);
  });

  it('archives accounts on delete, hides them from lists and restores them on request', async () => {
    const temporary = await createAccount(t.app, owner.token, 'Temporary');
    expect((await request(t.app, { method: 'DELETE', url: `/api/accounts/${temporary.id}`, token: owner.token })).statusCode).toBe(204);
    const active = await request(t.app, { url: '/api/accounts?limit=100', token: owner.token });
    expect(active.json().items.map((account: { id: string }) => account.id)).not.toContain(temporary.id);
    const archived = await request(t.app, { url: '/api/accounts?status=archived', token: owner.token });
    expect(archived.json().items).toEqual([expect.objectContaining({ id: temporary.id, status: 'archived' })]);
    const restored = await request(t.app, { method: 'PATCH', url: `/api/accounts/${temporary.id}`, token: owner.token, payload: { status: 'active' } });
    expect(restored.json()).toMatchObject({ status: 'active' });
  });

  it('refuses a second account with a taken slug and pages account lists with a cursor', async () => {
    const tenant = await registerTenant(t.app);
    const first = await request(t.app, { method: 'POST', url: '/api/accounts', token: tenant.token, payload: { name: 'One', slug: 'one' } });
    expect(first.statusCode).toBe(201);
    const duplicate = await request(t.app, { method: 'POST', url: '/api/accounts', token: tenant.token, payload: { name: 'Uno', slug: 'one' } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({ code: 'account.slug_taken' });
    await createAccount(t.app, tenant.token, 'Two');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await request(t.app, { url: `/api/accounts?limit=1${cursor ? `&cursor=${cursor}` : ''}`, token: tenant.token });
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.items).toHaveLength(1);
      seen.push(body.items[0].id);
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);
    expect((await request(t.app, { url: '/api/accounts?cursor=garbage', token: tenant.token })).json()).toMatchObject({ code: 'request.invalid_cursor' });
  });
});
