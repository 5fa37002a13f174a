import {
  createPublishTargetBodySchema,
  publishTargetDetailSchema,
  publishTargetIdParamsSchema,
  publishTargetListQuerySchema,
  publishTargetListSchema,
  publishTargetSchema,
  publishingSettingsSchema,
  reschedulePublishTargetBodySchema,
  resolvePublishTargetBodySchema,
  retryPublishTargetBodySchema,
  updatePublishingSettingsBodySchema,
} from '@omni/contracts/publishing';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as service from './publishing.service.js';

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function publishingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['publishing'];

  r.post('/api/publishing/targets', {
    schema: { tags, summary: 'Schedule a post on one connection (scheduledAt null: publish now)', body: createPublishTargetBodySchema, response: { 201: publishTargetSchema } },
    config: { audit: 'publishing.target_created' },
  }, async (request, reply) => reply.status(201).send(await service.createTarget(request.ctx, request.body)));

  r.get('/api/publishing/targets', {
    schema: { tags, summary: "The active account's post targets, newest scheduled first", querystring: publishTargetListQuerySchema, response: { 200: publishTargetListSchema } },
  }, async (request) => service.listTargets(request.ctx, request.query));

  r.get('/api/publishing/targets/:id', {
    schema: { tags, summary: 'A post target with its attempts, state transitions and latest engagement', params: publishTargetIdParamsSchema, response: { 200: publishTargetDetailSchema } },
  }, async (request) => service.getTarget(request.ctx, request.params.id));

  r.patch('/api/publishing/targets/:id', {
    schema: { tags, summary: 'Reschedule a scheduled post (its pending job is replaced)', params: publishTargetIdParamsSchema, body: reschedulePublishTargetBodySchema, response: { 200: publishTargetSchema } },
    config: { audit: 'publishing.target_rescheduled' },
  }, async (request) => service.rescheduleTarget(request.ctx, request.params.id, request.body));

  r.post('/api/publishing/targets/:id/cancel', {
    schema: { tags, summary: 'Cancel a scheduled post', params: publishTargetIdParamsSchema, response: { 200: publishTargetSchema } },
    config: { audit: 'publishing.target_cancelled' },
  }, async (request) => service.cancelTarget(request.ctx, request.params.id));

  r.post('/api/publishing/targets/:id/publish-now', {
    schema: { tags, summary: 'Publish a scheduled post now instead of at its time', params: publishTargetIdParamsSchema, response: { 200: publishTargetSchema } },
    config: { audit: 'publishing.target_publish_now' },
  }, async (request) => service.publishTargetNow(request.ctx, request.params.id));

  r.post('/api/publishing/targets/:id/resolve', {
    schema: {
      tags,
      summary: 'Resolve an unconfirmed post after checking the network: published, or not published (retry with a new key, or fail)',
      params: publishTargetIdParamsSchema,
      body: resolvePublishTargetBodySchema,
      response: { 200: publishTargetSchema },
    },
    config: { audit: 'publishing.target_resolved' },
  }, async (request) => service.resolveTarget(request.ctx, request.params.id, request.body));

  r.post('/api/publishing/targets/:id/retry', {
    schema: { tags, summary: 'Retry a failed or late post, now or at scheduledAt', params: publishTargetIdParamsSchema, body: retryPublishTargetBodySchema.nullish(), response: { 200: publishTargetSchema } },
    config: { audit: 'publishing.target_retried' },
  }, async (request) => service.retryTarget(request.ctx, request.params.id, request.body ?? {}));

  r.get('/api/publishing/settings', {
    schema: { tags, summary: "The active account's publishing settings (missed-post policy, time zone)", response: { 200: publishingSettingsSchema } },
  }, async (request) => service.getSettings(request.ctx));

  r.put('/api/publishing/settings', {
    schema: { tags, summary: "Replace the active account's publishing settings (account admins)", body: updatePublishingSettingsBodySchema, response: { 200: publishingSettingsSchema } },
    config: { audit: 'publishing.settings_updated' },
  }, async (request) => service.updateSettings(request.ctx, request.body));
}
