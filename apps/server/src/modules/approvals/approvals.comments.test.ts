import type { ApprovalComment, ApprovalCommentList, CreatedApprovalLink, PublicApproval } from '@omni/contracts/approvals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { createTestNote, openTestRequest, reviseTestNote, testSubjectType } from '../../../test/factories/approvals.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';

type Member = { token: string; email: string; userId: string };

describe('comments on approval subjects', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let editor: Member;
  let contributor: Member;
  let otherContributor: Member;
  let client: Member;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId, name: 'Eva Editor' });
    contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId, name: 'Carlos Contributor' });
    otherContributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId, name: 'Other Contributor' });
    client = await addMember(t, owner.token, { role: 'client', accountId: owner.accountId, name: 'Clara Client' });
  });
  afterAll(() => t?.close());

  const comment = (token: string, subjectId: string, body: string) =>
    request(t.app, { method: 'POST', url: '/api/approvals/comments', token, payload: { subjectType: testSubjectType, subjectId, body } });
  const list = (token: string, subjectId: string) => request(t.app, { url: `/api/approvals/comments?subjectType=${testSubjectType}&subjectId=${subjectId}`, token });
  const told = async (userId: string, subjectId: string) =>
    (await t.owner.query<{ title: string }>(`SELECT title FROM notifications WHERE user_id = $1 AND kind = 'approvals.comment_added' AND subject_id = $2 ORDER BY created_at`, [userId, subjectId])).rows.map((row) => row.title);

  it('records the revision each comment was written on and tells the author, requesters and earlier commenters (not the writer)', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId, title: 'Launch post' });
    const opened = await openTestRequest(t, { tenantId: owner.tenant.id, accountId: owner.accountId, noteId, requestedBy: contributor.userId });
    const first = await comment(editor.token, noteId, 'Can we add a picture?');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json<ApprovalComment>()).toMatchObject({ subjectRevision: 1, requestId: opened.id, authorName: 'Eva Editor', authorUserId: editor.userId, viaLink: false, canDelete: true });
    expect(await told(contributor.userId, noteId)).toEqual(['Eva Editor commented on “Launch post”']);
    expect(await told(editor.userId, noteId)).toEqual([]);

    reviseTestNote(noteId, 'Launch post with a picture');
    const reply = await comment(contributor.token, noteId, 'Done.');
    expect(reply.json<ApprovalComment>().subjectRevision).toBe(2);
    expect(await told(editor.userId, noteId)).toEqual(['Carlos Contributor commented on “Launch post”']);
    expect(await told(contributor.userId, noteId)).toHaveLength(1);

    const items = (await list(otherContributor.token, noteId)).json<ApprovalCommentList>().items;
    expect(items.map((item) => [item.body, item.subjectRevision, item.canDelete])).toEqual([
      ['Can we add a picture?', 1, false],
      ['Done.', 2, false],
    ]);
  });

  it('deletes softly: the author or an editor, nobody else', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const mine = (await comment(contributor.token, noteId, 'First thought')).json<ApprovalComment>();
    const other = (await comment(contributor.token, noteId, 'Second thought')).json<ApprovalComment>();
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/comments/${mine.id}`, token: otherContributor.token })).statusCode).toBe(403);
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/comments/${mine.id}`, token: contributor.token })).statusCode).toBe(204);
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/comments/${other.id}`, token: editor.token })).statusCode).toBe(204);
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/comments/${other.id}`, token: editor.token })).statusCode).toBe(404);
    expect((await list(contributor.token, noteId)).json<ApprovalCommentList>().items).toEqual([]);
    const kept = await t.owner.query('SELECT count(*)::int AS n FROM approval_comments WHERE subject_id = $1 AND deleted_at IS NOT NULL', [noteId]);
    expect(kept.rows[0].n).toBe(2);
  });

  it('clients see and write only client-visible comments, and only on subjects in client review; link holders comment by name', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId, title: 'Client post' });
    await openTestRequest(t, { tenantId: owner.tenant.id, accountId: owner.accountId, noteId, requestedBy: contributor.userId });
    await comment(editor.token, noteId, 'Internal: the client will hate the font');
    expect((await list(client.token, noteId)).statusCode).toBe(404);
    expect((await comment(client.token, noteId, 'Hello')).statusCode).toBe(404);

    await request(t.app, { method: 'POST', url: `/api/approvals/${(await request(t.app, { url: `/api/approvals?subjectId=${noteId}`, token: editor.token })).json().items[0].id}/decision`, token: editor.token, payload: { outcome: 'approved' } });
    const clientStage = await openTestRequest(t, { tenantId: owner.tenant.id, accountId: owner.accountId, noteId, stage: 'client', requestedBy: editor.userId });
    const fromClient = await comment(client.token, noteId, 'Nice, but the date?');
    expect(fromClient.statusCode).toBe(201);
    expect(fromClient.json<ApprovalComment>().requestId).toBe(clientStage.id);

    const link = (await request(t.app, { method: 'POST', url: `/api/approvals/${clientStage.id}/links`, token: editor.token, payload: { recipientName: 'Bella Owner' } })).json<CreatedApprovalLink>();
    const viaLink = await request(t.app, { method: 'POST', url: `/api/public/approvals/${link.token}/comments`, payload: { name: 'Bella', body: 'Agree with Clara' } });
    expect(viaLink.statusCode, viaLink.body).toBe(201);
    expect(viaLink.json()).toMatchObject({ authorName: 'Bella', viaLink: true, requestId: clientStage.id });
    expect(await told(contributor.userId, noteId)).toContain('Bella (client link) commented on “Client post”');
    expect((await request(t.app, { method: 'POST', url: `/api/public/approvals/${link.token}/comments`, payload: { name: 'Bella', body: '' } })).statusCode).toBe(400);

    const forClient = (await list(client.token, noteId)).json<ApprovalCommentList>().items.map((item) => item.body);
    expect(forClient).toEqual(['Nice, but the date?', 'Agree with Clara']);
    const publicPage = (await request(t.app, { url: `/api/public/approvals/${link.token}` })).json<PublicApproval>();
    expect(publicPage.comments.map((item) => item.body)).toEqual(['Nice, but the date?', 'Agree with Clara']);
    expect(JSON.stringify(publicPage)).not.toContain('hate the font');
    const forEditor = (await list(editor.token, noteId)).json<ApprovalCommentList>().items.map((item) => item.body);
    expect(forEditor).toEqual(['Internal: the client will hate the font', 'Nice, but the date?', 'Agree with Clara']);
  });

  it('refuses unknown subjects (404), other tenants (404) and bad bodies (400)', async () => {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    expect((await comment(editor.token, '00000000-0000-4000-8000-000000000000', 'Hi')).statusCode).toBe(404);
    expect((await request(t.app, { method: 'POST', url: '/api/approvals/comments', token: editor.token, payload: { subjectType: 'nothing-registered', subjectId: noteId, body: 'Hi' } })).statusCode).toBe(404);
    expect((await comment(editor.token, noteId, '')).statusCode).toBe(400);
    expect((await comment(editor.token, noteId, 'x'.repeat(5001))).statusCode).toBe(400);
    expect((await request(t.app, { url: `/api/approvals/comments?subjectType=${testSubjectType}`, token: editor.token })).statusCode).toBe(400);
    const other = await registerTenant(t.app);
    expect((await comment(other.token, noteId, 'Hi')).statusCode).toBe(404);
    expect((await list(other.token, noteId)).statusCode).toBe(404);
    const stored = await t.owner.query('SELECT count(*)::int AS n FROM approval_comments WHERE subject_id = $1', [noteId]);
    expect(stored.rows[0].n).toBe(0);
  });
});
