import type { Notification, NotificationList, NotificationPreferenceList } from '@omni/contracts/notifications';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../kernel/db/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { listMailTo } from '../../../test/factories/identity.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { defineNotificationKind, notifyUsers, type NotifyInput } from './index.js';

const mailedKind = defineNotificationKind('tests.something_happened', { emailByDefault: true, description: 'A test kind with email on by default.' }).kind;
const quietKind = defineNotificationKind('tests.quiet_news', { emailByDefault: false, description: 'A test kind with email off by default.' }).kind;

describe('notifications', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let editor: { token: string; email: string; userId: string };
  let other: RegisteredTenant;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://omni.example.test/' });
    owner = await registerTenant(t.app);
    editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId, name: 'Eva Editor' });
    other = await registerTenant(t.app);
  });
  afterAll(() => t?.close());

  const notify = (input: Partial<NotifyInput> & Pick<NotifyInput, 'userIds'>, tenantId = owner.tenant.id) =>
    withTenant({ db: t.kernel.db, tenantId }, (tx) =>
      notifyUsers(tx, { config: t.kernel.config, tenantId, accountId: owner.accountId, kind: mailedKind, title: 'Something happened', body: 'Details.', linkPath: '/approvals', ...input }),
    );
  const list = (token: string, query = '') => request(t.app, { url: `/api/notifications${query}`, token });
  const unread = async (token: string) => (await request(t.app, { url: '/api/notifications/unread-count', token })).json<{ count: number }>().count;

  it('stores one notification per recipient and queues an email to each, with the PUBLIC_URL link, in the caller’s transaction', async () => {
    const before = await unread(editor.token);
    const result = await notify({ userIds: [editor.userId, editor.userId, owner.user.id], title: 'Review requested: Spring sale', linkPath: '/approvals/123', actorUserId: owner.user.id });
    expect(result).toEqual({ notified: 2, emailed: 2 });
    expect(await unread(editor.token)).toBe(before + 1);
    const mails = await listMailTo(t, editor.email, mailedKind);
    expect(mails[0]).toMatchObject({ subject: 'Review requested: Spring sale', tenant_id: owner.tenant.id });
    expect(mails[0]!.text_body).toContain('Hello Eva Editor,');
    expect(mails[0]!.text_body).toContain('https://omni.example.test/approvals/123');
    expect(mails[0]!.html_body).toContain('href="https://omni.example.test/approvals/123"');
    const page = (await list(editor.token, '?limit=1')).json<NotificationList>();
    expect(page.items[0]).toMatchObject({ kind: mailedKind, title: 'Review requested: Spring sale', linkPath: '/approvals/123', readAt: null, actor: { userId: owner.user.id, name: 'Owen Owner' } });
    const stored = await t.owner.query('SELECT mail_message_id FROM notifications WHERE id = $1', [page.items[0]!.id]);
    expect(stored.rows[0].mail_message_id).toBe(mails[0]!.id);
  });

  it('writes nothing when the caller’s transaction rolls back', async () => {
    const before = await unread(editor.token);
    const mailsBefore = (await listMailTo(t, editor.email)).length;
    await expect(
      withTenant({ db: t.kernel.db, tenantId: owner.tenant.id }, async (tx) => {
        await notifyUsers(tx, { config: t.kernel.config, tenantId: owner.tenant.id, userIds: [editor.userId], kind: mailedKind, title: 'Lost', body: '', linkPath: '/' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await unread(editor.token)).toBe(before);
    expect((await listMailTo(t, editor.email)).length).toBe(mailsBefore);
  });

  it('refuses undeclared kinds and links that are not console paths', async () => {
    await expect(notify({ userIds: [editor.userId], kind: 'tests.never_declared' })).rejects.toThrow(/not defined/);
    await expect(notify({ userIds: [editor.userId], linkPath: 'https://evil.example/' })).rejects.toThrow(/console path/);
    await expect(notify({ userIds: [editor.userId], linkPath: '//evil.example/' })).rejects.toThrow(/console path/);
  });

  it('follows each person’s email preference per kind, and the kind’s default without one', async () => {
    const prefs = await request(t.app, { url: '/api/notifications/preferences', token: editor.token });
    expect(prefs.statusCode).toBe(200);
    const items = prefs.json<NotificationPreferenceList>().items;
    expect(items).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: mailedKind, emailEnabled: true, emailByDefault: true }),
      expect.objectContaining({ kind: quietKind, emailEnabled: false, emailByDefault: false }),
    ]));

    const mailsBefore = (await listMailTo(t, editor.email)).length;
    expect(await notify({ userIds: [editor.userId], kind: quietKind })).toEqual({ notified: 1, emailed: 0 });
    expect((await listMailTo(t, editor.email)).length).toBe(mailsBefore);

    const put = await request(t.app, {
      method: 'PUT',
      url: '/api/notifications/preferences',
      token: editor.token,
      payload: { items: [{ kind: mailedKind, emailEnabled: false }, { kind: quietKind, emailEnabled: true }] },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json<NotificationPreferenceList>().items).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: mailedKind, emailEnabled: false }),
      expect.objectContaining({ kind: quietKind, emailEnabled: true }),
    ]));
    expect(await notify({ userIds: [editor.userId, owner.user.id], kind: mailedKind })).toEqual({ notified: 2, emailed: 1 });
    expect(await notify({ userIds: [editor.userId], kind: quietKind })).toEqual({ notified: 1, emailed: 1 });
    expect((await listMailTo(t, editor.email)).length).toBe(mailsBefore + 1);
    // Preferences are per tenant: the owner's, and other tenants', are untouched.
    const ownerPrefs = (await request(t.app, { url: '/api/notifications/preferences', token: owner.token })).json<NotificationPreferenceList>();
    expect(ownerPrefs.items.find((item) => item.kind === mailedKind)?.emailEnabled).toBe(true);
  });

  it('refuses unknown kinds (422) and malformed preference bodies (400), changing nothing', async () => {
    const unknown = await request(t.app, { method: 'PUT', url: '/api/notifications/preferences', token: owner.token, payload: { items: [{ kind: 'tests.nope', emailEnabled: false }] } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'notifications.unknown_kind', errors: [{ path: 'body.items.0.kind' }] });
    const malformed = await request(t.app, { method: 'PUT', url: '/api/notifications/preferences', token: owner.token, payload: { items: [{ kind: mailedKind, emailEnabled: 'no' }] } });
    expect(malformed.statusCode).toBe(400);
    const twice = await request(t.app, {
      method: 'PUT',
      url: '/api/notifications/preferences',
      token: owner.token,
      payload: { items: [{ kind: mailedKind, emailEnabled: false }, { kind: mailedKind, emailEnabled: true }] },
    });
    expect(twice.statusCode).toBe(400);
    const stored = await t.owner.query('SELECT count(*)::int AS n FROM notification_preferences WHERE user_id = $1', [owner.user.id]);
    expect(stored.rows[0].n).toBe(0);
  });

  it('keeps people of one tenant apart: nobody lists, counts or marks another person’s notifications', async () => {
    await notify({ userIds: [owner.user.id], title: 'For the owner only' });
    const ownersOwn = (await list(owner.token, '?unread=true')).json<NotificationList>().items.find((item) => item.title === 'For the owner only')!;
    expect(ownersOwn).toBeDefined();
    expect((await list(editor.token, '?limit=100')).json<NotificationList>().items.map((item) => item.id)).not.toContain(ownersOwn.id);
    const stolen = await request(t.app, { method: 'POST', url: `/api/notifications/${ownersOwn.id}/read`, token: editor.token });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.headers['content-type']).toContain('application/problem+json');
    const ownerUnread = await unread(owner.token);
    const readAll = await request(t.app, { method: 'POST', url: '/api/notifications/read-all', token: editor.token });
    expect(readAll.statusCode).toBe(200);
    expect(await unread(owner.token)).toBe(ownerUnread);
    expect(await unread(editor.token)).toBe(0);
    // Another tenant's owner sees none of it either.
    expect((await list(other.token)).json<NotificationList>().items).toEqual([]);
    expect((await request(t.app, { method: 'POST', url: `/api/notifications/${ownersOwn.id}/read`, token: other.token })).statusCode).toBe(404);
  });

  it('marks one read (the first read time is kept), filters unread, and pages by cursor', async () => {
    for (let index = 0; index < 3; index += 1) await notify({ userIds: [editor.userId], title: `Paged ${index}` });
    const unreadPage = (await list(editor.token, '?unread=true&limit=2')).json<NotificationList>();
    expect(unreadPage.items.map((item) => item.title)).toEqual(['Paged 2', 'Paged 1']);
    expect(unreadPage.nextCursor).toBeTruthy();
    const next = (await list(editor.token, `?unread=true&limit=2&cursor=${unreadPage.nextCursor}`)).json<NotificationList>();
    expect(next.items.map((item) => item.title)).toEqual(['Paged 0']);
    expect(next.nextCursor).toBeNull();

    const first = await request(t.app, { method: 'POST', url: `/api/notifications/${unreadPage.items[0]!.id}/read`, token: editor.token });
    expect(first.statusCode).toBe(200);
    const readAt = first.json<Notification>().readAt;
    expect(readAt).not.toBeNull();
    const again = await request(t.app, { method: 'POST', url: `/api/notifications/${unreadPage.items[0]!.id}/read`, token: editor.token });
    expect(again.json<Notification>().readAt).toBe(readAt);
    expect(await unread(editor.token)).toBe(2);

    expect((await list(editor.token, '?cursor=not-a-cursor')).statusCode).toBe(400);
    expect((await list(editor.token, '?unread=maybe')).statusCode).toBe(400);
    expect((await request(t.app, { method: 'POST', url: '/api/notifications/not-a-uuid/read', token: editor.token })).statusCode).toBe(400);
  });

  it('needs a signed-in person with an active tenant', async () => {
    expect((await request(t.app, { url: '/api/notifications' })).statusCode).toBe(401);
    expect((await request(t.app, { url: '/api/notifications/unread-count' })).statusCode).toBe(401);
  });
});
