import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contentCsvColumns, guardCsvCell, unguardCsvCell } from '@omni/contracts/content-imports';
import { damagedJpeg, multipartBody, uploadMedia, uploadReadyImage } from '../../../test/factories/media.js';
import { connectThroughOAuth } from '../../../test/factories/social-connections.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { startXFake, type FakeX } from '../../../test/fakes/x.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * CSV import and export of posts through the HTTP API (design §6.3): all or nothing with a per-line report,
 * file-level refusals before any row, time zones, the formula guard, and export → re-import.
 */
describe('content: CSV import and export', () => {
  let t: TestApp;
  let fake: FakeX;
  let owner: RegisteredTenant;
  let contributor: { token: string; userId: string };
  let feedA: string;
  let xProfile: string;

  const header = contentCsvColumns.join(',');
  /** A CSV line from cells by column name (quoted, quotes doubled). */
  const line = (cells: Partial<Record<(typeof contentCsvColumns)[number], string>>) =>
    contentCsvColumns.map((column) => `"${(cells[column] ?? '').replace(/"/g, '""')}"`).join(',');
  const csv = (...lines: string[]) => `${[header, ...lines].join('\n')}\n`;
  const upload = (token: string, content: string | Buffer, options: { dryRun?: boolean; name?: string } = {}) => {
    const body = multipartBody({ name: options.name ?? 'posts.csv', contentType: 'text/csv', data: Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8') });
    return request(t.app, { method: 'POST', url: `/api/content/imports${options.dryRun ? '?dryRun=true' : ''}`, token, payload: body.payload, headers: body.headers });
  };
  const getPost = async (id: string, token = owner.token) => (await request(t.app, { url: `/api/content/posts/${id}`, token })).json();
  /** Everything an import could leave behind, counted as the database owner (past row-level security). */
  const footprint = async (tenantId: string) => {
    const counts: Record<string, number> = {};
    for (const table of ['posts', 'post_variants', 'post_destinations', 'post_revisions', 'post_occurrences', 'post_targets', 'publish_targets', 'media_asset_holds', 'approval_requests']) {
      counts[table] = Number((await t.owner.query(`SELECT count(*) FROM ${table} WHERE tenant_id = $1`, [tenantId])).rows[0].count);
    }
    return counts;
  };
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);
  const future = (days: number, hour: number) => {
    const date = inDays(days);
    return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00`;
  };

  beforeAll(async () => {
    fake = await startXFake();
    t = await createTestApp({
      X_API_URL: fake.url,
      X_OAUTH_URL: fake.url,
      X_CLIENT_ID: fake.clientId,
      X_CLIENT_SECRET: fake.clientSecret,
      PUBLIC_URL: 'https://console.omni.test',
      CONTENT_IMPORT_MAX_ROWS: '6',
    });
    owner = await registerTenant(t.app);
    contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    feedA = (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: 'Feed A' } })).json().id;
    xProfile = await connectThroughOAuth(t.app, owner.token, 'x', (url) => fake.issueCode(url.searchParams.get('code_challenge')!));
    const zone = await request(t.app, { method: 'PUT', url: '/api/publishing/settings', token: owner.token, payload: { lateAfterSeconds: 3600, timezone: 'Europe/Berlin' } });
    expect(zone.statusCode, zone.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('checks a file with a BOM and local times in a dry run (nothing created), then imports every row in one go', async () => {
    const before = await footprint(owner.tenant.id);
    const file = `\uFEFF${csv(
      line({ scheduled_at: inDays(3).toISOString().replace(/\.\d+Z$/, 'Z'), connections: 'Feed A', text: 'ISO instant', tags: 'Bakery;News' }),
      line({ scheduled_at: '2031-01-15 09:00', timezone: 'America/New_York', connections: feedA, text: 'New York morning' }),
      line({ scheduled_at: '2031-07-01 09:00', connections: `Feed A;${xProfile}`, text: 'Berlin morning', x_text: 'Short for X', x_thread: 'Second\n---\nThird' }),
      line({ connections: 'feed a', text: 'An undated draft', title: 'Draft from CSV' }),
    )}`;
    const dry = await upload(owner.token, file, { dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ status: 'valid', dryRun: true, rowCount: 4, fileErrors: [] });
    expect(dry.json().rows.map((row: { line: number; ok: boolean; outcome: string }) => [row.line, row.ok, row.outcome])).toEqual([
      [2, true, 'scheduled'],
      [3, true, 'scheduled'],
      [4, true, 'scheduled'],
      // The row above spans lines 4–6 (its thread has line breaks): this one starts on line 7.
      [7, true, 'draft'],
    ]);
    expect(await footprint(owner.tenant.id)).toEqual(before);

    const imported = await upload(owner.token, file);
    expect(imported.statusCode, imported.body).toBe(201);
    const report = imported.json();
    expect(report).toMatchObject({ status: 'imported', dryRun: false, rowCount: 4 });
    const posts = await Promise.all(report.rows.map((row: { postId: string }) => getPost(row.postId)));
    expect(posts.map((post) => post.status)).toEqual(['scheduled', 'scheduled', 'scheduled', 'draft']);
    expect(posts[0].tags).toEqual(['bakery', 'news']);
    expect(posts[1].plannedAt).toBe('2031-01-15T14:00:00.000Z');
    expect(posts[2].plannedAt).toBe('2031-07-01T07:00:00.000Z');
    expect(posts[2].variants.find((variant: { network: string }) => variant.network === 'x')).toMatchObject({ text: 'Short for X', options: { thread: ['Second', 'Third'] } });
    expect(posts[3]).toMatchObject({ title: 'Draft from CSV', plannedAt: null, source: { kind: 'import', id: report.importId } });
    const targets = await t.owner.query(`SELECT post_id FROM post_targets WHERE post_id = ANY($1::uuid[])`, [posts.map((post) => post.id)]);
    expect(targets.rows).toHaveLength(4);

    const stored = await request(t.app, { url: `/api/content/imports/${report.importId}`, token: owner.token });
    expect(stored.statusCode).toBe(200);
    expect(stored.json()).toEqual(report);
    const list = (await request(t.app, { url: '/api/content/imports', token: owner.token })).json();
    expect(list.items.slice(0, 2).map((item: { importId: string; status: string }) => [item.importId, item.status])).toEqual([
      [report.importId, 'imported'],
      [dry.json().importId, 'valid'],
    ]);
  });

  it('refuses the whole file when one row is wrong (422 with lines and columns) and creates nothing at all', async () => {
    const processing = await uploadMedia(t, owner.token, { name: 'still.jpg', contentType: 'image/jpeg', data: damagedJpeg });
    expect(processing.statusCode).toBe(201);
    const before = await footprint(owner.tenant.id);
    const file = csv(
      line({ scheduled_at: future(5, 10), connections: 'Feed A', text: 'This one is fine' }),
      line({ scheduled_at: future(5, 11), connections: 'Feed Z', text: 'Unknown connection' }),
      line({ connections: xProfile, text: 'Long', x_text: 'x'.repeat(281) }),
      line({ connections: 'Feed A', text: 'Media not ready', media: processing.json().id }),
      line({ scheduled_at: '2020-01-01 09:00', connections: 'Feed A', text: 'In the past' }),
      'only,three,cells',
    );
    const refused = await upload(owner.token, file);
    expect(refused.statusCode, refused.body).toBe(422);
    const body = refused.json();
    expect(body.code).toBe('content.import_invalid');
    const rows = body.report.rows as Array<{ line: number; ok: boolean; errors: Array<{ column: string | null; message: string }> }>;
    const errorsOf = (lineNumber: number) => rows.find((row) => row.line === lineNumber)!.errors;
    expect(rows.map((row) => [row.line, row.ok])).toEqual([[2, true], [3, false], [4, false], [5, false], [6, false], [7, false]]);
    expect(errorsOf(3)).toEqual([{ column: 'connections', message: expect.stringContaining('“Feed Z” is not a connected social account') }]);
    expect(errorsOf(4)).toEqual([expect.objectContaining({ column: 'x_text', message: expect.stringContaining('281 of 280') })]);
    expect(errorsOf(5)).toEqual([expect.objectContaining({ column: 'media', message: expect.stringMatching(/media 1 (is still being processed|could not be processed)/) })]);
    expect(errorsOf(6)).toEqual([expect.objectContaining({ column: 'scheduled_at', message: expect.stringContaining('in the past') })]);
    expect(errorsOf(7)).toEqual([expect.objectContaining({ column: null, message: expect.stringContaining('3 cells') })]);
    expect(await footprint(owner.tenant.id)).toEqual(before);
    const stored = await t.owner.query(`SELECT status, row_count, error_count FROM content_imports WHERE id = $1`, [body.report.importId]);
    expect(stored.rows).toEqual([{ status: 'invalid', row_count: 6, error_count: 5 }]);
  });

  it('refuses a local time with no zone at all, and a zone that does not exist', async () => {
    const zoneless = await registerTenant(t.app);
    const feed = (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: zoneless.token, payload: { name: 'Zoneless feed' } })).json().id;
    const refused = await upload(zoneless.token, csv(
      line({ scheduled_at: '2031-03-01 09:00', connections: feed, text: 'When?' }),
      line({ scheduled_at: '2031-03-01 09:00', timezone: 'Mars/Olympus', connections: feed, text: 'Where?' }),
      line({ scheduled_at: '2031-03-01T09:00:00+01:00', connections: feed, text: 'An offset needs no zone' }),
    ));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().report.rows.map((row: { errors: unknown[] }) => row.errors)).toEqual([
      [{ column: 'scheduled_at', message: expect.stringContaining('has no time zone') }],
      [{ column: 'timezone', message: expect.stringContaining('“Mars/Olympus” is not a time zone') }],
      [],
    ]);
    expect((await footprint(zoneless.tenant.id)).posts).toBe(0);
  });

  it('refuses a bad header, a non-CSV file, a file over 2 MB and too many rows before looking at any row', async () => {
    const before = await footprint(owner.tenant.id);
    const unknown = await upload(owner.token, 'scheduled_at,connections,text,colour\n,Feed A,hello,red\n');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'content.import_header_invalid', report: { status: 'invalid', rows: [], fileErrors: [{ message: expect.stringContaining('unknown column “colour”') }] } });
    const missing = await upload(owner.token, 'scheduled_at,text\n,hello\n');
    expect(missing.json()).toMatchObject({ code: 'content.import_header_invalid', detail: expect.stringContaining('missing required column “connections”') });
    const notCsv = await upload(owner.token, csv(line({ connections: 'Feed A', text: 'hi' })), { name: 'posts.xlsx' });
    expect([notCsv.statusCode, notCsv.json().code]).toEqual([415, 'content.import_not_csv']);
    const big = await upload(owner.token, `${header}\n${line({ connections: 'Feed A', text: 'y'.repeat(2 * 1024 * 1024) })}\n`);
    expect([big.statusCode, big.json().code]).toEqual([413, 'content.import_too_large']);
    const many = await upload(owner.token, csv(...Array.from({ length: 7 }, (_, index) => line({ connections: 'Feed A', text: `Row ${index}` }))));
    expect([many.statusCode, many.json().code]).toEqual([422, 'content.import_too_many_rows']);
    expect(many.json().detail).toContain('7 rows; at most 6');
    const quotes = await upload(owner.token, `${header}\n"unclosed,Feed A\n`);
    expect([quotes.statusCode, quotes.json().code]).toEqual([422, 'content.import_unreadable']);
    expect(await footprint(owner.tenant.id)).toEqual(before);
    const attempts = await t.owner.query(`SELECT count(*)::int AS count FROM content_imports WHERE id = ANY($1::uuid[]) AND status = 'invalid'`, [
      [unknown, missing, notCsv, big, many, quotes].map((response) => response.json().report.importId),
    ]);
    expect(attempts.rows[0].count).toBe(6);
  });

  it('submits dated rows for review when a contributor imports them', async () => {
    const imported = await upload(contributor.token, csv(line({ scheduled_at: future(9, 8), connections: 'Feed A', text: 'Contributor’s post' }), line({ connections: 'Feed A', text: 'Contributor’s draft' })));
    expect(imported.statusCode, imported.body).toBe(201);
    const [dated, undated] = imported.json().rows;
    expect([dated.outcome, undated.outcome]).toEqual(['in_review', 'draft']);
    expect(await getPost(dated.postId)).toMatchObject({ status: 'in_review', reviewStage: 'internal' });
    const pending = await t.owner.query(`SELECT stage FROM approval_requests WHERE subject_id = $1 AND status = 'pending'`, [dated.postId]);
    expect(pending.rows).toEqual([{ stage: 'internal' }]);
  });

  it('exports posts in the import’s columns, guards formulas, and the export re-imports to the same content', async () => {
    const image = await uploadReadyImage(t, owner.token);
    const file = csv(
      line({ scheduled_at: future(20, 9), timezone: 'Europe/Berlin', connections: `Feed A;${xProfile}`, title: '+1 call back', text: '=HYPERLINK("http://evil.test","click")', x_text: '@everyone read this', x_thread: '-5% today\n---\nlast one', media: image.id, link: 'https://bakery.test/menu', tags: 'roundtrip;@home' }),
      line({ connections: 'Feed A', text: "'=SUM(1,2) was guarded; 'plain stays", tags: 'roundtrip' }),
    );
    const first = await upload(owner.token, file);
    expect(first.statusCode, first.body).toBe(201);
    const originals = await Promise.all(first.json().rows.map((row: { postId: string }) => getPost(row.postId)));
    expect(originals[1].baseText).toBe("=SUM(1,2) was guarded; 'plain stays");

    const exported = await request(t.app, { url: '/api/content/exports/posts.csv?tag=roundtrip', token: owner.token });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.headers['content-disposition']).toMatch(/attachment; filename="posts-\d{4}-\d{2}-\d{2}\.csv"/);
    const records = parse(exported.rawPayload, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...contentCsvColumns]);
    const exportedFirst = records.find((record) => record.title === "'+1 call back")!;
    expect(exportedFirst).toMatchObject({ text: '\'=HYPERLINK("http://evil.test","click")', x_text: "'@everyone read this", x_thread: "'-5% today\n---\nlast one", timezone: 'Europe/Berlin', tags: 'roundtrip;@home' });
    expect(records.every((record) => Object.values(record).every((cell) => !/^[=+\-@\t\r]/.test(cell)))).toBe(true);
    expect(records).toHaveLength(2);

    const again = await upload(owner.token, exported.rawPayload, { name: 'export.csv' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().rows[0].warnings).toEqual(expect.arrayContaining([expect.objectContaining({ column: 'scheduled_at' })]));
    const copies = await Promise.all(again.json().rows.map((row: { postId: string }) => getPost(row.postId)));
    const contentOf = (post: Record<string, unknown> & { variants: Array<Record<string, unknown>>; destinations: unknown[] }) => ({
      title: post.title,
      baseText: post.baseText,
      baseMedia: post.baseMedia,
      baseLink: post.baseLink,
      tags: post.tags,
      plannedAt: post.plannedAt,
      status: post.status,
      destinations: post.destinations,
      variants: post.variants.map(({ id: _id, ...variant }) => variant),
    });
    expect(copies.map(contentOf)).toEqual(originals.map(contentOf));
  });

  it('keeps imports and exports to their tenant', async () => {
    const other = await registerTenant(t.app);
    const mine = await upload(owner.token, csv(line({ connections: 'Feed A', text: 'Private to the owner' })), { dryRun: true });
    expect((await request(t.app, { url: `/api/content/imports/${mine.json().importId}`, token: other.token })).statusCode).toBe(404);
    expect((await request(t.app, { url: '/api/content/imports', token: other.token })).json().items).toEqual([]);
    const theirs = await request(t.app, { url: '/api/content/exports/posts.csv', token: other.token });
    expect(theirs.statusCode).toBe(200);
    expect(parse(theirs.rawPayload, { bom: true })).toEqual([[...contentCsvColumns]]);
    const usingMyConnection = await upload(other.token, csv(line({ connections: feedA, text: 'Not your feed' })));
    expect(usingMyConnection.json().report.rows[0].errors).toEqual([{ column: 'connections', message: expect.stringContaining('is not a connected social account') }]);
  });
});

describe('content: the CSV formula guard', () => {
  it('makes no cell start like a formula, and the import gets every cell back exactly', () => {
    const cell = fc.oneof(fc.string(), fc.tuple(fc.constantFrom("'", "''", ''), fc.constantFrom('=', '+', '-', '@', '\t', '\r', 'a', ''), fc.string()).map((parts) => parts.join('')));
    fc.assert(
      fc.property(cell, (value) => {
        const guarded = guardCsvCell(value);
        expect(/^[=+\-@\t\r]/.test(guarded)).toBe(false);
        expect(unguardCsvCell(guarded)).toBe(value);
      }),
      { numRuns: 500 },
    );
    expect(guardCsvCell('=1+1')).toBe("'=1+1");
    expect(unguardCsvCell("'hello")).toBe("'hello");
  });
});
