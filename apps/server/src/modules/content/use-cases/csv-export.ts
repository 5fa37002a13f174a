import { PassThrough, Readable, pipeline } from 'node:stream';
import { contentCsvColumns, guardCsvCell, threadSeparator, type ContentCsvColumn, type PostExportQuery } from '@omni/contracts/content-imports';
import { wallClockIn } from '@omni/contracts/time';
import { stringify } from 'csv-stringify';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getAccountTimezone } from '../../publishing/index.js';
import { listSchedulableConnections } from '../../social/index.js';
import { contentPermissions } from '../content.permissions.js';
import { selectExportPage, type ExportCursor, type ExportFilter, type ExportPost } from '../content.imports.queries.js';
import { requireAccount } from './posts.js';

/**
 * GET /api/content/exports/posts.csv (design §6.3): the account's posts in the import's columns, so an
 * export re-imports. Streamed page by page through csv-stringify; planned times as local times in the
 * account's zone (ISO UTC when it has none); connections by name when the name is unique in the account,
 * else by id; every cell guarded against formula injection (the import undoes it).
 */

const pageSize = 200;
const networkTextColumns: Array<[string, ContentCsvColumn]> = [
  ['facebook', 'facebook_text'],
  ['instagram', 'instagram_text'],
  ['x', 'x_text'],
  ['linkedin', 'linkedin_text'],
  ['pinterest', 'pinterest_text'],
];

const pad = (value: number, length = 2) => String(value).padStart(length, '0');

/** "YYYY-MM-DD HH:mm" (":ss" when the seconds are not zero) as a clock in `zone` shows `at`. */
function localTime(at: Date, zone: string): string {
  const wall = wallClockIn(at, zone);
  const seconds = wall.second !== 0 ? `:${pad(wall.second)}` : '';
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}${seconds}`;
}

function recordOf(post: ExportPost, zone: string | null, connectionNames: Map<string, string>): string[] {
  const cells: Partial<Record<ContentCsvColumn, string>> = {
    scheduled_at: post.plannedAt ? (zone ? localTime(post.plannedAt, zone) : post.plannedAt.toISOString()) : '',
    timezone: post.plannedAt && zone ? zone : '',
    connections: post.connectionIds.map((id) => connectionNames.get(id) ?? id).join(';'),
    title: post.title ?? '',
    text: post.baseText,
    media: post.baseMedia.map((item) => item.assetId).join(';'),
    link: post.baseLink ?? '',
    tags: post.tags.join(';'),
  };
  // An A/B test exports variant A: the CSV has one text per network.
  const variantOf = (network: string) => post.variants.find((variant) => variant.network === network && (variant.abLabel === null || variant.abLabel === 'A'));
  for (const [network, column] of networkTextColumns) cells[column] = variantOf(network)?.text ?? '';
  const pinterest = variantOf('pinterest')?.options ?? {};
  cells.pinterest_title = typeof pinterest.title === 'string' ? pinterest.title : '';
  cells.pinterest_board_id = typeof pinterest.boardId === 'string' ? pinterest.boardId : '';
  const thread = variantOf('x')?.options.thread;
  cells.x_thread = Array.isArray(thread) ? thread.join(`\n${threadSeparator}\n`) : '';
  return contentCsvColumns.map((column) => guardCsvCell(cells[column] ?? ''));
}

/**
 * The export as a stream of CSV text. Permissions, the account's zone and the connection names are read
 * before the first byte, so refusals are problem+json; pages are read as the stream is consumed.
 */
export async function exportPostsCsv(ctx: ServiceContext, query: PostExportQuery): Promise<{ fileName: string; body: Readable }> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const { zone, connections } = await withTenantRead(ctx, async (tx) => ({
    zone: await getAccountTimezone(tx, accountId),
    connections: await listSchedulableConnections(tx, accountId),
  }));
  const nameCounts = new Map<string, number>();
  for (const connection of connections) nameCounts.set(connection.destinationName.trim().toLowerCase(), (nameCounts.get(connection.destinationName.trim().toLowerCase()) ?? 0) + 1);
  const connectionNames = new Map(
    connections
      .filter((connection) => nameCounts.get(connection.destinationName.trim().toLowerCase()) === 1 && connection.destinationName.trim() && !connection.destinationName.includes(';'))
      .map((connection) => [connection.id, connection.destinationName.trim()]),
  );
  const filter: ExportFilter = {
    accountId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    status: query.status,
    network: query.network,
    tag: query.tag,
  };
  async function* records(): AsyncGenerator<string[]> {
    let cursor: ExportCursor = null;
    for (;;) {
      const page = await withTenantRead(ctx, (tx) => selectExportPage(tx, filter, cursor, pageSize));
      for (const post of page) yield recordOf(post, zone, connectionNames);
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      cursor = { sortKey: last.sortKey, id: last.id };
    }
  }
  const body = new PassThrough();
  // A failure mid-stream (the database gone) ends the response early; the client sees a cut download.
  pipeline(Readable.from(records()), stringify({ header: true, columns: [...contentCsvColumns], bom: true, record_delimiter: 'windows' }), body, (error) => {
    if (error) ctx.logger.error({ err: error }, 'content export stream failed');
  });
  const day = new Date().toISOString().slice(0, 10);
  return { fileName: `posts-${day}.csv`, body };
}
