import { contentCsvColumns, requiredContentCsvColumns, unguardCsvCell, type ContentCsvColumn } from '@omni/contracts/content-imports';
import { CsvError, parse } from 'csv-parse/sync';

/**
 * Reading an import file (design §6.3), pure: UTF-8 (BOM stripped), a header row naming known columns,
 * strict cell counts, quotes not relaxed. Problems with the file as a whole come back as a FileProblem
 * before any row is looked at; a row with the wrong number of cells is that row's error. Lines are the
 * physical lines of the file where each row starts (a quoted value may span lines).
 */

export type FileProblem = { kind: 'unprocessable' | 'payload_too_large' | 'unsupported_media_type'; code: string; message: string };

export type CsvRow = { line: number; cells: Map<ContentCsvColumn, string> } | { line: number; cellError: string };

export type ParsedFile = { ok: true; rows: CsvRow[] } | { ok: false; problem: FileProblem };

const knownColumns = new Set<string>(contentCsvColumns);

const invalid = (code: string, message: string): ParsedFile => ({ ok: false, problem: { kind: 'unprocessable', code, message } });

/** Where a record starts: its last line minus the line breaks inside its (quoted) values. */
function startLine(endLine: number, cells: string[]): number {
  return endLine - cells.reduce((sum, cell) => sum + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
}

function decode(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function headerProblem(header: string[]): ParsedFile | null {
  const names = header.map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !knownColumns.has(name));
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  const missing = requiredContentCsvColumns.filter((name) => !names.includes(name));
  const problems: string[] = [];
  if (unknown.length > 0) problems.push(`unknown column${unknown.length === 1 ? '' : 's'} ${unknown.map((name) => `“${name || '(empty)'}”`).join(', ')}`);
  if (duplicates.length > 0) problems.push(`column${duplicates.length === 1 ? '' : 's'} ${[...new Set(duplicates)].map((name) => `“${name}”`).join(', ')} named twice`);
  if (missing.length > 0) problems.push(`missing required column${missing.length === 1 ? '' : 's'} ${missing.map((name) => `“${name}”`).join(', ')}`);
  if (problems.length === 0) return null;
  return invalid('content.import_header_invalid', `The header (line 1) does not match the import format: ${problems.join('; ')}. The columns are: ${contentCsvColumns.join(', ')}.`);
}

export function parseImportFile(bytes: Buffer, maxRows: number): ParsedFile {
  const text = decode(bytes);
  if (text === null) return invalid('content.import_encoding', 'The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.');
  if (text.replace(/^\uFEFF/, '').trim() === '') return invalid('content.import_empty', 'The file is empty: its first line must name the columns, and each further line is a post.');

  const records: Array<{ line: number; cells: string[] }> = [];
  const cellErrors: Array<{ line: number; count: number }> = [];
  let unreadable: { line: number; message: string } | null = null;
  try {
    const parsed = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_quotes: false,
      relax_column_count: false,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (!error) return;
        const cells = (error as CsvError & { record?: string[] }).record;
        if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && cells) {
          cellErrors.push({ line: startLine(Number(error.lines), cells), count: cells.length });
        } else {
          unreadable ??= { line: Number(error.lines), message: error.message };
        }
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    for (const { record, info } of parsed) records.push({ line: startLine(info.lines, record), cells: record });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    unreadable = { line: Number(error.lines), message: error.message };
  }
  const stopped = unreadable as { line: number; message: string } | null;
  if (stopped) {
    return invalid('content.import_unreadable', `The file cannot be read past line ${stopped.line}: a double quote opens a value that is not closed, or appears inside a value that is not quoted. Put values with commas, quotes or line breaks in double quotes, and double any quote inside them ("").`);
  }
  const [header, ...data] = records;
  if (!header || cellErrors.some((error) => error.line < header.line)) {
    return invalid('content.import_header_invalid', 'The first line must be the header naming the columns.');
  }
  const problem = headerProblem(header.cells);
  if (problem) return problem;
  const rowCount = data.length + cellErrors.length;
  if (rowCount === 0) return invalid('content.import_empty', 'The file has a header but no rows: add one line per post.');
  if (rowCount > maxRows) {
    return invalid('content.import_too_many_rows', `The file has ${rowCount.toLocaleString('en-US')} rows; at most ${maxRows.toLocaleString('en-US')} can be imported at once. Split it into smaller files.`);
  }
  const columns = header.cells.map((name) => name.trim().toLowerCase() as ContentCsvColumn);
  const rows: CsvRow[] = [
    ...data.map((record) => ({ line: record.line, cells: new Map(columns.map((column, index) => [column, unguardCsvCell(record.cells[index] ?? '')])) })),
    ...cellErrors.map((error) => ({
      line: error.line,
      cellError: `This row has ${error.count} cell${error.count === 1 ? '' : 's'}; the header has ${columns.length}. Look for a missing or extra comma, or a value with a comma that is not in double quotes.`,
    })),
  ];
  return { ok: true, rows: rows.sort((a, b) => a.line - b.line) };
}
