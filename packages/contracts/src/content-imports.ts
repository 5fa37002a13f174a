import { z } from 'zod';
import { contentNetworkSchema, postStatusSchema } from './content.js';

/**
 * CSV import and export of posts (design §6.3): the columns, the report of an import attempt, the export
 * filters, and the formula-injection guard both directions use. Shared by the server and the console (the
 * sample CSV and the report table).
 */

/** The columns of an import file and of an export, in export order. */
export const contentCsvColumns = [
  'scheduled_at',
  'timezone',
  'connections',
  'title',
  'text',
  'facebook_text',
  'instagram_text',
  'x_text',
  'linkedin_text',
  'pinterest_text',
  'media',
  'link',
  'tags',
  'pinterest_title',
  'pinterest_board_id',
  'x_thread',
] as const;
export type ContentCsvColumn = (typeof contentCsvColumns)[number];

/** Columns a file must have (cells may be empty: an empty scheduled_at is an undated draft). */
export const requiredContentCsvColumns: readonly ContentCsvColumn[] = ['scheduled_at', 'connections', 'text'];

/** Largest import file, in bytes. */
export const contentImportMaxBytes = 2 * 1024 * 1024;

/** The line that separates the follow-up posts of an X thread inside the x_thread cell. */
export const threadSeparator = '---';

// A cell a spreadsheet would run as a formula starts with one of these (OWASP CSV injection).
const formulaStart = /^'*[=+\-@\t\r]/;

/**
 * Export: a cell that a spreadsheet would take for a formula (starting with = + - @ tab or CR, possibly after
 * apostrophes) gets a leading apostrophe, which spreadsheets show as text.
 */
export function guardCsvCell(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

/** Import: undo guardCsvCell (one leading apostrophe before a formula start is removed). */
export function unguardCsvCell(value: string): string {
  return value.startsWith("'") && formulaStart.test(value.slice(1)) ? value.slice(1) : value;
}

export const importStatusSchema = z.enum(['invalid', 'imported', 'valid']);
export type ImportStatus = z.infer<typeof importStatusSchema>;

/** One finding in a cell; `column` null: the row as a whole (e.g. a wrong number of cells). */
export const importCellIssueSchema = z.object({ column: z.string().nullable(), message: z.string() });
export type ImportCellIssue = z.infer<typeof importCellIssueSchema>;

export const importReportRowSchema = z.object({
  /** The physical line of the file where the row starts (the header is line 1). */
  line: z.number().int(),
  ok: z.boolean(),
  errors: z.array(importCellIssueSchema),
  /** Scheduling conflicts and rule warnings: reported, never blocking. */
  warnings: z.array(importCellIssueSchema),
  /** What the row becomes (dry run) or became: scheduled, submitted for review, or a draft. */
  outcome: z.enum(['scheduled', 'in_review', 'draft']).nullable(),
  postId: z.uuid().optional(),
});
export type ImportReportRow = z.infer<typeof importReportRowSchema>;

export const importReportSchema = z.object({
  importId: z.uuid(),
  status: importStatusSchema,
  dryRun: z.boolean(),
  fileName: z.string(),
  rowCount: z.number().int(),
  /** Problems with the file itself (header, size, encoding); no row was looked at when there are any. */
  fileErrors: z.array(z.object({ message: z.string() })),
  rows: z.array(importReportRowSchema),
  createdBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

export const importSummarySchema = importReportSchema.omit({ rows: true, fileErrors: true }).extend({
  /** Rows with at least one error (plus file-level errors). */
  errorCount: z.number().int(),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;
export const importListSchema = z.object({ items: z.array(importSummarySchema) });
export type ImportList = z.infer<typeof importListSchema>;

const booleanQuery = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => value === 'true' || value === '1');

export const importQuerySchema = z.object({ dryRun: booleanQuery });
export const importIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });
export const importListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) });

const instantQuery = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' });

export const postExportQuerySchema = z
  .object({
    /** Planned at or after (posts without a planned time are left out when from or to is given). */
    from: instantQuery.optional(),
    /** Planned before. */
    to: instantQuery.optional(),
    status: postStatusSchema.optional(),
    network: contentNetworkSchema.optional(),
    tag: z.string().trim().min(1).max(40).optional(),
  })
  .refine((query) => !query.from || !query.to || new Date(query.from) < new Date(query.to), { message: '`from` must be before `to`.', path: ['to'] });
export type PostExportQuery = z.infer<typeof postExportQuerySchema>;
