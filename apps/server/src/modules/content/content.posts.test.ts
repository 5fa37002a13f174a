import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * Posts through the API: a base with per-network variants that inherit it, destinations of the account,
 * every save a revision (stale expectedRevision → 409), diff and restore, duplicate, delete, validation
 * per variant (drafts saveable with issues), who may change what, and other tenants' posts unseen.
 */
describe('content: posts, variants, revisions', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let feedA: string;
  let feedB: string;

  const sandbox = async (tenant: RegisteredTenant, name: string) => {
    const response = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name } });
    expect(response.statusCode).toBe(201);
    return response.json().id as string;
  };
  const createPost = (token: string, payload: Record<string, unknown>) => request(t.app, { method: 'POST', url: '/api/content/posts', token, payload });
  const getPost = (token: string, id: string) => request(t.app, { url: `/api/content/posts/${id}`, token });
  const editPost = (token: string, id: string, payload: Record<string, unknown>) => request(t.app, { method: 'PATCH', url: `/api/content/posts/${id}`, token, payload });

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    feedA = await sandbox(owner, 'Bakery feed');
    feedB = await sandbox(owner, 'Second feed');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a draft whose variant inherits the base, as revision 1', async () => {
    const created = await createPost(owner.token, { title: 'Croissants', baseText: 'Fresh croissants at 7', tags: ['Bakery', 'morning'], destinations: [feedA, feedB] });
    expect(created.statusCode).toBe(201);
    const post = created.json();
    expect(post).toMatchObject({ status: 'draft', currentRevision: 1, tags: ['bakery', 'morning'], baseText: 'Fresh croissants at 7' });
    expect(post.destinations).toHaveLength(2);
    expect(post.variants).toEqual([expect.objectContaining({ network: 'sandbox', abLabel: null, text: null, media: null, link: null })]);
    expect(post.issues).toEqual([]);
    const revisions = await request(t.app, { url: `/api/content/posts/${post.id}/revisions`, token: owner.token });
    expect(revisions.json().items.map((revision: { number: number }) => revision.number)).toEqual([1]);
  });

  it('saves each edit as a revision and refuses a stale expectedRevision with 409, changing nothing', async () => {
    const post = (await createPost(owner.token, { baseText: 'Version one', destinations: [feedA] })).json();
    const body = (text: string, expectedRevision: number) => ({ baseText: text, destinations: [feedA], expectedRevision });
    const edited = await editPost(owner.token, post.id, body('Version two', 1));
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ currentRevision: 2, baseText: 'Version two', unscheduled: false });

    const stale = await editPost(owner.token, post.id, body('Lost update', 1));
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'content.revision_conflict', currentRevision: 2 });
    expect((await getPost(owner.token, post.id)).json()).toMatchObject({ currentRevision: 2, baseText: 'Version two' });
    const count = await t.owner.query('SELECT count(*)::int AS n FROM post_revisions WHERE post_id = $1', [post.id]);
    expect(count.rows[0].n).toBe(2);
  });

  it('keeps a customized variant text and lets the base change under the others', async () => {
    const post = (await createPost(owner.token, { baseText: 'Base text', destinations: [feedA], variants: [{ network: 'sandbox', text: 'Sandbox only' }] })).json();
    const variant = post.variants[0];
    expect(variant).toMatchObject({ text: 'Sandbox only' });
    const edited = (await editPost(owner.token, post.id, { baseText: 'New base', destinations: [feedA], variants: [{ network: 'sandbox', text: 'Sandbox only, edited' }], expectedRevision: 1 })).json();
    expect(edited.variants[0]).toMatchObject({ id: variant.id, text: 'Sandbox only, edited' });
    const inherited = (await editPost(owner.token, post.id, { baseText: 'New base', destinations: [feedA], variants: [], expectedRevision: 2 })).json();
    expect(inherited.variants[0]).toMatchObject({ id: variant.id, text: null });
  });

  it('refuses variants without a destination, unknown connections and another tenant’s connection (422), creating nothing', async () => {
    const stranger = await registerTenant(t.app);
    const foreign = await sandbox(stranger, 'Not yours');
    const before = await t.owner.query('SELECT count(*)::int AS n FROM posts WHERE tenant_id = $1', [owner.tenant.id]);
    const orphan = await createPost(owner.token, { baseText: 'x', destinations: [feedA], variants: [{ network: 'x', text: 'tweet' }] });
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json()).toMatchObject({ code: 'content.invalid_variants' });
    expect(orphan.json().errors[0].path).toBe('body.variants.0.network');
    const unknown = await createPost(owner.token, { baseText: 'x', destinations: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('content.invalid_destination');
    const theirs = await createPost(owner.token, { baseText: 'x', destinations: [foreign] });
    expect(theirs.statusCode).toBe(422);
    const malformed = await createPost(owner.token, { baseText: 'x', destinations: ['not-a-uuid'] });
    expect(malformed.statusCode).toBe(400);
    const after = await t.owner.query('SELECT count(*)::int AS n FROM posts WHERE tenant_id = $1', [owner.tenant.id]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('saves drafts with validation issues per variant and reports them', async () => {
    const long = 'a'.repeat(20_001);
    const created = await createPost(owner.token, { baseText: '', destinations: [] });
    expect(created.statusCode).toBe(201);
    expect(created.json().issues).toEqual([expect.objectContaining({ code: 'content.no_destination', severity: 'error' })]);

    const tooLong = (await createPost(owner.token, { baseText: 'fine', destinations: [feedA], variants: [{ network: 'sandbox', text: long }] })).json();
    expect(tooLong.issues).toEqual([expect.objectContaining({ network: 'sandbox', variantId: tooLong.variants[0].id, path: 'text', severity: 'error' })]);
    expect(tooLong.issues[0].message).toContain('20,001');
    const validated = await request(t.app, { method: 'POST', url: `/api/content/posts/${tooLong.id}/validate`, token: owner.token });
    expect(validated.json()).toMatchObject({ ok: false });

    const empty = (await createPost(owner.token, { baseText: '   ', destinations: [feedA] })).json();
    expect(empty.issues.map((issue: { code: string }) => issue.code)).toEqual(['content_required']);
    const missingMedia = (await createPost(owner.token, { baseText: 'pic', baseMedia: [{ assetId: '00000000-0000-4000-8000-0000000000aa' }], destinations: [feedA] })).json();
    expect(missingMedia.issues).toEqual([expect.objectContaining({ code: 'content.media_missing', path: 'media.0' })]);
  });

  it('diffs two revisions word by word and restores an old one as a new revision', async () => {
    const post = (await createPost(owner.token, { baseText: 'Fresh croissants at seven', tags: ['bakery'], destinations: [feedA] })).json();
    await editPost(owner.token, post.id, { baseText: 'Warm croissants at seven', tags: ['bakery', 'warm'], destinations: [feedA, feedB], expectedRevision: 1 });
    const diff = await request(t.app, { url: `/api/content/posts/${post.id}/revisions/2/diff`, token: owner.token });
    expect(diff.statusCode).toBe(200);
    const fields = diff.json().fields as Array<{ field: string; changes: Array<{ op: string; text: string }> }>;
    expect(fields.find((field) => field.field === 'baseText')!.changes).toEqual([
      { op: 'delete', text: 'Fresh' },
      { op: 'insert', text: 'Warm' },
      { op: 'equal', text: ' croissants at seven' },
    ]);
    expect(fields.find((field) => field.field === 'tags')!.changes).toContainEqual({ op: 'insert', text: 'warm' });
    expect(fields.find((field) => field.field === 'destinations')!.changes).toContainEqual({ op: 'insert', text: `sandbox:${feedB}` });
    expect(fields.map((field) => field.field)).not.toContain('title');

    const restored = await request(t.app, { method: 'POST', url: `/api/content/posts/${post.id}/revisions/1/restore`, token: owner.token, payload: { expectedRevision: 2 } });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ currentRevision: 3, baseText: 'Fresh croissants at seven', tags: ['bakery'] });
    expect(restored.json().destinations).toEqual([{ connectionId: feedA, network: 'sandbox' }]);
    const revisions = (await request(t.app, { url: `/api/content/posts/${post.id}/revisions`, token: owner.token })).json().items;
    expect(revisions[0]).toMatchObject({ number: 3, note: 'restored from 1', authorUserId: owner.user.id });
    const snapshot = (await request(t.app, { url: `/api/content/posts/${post.id}/revisions/3`, token: owner.token })).json().snapshot;
    expect(snapshot).toMatchObject({ baseText: 'Fresh croissants at seven', tags: ['bakery'] });
    expect((await request(t.app, { url: `/api/content/posts/${post.id}/revisions/9`, token: owner.token })).statusCode).toBe(404);
    const stale = await request(t.app, { method: 'POST', url: `/api/content/posts/${post.id}/revisions/1/restore`, token: owner.token, payload: { expectedRevision: 2 } });
    expect(stale.statusCode).toBe(409);
  });

  it('duplicates a post into a new draft and deletes drafts', async () => {
    const post = (await createPost(owner.token, { title: 'Weekend', baseText: 'Open on Sunday', plannedAt: new Date(Date.now() + 86_400_000).toISOString(), destinations: [feedA] })).json();
    const copy = await request(t.app, { method: 'POST', url: `/api/content/posts/${post.id}/duplicate`, token: owner.token });
    expect(copy.statusCode).toBe(201);
    expect(copy.json()).toMatchObject({ title: 'Copy of Weekend', baseText: 'Open on Sunday', plannedAt: null, currentRevision: 1, status: 'draft' });
    expect(copy.json().id).not.toBe(post.id);
    const deleted = await request(t.app, { method: 'DELETE', url: `/api/content/posts/${copy.json().id}`, token: owner.token });
    expect(deleted.statusCode).toBe(204);
    expect((await getPost(owner.token, copy.json().id)).statusCode).toBe(404);
  });

  it('lists posts by status, tag, network and text', async () => {
    const marker = `marker${Date.now()}`;
    await createPost(owner.token, { baseText: `Listed ${marker}`, tags: ['listing'], destinations: [feedA] });
    const found = await request(t.app, { url: `/api/content/posts?q=${marker}&tag=listing&network=sandbox&status=draft`, token: owner.token });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ total: 1, items: [expect.objectContaining({ networks: ['sandbox'], excerpt: `Listed ${marker}` })] });
    const none = await request(t.app, { url: `/api/content/posts?q=${marker}&network=x`, token: owner.token });
    expect(none.json().total).toBe(0);
  });

  it('lets contributors change only their own posts and viewers nothing', async () => {
    const contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    const viewer = await addMember(t, owner.token, { role: 'viewer', accountId: owner.accountId });
    const mine = await createPost(contributor.token, { baseText: 'By a contributor', destinations: [feedA] });
    expect(mine.statusCode).toBe(201);
    expect((await editPost(contributor.token, mine.json().id, { baseText: 'Edited', destinations: [feedA], expectedRevision: 1 })).statusCode).toBe(200);
    const ownersPost = (await createPost(owner.token, { baseText: 'By the owner', destinations: [feedA] })).json();
    const refused = await editPost(contributor.token, ownersPost.id, { baseText: 'Hijack', destinations: [feedA], expectedRevision: 1 });
    expect(refused.statusCode).toBe(403);
    expect((await request(t.app, { method: 'DELETE', url: `/api/content/posts/${ownersPost.id}`, token: contributor.token })).statusCode).toBe(403);
    expect((await getPost(viewer.token, ownersPost.id)).statusCode).toBe(200);
    expect((await createPost(viewer.token, { baseText: 'No', destinations: [] })).statusCode).toBe(403);
  });

  it('does not show one tenant’s posts or revisions to another (404)', async () => {
    const post = (await createPost(owner.token, { baseText: 'Private', destinations: [feedA] })).json();
    const stranger = await registerTenant(t.app);
    expect((await getPost(stranger.token, post.id)).statusCode).toBe(404);
    expect((await request(t.app, { url: `/api/content/posts/${post.id}/revisions/1`, token: stranger.token })).statusCode).toBe(404);
    expect((await editPost(stranger.token, post.id, { baseText: 'x', destinations: [], expectedRevision: 1 })).statusCode).toBe(404);
    expect((await request(t.app, { url: '/api/content/posts', token: stranger.token })).json().total).toBe(0);
  });
});
