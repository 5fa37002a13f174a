import { randomUUID } from 'node:crypto';
import type { ApprovalRequest, ApprovalStage } from '@omni/contracts/approvals';
import { withTenant } from '../../src/kernel/db/tenancy.js';
import { openApprovalRequest, registerApprovalSubject } from '../../src/modules/approvals/index.js';
import type { TestApp } from '../harness.js';

/**
 * A subject type for approvals tests (the content module registers "post"; these tests must not need it):
 * in-memory notes with numbered revisions, described and rendered the way a subject module does.
 */
export const testSubjectType = 'test-note';

type TestNote = { accountId: string; authorUserId: string | null; title: string; revisions: string[] };

const notes = new Map<string, TestNote>();

registerApprovalSubject(testSubjectType, {
  async describe(_tx, subjectId) {
    const note = notes.get(subjectId);
    return note ? { title: note.title, linkPath: `/notes/${subjectId}`, authorUserId: note.authorUserId, accountId: note.accountId, currentRevision: note.revisions.length } : null;
  },
  async render(_tx, _ctx, subjectId, revision) {
    const note = notes.get(subjectId);
    const text = note?.revisions[revision - 1];
    if (!note || text === undefined) return null;
    return { title: note.title, variants: [{ network: 'sandbox', label: null, text, media: [{ url: 'https://cdn.example.test/a.png', kind: 'image', altText: 'A picture' }], link: null }] };
  },
});

/** A note of the account with one revision. */
export function createTestNote(input: { accountId: string; authorUserId: string | null; title?: string; text?: string }): string {
  const id = randomUUID();
  notes.set(id, { accountId: input.accountId, authorUserId: input.authorUserId, title: input.title ?? 'Spring sale post', revisions: [input.text ?? 'Spring sale: 20% off'] });
  return id;
}

/** Edit the note: a new revision (the caller supersedes pending requests, as a subject module does). */
export function reviseTestNote(id: string, text: string): number {
  const note = notes.get(id)!;
  note.revisions.push(text);
  return note.revisions.length;
}

/** Open a request for the note's current revision, as the subject module would on submit. */
export async function openTestRequest(
  t: TestApp,
  input: { tenantId: string; accountId: string; noteId: string; stage?: ApprovalStage; requestedBy: string | null; revision?: number },
): Promise<ApprovalRequest> {
  const note = notes.get(input.noteId)!;
  return withTenant({ db: t.kernel.db, tenantId: input.tenantId }, (tx) =>
    openApprovalRequest(tx, {
      config: t.kernel.config,
      tenantId: input.tenantId,
      accountId: input.accountId,
      subjectType: testSubjectType,
      subjectId: input.noteId,
      subjectRevision: input.revision ?? note.revisions.length,
      stage: input.stage ?? 'internal',
      summary: note.title,
      requestedBy: input.requestedBy,
    }),
  );
}
