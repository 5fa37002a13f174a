import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The SQL of CSV import and export (migrations/0011_content_imports.sql): the content_imports reports, and
 * the export's read of posts with their variants and destinations, page by page. Raw SQL like
 * content.queries.ts; timestamptz comes back as text from raw queries, so rows are mapped here.
 */

export type ImportRow = {
  id: string;
  accountId: string;
  fileName: string;
  status: 'invalid' | 'imported' | 'valid';
  dryRun: boolean;
  rowCount: number;
  errorCount: number;
  report: unknown;
  createdBy: string | null;
  createdAt: Date;
};

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

function toImportRow(row: Record<string, unknown>, withReport: boolean): ImportRow {
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    fileName: row.file_name as string,
    status: row.status as ImportRow['status'],
    dryRun: Boolean(row.dry_run),
    rowCount: Number(row.row_count),
    errorCount: Number(row.error_count),
    report: withReport ? row.report : null,
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: asDate(row.created_at),
  };
}

export async function insertImport(tx: Tx, row: Omit<ImportRow, 'createdAt'> & { tenantId: string }): Promise<ImportRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO content_imports (id, tenant_id, account_id, file_name, status, dry_run, row_count, error_count, report, created_by)
    VALUES (${row.id}, ${row.tenantId}, ${row.accountId}, ${row.fileName}, ${row.status}, ${row.dryRun}, ${row.rowCount}, ${row.errorCount},
            ${JSON.stringify(row.report)}::jsonb, ${row.createdBy})
    RETURNING id, account_id, file_name, status, dry_run, row_count, error_count, report, created_by, created_at`);
  return toImportRow(rows.rows[0]!, true);
}

/** An import attempt of the account, with its report; null when missing or another account's. */
export async function findImport(tx: Tx, id: string, accountId: string): Promise<ImportRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, account_id, file_name, status, dry_run, row_count, error_count, report, created_by, created_at
      FROM content_imports WHERE id = ${id} AND account_id = ${accountId}`);
  const row = rows.rows[0];
  return row ? toImportRow(row, true) : null;
}

/** The account's latest import attempts, newest first, without their reports. */
export async function selectImports(tx: Tx, accountId: string, limit: number): Promise<ImportRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, account_id, file_name, status, dry_run, row_count, error_count, created_by, created_at
      FROM content_imports WHERE account_id = ${accountId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
  return rows.rows.map((row) => toImportRow(row, false));
}

// ---------------------------------------------------------------- export

export type ExportMedia = { assetId: string; altText: string | null };
export type ExportVariant = { network: string; abLabel: string | null; text: string | null; options: Record<string, unknown> };
export type ExportPost = {
  id: string;
  title: string | null;
  baseText: string;
  baseMedia: ExportMedia[];
  baseLink: string | null;
  tags: string[];
  plannedAt: Date | null;
  /** Where the next page starts: (coalesce(planned_at, infinity), id). */
  sortKey: string;
  variants: ExportVariant[];
  connectionIds: string[];
};

export type ExportFilter = { accountId: string; from?: Date; to?: Date; status?: string; network?: string; tag?: string };
export type ExportCursor = { sortKey: string; id: string } | null;

/** One page of the account's posts for the export, by planned time (undated last), then id. */
export async function selectExportPage(tx: Tx, filter: ExportFilter, after: ExportCursor, limit: number): Promise<ExportPost[]> {
  const conditions: SQL[] = [sql`p.account_id = ${filter.accountId}`];
  if (filter.from) conditions.push(sql`p.planned_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(sql`p.planned_at < ${filter.to.toISOString()}::timestamptz`);
  if (filter.status) conditions.push(sql`p.status = ${filter.status}`);
  if (filter.tag) conditions.push(sql`p.tags @> ARRAY[${filter.tag.toLowerCase()}]::text[]`);
  if (filter.network) conditions.push(sql`EXISTS (SELECT 1 FROM post_destinations d WHERE d.post_id = p.id AND d.network = ${filter.network})`);
  if (after) conditions.push(sql`(coalesce(p.planned_at, 'infinity'::timestamptz), p.id) > (${after.sortKey}::timestamptz, ${after.id}::uuid)`);
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT p.id, p.title, p.base_text, p.base_media, p.base_link, p.tags, p.planned_at,
           coalesce(p.planned_at, 'infinity'::timestamptz)::text AS sort_key,
           coalesce((SELECT jsonb_agg(jsonb_build_object('network', v.network, 'abLabel', v.ab_label, 'text', v.text, 'options', v.options) ORDER BY v.position)
                       FROM post_variants v WHERE v.post_id = p.id), '[]'::jsonb) AS variants,
           coalesce((SELECT array_agg(d.connection_id::text ORDER BY d.network, d.connection_id) FROM post_destinations d WHERE d.post_id = p.id), '{}') AS connection_ids
      FROM posts p
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY coalesce(p.planned_at, 'infinity'::timestamptz), p.id
     LIMIT ${limit}`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    title: (row.title as string | null) ?? null,
    baseText: row.base_text as string,
    baseMedia: (row.base_media as ExportMedia[]) ?? [],
    baseLink: (row.base_link as string | null) ?? null,
    tags: (row.tags as string[]) ?? [],
    plannedAt: row.planned_at === null || row.planned_at === undefined ? null : asDate(row.planned_at),
    sortKey: row.sort_key as string,
    variants: (row.variants as ExportVariant[]) ?? [],
    connectionIds: (row.connection_ids as string[]) ?? [],
  }));
}
