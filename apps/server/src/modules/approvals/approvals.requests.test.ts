import type { ApprovalRequest, ApprovalRequestDetail, ApprovalRequestList, ApprovalStatus } from '@omni/contracts/approvals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../kernel/db/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { createTestNote, openTestRequest, reviseTestNote, testSubjectType } from '../../../test/factories/approvals.js';
import { listMailTo } from '../../../test/factories/identity.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { canTransition } from './approvals.state.js';
import { getApprovalState, supersedeApprovalRequests, withdrawApprovalRequests } from './index.js';

type Member = { token: string; email: string; userId: string };

const statuses: ApprovalStatus[] = ['pending', 'approved', 'rejected', 'changes_requested', 'superseded', 'withdrawn'];

describe('approval state machine', () => {
  it('allows only pending → approved | rejected | changes_requested | superseded | withdrawn', () => {
    const allowed = statuses.flatMap((from) => statuses.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(['pending→approved', 'pending→rejected', 'pending→changes_requested', 'pending→superseded', 'pending→withdrawn']);
  });
});

describe('approval requests', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let editor: Member;
  let secondEditor: Member;
  let contributor: Member;
  let client: Member;
  let viewer: Member;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId, name: 'Eva Editor' });
    secondEditor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId, name: 'Ed Second' });
    contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId, name: 'Carlos Contributor' });
    client = await addMember(t, owner.token, { role: 'client', accountId: owner.accountId, name: 'Clara Client' });
    viewer = await addMember(t, owner.token, { role: 'viewer', accountId: owner.accountId, name: 'Vic Viewer' });
  });
  afterAll(() => t?.close());

  const open = (noteId: string, requestedBy: string | null, stage: 'internal' | 'client' = 'internal') =>
    openTestRequest(t, { tenantId: owner.tenant.id, accountId: owner.accountId, noteId, stage, requestedBy });
  const decide = (token: string, id: string, outcome: string, note?: string) =>
    request(t.app, { method: 'POST', url: `/api/approvals/${id}/decision`, token, payload: { outcome, ...(note ? { note } : {}) } });
  const detail = (token: string, id: string) => request(t.app, { url: `/api/approvals/${id}`, token });
  const events = async (type: string, requestId: string) =>
    (await t.owner.query<{ payload: Record<string, unknown> }>(`SELECT payload FROM outbox_events WHERE type = $1 AND payload->>'requestId' = $2`, [type, requestId])).rows;
  const notificationsOf = async (userId: string, kind: string, subjectId: string) =>
    (await t.owner.query<{ title: string; link_path: string }>('SELECT title, link_path FROM notifications WHERE user_id = $1 AND kind = $2 AND subject_id = $3', [userId, kind, subjectId])).rows;

  it('opens a request for one revision, emits approvals.request_opened and tells the editors (not the requester, not clients)', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, contributor.userId);
    expect(opened).toMatchObject({ subjectType: testSubjectType, subjectId: noteId, subjectRevision: 1, stage: 'internal', status: 'pending', requestedBy: { userId: contributor.userId, name: 'Carlos Contributor' } });
    expect(await events('approvals.request_opened', opened.id)).toHaveLength(1);
    for (const reviewer of [editor, secondEditor]) {
      expect(await notificationsOf(reviewer.userId, 'approvals.review_requested', noteId)).toEqual([{ title: 'Review requested: Spring sale post', link_path: `/approvals/${opened.id}` }]);
    }
    expect(await notificationsOf(owner.user.id, 'approvals.review_requested', noteId)).toHaveLength(1); // tenant owner inherits admin
    for (const notTold of [contributor, client, viewer]) expect(await notificationsOf(notTold.userId, 'approvals.review_requested', noteId)).toEqual([]);
    expect((await listMailTo(t, editor.email, 'approvals.review_requested')).some((mail) => mail.text_body.includes(`/approvals/${opened.id}`))).toBe(true);
  });

  it('refuses a second pending request for the same revision (409) and supersedes one of an older revision', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const first = await open(noteId, contributor.userId);
    await expect(open(noteId, contributor.userId)).rejects.toMatchObject({ status: 409, code: 'approvals.already_pending' });
    reviseTestNote(noteId, 'Spring sale: 25% off');
    const second = await open(noteId, contributor.userId);
    expect(second.subjectRevision).toBe(2);
    expect((await detail(editor.token, first.id)).json<ApprovalRequestDetail>()).toMatchObject({ status: 'superseded', supersededReason: 'revision 2 was submitted' });
  });

  it('lets an editor decide: the decision records who, when and the IP, emits approvals.request_decided and notifies requester and author', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, contributor.userId);
    const response = await decide(editor.token, opened.id, 'changes_requested', 'Shorter, please.');
    expect(response.statusCode, response.body).toBe(200);
    const decided = response.json<ApprovalRequest>();
    expect(decided).toMatchObject({ status: 'changes_requested', canDecide: false, decision: { outcome: 'changes_requested', note: 'Shorter, please.', via: 'user', deciderName: 'Eva Editor', deciderEmail: editor.email, userId: editor.userId, linkId: null } });
    expect(decided.decidedAt).not.toBeNull();
    const stored = await t.owner.query('SELECT decided_by_user_id, ip::text AS ip, user_agent, decided_at FROM approval_decisions WHERE request_id = $1', [opened.id]);
    expect(stored.rows).toEqual([{ decided_by_user_id: editor.userId, ip: '127.0.0.1/32', user_agent: 'lightMyRequest', decided_at: expect.any(Date) }]);
    const [event] = await events('approvals.request_decided', opened.id);
    expect(event?.payload).toEqual({
      requestId: opened.id,
      accountId: owner.accountId,
      subjectType: testSubjectType,
      subjectId: noteId,
      subjectRevision: 1,
      stage: 'internal',
      outcome: 'changes_requested',
      decidedBy: { kind: 'user', userId: editor.userId, name: 'Eva Editor' },
    });
    expect(await notificationsOf(contributor.userId, 'approvals.decided', noteId)).toEqual([{ title: 'Eva Editor asked for changes to “Spring sale post”', link_path: `/notes/${noteId}` }]);
    expect(await notificationsOf(editor.userId, 'approvals.decided', noteId)).toEqual([]);
  });

  it('answers 409 approvals.not_pending with currentStatus once decided (the first decision wins), and changes nothing', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, contributor.userId);
    const [first, second] = await Promise.all([decide(editor.token, opened.id, 'approved'), decide(secondEditor.token, opened.id, 'rejected')]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    expect(loser.json()).toMatchObject({ code: 'approvals.not_pending', currentStatus: first.statusCode === 200 ? 'approved' : 'rejected' });
    const decisions = await t.owner.query('SELECT count(*)::int AS n FROM approval_decisions WHERE request_id = $1', [opened.id]);
    expect(decisions.rows[0].n).toBe(1);
    const again = await decide(owner.token, opened.id, 'approved');
    expect(again.statusCode).toBe(409);
    expect(await events('approvals.request_decided', opened.id)).toHaveLength(1);
  });

  it('by role: contributors and viewers cannot decide, nobody decides their own request, clients never see the internal stage', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: editor.userId });
    const opened = await open(noteId, editor.userId);
    const byContributor = await decide(contributor.token, opened.id, 'approved');
    expect(byContributor.statusCode).toBe(403);
    expect((await decide(viewer.token, opened.id, 'approved')).statusCode).toBe(403);
    const own = await decide(editor.token, opened.id, 'approved');
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ code: 'approvals.self_approval' });
    expect((await decide(client.token, opened.id, 'approved')).statusCode).toBe(404);
    expect((await detail(client.token, opened.id)).statusCode).toBe(404);
    const clientInbox = (await request(t.app, { url: '/api/approvals?status=all&limit=100', token: client.token })).json<ApprovalRequestList>();
    expect(clientInbox.items.every((item) => item.stage === 'client')).toBe(true);
    expect((await detail(contributor.token, opened.id)).json<ApprovalRequestDetail>()).toMatchObject({ status: 'pending', canDecide: false });
    expect((await detail(secondEditor.token, opened.id)).json<ApprovalRequestDetail>()).toMatchObject({ canDecide: true, preview: { title: 'Spring sale post' } });
    expect(await t.owner.query('SELECT 1 FROM approval_decisions WHERE request_id = $1', [opened.id]).then((result) => result.rowCount)).toBe(0);
    expect((await decide(secondEditor.token, opened.id, 'approved')).statusCode).toBe(200);
  });

  it('client stage: client reviewers decide it in the app, and an editor may record a client’s answer', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, editor.userId, 'client');
    expect(await notificationsOf(client.userId, 'approvals.review_requested', noteId)).toEqual([{ title: 'Client review requested: Spring sale post', link_path: `/approvals/${opened.id}` }]);
    expect(await notificationsOf(secondEditor.userId, 'approvals.review_requested', noteId)).toEqual([]);
    const inbox = (await request(t.app, { url: '/api/approvals', token: client.token })).json<ApprovalRequestList>();
    expect(inbox.items.find((item) => item.id === opened.id)).toMatchObject({ canDecide: true });
    const view = (await detail(client.token, opened.id)).json<ApprovalRequestDetail>();
    expect(view.preview?.variants[0]).toMatchObject({ network: 'sandbox', text: 'Spring sale: 20% off' });
    expect(view).toMatchObject({ canManageLinks: false, links: [] });
    expect((await decide(client.token, opened.id, 'approved')).json<ApprovalRequest>()).toMatchObject({ status: 'approved', decision: { deciderName: 'Clara Client', via: 'user' } });

    const second = await open(createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId }), contributor.userId, 'client');
    expect((await decide(secondEditor.token, second.id, 'rejected', 'Client said no on the phone')).json<ApprovalRequest>()).toMatchObject({ status: 'rejected', decision: { deciderName: 'Ed Second' } });
  });

  it('validates bodies (400), ids (400) and unknown requests (404), changing nothing', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, contributor.userId);
    expect((await decide(editor.token, opened.id, 'maybe')).statusCode).toBe(400);
    expect((await decide(editor.token, opened.id, 'approved', 'x'.repeat(2001))).statusCode).toBe(400);
    expect((await decide(editor.token, 'not-a-uuid', 'approved')).statusCode).toBe(400);
    expect((await decide(editor.token, '00000000-0000-4000-8000-000000000000', 'approved')).statusCode).toBe(404);
    expect((await request(t.app, { url: '/api/approvals?status=everything', token: editor.token })).statusCode).toBe(400);
    expect((await request(t.app, { url: '/api/approvals?cursor=nope', token: editor.token })).statusCode).toBe(400);
    expect((await detail(editor.token, opened.id)).json<ApprovalRequestDetail>().status).toBe('pending');
    const other = await registerTenant(t.app);
    expect((await detail(other.token, opened.id)).statusCode).toBe(404);
    expect((await decide(other.token, opened.id, 'approved')).statusCode).toBe(404);
  });

  it('lists the inbox by status with paging, and filters by subject', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, contributor.userId);
    const pending = (await request(t.app, { url: '/api/approvals?limit=1', token: editor.token })).json<ApprovalRequestList>();
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]!.id).toBe(opened.id);
    expect(pending.nextCursor).toBe(opened.id);
    const next = (await request(t.app, { url: `/api/approvals?limit=100&cursor=${pending.nextCursor}`, token: editor.token })).json<ApprovalRequestList>();
    expect(next.items.every((item) => item.status === 'pending' && item.id !== opened.id)).toBe(true);
    const bySubject = (await request(t.app, { url: `/api/approvals?status=all&subjectType=${testSubjectType}&subjectId=${noteId}`, token: editor.token })).json<ApprovalRequestList>();
    expect(bySubject.items.map((item) => item.id)).toEqual([opened.id]);
    await decide(editor.token, opened.id, 'approved');
    const decided = (await request(t.app, { url: '/api/approvals?status=decided&limit=100', token: editor.token })).json<ApprovalRequestList>();
    expect(decided.items.map((item) => item.id)).toContain(opened.id);
  });

  it('withdraws: the requester or an editor, through the API or the subject module; a subject edit supersedes', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await open(noteId, contributor.userId);
    expect((await request(t.app, { method: 'POST', url: `/api/approvals/${opened.id}/withdraw`, token: viewer.token })).statusCode).toBe(403);
    const withdrawn = await request(t.app, { method: 'POST', url: `/api/approvals/${opened.id}/withdraw`, token: contributor.token });
    expect(withdrawn.json<ApprovalRequest>().status).toBe('withdrawn');
    expect((await request(t.app, { method: 'POST', url: `/api/approvals/${opened.id}/withdraw`, token: contributor.token })).json()).toMatchObject({ code: 'approvals.not_pending', currentStatus: 'withdrawn' });

    const reopened = await open(noteId, contributor.userId);
    const inTenant = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ db: t.kernel.db, tenantId: owner.tenant.id }, fn);
    const revision = reviseTestNote(noteId, 'edited');
    expect(await inTenant((tx) => supersedeApprovalRequests(tx, { subjectType: testSubjectType, subjectId: noteId, newRevision: revision }))).toBe(1);
    expect(await inTenant((tx) => supersedeApprovalRequests(tx, { subjectType: testSubjectType, subjectId: noteId, newRevision: revision }))).toBe(0);
    const third = await open(noteId, contributor.userId);
    expect(await inTenant((tx) => withdrawApprovalRequests(tx, { subjectType: testSubjectType, subjectId: noteId, reason: 'back to draft' }))).toBe(1);
    const state = await inTenant((tx) => getApprovalState(tx, { subjectType: testSubjectType, subjectId: noteId }));
    expect(state.pending).toEqual([]);
    expect(state.requests.map((item) => [item.id, item.status, item.supersededReason])).toEqual([
      [third.id, 'withdrawn', 'back to draft'],
      [reopened.id, 'superseded', `edited: revision ${revision}`],
      [opened.id, 'withdrawn', 'withdrawn by a person'],
    ]);
  });
});
