import { z } from 'zod';
import { recurrenceSchema } from './content-recurrence.js';
import { publishMediaSchema } from './publishing.js';
import { socialNetworkIdSchema } from './social.js';

/**
 * Content studio: posts (a base plus one variant per network of their destinations; NULL variant fields
 * inherit the base), revisions with diff and restore, templates with strict variables, and per-account
 * content settings. See docs/design/content-studio.md §3.
 */

const timestampSchema = z.iso.datetime();
const instantSchema = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' });

export const contentNetworkSchema = socialNetworkIdSchema;
export type ContentNetwork = z.infer<typeof contentNetworkSchema>;

export const postStatusSchema = z.enum(['draft', 'in_review', 'changes_requested', 'rejected', 'approved', 'scheduled', 'published', 'partially_published', 'failed']);
export type PostStatus = z.infer<typeof postStatusSchema>;
export const reviewStageSchema = z.enum(['internal', 'client']);
export const abLabelSchema = z.enum(['A', 'B']);

/** An http(s) link, as publishing accepts it. */
const linkSchema = publishMediaSchema.shape.url;

/** A library asset used by a post: referenced by id, never by URL. */
export const postMediaItemSchema = z.object({
  assetId: z.uuid('Media must name a library asset id.'),
  altText: z.string().trim().max(1000, 'Alt text must be at most 1000 characters.').nullable().default(null),
});
export type PostMediaItem = z.infer<typeof postMediaItemSchema>;

const mediaListSchema = z.array(postMediaItemSchema).max(20, 'At most 20 media items.');

export const variantOptionsSchema = z
  .object({
    /** Pinterest pin title. */
    title: z.string().max(200).optional(),
    /** Pinterest board, when the destination is not a board itself. */
    boardId: z.string().trim().min(1).max(100).optional(),
    /** X: follow-up posts of a thread. */
    thread: z.array(z.string().max(2000)).max(50).optional(),
    /** Pinterest video cover image. */
    coverAssetId: z.uuid().optional(),
  })
  .strict();
export type VariantOptions = z.infer<typeof variantOptionsSchema>;

export const variantInputSchema = z.object({
  network: contentNetworkSchema,
  abLabel: abLabelSchema.nullable().default(null),
  /** null: inherit the base text. */
  text: z.string().max(70_000).nullable().default(null),
  /** null: inherit the base media. */
  media: mediaListSchema.nullable().default(null),
  /** null: inherit the base link. */
  link: linkSchema.nullable().default(null),
  options: variantOptionsSchema.default({}),
});
export type VariantInput = z.input<typeof variantInputSchema>;

const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(40, 'A tag has at most 40 characters.')
  .transform((tag) => tag.toLowerCase());

export const abSettingsSchema = z.object({
  network: contentNetworkSchema,
  /** Minutes between variant A and B; absent: the account's default gap. */
  gapMinutes: z.number().int().min(1).max(20_160).optional(),
});

const postFieldsSchema = z.object({
  title: z.string().trim().max(200).nullable().default(null),
  baseText: z.string().max(70_000).default(''),
  baseMedia: mediaListSchema.default([]),
  baseLink: linkSchema.nullable().default(null),
  tags: z.array(tagSchema).max(20, 'At most 20 tags.').default([]),
  plannedAt: instantSchema.nullable().default(null),
  /** Social connections of the active account. */
  destinations: z.array(z.uuid('Destinations are connection ids.')).max(50).default([]),
  /** One per network of the destinations (two, A and B, for the network of an A/B test). Missing ones inherit the base. */
  variants: z.array(variantInputSchema).max(60).default([]),
  ab: abSettingsSchema.nullable().default(null),
  /** Repeat the post (its plannedAt is the first occurrence); absent or null: a one-off post. Not with A/B. */
  recurrence: recurrenceSchema.nullish(),
});

export const createPostBodySchema = postFieldsSchema.extend({
  templateId: z.uuid().nullable().default(null),
});
export type CreatePostBody = z.infer<typeof createPostBodySchema>;
export type CreatePostInput = z.input<typeof createPostBodySchema>;

export const updatePostBodySchema = postFieldsSchema.extend({
  /** The revision the edit was made on: a stale one is 409 content.revision_conflict. */
  expectedRevision: z.number().int().min(1),
  /** Revise only the parts of a scheduled post not yet published (after a 409 content.partly_published). */
  applyToUnpublished: z.boolean().default(false),
  note: z.string().trim().max(300).nullable().default(null),
});
export type UpdatePostBody = z.infer<typeof updatePostBodySchema>;

export const postIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });
/** `number` is a revision number; anything else names no revision (404, like a number the post never reached). */
export const revisionParamsSchema = z.object({ id: z.uuid('Id must be a UUID.'), number: z.string().min(1).max(40) });
export const revisionDiffQuerySchema = z.object({ against: z.coerce.number().int().min(1).max(1_000_000).optional() });

export const postListQuerySchema = z.object({
  status: postStatusSchema.optional(),
  tag: z.string().trim().min(1).max(40).optional(),
  network: contentNetworkSchema.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type PostListQuery = z.infer<typeof postListQuerySchema>;

export const validationIssueSchema = z.object({
  variantId: z.uuid().nullable(),
  network: contentNetworkSchema.nullable(),
  connectionId: z.uuid().nullable(),
  path: z.string(),
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof validationIssueSchema>;

export const postVariantSchema = z.object({
  id: z.uuid(),
  network: contentNetworkSchema,
  abLabel: abLabelSchema.nullable(),
  text: z.string().nullable(),
  media: z.array(z.object({ assetId: z.uuid(), altText: z.string().nullable() })).nullable(),
  link: z.string().nullable(),
  options: z.record(z.string(), z.unknown()),
  position: z.number().int(),
});
export type PostVariant = z.infer<typeof postVariantSchema>;

export const occurrenceStatusSchema = z.enum(['scheduled', 'published', 'partially_published', 'failed', 'needs_attention', 'cancelled']);

export const postDestinationSchema = z.object({ connectionId: z.uuid(), network: contentNetworkSchema });

export const postSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  title: z.string().nullable(),
  status: postStatusSchema,
  reviewStage: reviewStageSchema.nullable(),
  baseText: z.string(),
  baseMedia: z.array(z.object({ assetId: z.uuid(), altText: z.string().nullable() })),
  baseLink: z.string().nullable(),
  tags: z.array(z.string()),
  plannedAt: timestampSchema.nullable(),
  ab: z.object({ network: contentNetworkSchema, gapMinutes: z.number().int(), winnerVariantId: z.uuid().nullable() }).nullable(),
  recurrence: recurrenceSchema.nullable(),
  templateId: z.uuid().nullable(),
  source: z.record(z.string(), z.unknown()).nullable(),
  currentRevision: z.number().int(),
  approvedRevision: z.number().int().nullable(),
  destinations: z.array(postDestinationSchema),
  variants: z.array(postVariantSchema),
  /** When the post goes out (one for a one-off post), with each occurrence's status. */
  occurrences: z.array(z.object({ id: z.uuid(), occursAt: timestampSchema, sequence: z.number().int(), status: occurrenceStatusSchema })),
  /** Validation of every variant against its network's rules (drafts may be saved with errors). */
  issues: z.array(validationIssueSchema),
  createdBy: z.uuid().nullable(),
  updatedBy: z.uuid().nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Post = z.infer<typeof postSchema>;

export const postSaveResultSchema = postSchema.extend({
  /** Under policy `everyone`, an edit of a scheduled post unschedules it. */
  unscheduled: z.boolean(),
});
export type PostSaveResult = z.infer<typeof postSaveResultSchema>;

export const postSummarySchema = postSchema.pick({
  id: true,
  accountId: true,
  title: true,
  status: true,
  reviewStage: true,
  tags: true,
  plannedAt: true,
  currentRevision: true,
  createdBy: true,
  updatedAt: true,
}).extend({ excerpt: z.string(), networks: z.array(contentNetworkSchema) });
export type PostSummary = z.infer<typeof postSummarySchema>;
export const postListSchema = z.object({ items: z.array(postSummarySchema), total: z.number().int() });
export type PostList = z.infer<typeof postListSchema>;

export const validationResultSchema = z.object({ ok: z.boolean(), issues: z.array(validationIssueSchema) });
export type ValidationResult = z.infer<typeof validationResultSchema>;

export const revisionSummarySchema = z.object({ number: z.number().int(), authorUserId: z.uuid().nullable(), note: z.string().nullable(), createdAt: timestampSchema });
export const revisionListSchema = z.object({ items: z.array(revisionSummarySchema) });
export const postSnapshotSchema = z.object({
  title: z.string().nullable(),
  baseText: z.string(),
  baseMedia: z.array(z.object({ assetId: z.string(), altText: z.string().nullable() })),
  baseLink: z.string().nullable(),
  tags: z.array(z.string()),
  plannedAt: z.string().nullable(),
  ab: z.object({ network: contentNetworkSchema, gapMinutes: z.number().int() }).nullable(),
  /** The recurrence (null: a one-off post). Absent in snapshots made before it was kept: unknown. */
  recurrence: recurrenceSchema.nullable().optional(),
  destinations: z.array(postDestinationSchema),
  variants: z.array(
    z.object({
      network: contentNetworkSchema,
      abLabel: abLabelSchema.nullable(),
      text: z.string().nullable(),
      media: z.array(z.object({ assetId: z.string(), altText: z.string().nullable() })).nullable(),
      link: z.string().nullable(),
      options: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type PostSnapshot = z.infer<typeof postSnapshotSchema>;
export const revisionSchema = revisionSummarySchema.extend({ snapshot: postSnapshotSchema });
export type Revision = z.infer<typeof revisionSchema>;

export const diffChangeSchema = z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() });
export const revisionDiffSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  fields: z.array(z.object({ field: z.string(), network: contentNetworkSchema.nullable(), abLabel: abLabelSchema.nullable(), changes: z.array(diffChangeSchema) })),
});
export type RevisionDiff = z.infer<typeof revisionDiffSchema>;

// ---------------------------------------------------------------- scheduling

export const schedulePostBodySchema = z.object({
  /** When to publish; absent: the post's planned time. */
  at: instantSchema.nullable().default(null),
  /** Schedule despite the conflicts a previous attempt answered with (409 content.schedule_conflict). */
  acknowledgeConflicts: z.boolean().default(false),
});
export type SchedulePostBody = z.infer<typeof schedulePostBodySchema>;

export const reschedulePostBodySchema = z.object({
  /** Which occurrence (default: the next scheduled one). */
  occurrenceId: z.uuid().nullable().default(null),
  at: instantSchema,
  acknowledgeConflicts: z.boolean().default(false),
  applyToUnpublished: z.boolean().default(false),
});
export type ReschedulePostBody = z.infer<typeof reschedulePostBodySchema>;

export const unschedulePostBodySchema = z.object({ applyToUnpublished: z.boolean().default(false) });

export const scheduleConflictSchema = z.object({
  kind: z.enum(['too_close', 'daily_cap', 'network_limit']),
  connectionId: z.uuid(),
  network: z.string(),
  at: timestampSchema,
  otherTargetId: z.uuid().nullable(),
  otherPostId: z.uuid().nullable(),
  limit: z.number().int().nullable(),
  message: z.string(),
});
export type ScheduleConflict = z.infer<typeof scheduleConflictSchema>;
export const conflictsQuerySchema = z.object({
  connectionId: z.uuid(),
  at: instantSchema,
  /** The post being moved: its own targets do not count. */
  postId: z.uuid().optional(),
});
export const conflictListSchema = z.object({ conflicts: z.array(scheduleConflictSchema) });
export type ConflictList = z.infer<typeof conflictListSchema>;

export const restoreRevisionBodySchema = z.object({ expectedRevision: z.number().int().min(1) });

// ---------------------------------------------------------------- templates

const variableNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'Variable names are lower-case letters, digits and _ (start with a letter).');
export const templateVariableSchema = z.object({
  name: variableNameSchema,
  label: z.string().trim().min(1).max(80),
  default: z.string().max(2000).nullable().default(null),
  required: z.boolean().default(false),
});
const templateBodySchema = z.string().max(70_000);
export const templateBodiesSchema = z
  .object({
    base: templateBodySchema.default(''),
    facebook: templateBodySchema.optional(),
    instagram: templateBodySchema.optional(),
    x: templateBodySchema.optional(),
    linkedin: templateBodySchema.optional(),
    pinterest: templateBodySchema.optional(),
    sandbox: templateBodySchema.optional(),
  })
  .strict();

const templateFieldShapes = {
  name: z.string().trim().min(1).max(120),
  category: z.string().trim().min(1).max(60).nullable(),
  tags: z.array(tagSchema).max(20),
  description: z.string().trim().max(1000).nullable(),
  variables: z.array(templateVariableSchema).max(30),
  bodies: templateBodiesSchema,
  options: z.partialRecord(contentNetworkSchema, z.record(z.string(), z.string().max(2000))),
  linkTemplate: z.string().trim().max(2048).nullable(),
};
export const createTemplateBodySchema = z.object({
  ...templateFieldShapes,
  category: templateFieldShapes.category.default(null),
  tags: templateFieldShapes.tags.default([]),
  description: templateFieldShapes.description.default(null),
  variables: templateFieldShapes.variables.default([]),
  bodies: templateFieldShapes.bodies.default({ base: '' }),
  options: templateFieldShapes.options.default({}),
  linkTemplate: templateFieldShapes.linkTemplate.default(null),
  /** true: offered in every account of the tenant (tenant admins only). */
  tenantWide: z.boolean().default(false),
});
export type CreateTemplateBody = z.infer<typeof createTemplateBodySchema>;
/** Only the fields sent change. */
export const updateTemplateBodySchema = z.object({
  name: templateFieldShapes.name.optional(),
  category: templateFieldShapes.category.optional(),
  tags: templateFieldShapes.tags.optional(),
  description: templateFieldShapes.description.optional(),
  variables: templateFieldShapes.variables.optional(),
  bodies: templateFieldShapes.bodies.optional(),
  options: templateFieldShapes.options.optional(),
  linkTemplate: templateFieldShapes.linkTemplate.optional(),
  archived: z.boolean().optional(),
});
export type UpdateTemplateBody = z.infer<typeof updateTemplateBodySchema>;
export const templateIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });
export const templateListQuerySchema = z.object({
  category: z.string().trim().min(1).max(60).optional(),
  tag: z.string().trim().min(1).max(40).optional(),
  includeArchived: z.coerce.boolean().default(false),
});
export const contentTemplateSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid().nullable(),
  name: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  description: z.string().nullable(),
  variables: z.array(z.object({ name: z.string(), label: z.string(), default: z.string().nullable(), required: z.boolean() })),
  bodies: z.record(z.string(), z.string()),
  options: z.record(z.string(), z.record(z.string(), z.string())),
  linkTemplate: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  archivedAt: timestampSchema.nullable(),
});
export type ContentTemplate = z.infer<typeof contentTemplateSchema>;
export const templateListSchema = z.object({ items: z.array(contentTemplateSchema) });
export const renderTemplateBodySchema = z.object({ values: z.record(z.string(), z.string().max(20_000)).default({}) });
export const renderedTemplateSchema = z.object({
  bodies: z.record(z.string(), z.string()),
  options: z.record(z.string(), z.record(z.string(), z.string())),
  link: z.string().nullable(),
});
export type RenderedTemplate = z.infer<typeof renderedTemplateSchema>;

// ---------------------------------------------------------------- settings

export const approvalPolicySchema = z.enum(['contributors', 'everyone']);
export const dailyCapsSchema = z.partialRecord(contentNetworkSchema, z.number().int().min(1).max(500));
export const contentSettingsSchema = z.object({
  accountId: z.uuid(),
  /** The account's zone (publishing settings); null: each viewer's own zone. */
  timeZone: z.string().nullable(),
  approvalPolicy: approvalPolicySchema,
  clientApprovalRequired: z.boolean(),
  minGapMinutes: z.number().int(),
  dailyCaps: z.record(z.string(), z.number().int()),
  abDefaultGapMinutes: z.number().int(),
  updatedBy: z.uuid().nullable(),
  updatedAt: timestampSchema.nullable(),
});
export type ContentSettings = z.infer<typeof contentSettingsSchema>;
export const updateContentSettingsBodySchema = z.object({
  approvalPolicy: approvalPolicySchema,
  clientApprovalRequired: z.boolean(),
  minGapMinutes: z.number().int().min(0).max(1440),
  dailyCaps: dailyCapsSchema.default({}),
  abDefaultGapMinutes: z.number().int().min(1).max(20_160),
});
export type UpdateContentSettingsBody = z.infer<typeof updateContentSettingsBodySchema>;

// ---------------------------------------------------------------- shared logic

export type ResolvedVariant = { text: string; media: Array<{ assetId: string; altText: string | null }>; link: string | null; options: Record<string, unknown> };

/** The effective content of a variant: its own fields where set, the post's base where NULL. Pure. */
export function resolveVariant(
  base: { baseText: string; baseMedia: Array<{ assetId: string; altText: string | null }>; baseLink: string | null },
  variant: { text: string | null; media: Array<{ assetId: string; altText: string | null }> | null; link: string | null; options?: Record<string, unknown> } | null,
): ResolvedVariant {
  return {
    text: variant?.text ?? base.baseText,
    media: variant?.media ?? base.baseMedia,
    link: variant?.link ?? base.baseLink,
    options: variant?.options ?? {},
  };
}
