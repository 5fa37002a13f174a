import type { ApprovalPreview } from '@omni/contracts/approvals';
import type { Tx } from '../../kernel/db/database.js';
import type { Kernel } from '../../kernel/kernel.js';

/**
 * The subject registry. Approvals knows subjects only as (type, id, revision); the module owning a type
 * registers how to describe a subject and render one revision's preview (from that revision's snapshot,
 * never the live subject). Both run in the caller's transaction, inside the subject's tenant.
 */
export type ApprovalRenderContext = Kernel & { tenantId: string };

export type ApprovalSubjectDescription = {
  title: string;
  /** The console page of the subject, e.g. "/content/posts/<id>". */
  linkPath: string;
  authorUserId: string | null;
  accountId: string;
  /** The subject's current revision (comments record it); default: the latest request's revision. */
  currentRevision?: number;
};

export type ApprovalSubject = {
  render(tx: Tx, ctx: ApprovalRenderContext, subjectId: string, revision: number): Promise<ApprovalPreview | null>;
  /** null when the subject does not exist (in this tenant). */
  describe(tx: Tx, subjectId: string): Promise<ApprovalSubjectDescription | null>;
  /**
   * Whether the person who asked may decide too. Default false: a post needs a second person. AI results
   * allow it: the human in the loop reviews the machine's work, and asking for it is not writing it.
   */
  selfApproval?: boolean;
  /**
   * The least account role that decides this subject's internal requests (default: approvals:decide,
   * editors and up). A workflow's approval step may ask admins only.
   */
  deciderRole?(tx: Tx, subjectId: string): Promise<'editor' | 'admin'>;
};

const subjects = new Map<string, ApprovalSubject>();

/** Register (or replace, e.g. in tests) the renderer of a subject type, at module creation. */
export function registerApprovalSubject(type: string, subject: ApprovalSubject): void {
  if (!/^[a-z][a-z0-9_.-]{0,59}$/.test(type)) throw new Error(`Approval subject type "${type}" must be lower-case letters, digits, _ . -`);
  subjects.set(type, subject);
}

export function findApprovalSubject(type: string): ApprovalSubject | undefined {
  return subjects.get(type);
}

export function requireApprovalSubject(type: string): ApprovalSubject {
  const subject = subjects.get(type);
  if (!subject) throw new Error(`Approval subject type ${type} is not registered (registerApprovalSubject)`);
  return subject;
}
