import multipart from '@fastify/multipart';
import {
  contentImportMaxBytes,
  importIdParamsSchema,
  importListQuerySchema,
  importListSchema,
  importQuerySchema,
  importReportSchema,
  postExportQuerySchema,
} from '@omni/contracts/content-imports';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, badRequest } from '../../kernel/errors.js';
import { exportPostsCsv } from './use-cases/csv-export.js';
import { getImport, importPostsCsv, listImports, type ImportFile } from './use-cases/csv-import.js';

/**
 * CSV import and export of posts (design §6.3). Multipart is registered in this plugin's scope only; the
 * file is read up to 2 MB (one byte more marks it too large) and the rest of an oversized upload drained.
 */
async function readCsvUpload(request: FastifyRequest): Promise<ImportFile> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'content.import_multipart_required', 'Send the CSV file as multipart/form-data (a part named "file").');
  const file = await request.file({ limits: { files: 1, fields: 0, parts: 1, fileSize: contentImportMaxBytes } });
  if (!file) throw badRequest('content.import_file_missing', 'Choose a CSV file to import (a multipart part named "file").');
  const chunks: Buffer[] = [];
  for await (const chunk of file.file) chunks.push(chunk as Buffer);
  return { fileName: file.filename, bytes: Buffer.concat(chunks), tooLarge: file.file.truncated };
}

export async function contentImportsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: false });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];

  r.post('/api/content/imports', {
    schema: {
      tags,
      summary: 'Import posts from a CSV file, all or nothing (422 content.import_invalid with the report; ?dryRun=true only checks)',
      consumes: ['multipart/form-data'],
      querystring: importQuerySchema,
      response: { 200: importReportSchema, 201: importReportSchema },
    },
    config: { audit: 'content.posts_imported' },
  }, async (request, reply) => {
    const report = await importPostsCsv(request.ctx, await readCsvUpload(request), { dryRun: request.query.dryRun });
    return reply.status(report.dryRun ? 200 : 201).send(report);
  });

  r.get('/api/content/imports', {
    schema: { tags, summary: "The active account's latest import attempts (dry runs and refused files too)", querystring: importListQuerySchema, response: { 200: importListSchema } },
  }, async (request) => listImports(request.ctx, request.query));

  r.get('/api/content/imports/:id', {
    schema: { tags, summary: 'One import attempt with its report, line by line', params: importIdParamsSchema, response: { 200: importReportSchema } },
  }, async (request) => getImport(request.ctx, request.params.id));

  r.get('/api/content/exports/posts.csv', {
    schema: { tags, summary: "The account's posts as CSV in the import's columns (streamed; re-imports as is)", querystring: postExportQuerySchema, produces: ['text/csv'] },
  }, async (request, reply) => {
    const { fileName, body } = await exportPostsCsv(request.ctx, request.query);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
