import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createPostBodySchema, type ContentNetwork, type VariantInput } from '@omni/contracts/content';
import { threadSeparator, type ContentCsvColumn, type ImportCellIssue, type ImportList, type ImportReport, type ImportReportRow } from '@omni/contracts/content-imports';
import { isKnownTimeZone, parseLocalDateTime } from '@omni/contracts/time';
import { assertCan, can, requireActor, requireTenant } from '../../../kernel/access.js';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getAccountTimezone } from '../../publishing/index.js';
import { listSchedulableConnections } from '../../social/index.js';
import { contentPermissions } from '../content.permissions.js';
import { findImport, insertImport, selectImports, type ImportRow } from '../content.imports.queries.js';
import { findContentSettings, type DestinationRow, type PostRow, type VariantRow } from '../content.queries.js';
import { parseImportFile, type CsvRow, type FileProblem } from './csv-file.js';
import { schedulePostInTx } from './lifecycle.js';
import { lookupAssets, type AssetLookup } from './media-lookup.js';
import { normalizeVariants, type PostInput, type PostState } from './post-state.js';
import { createPostInTx, requireAccount, submitPostInTx } from './posts.js';
import { findScheduleConflicts, type Placement } from './scheduling.js';
import { validatePostState } from './validation.js';

/**
 * CSV import of posts, all or nothing (design §6.3). Every row is checked as a post would be (the contract's
 * field rules, the network rules, connections of this account, library assets ready and visible, a time
 * not in the past); any error refuses the whole file with 422 content.import_invalid and the report, and
 * nothing is created. Otherwise every row is created in one transaction: dated rows are scheduled when the
 * importer may schedule without approval, else submitted for review; undated rows stay drafts. Scheduling
 * conflicts are warnings. Every attempt (dry runs and refused files too) is stored in content_imports.
 */

export type ImportFile = { fileName: string; bytes: Buffer; tooLarge: boolean };

const networkTextColumns: Partial<Record<ContentNetwork, ContentCsvColumn>> = {
  facebook: 'facebook_text',
  instagram: 'instagram_text',
  x: 'x_text',
  linkedin: 'linkedin_text',
  pinterest: 'pinterest_text',
};

const networkLabels: Record<string, string> = { facebook: 'Facebook', instagram: 'Instagram', x: 'X', linkedin: 'LinkedIn', pinterest: 'Pinterest', sandbox: 'Sandbox' };

type Connection = Awaited<ReturnType<typeof listSchedulableConnections>>[number];

/** What every row is checked against, read once per file. */
type ImportContext = {
  accountId: string;
  accountZone: string | null;
  connections: Connection[];
  assets: AssetLookup;
  schedulesDirectly: boolean;
  now: number;
};

/** A row read and checked: what it becomes, or why it cannot. */
type CheckedRow = ImportReportRow & { input: PostInput | null; at: Date | null; destinations: DestinationRow[] };

const split = (value: string) => value.split(';').map((part) => part.trim()).filter(Boolean);

/** scheduled_at: an ISO instant with an offset, or a local time in the row's zone or the account's. */
function readTime(cells: Map<ContentCsvColumn, string>, context: ImportContext, errors: ImportCellIssue[]): Date | null {
  const value = (cells.get('scheduled_at') ?? '').trim();
  const zoneCell = (cells.get('timezone') ?? '').trim();
  if (zoneCell && !isKnownTimeZone(zoneCell)) {
    errors.push({ column: 'timezone', message: `“${zoneCell}” is not a time zone; use an IANA name such as Europe/Berlin or America/New_York.` });
    return null;
  }
  if (!value) return null;
  let at: Date | null = null;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    at = Number.isNaN(Date.parse(value)) ? null : new Date(value);
  } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/.test(value)) {
    const zone = zoneCell || context.accountZone;
    if (!zone) {
      errors.push({ column: 'scheduled_at', message: `“${value}” has no time zone: add an offset (e.g. ${value.replace(' ', 'T')}+01:00), fill the timezone column, or set the account’s time zone in the publishing settings.` });
      return null;
    }
    at = parseLocalDateTime(value, zone);
  }
  if (!at) {
    errors.push({ column: 'scheduled_at', message: `“${value}” is not a date and time: use YYYY-MM-DD HH:mm (local time) or an ISO 8601 instant such as 2030-01-31T09:00:00Z.` });
    return null;
  }
  if (at.getTime() <= context.now) {
    errors.push({ column: 'scheduled_at', message: `${at.toISOString()} is in the past: choose a future time, or leave the cell empty for a draft.` });
    return null;
  }
  return at;
}

/** connections: ids or destination names of this account's connections, ';'-separated. */
function readConnections(cells: Map<ContentCsvColumn, string>, context: ImportContext, at: Date | null, errors: ImportCellIssue[]): Connection[] {
  const names = split(cells.get('connections') ?? '');
  if (names.length === 0) errors.push({ column: 'connections', message: 'Name at least one social connection (its id or name; several separated by ;).' });
  const chosen: Connection[] = [];
  for (const name of names) {
    const wanted = name.toLowerCase();
    const matches = isUuid(name)
      ? context.connections.filter((connection) => connection.id === wanted)
      : context.connections.filter((connection) => connection.destinationName.trim().toLowerCase() === wanted);
    if (matches.length === 0) errors.push({ column: 'connections', message: `“${name}” is not a connected social account of this account.` });
    else if (matches.length > 1) errors.push({ column: 'connections', message: `“${name}” names ${matches.length} connections; use the connection’s id instead.` });
    else if (!chosen.includes(matches[0]!)) chosen.push(matches[0]!);
  }
  if (at && context.schedulesDirectly) {
    for (const connection of chosen.filter((candidate) => candidate.status !== 'active')) {
      errors.push({ column: 'connections', message: `“${connection.destinationName}” must be reconnected before posts can be scheduled to it.` });
    }
  }
  return chosen;
}

/** The per-network variants the row's cells ask for; a cell for a network the row does not post to is an error. */
function readVariants(cells: Map<ContentCsvColumn, string>, networks: Set<string>, errors: ImportCellIssue[]): { variants: VariantInput[]; textColumns: Map<string, ContentCsvColumn> } {
  const variants = new Map<string, VariantInput>();
  const textColumns = new Map<string, ContentCsvColumn>();
  const variantOf = (network: ContentNetwork, column: ContentCsvColumn): VariantInput | null => {
    if (!networks.has(network)) {
      errors.push({ column, message: `The row posts to no ${networkLabels[network]} connection: add one to connections, or empty this cell.` });
      return null;
    }
    const variant = variants.get(network) ?? { network, options: {} };
    variants.set(network, variant);
    return variant;
  };
  for (const [network, column] of Object.entries(networkTextColumns) as Array<[ContentNetwork, ContentCsvColumn]>) {
    const text = cells.get(column) ?? '';
    if (!text.trim()) continue;
    const variant = variantOf(network, column);
    if (variant) {
      variant.text = text;
      textColumns.set(network, column);
    }
  }
  const title = (cells.get('pinterest_title') ?? '').trim();
  const board = (cells.get('pinterest_board_id') ?? '').trim();
  if (title) {
    const variant = variantOf('pinterest', 'pinterest_title');
    if (variant) variant.options = { ...variant.options, title };
  }
  if (board) {
    const variant = variantOf('pinterest', 'pinterest_board_id');
    if (variant) variant.options = { ...variant.options, boardId: board };
  }
  const thread = cells.get('x_thread') ?? '';
  if (thread.trim()) {
    const variant = variantOf('x', 'x_thread');
    const separator = new RegExp(`\\r?\\n[ \\t]*${threadSeparator}[ \\t]*(?:\\r?\\n|$)`);
    if (variant) variant.options = { ...variant.options, thread: thread.split(separator).map((post) => post.trim()) };
  }
  return { variants: [...variants.values()], textColumns };
}

/** The column a contract or network-rule finding is about. */
function columnOf(path: Array<string | number> | string, network: string | null, textColumns: Map<string, ContentCsvColumn>): string | null {
  const parts = typeof path === 'string' ? path.split('.') : path.map(String);
  const [first, , third, fourth] = parts;
  const byField: Record<string, ContentCsvColumn> = { title: 'title', baseText: 'text', baseMedia: 'media', baseLink: 'link', tags: 'tags', plannedAt: 'scheduled_at', destinations: 'connections' };
  if (first && byField[first]) return byField[first];
  const options: Record<string, ContentCsvColumn> = { title: 'pinterest_title', boardId: 'pinterest_board_id', thread: 'x_thread' };
  if (first === 'variants') return third === 'options' && fourth ? (options[fourth] ?? null) : null;
  if (first === 'text') return (network && textColumns.get(network)) || 'text';
  if (first === 'media') return 'media';
  if (first === 'link') return 'link';
  if (first === 'options' && parts[1]) return options[parts[1]] ?? null;
  return null;
}

/** A post state that exists only in memory, for the network rules (validatePostState is pure). */
function draftState(input: PostInput, destinations: DestinationRow[], accountId: string): PostState {
  const variants: VariantRow[] = normalizeVariants(input, destinations).map((variant) => ({ ...variant, id: randomUUID() }));
  const post = {
    accountId,
    title: input.title,
    baseText: input.baseText,
    baseMedia: input.baseMedia.map((item) => ({ assetId: item.assetId, altText: item.altText })),
    baseLink: input.baseLink,
    tags: input.tags,
    abNetwork: null,
  } as PostRow;
  return { post, variants, destinations, occurrences: [] };
}

/** Read and check one row; nothing is written. */
function checkRow(row: CsvRow, context: ImportContext): CheckedRow {
  const errors: ImportCellIssue[] = [];
  const warnings: ImportCellIssue[] = [];
  const base = { line: row.line, errors, warnings, outcome: null, input: null, at: null, destinations: [] };
  if ('cellError' in row) {
    errors.push({ column: null, message: row.cellError });
    return { ...base, ok: false };
  }
  const { cells } = row;
  const at = readTime(cells, context, errors);
  const connections = readConnections(cells, context, at, errors);
  const { variants, textColumns } = readVariants(cells, new Set(connections.map((connection) => connection.network)), errors);
  const mediaIds = split(cells.get('media') ?? '');
  for (const id of mediaIds.filter((candidate) => !isUuid(candidate))) errors.push({ column: 'media', message: `“${id}” is not a media library id (ids look like 3f0c…-…; copy them from the library).` });
  mediaIds.forEach((id, index) => {
    const asset = context.assets.get(id.toLowerCase());
    if (asset && asset.accountId !== null && asset.accountId !== context.accountId) errors.push({ column: 'media', message: `Media ${index + 1} belongs to another account’s library.` });
  });
  const raw = {
    title: (cells.get('title') ?? '').trim() || null,
    baseText: cells.get('text') ?? '',
    baseMedia: mediaIds.filter(isUuid).map((assetId) => ({ assetId: assetId.toLowerCase() })),
    baseLink: (cells.get('link') ?? '').trim() || null,
    tags: split(cells.get('tags') ?? ''),
    plannedAt: at?.toISOString() ?? null,
    destinations: connections.map((connection) => connection.id),
    variants,
  };
  const parsed = createPostBodySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const column = columnOf(issue.path as Array<string | number>, null, textColumns);
      const variantText = issue.path[0] === 'variants' && issue.path[2] === 'text' ? textColumns.get(String(variants[Number(issue.path[1])]?.network)) : undefined;
      errors.push({ column: variantText ?? column, message: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ...base, ok: false };

  const { templateId: _templateId, ...input } = parsed.data;
  const destinations = connections.map((connection) => ({ connectionId: connection.id, network: connection.network }));
  const kinds = new Map(context.connections.map((connection) => [connection.id, connection.destinationKind as string]));
  for (const issue of validatePostState(draftState(input, destinations, context.accountId), context.assets, kinds)) {
    (issue.severity === 'error' ? errors : warnings).push({ column: columnOf(issue.path, issue.network, textColumns), message: issue.message });
  }
  const outcome = !at ? 'draft' : context.schedulesDirectly ? 'scheduled' : 'in_review';
  return { ...base, ok: errors.length === 0, outcome: errors.length === 0 ? outcome : null, input, at, destinations };
}

/** Conflicts of the dated rows (with each other too) as warnings on scheduled_at: they never block an import. */
async function addConflictWarnings(tx: Tx, ctx: ServiceContext, accountId: string, rows: CheckedRow[]): Promise<void> {
  const placements: Array<Placement & { row: CheckedRow }> = rows.flatMap((row) =>
    row.at ? row.destinations.map((destination) => ({ row, connectionId: destination.connectionId, network: destination.network, at: row.at! })) : [],
  );
  if (placements.length === 0) return;
  const conflicts = await findScheduleConflicts(tx, { accountId, config: ctx.config, placements });
  // Conflicts come in placement order: match each to the first placement at or after the last match.
  let cursor = 0;
  for (const conflict of conflicts) {
    const index = placements.findIndex((placement, position) => position >= cursor && placement.connectionId === conflict.connectionId && placement.at.toISOString() === conflict.at);
    if (index < 0) continue;
    cursor = index;
    placements[index]!.row.warnings.push({ column: 'scheduled_at', message: conflict.message });
  }
}

/** A row that failed while being created (e.g. a connection disconnected meanwhile): the import is refused. */
class RowFailure extends Error {
  constructor(
    readonly line: number,
    readonly reason: AppError,
  ) {
    super(reason.message);
  }
}

async function createRows(tx: Tx, ctx: ServiceContext, importId: string, rows: CheckedRow[]): Promise<void> {
  const writer = { tenantId: requireTenant(ctx), accountId: requireAccount(ctx), userId: requireActor(ctx).userId };
  const actor = { ...writer, config: ctx.config };
  for (const row of rows) {
    try {
      const created = await createPostInTx(tx, writer, { ...row.input!, templateId: null, source: { kind: 'import', id: importId, line: row.line }, note: `imported from line ${row.line}` });
      if (row.outcome === 'scheduled') await schedulePostInTx(tx, actor, created, row.at!, { acknowledgeConflicts: true });
      else if (row.outcome === 'in_review') await submitPostInTx(tx, actor, created.post.id);
      row.postId = created.post.id;
    } catch (error) {
      if (error instanceof AppError) throw new RowFailure(row.line, error);
      throw error;
    }
  }
}

const reportRow = ({ input: _input, at: _at, destinations: _destinations, ...row }: CheckedRow): ImportReportRow => row;

function toReport(row: ImportRow): ImportReport {
  const report = row.report as Pick<ImportReport, 'rows' | 'fileErrors'>;
  return {
    importId: row.id,
    status: row.status,
    dryRun: row.dryRun,
    fileName: row.fileName,
    rowCount: row.rowCount,
    fileErrors: report.fileErrors ?? [],
    rows: report.rows ?? [],
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A name fit to show: the last path segment, no control characters, at most 255 characters. */
function displayName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255) || 'import.csv';
}

function fileProblemOf(file: ImportFile, maxRows: number): FileProblem | { rows: CsvRow[] } {
  if (!/\.csv$/i.test(file.fileName.trim())) {
    return { kind: 'unsupported_media_type', code: 'content.import_not_csv', message: 'Upload a .csv file (comma-separated values, UTF-8), such as the sample.' };
  }
  if (file.tooLarge) return { kind: 'payload_too_large', code: 'content.import_too_large', message: 'The file is larger than 2 MB: split it into smaller files.' };
  const parsed = parseImportFile(file.bytes, maxRows);
  return parsed.ok ? { rows: parsed.rows } : parsed.problem;
}

/**
 * POST /api/content/imports: check the file and its rows; with every row valid and not a dry run, create
 * them all in one transaction. Refusals (422 content.import_invalid, or a file-level 4xx) carry the report,
 * and are stored like every other attempt.
 */
export async function importPostsCsv(ctx: ServiceContext, file: ImportFile, options: { dryRun: boolean }): Promise<ImportReport> {
  assertCan(ctx, contentPermissions.write);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const userId = requireActor(ctx).userId;
  const importId = randomUUID();
  const fileName = displayName(file.fileName);
  const store = (tx: Tx, status: ImportRow['status'], rows: ImportReportRow[], fileErrors: Array<{ message: string }>) =>
    insertImport(tx, {
      id: importId,
      tenantId,
      accountId,
      fileName,
      status,
      dryRun: options.dryRun,
      rowCount: rows.length,
      errorCount: fileErrors.length + rows.filter((row) => !row.ok).length,
      report: { rows, fileErrors },
      createdBy: userId,
    });

  const checkedFile = fileProblemOf(file, ctx.config.CONTENT_IMPORT_MAX_ROWS);
  if (!('rows' in checkedFile)) {
    const stored = await withTenant(ctx, (tx) => store(tx, 'invalid', [], [{ message: checkedFile.message }]));
    throw new AppError(checkedFile.kind, checkedFile.code, checkedFile.message, { report: toReport(stored) });
  }

  const stored = await withTenant(ctx, async (tx) => {
    const settings = await findContentSettings(tx, accountId);
    const mediaIds = checkedFile.rows.flatMap((row) => ('cells' in row ? split(row.cells.get('media') ?? '') : [])).filter(isUuid).map((id) => id.toLowerCase());
    const context: ImportContext = {
      accountId,
      accountZone: await getAccountTimezone(tx, accountId),
      connections: await listSchedulableConnections(tx, accountId),
      assets: await lookupAssets(tx, [...new Set(mediaIds)]),
      schedulesDirectly: can(ctx, contentPermissions.schedule) && settings.approvalPolicy === 'contributors',
      now: Date.now(),
    };
    const rows = checkedFile.rows.map((row) => checkRow(row, context));
    if (rows.some((row) => !row.ok)) return store(tx, 'invalid', rows.map(reportRow), []);
    await addConflictWarnings(tx, ctx, accountId, rows);
    if (options.dryRun) return store(tx, 'valid', rows.map(reportRow), []);
    // All or nothing: a row that still fails while being created rolls back every row before it.
    await tx.execute(sql`SAVEPOINT content_import_rows`);
    try {
      await createRows(tx, ctx, importId, rows);
    } catch (error) {
      if (!(error instanceof RowFailure)) throw error;
      await tx.execute(sql`ROLLBACK TO SAVEPOINT content_import_rows`);
      const failed = rows.map((row) => ({ ...reportRow(row), postId: undefined, ...(row.line === error.line ? { ok: false, outcome: null, errors: [{ column: null, message: error.reason.message }] } : {}) }));
      return store(tx, 'invalid', failed, []);
    }
    return store(tx, 'imported', rows.map(reportRow), []);
  });
  ctx.audit.targetType = 'content_import';
  ctx.audit.targetId = importId;
  ctx.audit.metadata = { status: stored.status, dryRun: options.dryRun, rows: stored.rowCount };
  const report = toReport(stored);
  if (report.status === 'invalid') {
    const bad = report.rows.filter((row) => !row.ok);
    throw new AppError('unprocessable', 'content.import_invalid', `Nothing was imported: ${bad.length === 1 ? `line ${bad[0]!.line} has` : `${bad.length} rows (lines ${bad.slice(0, 5).map((row) => row.line).join(', ')}${bad.length > 5 ? ', …' : ''}) have`} errors to fix first.`, { report });
  }
  return report;
}

export async function getImport(ctx: ServiceContext, id: string): Promise<ImportReport> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const row = await withTenantRead(ctx, (tx) => findImport(tx, id, accountId));
  if (!row) throw notFound('Import');
  return toReport(row);
}

export async function listImports(ctx: ServiceContext, query: { limit: number }): Promise<ImportList> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const rows = await withTenantRead(ctx, (tx) => selectImports(tx, accountId, query.limit));
  return {
    items: rows.map(({ report: _report, errorCount, ...row }) => ({
      importId: row.id,
      status: row.status,
      dryRun: row.dryRun,
      fileName: row.fileName,
      rowCount: row.rowCount,
      errorCount,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
    })),
  };
}
