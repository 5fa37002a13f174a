import {
  campaignDetailSchema,
  campaignIdParamsSchema,
  campaignListQuerySchema,
  campaignListSchema,
  campaignPerformanceSchema,
  campaignPostParamsSchema,
  createCampaignBodySchema,
  generateCampaignBodySchema,
  generateCampaignResultSchema,
  linkCampaignPostBodySchema,
  submitCampaignDraftsBodySchema,
  submitCampaignDraftsResultSchema,
  updateCampaignBodySchema,
} from '@omni/contracts/campaigns';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as posts from './campaigns.posts.js';
import * as service from './campaigns.service.js';

const tags = ['campaigns'];

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function campaignsRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/campaigns', {
    schema: { tags, summary: "The active account's campaigns, last changed first", querystring: campaignListQuerySchema, response: { 200: campaignListSchema } },
  }, async (request) => service.listCampaigns(request.ctx, request.query));

  r.post('/api/campaigns', {
    schema: { tags, summary: 'Create a campaign (status draft)', body: createCampaignBodySchema, response: { 201: campaignDetailSchema } },
    config: { audit: 'campaigns.create' },
  }, async (request, reply) => reply.status(201).send(await service.createCampaign(request.ctx, request.body)));

  r.get('/api/campaigns/:id', {
    schema: { tags, summary: 'A campaign with its latest generation run and its posts with predictions', params: campaignIdParamsSchema, response: { 200: campaignDetailSchema } },
  }, async (request) => service.getCampaign(request.ctx, request.params.id));

  r.patch('/api/campaigns/:id', {
    schema: { tags, summary: 'Change a campaign (archived ones only change status)', params: campaignIdParamsSchema, body: updateCampaignBodySchema, response: { 200: campaignDetailSchema } },
    config: { audit: 'campaigns.update' },
  }, async (request) => service.updateCampaign(request.ctx, request.params.id, request.body));

  r.delete('/api/campaigns/:id', {
    schema: { tags, summary: 'Delete a campaign; its posts stay in the content studio, unlinked', params: campaignIdParamsSchema },
    config: { audit: 'campaigns.delete' },
  }, async (request, reply) => {
    await service.deleteCampaign(request.ctx, request.params.id);
    return reply.status(204).send();
  });

  r.post('/api/campaigns/:id/generate', {
    schema: {
      tags,
      summary: 'Generate a strategy and post drafts from the brief (202: the queued campaign-strategist run; drafts are created once it is approved)',
      params: campaignIdParamsSchema,
      body: generateCampaignBodySchema,
      response: { 202: generateCampaignResultSchema },
    },
    config: { audit: 'campaigns.generate' },
  }, async (request, reply) => reply.status(202).send(await service.generateCampaign(request.ctx, request.params.id, request.body)));

  r.post('/api/campaigns/:id/posts', {
    schema: { tags, summary: 'Link a post of the account to the campaign (with a prediction per network)', params: campaignIdParamsSchema, body: linkCampaignPostBodySchema, response: { 200: campaignDetailSchema } },
    config: { audit: 'campaigns.link_post' },
  }, async (request) => posts.linkCampaignPost(request.ctx, request.params.id, request.body.postId));

  r.delete('/api/campaigns/:id/posts/:postId', {
    schema: { tags, summary: 'Unlink a post from the campaign (the post stays)', params: campaignPostParamsSchema, response: { 200: campaignDetailSchema } },
    config: { audit: 'campaigns.unlink_post' },
  }, async (request) => posts.unlinkCampaignPost(request.ctx, request.params.id, request.params.postId));

  r.post('/api/campaigns/:id/submit', {
    schema: { tags, summary: "Submit the campaign's drafts (or the listed posts) for review; reports those skipped and why", params: campaignIdParamsSchema, body: submitCampaignDraftsBodySchema, response: { 200: submitCampaignDraftsResultSchema } },
    config: { audit: 'campaigns.submit' },
  }, async (request) => posts.submitCampaignDrafts(request.ctx, request.params.id, request.body));

  r.get('/api/campaigns/:id/performance', {
    schema: { tags, summary: 'Predicted against actual engagement per post and network, totals and KPI progress', params: campaignIdParamsSchema, response: { 200: campaignPerformanceSchema } },
  }, async (request) => posts.getCampaignPerformance(request.ctx, request.params.id));
}
