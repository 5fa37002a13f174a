import { z } from 'zod';
import { emailSchema } from './identity.js';
import { brandingSchema, listQuerySchema } from './tenancy.js';

/**
 * Approvals (/api/approvals, public /api/public/approvals/:token): requests bound to one revision of a
 * subject (a post, later a workflow step…) and one stage (internal review, then the client), decisions,
 * client approval links and comments. See docs/design/content-studio.md §8.
 */

const timestampSchema = z.iso.datetime();

export const approvalStageSchema = z.enum(['internal', 'client']);
export type ApprovalStage = z.infer<typeof approvalStageSchema>;

export const approvalStatusSchema = z.enum(['pending', 'approved', 'rejected', 'changes_requested', 'superseded', 'withdrawn']);
export type ApprovalStatus = z.infer<typeof approvalStatusSchema>;

export const approvalOutcomeSchema = z.enum(['approved', 'rejected', 'changes_requested'], 'Choose approved, rejected or changes_requested.');
export type ApprovalOutcome = z.infer<typeof approvalOutcomeSchema>;

/** A subject type as registered by its module (registerApprovalSubject), e.g. "post". */
export const approvalSubjectTypeSchema = z.string().regex(/^[a-z][a-z0-9_.-]{0,59}$/, 'Use a subject type such as post.');

// ---------- Previews (rendered by the subject's module from the revision's snapshot) ----------

export const approvalPreviewMediaSchema = z.looseObject({
  url: z.string(),
  kind: z.enum(['image', 'video']),
  altText: z.string().nullable().optional(),
});

/** One way the subject will appear, e.g. the post on one network. Subject modules may add fields. */
export const approvalPreviewVariantSchema = z.looseObject({
  network: z.string(),
  /** e.g. "A" / "B" for an A/B test, or a destination name. */
  label: z.string().nullable().optional(),
  text: z.string(),
  media: z.array(approvalPreviewMediaSchema).default([]),
  link: z.string().nullable().optional(),
});
export type ApprovalPreviewVariant = z.infer<typeof approvalPreviewVariantSchema>;

export const approvalPreviewSchema = z.object({ title: z.string(), variants: z.array(approvalPreviewVariantSchema) });
export type ApprovalPreview = z.infer<typeof approvalPreviewSchema>;

// ---------- Requests and decisions ----------

export const approvalDecisionSchema = z.object({
  id: z.uuid(),
  outcome: approvalOutcomeSchema,
  note: z.string().nullable(),
  /** 'user': decided in the app; 'link': through a client approval link (name as typed). */
  via: z.enum(['user', 'link']),
  deciderName: z.string(),
  deciderEmail: z.string().nullable(),
  userId: z.uuid().nullable(),
  linkId: z.uuid().nullable(),
  decidedAt: timestampSchema,
});
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

export const approvalRequestSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  subjectType: z.string(),
  subjectId: z.uuid(),
  subjectRevision: z.number().int(),
  stage: approvalStageSchema,
  status: approvalStatusSchema,
  summary: z.string(),
  /** null: opened by the system (e.g. a draft from a feed). */
  requestedBy: z.object({ userId: z.uuid(), name: z.string() }).nullable(),
  requestedAt: timestampSchema,
  decidedAt: timestampSchema.nullable(),
  supersededReason: z.string().nullable(),
  decision: approvalDecisionSchema.nullable(),
  /** Whether the signed-in person may decide it now. */
  canDecide: z.boolean(),
});
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;

export const approvalRequestListSchema = z.object({ items: z.array(approvalRequestSchema), nextCursor: z.string().nullable() });
export type ApprovalRequestList = z.infer<typeof approvalRequestListSchema>;

export const approvalListQuerySchema = listQuerySchema.extend({
  /** pending (default), decided (approved/rejected/changes requested), closed (superseded/withdrawn), or all. */
  status: z.enum(['pending', 'decided', 'closed', 'all'], 'Use pending, decided, closed or all.').default('pending'),
  stage: approvalStageSchema.optional(),
  subjectType: approvalSubjectTypeSchema.optional(),
  subjectId: z.uuid('subjectId must be a UUID.').optional(),
});
export type ApprovalListQuery = z.infer<typeof approvalListQuerySchema>;

export const approvalIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });

export const decideApprovalBodySchema = z.object({
  outcome: approvalOutcomeSchema,
  note: z.string().trim().max(2000, 'The note must be at most 2000 characters.').optional(),
});
export type DecideApprovalBody = z.infer<typeof decideApprovalBodySchema>;

// ---------- Client approval links ----------

export const approvalLinkStatusSchema = z.enum(['active', 'expired', 'revoked', 'superseded', 'withdrawn', 'decided']);
export type ApprovalLinkStatus = z.infer<typeof approvalLinkStatusSchema>;

export const approvalLinkSchema = z.object({
  id: z.uuid(),
  requestId: z.uuid(),
  recipientName: z.string(),
  recipientEmail: z.string().nullable(),
  status: approvalLinkStatusSchema,
  createdBy: z.object({ userId: z.uuid(), name: z.string() }).nullable(),
  createdAt: timestampSchema,
  expiresAt: timestampSchema,
  revokedAt: timestampSchema.nullable(),
  lastOpenedAt: timestampSchema.nullable(),
  openCount: z.number().int(),
});
export type ApprovalLink = z.infer<typeof approvalLinkSchema>;

export const approvalLinkListSchema = z.object({ items: z.array(approvalLinkSchema) });
export type ApprovalLinkList = z.infer<typeof approvalLinkListSchema>;

export const APPROVAL_LINK_MAX_DAYS_LIMIT = 30;

export const createApprovalLinkBodySchema = z.object({
  recipientName: z.string().trim().min(1, 'Enter the name of the person who will review.').max(100, 'The name must be at most 100 characters.'),
  recipientEmail: emailSchema.nullish(),
  /** Days until it expires; default APPROVAL_LINK_DEFAULT_DAYS, at most APPROVAL_LINK_MAX_DAYS. */
  expiresInDays: z
    .number('Use a number of days.')
    .int('Use a whole number of days.')
    .min(1, 'A link lasts at least 1 day.')
    .max(APPROVAL_LINK_MAX_DAYS_LIMIT, `A link lasts at most ${APPROVAL_LINK_MAX_DAYS_LIMIT} days.`)
    .optional(),
  /** Email the link to recipientEmail (through the outbox). */
  sendEmail: z.boolean().default(false),
});
export type CreateApprovalLinkBody = z.input<typeof createApprovalLinkBodySchema>;

/** The link as created: the token and URL are shown this once (only a hash is stored). */
export const createdApprovalLinkSchema = z.object({ link: approvalLinkSchema, token: z.string(), url: z.string(), emailed: z.boolean() });
export type CreatedApprovalLink = z.infer<typeof createdApprovalLinkSchema>;

// ---------- Comments ----------

export const approvalCommentSchema = z.object({
  id: z.uuid(),
  subjectType: z.string(),
  subjectId: z.uuid(),
  subjectRevision: z.number().int(),
  requestId: z.uuid().nullable(),
  authorName: z.string(),
  authorUserId: z.uuid().nullable(),
  /** Written through a client approval link. */
  viaLink: z.boolean(),
  body: z.string(),
  createdAt: timestampSchema,
  canDelete: z.boolean(),
});
export type ApprovalComment = z.infer<typeof approvalCommentSchema>;

export const approvalCommentListSchema = z.object({ items: z.array(approvalCommentSchema) });
export type ApprovalCommentList = z.infer<typeof approvalCommentListSchema>;

export const approvalCommentListQuerySchema = z.object({
  subjectType: approvalSubjectTypeSchema,
  subjectId: z.uuid('subjectId must be a UUID.'),
});
export type ApprovalCommentListQuery = z.infer<typeof approvalCommentListQuerySchema>;

const commentBodySchema = z.string().trim().min(1, 'Write a comment.').max(5000, 'A comment must be at most 5000 characters.');

export const createApprovalCommentBodySchema = z.object({
  subjectType: approvalSubjectTypeSchema,
  subjectId: z.uuid('subjectId must be a UUID.'),
  body: commentBodySchema,
});
export type CreateApprovalCommentBody = z.infer<typeof createApprovalCommentBodySchema>;

// ---------- Detail (inbox) ----------

export const approvalRequestDetailSchema = approvalRequestSchema.extend({
  /** null when the subject's module is not loaded or the subject is gone. */
  preview: approvalPreviewSchema.nullable(),
  subject: z.object({ title: z.string(), linkPath: z.string() }).nullable(),
  comments: z.array(approvalCommentSchema),
  /** Client links of the request (people who may manage them; otherwise empty). */
  links: z.array(approvalLinkSchema),
  canManageLinks: z.boolean(),
  canWithdraw: z.boolean(),
});
export type ApprovalRequestDetail = z.infer<typeof approvalRequestDetailSchema>;

// ---------- Public client page ----------

export const approvalTokenParamsSchema = z.object({ token: z.string().min(1).max(200) });

export const publicApprovalSchema = z.object({
  /** pending: the form is shown; decided: the decision is shown, no form. */
  status: z.enum(['pending', 'decided']),
  tenant: z.object({ name: z.string(), slug: z.string(), branding: brandingSchema }),
  recipientName: z.string(),
  expiresAt: timestampSchema,
  request: z.object({ summary: z.string(), stage: approvalStageSchema, subjectRevision: z.number().int(), requestedAt: timestampSchema }),
  preview: approvalPreviewSchema.nullable(),
  comments: z.array(approvalCommentSchema.omit({ canDelete: true, authorUserId: true })),
  decision: approvalDecisionSchema.omit({ userId: true, linkId: true, deciderEmail: true }).nullable(),
});
export type PublicApproval = z.infer<typeof publicApprovalSchema>;

const deciderNameSchema = z.string().trim().min(1, 'Enter your name.').max(100, 'Your name must be at most 100 characters.');

export const publicDecisionBodySchema = z.object({
  outcome: approvalOutcomeSchema,
  name: deciderNameSchema,
  comment: z.string().trim().max(2000, 'The comment must be at most 2000 characters.').optional(),
});
export type PublicDecisionBody = z.infer<typeof publicDecisionBodySchema>;

export const publicCommentBodySchema = z.object({ name: deciderNameSchema, body: commentBodySchema });
export type PublicCommentBody = z.infer<typeof publicCommentBodySchema>;
