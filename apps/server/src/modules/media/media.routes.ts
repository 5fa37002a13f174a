import multipart from '@fastify/multipart';
import { mediaAssetListQuerySchema, mediaAssetListSchema, mediaAssetParamsSchema, mediaAssetSchema, mediaUsageSchema, updateMediaAssetBodySchema } from '@omni/contracts/media';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { AppError } from '../../kernel/errors.js';
import { BlobNotFoundError, contentTypeOfKey, createUrlSigner, getBlobStore } from '../../kernel/storage/index.js';
import { deleteAsset, getAsset, getUsage, listAssets, updateAsset } from './use-cases/library.js';
import { uploadAsset } from './use-cases/upload.js';

/** Keys the public blob route serves: processed objects only (never the raw upload). */
const servableKey = /^t\/[0-9a-f-]{36}\/a\/[0-9a-f-]{36}\/[a-z]+\.(jpg|png|webp|gif|mp4|mov)$/;

export async function mediaRoutes(app: FastifyInstance, kernel: Kernel): Promise<void> {
  // Multipart only here (this plugin's scope); the file is streamed, so the JSON body limit does not apply.
  await app.register(multipart, { throwFileSizeLimit: true });
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/media/assets', {
    schema: {
      tags: ['media'],
      summary: 'Upload one image or video (multipart/form-data: optional altText, tags, scope fields, then the file)',
      consumes: ['multipart/form-data'],
      response: { 201: mediaAssetSchema },
    },
  }, async (request, reply) => reply.status(201).send(await uploadAsset(request.ctx, request)));

  r.get('/api/media/assets', {
    schema: { tags: ['media'], summary: 'The library: the active account’s and the tenant-wide assets, newest first', querystring: mediaAssetListQuerySchema, response: { 200: mediaAssetListSchema } },
  }, async (request) => listAssets(request.ctx, request.query));

  r.get('/api/media/assets/:id', {
    schema: { tags: ['media'], summary: 'One asset with its renditions (signed URLs)', params: mediaAssetParamsSchema, response: { 200: mediaAssetSchema } },
  }, async (request) => getAsset(request.ctx, request.params.id));

  r.patch('/api/media/assets/:id', {
    schema: { tags: ['media'], summary: 'Change an asset’s alt text or tags', params: mediaAssetParamsSchema, body: updateMediaAssetBodySchema, response: { 200: mediaAssetSchema } },
  }, async (request) => updateAsset(request.ctx, request.params.id, request.body));

  r.delete('/api/media/assets/:id', {
    schema: { tags: ['media'], summary: 'Delete an asset nothing uses (409 media.in_use otherwise)', params: mediaAssetParamsSchema, response: { 204: z.null() } },
  }, async (request, reply) => {
    await deleteAsset(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/api/media/usage', {
    schema: { tags: ['media'], summary: 'Storage used against the plan’s quota, and the plan’s file size limits', response: { 200: mediaUsageSchema } },
  }, async (request) => getUsage(request.ctx));

  const signer = createUrlSigner(kernel.config);
  r.get('/blobs/*', {
    // A file route, not part of the JSON API: left out of the OpenAPI document.
    schema: { hide: true, querystring: z.object({ exp: z.string().optional(), kid: z.string().optional(), sig: z.string().optional() }) },
    config: { audit: false },
  }, async (request, reply) => {
    const key = (request.params as { '*': string })['*'];
    if (!servableKey.test(key)) throw new AppError('not_found', 'media.not_found', 'There is no media file at this address.');
    const verdict = signer.verify(key, request.query);
    if (verdict === 'expired') throw new AppError('forbidden', 'media.url_expired', 'This media link has expired. Reload the page for a fresh one.');
    if (verdict !== 'valid') throw new AppError('forbidden', 'media.url_invalid', 'This media link is not valid.');
    let body;
    try {
      body = await getBlobStore(kernel.config).get(key);
    } catch (error) {
      if (error instanceof BlobNotFoundError) throw new AppError('not_found', 'media.not_found', 'This media file no longer exists.');
      throw error;
    }
    const remaining = Math.max(0, Number(request.query.exp) - Math.floor(Date.now() / 1000));
    return reply
      .header('content-type', contentTypeOfKey(key))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', `private, max-age=${Math.min(remaining, kernel.config.MEDIA_URL_TTL_SECONDS)}`)
      .send(body);
  });
}
