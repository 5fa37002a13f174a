import type { Profile, ProfileList } from '@omni/contracts/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { addMember, createAccount, registerTenant, switchScope, type RegisteredTenant } from '../../../test/factories/tenancy.js';

describe('tenancy: profiles in the active account', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
  });
  afterAll(() => t.close());

  const create = (token: string, payload: Record<string, unknown>) => request(t.app, { method: 'POST', url: '/api/profiles', token, payload });

  it('creates several profiles per user with a unique slug per account', async () => {
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const first = await create(editor.token, { displayName: 'Ella Model', headline: 'Runway', visibility: 'public' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ userId: editor.userId, accountId: owner.accountId, slug: 'ella-model', visibility: 'public', headline: 'Runway', bio: null });
    const derived = await create(editor.token, { displayName: 'Ella Model' });
    expect(derived.json()).toMatchObject({ slug: 'ella-model-2', visibility: 'tenant' });
    const conflict = await create(editor.token, { displayName: 'Other', slug: 'ella-model' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'profile.slug_taken' });

    // The same slug is free in another account.
    const other = await createAccount(t.app, owner.token, 'Other client');
    const elsewhere = await switchScope(t.app, owner.token, owner.tenant.id, other.id);
    expect((await create(elsewhere.accessToken, { displayName: 'Ella', slug: 'ella-model' })).statusCode).toBe(201);
  });

  it('shows private profiles only to their owner and account admins', async () => {
    const viewer = await addMember(t, owner.token, { role: 'viewer', accountId: owner.accountId });
    const contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    const hidden = (await create(viewer.token, { displayName: 'Quiet Viewer', visibility: 'private' })).json<Profile>();
    const visible = (await create(viewer.token, { displayName: 'Loud Viewer', visibility: 'tenant' })).json<Profile>();

    const seenByContributor = await request(t.app, { url: '/api/profiles?limit=100', token: contributor.token });
    const ids = seenByContributor.json<ProfileList>().items.map((profile) => profile.id);
    expect(ids).toContain(visible.id);
    expect(ids).not.toContain(hidden.id);
    expect((await request(t.app, { url: `/api/profiles/${hidden.id}`, token: contributor.token })).statusCode).toBe(404);

    expect((await request(t.app, { url: `/api/profiles/${hidden.id}`, token: viewer.token })).statusCode).toBe(200);
    const seenByOwner = await request(t.app, { url: `/api/profiles?userId=${viewer.userId}`, token: owner.token });
    expect(seenByOwner.json<ProfileList>().items.map((profile) => profile.id).sort()).toEqual([hidden.id, visible.id].sort());
  });

  it('lets the owner edit and delete their profile, account admins anyone’s, and nobody else', async () => {
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const colleague = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const accountAdmin = await addMember(t, owner.token, { role: 'admin', accountId: owner.accountId });
    const profile = (await create(editor.token, { displayName: 'Editable' })).json<Profile>();

    const own = await request(t.app, { method: 'PATCH', url: `/api/profiles/${profile.id}`, token: editor.token, payload: { bio: 'Hello', visibility: 'public' } });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ bio: 'Hello', visibility: 'public' });
    const foreign = await request(t.app, { method: 'PATCH', url: `/api/profiles/${profile.id}`, token: colleague.token, payload: { bio: 'Defaced' } });
    expect(foreign.statusCode).toBe(403);
    expect((await request(t.app, { method: 'DELETE', url: `/api/profiles/${profile.id}`, token: colleague.token })).statusCode).toBe(403);
    const moderated = await request(t.app, { method: 'PATCH', url: `/api/profiles/${profile.id}`, token: accountAdmin.token, payload: { headline: 'Moderated' } });
    expect(moderated.json()).toMatchObject({ headline: 'Moderated', bio: 'Hello' });
    expect((await request(t.app, { method: 'DELETE', url: `/api/profiles/${profile.id}`, token: editor.token })).statusCode).toBe(204);
    expect((await request(t.app, { url: `/api/profiles/${profile.id}`, token: editor.token })).statusCode).toBe(404);
  });

  it('keeps profiles to the active account and needs one', async () => {
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const profile = (await create(editor.token, { displayName: 'Scoped' })).json<Profile>();
    const other = await createAccount(t.app, owner.token, 'Elsewhere');
    const elsewhere = await switchScope(t.app, owner.token, owner.tenant.id, other.id);
    expect((await request(t.app, { url: `/api/profiles/${profile.id}`, token: elsewhere.accessToken })).statusCode).toBe(404);
    const tenantLevel = await switchScope(t.app, owner.token, owner.tenant.id, null);
    const none = await request(t.app, { url: '/api/profiles', token: tenantLevel.accessToken });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ code: 'account.none_active' });
  });
});
