import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The only file that reads or writes the content tables. Raw SQL (row locks, arrays, jsonb); timestamptz
 * comes back as text from raw queries, so rows are mapped here.
 */

export type MediaItem = { assetId: string; altText: string | null };
export type PostStatus = 'draft' | 'in_review' | 'changes_requested' | 'rejected' | 'approved' | 'scheduled' | 'published' | 'partially_published' | 'failed';

export type PostRow = {
  id: string;
  tenantId: string;
  accountId: string;
  title: string | null;
  status: PostStatus;
  reviewStage: 'internal' | 'client' | null;
  baseText: string;
  baseMedia: MediaItem[];
  baseLink: string | null;
  tags: string[];
  plannedAt: Date | null;
  recurrenceRule: string | null;
  recurrenceTimezone: string | null;
  abNetwork: string | null;
  abGapMinutes: number | null;
  abWinnerVariantId: string | null;
  templateId: string | null;
  source: Record<string, unknown> | null;
  currentRevision: number;
  approvedRevision: number | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type VariantRow = {
  id: string;
  network: string;
  abLabel: 'A' | 'B' | null;
  text: string | null;
  media: MediaItem[] | null;
  link: string | null;
  options: Record<string, unknown>;
  position: number;
};

export type DestinationRow = { connectionId: string; network: string };

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const asOptionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : asDate(value));
const instant = (value: Date | null) => (value ? sql`${value.toISOString()}::timestamptz` : sql`NULL::timestamptz`);
const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const textArray = (values: string[]) => sql`${`{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
const uuidArray = (values: string[]) => sql`${`{${values.join(',')}}`}::uuid[]`;

const postColumns = sql`id, tenant_id, account_id, title, status, review_stage, base_text, base_media, base_link, tags, planned_at,
  recurrence_rule, recurrence_timezone, ab_network, ab_gap_minutes, ab_winner_variant_id, template_id, source, current_revision,
  approved_revision, created_by, updated_by, created_at, updated_at`;

function toPostRow(row: Record<string, unknown>): PostRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: row.account_id as string,
    title: (row.title as string | null) ?? null,
    status: row.status as PostStatus,
    reviewStage: (row.review_stage as PostRow['reviewStage']) ?? null,
    baseText: row.base_text as string,
    baseMedia: row.base_media as MediaItem[],
    baseLink: (row.base_link as string | null) ?? null,
    tags: (row.tags as string[]) ?? [],
    plannedAt: asOptionalDate(row.planned_at),
    recurrenceRule: (row.recurrence_rule as string | null) ?? null,
    recurrenceTimezone: (row.recurrence_timezone as string | null) ?? null,
    abNetwork: (row.ab_network as string | null) ?? null,
    abGapMinutes: row.ab_gap_minutes === null || row.ab_gap_minutes === undefined ? null : Number(row.ab_gap_minutes),
    abWinnerVariantId: (row.ab_winner_variant_id as string | null) ?? null,
    templateId: (row.template_id as string | null) ?? null,
    source: (row.source as Record<string, unknown> | null) ?? null,
    currentRevision: Number(row.current_revision),
    approvedRevision: row.approved_revision === null || row.approved_revision === undefined ? null : Number(row.approved_revision),
    createdBy: (row.created_by as string | null) ?? null,
    updatedBy: (row.updated_by as string | null) ?? null,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/** The editable fields of a post, as saved in a revision. */
export type PostFields = {
  title: string | null;
  baseText: string;
  baseMedia: MediaItem[];
  baseLink: string | null;
  tags: string[];
  plannedAt: Date | null;
  abNetwork: string | null;
  abGapMinutes: number | null;
};

export async function insertPost(
  tx: Tx,
  post: PostFields & { tenantId: string; accountId: string; templateId: string | null; source: Record<string, unknown> | null; createdBy: string | null },
): Promise<PostRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO posts (tenant_id, account_id, title, base_text, base_media, base_link, tags, planned_at, ab_network, ab_gap_minutes, template_id, source, created_by, updated_by)
    VALUES (${post.tenantId}, ${post.accountId}, ${post.title}, ${post.baseText}, ${json(post.baseMedia)}, ${post.baseLink}, ${textArray(post.tags)},
            ${instant(post.plannedAt)}, ${post.abNetwork}, ${post.abGapMinutes}, ${post.templateId}, ${post.source ? json(post.source) : null}, ${post.createdBy}, ${post.createdBy})
    RETURNING ${postColumns}`);
  return toPostRow(rows.rows[0]!);
}

/** A post of the account (null when missing or another account's), optionally locked FOR UPDATE. */
export async function findPost(tx: Tx, id: string, options: { accountId?: string; lock?: boolean } = {}): Promise<PostRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${postColumns} FROM posts WHERE id = ${id}${options.accountId ? sql` AND account_id = ${options.accountId}` : sql``}${options.lock ? sql` FOR UPDATE` : sql``}`);
  const row = rows.rows[0];
  return row ? toPostRow(row) : null;
}

export async function updatePostFields(tx: Tx, id: string, fields: PostFields & { currentRevision: number; updatedBy: string | null }): Promise<PostRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    UPDATE posts SET title = ${fields.title}, base_text = ${fields.baseText}, base_media = ${json(fields.baseMedia)}, base_link = ${fields.baseLink},
           tags = ${textArray(fields.tags)}, planned_at = ${instant(fields.plannedAt)}, ab_network = ${fields.abNetwork}, ab_gap_minutes = ${fields.abGapMinutes},
           current_revision = ${fields.currentRevision}, updated_by = ${fields.updatedBy}, updated_at = now()
     WHERE id = ${id}
    RETURNING ${postColumns}`);
  return toPostRow(rows.rows[0]!);
}

export type PostStateChange = Partial<{ status: PostStatus; reviewStage: 'internal' | 'client' | null; approvedRevision: number | null; plannedAt: Date | null }>;

/** Lifecycle columns (status, review stage, approved revision, planned time); other fields untouched. */
export async function updatePostState(tx: Tx, id: string, change: PostStateChange): Promise<PostRow> {
  const sets: SQL[] = [sql`updated_at = now()`];
  if (change.status !== undefined) sets.push(sql`status = ${change.status}`);
  if (change.reviewStage !== undefined) sets.push(sql`review_stage = ${change.reviewStage}`);
  if (change.approvedRevision !== undefined) sets.push(sql`approved_revision = ${change.approvedRevision}`);
  if (change.plannedAt !== undefined) sets.push(sql`planned_at = ${instant(change.plannedAt)}`);
  const rows = await tx.execute<Record<string, unknown>>(sql`UPDATE posts SET ${sql.join(sets, sql`, `)} WHERE id = ${id} RETURNING ${postColumns}`);
  return toPostRow(rows.rows[0]!);
}

export async function deletePostRow(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`DELETE FROM posts WHERE id = ${id}`);
}

export type PostFilter = { accountId: string; status?: string; tag?: string; network?: string; search?: string; limit: number; offset: number };

export async function selectPosts(tx: Tx, filter: PostFilter): Promise<{ rows: Array<PostRow & { networks: string[] }>; total: number }> {
  const conditions: SQL[] = [sql`p.account_id = ${filter.accountId}`];
  if (filter.status) conditions.push(sql`p.status = ${filter.status}`);
  if (filter.tag) conditions.push(sql`p.tags @> ${textArray([filter.tag.toLowerCase()])}`);
  if (filter.network) conditions.push(sql`EXISTS (SELECT 1 FROM post_destinations d WHERE d.post_id = p.id AND d.network = ${filter.network})`);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`;
    conditions.push(sql`(p.title ILIKE ${pattern} OR p.base_text ILIKE ${pattern})`);
  }
  const where = sql.join(conditions, sql` AND `);
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${sql.raw(postColumnsText('p'))},
           coalesce((SELECT array_agg(DISTINCT d.network ORDER BY d.network) FROM post_destinations d WHERE d.post_id = p.id), '{}') AS networks,
           count(*) OVER () AS total
      FROM posts p WHERE ${where}
     ORDER BY p.updated_at DESC, p.id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  let total = rows.rows.length > 0 ? Number(rows.rows[0]!.total) : 0;
  if (rows.rows.length === 0 && filter.offset > 0) {
    const counted = await tx.execute<{ total: string }>(sql`SELECT count(*) AS total FROM posts p WHERE ${where}`);
    total = Number(counted.rows[0]!.total);
  }
  return { rows: rows.rows.map((row) => ({ ...toPostRow(row), networks: (row.networks as string[]) ?? [] })), total };
}

function postColumnsText(alias: string): string {
  return [
    'id', 'tenant_id', 'account_id', 'title', 'status', 'review_stage', 'base_text', 'base_media', 'base_link', 'tags', 'planned_at',
    'recurrence_rule', 'recurrence_timezone', 'ab_network', 'ab_gap_minutes', 'ab_winner_variant_id', 'template_id', 'source', 'current_revision',
    'approved_revision', 'created_by', 'updated_by', 'created_at', 'updated_at',
  ].map((column) => `${alias}.${column}`).join(', ');
}

/** Many posts of the account by id (missing or other accounts' ones left out), with their destinations' networks. */
export async function selectPostsByIds(tx: Tx, accountId: string, ids: string[]): Promise<Array<PostRow & { networks: string[] }>> {
  if (ids.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${sql.raw(postColumnsText('p'))},
           coalesce((SELECT array_agg(DISTINCT d.network ORDER BY d.network) FROM post_destinations d WHERE d.post_id = p.id), '{}') AS networks
      FROM posts p WHERE p.account_id = ${accountId} AND p.id = ANY(${uuidArray(ids)})`);
  return rows.rows.map((row) => ({ ...toPostRow(row), networks: (row.networks as string[]) ?? [] }));
}

// ---------------------------------------------------------------- variants and destinations

/** The variants of many posts, in each post's order. */
export async function selectVariantsOfPosts(tx: Tx, postIds: string[]): Promise<Array<VariantRow & { postId: string }>> {
  if (postIds.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT post_id, id, network, ab_label, text, media, link, options, position FROM post_variants
     WHERE post_id = ANY(${uuidArray(postIds)}) ORDER BY post_id, position, network, ab_label NULLS FIRST`);
  return rows.rows.map((row) => ({ ...toVariantRow(row), postId: row.post_id as string }));
}

function toVariantRow(row: Record<string, unknown>): VariantRow {
  return {
    id: row.id as string,
    network: row.network as string,
    abLabel: (row.ab_label as VariantRow['abLabel']) ?? null,
    text: (row.text as string | null) ?? null,
    media: (row.media as MediaItem[] | null) ?? null,
    link: (row.link as string | null) ?? null,
    options: (row.options as Record<string, unknown>) ?? {},
    position: Number(row.position),
  };
}

export async function selectVariants(tx: Tx, postId: string): Promise<VariantRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, network, ab_label, text, media, link, options, position FROM post_variants WHERE post_id = ${postId} ORDER BY position, network, ab_label NULLS FIRST`);
  return rows.rows.map(toVariantRow);
}

export type VariantFields = Omit<VariantRow, 'id'>;

/**
 * Make the post's variants exactly `variants`, keeping the id of a variant whose (network, A/B label)
 * stays (post_targets and an A/B winner refer to it).
 */
export async function replaceVariants(tx: Tx, tenantId: string, postId: string, variants: VariantFields[]): Promise<VariantRow[]> {
  const existing = await selectVariants(tx, postId);
  const keyOf = (variant: { network: string; abLabel: string | null }) => `${variant.network}/${variant.abLabel ?? ''}`;
  const wanted = new Set(variants.map(keyOf));
  const stale = existing.filter((variant) => !wanted.has(keyOf(variant)));
  if (stale.length > 0) await tx.execute(sql`DELETE FROM post_variants WHERE id = ANY(${uuidArray(stale.map((variant) => variant.id))})`);
  for (const variant of variants) {
    await tx.execute(sql`
      INSERT INTO post_variants (tenant_id, post_id, network, ab_label, text, media, link, options, position)
      VALUES (${tenantId}, ${postId}, ${variant.network}, ${variant.abLabel}, ${variant.text}, ${variant.media === null ? null : json(variant.media)},
              ${variant.link}, ${json(variant.options)}, ${variant.position})
      ON CONFLICT (post_id, network, (coalesce(ab_label, ''))) DO UPDATE
        SET text = EXCLUDED.text, media = EXCLUDED.media, link = EXCLUDED.link, options = EXCLUDED.options, position = EXCLUDED.position`);
  }
  return selectVariants(tx, postId);
}

export async function selectDestinations(tx: Tx, postId: string): Promise<DestinationRow[]> {
  const rows = await tx.execute<{ connection_id: string; network: string }>(sql`
    SELECT connection_id, network FROM post_destinations WHERE post_id = ${postId} ORDER BY network, connection_id`);
  return rows.rows.map((row) => ({ connectionId: row.connection_id, network: row.network }));
}

export async function replaceDestinations(tx: Tx, tenantId: string, postId: string, destinations: DestinationRow[]): Promise<void> {
  await tx.execute(sql`DELETE FROM post_destinations WHERE post_id = ${postId}${destinations.length > 0 ? sql` AND connection_id <> ALL(${uuidArray(destinations.map((destination) => destination.connectionId))})` : sql``}`);
  for (const destination of destinations) {
    await tx.execute(sql`
      INSERT INTO post_destinations (tenant_id, post_id, connection_id, network) VALUES (${tenantId}, ${postId}, ${destination.connectionId}, ${destination.network})
      ON CONFLICT (post_id, connection_id) DO NOTHING`);
  }
}

// ---------------------------------------------------------------- revisions

export type RevisionRow = { number: number; snapshot: unknown; authorUserId: string | null; note: string | null; createdAt: Date };

function toRevisionRow(row: Record<string, unknown>): RevisionRow {
  return {
    number: Number(row.number),
    snapshot: row.snapshot,
    authorUserId: (row.author_user_id as string | null) ?? null,
    note: (row.note as string | null) ?? null,
    createdAt: asDate(row.created_at),
  };
}

export async function insertRevision(
  tx: Tx,
  revision: { tenantId: string; postId: string; number: number; snapshot: unknown; authorUserId: string | null; note: string | null },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO post_revisions (tenant_id, post_id, number, snapshot, author_user_id, note)
    VALUES (${revision.tenantId}, ${revision.postId}, ${revision.number}, ${json(revision.snapshot)}, ${revision.authorUserId}, ${revision.note})`);
}

export async function selectRevisions(tx: Tx, postId: string): Promise<RevisionRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT number, NULL::jsonb AS snapshot, author_user_id, note, created_at FROM post_revisions WHERE post_id = ${postId} ORDER BY number DESC`);
  return rows.rows.map(toRevisionRow);
}

export async function findRevision(tx: Tx, postId: string, number: number): Promise<RevisionRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT number, snapshot, author_user_id, note, created_at FROM post_revisions WHERE post_id = ${postId} AND number = ${number}`);
  const row = rows.rows[0];
  return row ? toRevisionRow(row) : null;
}

// ---------------------------------------------------------------- templates

export type TemplateRow = {
  id: string;
  accountId: string | null;
  name: string;
  category: string | null;
  tags: string[];
  description: string | null;
  variables: Array<{ name: string; label: string; default: string | null; required: boolean }>;
  bodies: Record<string, string>;
  options: Record<string, Record<string, string>>;
  linkTemplate: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
};

const templateColumns = sql`id, account_id, name, category, tags, description, variables, bodies, options, link_template, created_by, created_at, updated_at, archived_at`;

function toTemplateRow(row: Record<string, unknown>): TemplateRow {
  return {
    id: row.id as string,
    accountId: (row.account_id as string | null) ?? null,
    name: row.name as string,
    category: (row.category as string | null) ?? null,
    tags: (row.tags as string[]) ?? [],
    description: (row.description as string | null) ?? null,
    variables: row.variables as TemplateRow['variables'],
    bodies: row.bodies as TemplateRow['bodies'],
    options: row.options as TemplateRow['options'],
    linkTemplate: (row.link_template as string | null) ?? null,
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    archivedAt: asOptionalDate(row.archived_at),
  };
}

export type TemplateFields = Omit<TemplateRow, 'id' | 'createdBy' | 'createdAt' | 'updatedAt' | 'archivedAt'>;

export async function insertTemplate(tx: Tx, template: TemplateFields & { tenantId: string; createdBy: string | null }): Promise<TemplateRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO content_templates (tenant_id, account_id, name, category, tags, description, variables, bodies, options, link_template, created_by)
    VALUES (${template.tenantId}, ${template.accountId}, ${template.name}, ${template.category}, ${textArray(template.tags)}, ${template.description},
            ${json(template.variables)}, ${json(template.bodies)}, ${json(template.options)}, ${template.linkTemplate}, ${template.createdBy})
    ON CONFLICT DO NOTHING
    RETURNING ${templateColumns}`);
  const row = rows.rows[0];
  return row ? toTemplateRow(row) : null;
}

/** Replace a template's fields; null when the new name is taken in its scope. */
export async function updateTemplateRow(tx: Tx, id: string, template: Omit<TemplateFields, 'accountId'> & { archived: boolean }): Promise<TemplateRow | null> {
  const taken = await tx.execute(sql`
    SELECT 1 FROM content_templates o, content_templates t
     WHERE t.id = ${id} AND o.id <> t.id AND o.account_id IS NOT DISTINCT FROM t.account_id AND lower(o.name) = lower(${template.name})`);
  if (taken.rows.length > 0) return null;
  const rows = await tx.execute<Record<string, unknown>>(sql`
    UPDATE content_templates SET name = ${template.name}, category = ${template.category}, tags = ${textArray(template.tags)}, description = ${template.description},
           variables = ${json(template.variables)}, bodies = ${json(template.bodies)}, options = ${json(template.options)}, link_template = ${template.linkTemplate},
           archived_at = CASE WHEN ${template.archived} THEN coalesce(archived_at, now()) ELSE NULL END, updated_at = now()
     WHERE id = ${id}
    RETURNING ${templateColumns}`);
  return toTemplateRow(rows.rows[0]!);
}

/** A template visible in the account (its own or tenant-wide). */
export async function findTemplate(tx: Tx, id: string, accountId: string, options: { lock?: boolean } = {}): Promise<TemplateRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${templateColumns} FROM content_templates WHERE id = ${id} AND (account_id = ${accountId} OR account_id IS NULL)${options.lock ? sql` FOR UPDATE` : sql``}`);
  const row = rows.rows[0];
  return row ? toTemplateRow(row) : null;
}

export async function selectTemplates(tx: Tx, filter: { accountId: string; category?: string; tag?: string; includeArchived: boolean }): Promise<TemplateRow[]> {
  const conditions: SQL[] = [sql`(account_id = ${filter.accountId} OR account_id IS NULL)`];
  if (!filter.includeArchived) conditions.push(sql`archived_at IS NULL`);
  if (filter.category) conditions.push(sql`category = ${filter.category}`);
  if (filter.tag) conditions.push(sql`tags @> ${textArray([filter.tag.toLowerCase()])}`);
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${templateColumns} FROM content_templates WHERE ${sql.join(conditions, sql` AND `)} ORDER BY category NULLS LAST, lower(name), id LIMIT 500`);
  return rows.rows.map(toTemplateRow);
}

export async function deleteTemplateRow(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`DELETE FROM content_templates WHERE id = ${id}`);
}

// ---------------------------------------------------------------- settings

export type ContentSettingsRow = {
  accountId: string;
  approvalPolicy: 'contributors' | 'everyone';
  clientApprovalRequired: boolean;
  minGapMinutes: number;
  dailyCaps: Record<string, number>;
  abDefaultGapMinutes: number;
  updatedBy: string | null;
  updatedAt: Date | null;
};

export const defaultContentSettings = { approvalPolicy: 'contributors', clientApprovalRequired: false, minGapMinutes: 30, dailyCaps: {}, abDefaultGapMinutes: 1440 } as const;

function toSettingsRow(row: Record<string, unknown>): ContentSettingsRow {
  return {
    accountId: row.account_id as string,
    approvalPolicy: row.approval_policy as ContentSettingsRow['approvalPolicy'],
    clientApprovalRequired: Boolean(row.client_approval_required),
    minGapMinutes: Number(row.min_gap_minutes),
    dailyCaps: (row.daily_caps as Record<string, number>) ?? {},
    abDefaultGapMinutes: Number(row.ab_default_gap_minutes),
    updatedBy: (row.updated_by as string | null) ?? null,
    updatedAt: asOptionalDate(row.updated_at),
  };
}

/** The account's content settings; the defaults when it has no row. */
export async function findContentSettings(tx: Tx, accountId: string): Promise<ContentSettingsRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT account_id, approval_policy, client_approval_required, min_gap_minutes, daily_caps, ab_default_gap_minutes, updated_by, updated_at
      FROM content_settings WHERE account_id = ${accountId}`);
  const row = rows.rows[0];
  return row ? toSettingsRow(row) : { accountId, ...defaultContentSettings, dailyCaps: {}, updatedBy: null, updatedAt: null };
}

export async function upsertContentSettings(tx: Tx, settings: Omit<ContentSettingsRow, 'updatedAt'> & { tenantId: string }): Promise<ContentSettingsRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO content_settings (tenant_id, account_id, approval_policy, client_approval_required, min_gap_minutes, daily_caps, ab_default_gap_minutes, updated_by, updated_at)
    VALUES (${settings.tenantId}, ${settings.accountId}, ${settings.approvalPolicy}, ${settings.clientApprovalRequired}, ${settings.minGapMinutes},
            ${json(settings.dailyCaps)}, ${settings.abDefaultGapMinutes}, ${settings.updatedBy}, now())
    ON CONFLICT (account_id) DO UPDATE
      SET approval_policy = EXCLUDED.approval_policy, client_approval_required = EXCLUDED.client_approval_required, min_gap_minutes = EXCLUDED.min_gap_minutes,
          daily_caps = EXCLUDED.daily_caps, ab_default_gap_minutes = EXCLUDED.ab_default_gap_minutes, updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING account_id, approval_policy, client_approval_required, min_gap_minutes, daily_caps, ab_default_gap_minutes, updated_by, updated_at`);
  return toSettingsRow(rows.rows[0]!);
}

// ---------------------------------------------------------------- occurrences and their targets

export type OccurrenceStatus = 'scheduled' | 'published' | 'partially_published' | 'failed' | 'needs_attention' | 'cancelled';
export type OccurrenceRow = { id: string; postId: string; occursAt: Date; sequence: number; status: OccurrenceStatus };
export type PostTargetRow = { targetId: string; postId: string; occurrenceId: string; variantId: string; connectionId: string; network: string; scheduledAt: Date; revision: number };

function toOccurrenceRow(row: Record<string, unknown>): OccurrenceRow {
  return { id: row.id as string, postId: row.post_id as string, occursAt: asDate(row.occurs_at), sequence: Number(row.sequence), status: row.status as OccurrenceStatus };
}

function toPostTargetRow(row: Record<string, unknown>): PostTargetRow {
  return {
    targetId: row.target_id as string,
    postId: row.post_id as string,
    occurrenceId: row.occurrence_id as string,
    variantId: row.variant_id as string,
    connectionId: row.connection_id as string,
    network: row.network as string,
    scheduledAt: asDate(row.scheduled_at),
    revision: Number(row.revision),
  };
}

/** A new occurrence, or null when the post already has one at that instant (UNIQUE (post_id, occurs_at)). */
export async function insertOccurrence(tx: Tx, occurrence: { tenantId: string; postId: string; occursAt: Date; sequence: number }): Promise<OccurrenceRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO post_occurrences (tenant_id, post_id, occurs_at, sequence) VALUES (${occurrence.tenantId}, ${occurrence.postId}, ${instant(occurrence.occursAt)}, ${occurrence.sequence})
    ON CONFLICT (post_id, occurs_at) DO NOTHING
    RETURNING id, post_id, occurs_at, sequence, status`);
  const row = rows.rows[0];
  return row ? toOccurrenceRow(row) : null;
}

export async function selectOccurrences(tx: Tx, postId: string, options: { status?: OccurrenceStatus; from?: Date; lock?: boolean } = {}): Promise<OccurrenceRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, post_id, occurs_at, sequence, status FROM post_occurrences
     WHERE post_id = ${postId}${options.status ? sql` AND status = ${options.status}` : sql``}${options.from ? sql` AND occurs_at >= ${instant(options.from)}` : sql``}
     ORDER BY occurs_at${options.lock ? sql` FOR UPDATE` : sql``}`);
  return rows.rows.map(toOccurrenceRow);
}

export async function findOccurrence(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<OccurrenceRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, post_id, occurs_at, sequence, status FROM post_occurrences WHERE id = ${id}${options.lock ? sql` FOR UPDATE` : sql``}`);
  const row = rows.rows[0];
  return row ? toOccurrenceRow(row) : null;
}

export async function updateOccurrence(tx: Tx, id: string, change: { status?: OccurrenceStatus; occursAt?: Date }): Promise<void> {
  const sets: SQL[] = [sql`updated_at = now()`];
  if (change.status) sets.push(sql`status = ${change.status}`);
  if (change.occursAt) sets.push(sql`occurs_at = ${instant(change.occursAt)}`);
  await tx.execute(sql`UPDATE post_occurrences SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`);
}

export async function insertPostTarget(tx: Tx, target: PostTargetRow & { tenantId: string }): Promise<void> {
  await tx.execute(sql`
    INSERT INTO post_targets (tenant_id, target_id, post_id, occurrence_id, variant_id, connection_id, network, scheduled_at, revision)
    VALUES (${target.tenantId}, ${target.targetId}, ${target.postId}, ${target.occurrenceId}, ${target.variantId}, ${target.connectionId}, ${target.network},
            ${instant(target.scheduledAt)}, ${target.revision})`);
}

export async function selectPostTargets(tx: Tx, filter: { postId?: string; postIds?: string[]; occurrenceIds?: string[]; targetIds?: string[] }): Promise<PostTargetRow[]> {
  const conditions: SQL[] = [];
  if (filter.targetIds) conditions.push(sql`target_id = ANY(${uuidArray(filter.targetIds)})`);
  if (filter.postId) conditions.push(sql`post_id = ${filter.postId}`);
  if (filter.postIds) conditions.push(sql`post_id = ANY(${uuidArray(filter.postIds)})`);
  if (filter.occurrenceIds) conditions.push(sql`occurrence_id = ANY(${uuidArray(filter.occurrenceIds)})`);
  if (conditions.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT target_id, post_id, occurrence_id, variant_id, connection_id, network, scheduled_at, revision FROM post_targets
     WHERE ${sql.join(conditions, sql` AND `)} ORDER BY scheduled_at, target_id`);
  return rows.rows.map(toPostTargetRow);
}

export async function findPostTarget(tx: Tx, targetId: string): Promise<PostTargetRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT target_id, post_id, occurrence_id, variant_id, connection_id, network, scheduled_at, revision FROM post_targets WHERE target_id = ${targetId}`);
  const row = rows.rows[0];
  return row ? toPostTargetRow(row) : null;
}

export async function updatePostTarget(tx: Tx, targetId: string, change: { scheduledAt?: Date; revision?: number }): Promise<void> {
  const sets: SQL[] = [];
  if (change.scheduledAt) sets.push(sql`scheduled_at = ${instant(change.scheduledAt)}`);
  if (change.revision !== undefined) sets.push(sql`revision = ${change.revision}`);
  if (sets.length === 0) return;
  await tx.execute(sql`UPDATE post_targets SET ${sql.join(sets, sql`, `)} WHERE target_id = ${targetId}`);
}
