import {
  createFeedSubscriptionBodySchema,
  createFeedWebhookBodySchema,
  feedEntryListQuerySchema,
  feedEntryListSchema,
  feedIdParamsSchema,
  feedPollResultSchema,
  feedPreviewBodySchema,
  feedPreviewSchema,
  feedSubscriptionListSchema,
  feedSubscriptionSchema,
  feedWebhookEndpointListSchema,
  feedWebhookEndpointSchema,
  feedWebhookSecretSchema,
  updateFeedSubscriptionBodySchema,
  updateFeedWebhookBodySchema,
  webhookAcceptedSchema,
  webhookEndpointParamsSchema,
} from '@omni/contracts/feeds';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signatureHeaderName } from './feeds.signature.js';
import { listEntries } from './use-cases/entries.js';
import * as subscriptions from './use-cases/subscriptions.js';
import * as webhooks from './use-cases/webhooks.js';

const noContent = z.null().describe('No content');
const tags = ['feeds'];

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function feedsRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/feeds/subscriptions', {
    schema: { tags, summary: 'Feed subscriptions of the active account, with status and last error', response: { 200: feedSubscriptionListSchema } },
  }, async (request) => subscriptions.listSubscriptions(request.ctx));

  r.post('/api/feeds/subscriptions/preview', {
    schema: { tags, summary: 'Fetch and parse a feed without saving: its title and newest entries', body: feedPreviewBodySchema, response: { 200: feedPreviewSchema } },
    config: { audit: false },
  }, async (request) => subscriptions.previewFeed(request.ctx, request.body));

  r.post('/api/feeds/subscriptions', {
    schema: { tags, summary: 'Follow an RSS or Atom feed (first poll queued now)', body: createFeedSubscriptionBodySchema, response: { 201: feedSubscriptionSchema } },
    config: { audit: 'feeds.subscription.create' },
  }, async (request, reply) => reply.status(201).send(await subscriptions.createSubscription(request.ctx, request.body)));

  r.patch('/api/feeds/subscriptions/:id', {
    schema: { tags, summary: 'Change a subscription: template, connections, interval, pause or resume', params: feedIdParamsSchema, body: updateFeedSubscriptionBodySchema, response: { 200: feedSubscriptionSchema } },
    config: { audit: 'feeds.subscription.update' },
  }, async (request) => subscriptions.updateSubscriptionSettings(request.ctx, request.params.id, request.body));

  r.delete('/api/feeds/subscriptions/:id', {
    schema: { tags, summary: 'Stop following a feed (received articles and their posts stay)', params: feedIdParamsSchema, response: { 204: noContent } },
    config: { audit: 'feeds.subscription.delete' },
  }, async (request, reply) => {
    await subscriptions.removeSubscription(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/feeds/subscriptions/:id/poll', {
    schema: { tags, summary: 'Poll a subscription now', params: feedIdParamsSchema, response: { 200: feedPollResultSchema } },
    config: { audit: 'feeds.subscription.poll' },
  }, async (request) => subscriptions.pollSubscriptionNow(request.ctx, request.params.id));

  r.get('/api/feeds/webhooks', {
    schema: { tags, summary: 'Inbound webhook endpoints of the active account (secrets are never listed)', response: { 200: feedWebhookEndpointListSchema } },
  }, async (request) => webhooks.listWebhookEndpoints(request.ctx));

  r.post('/api/feeds/webhooks', {
    schema: { tags, summary: 'Create an inbound webhook endpoint: its URL and secret (shown once)', body: createFeedWebhookBodySchema, response: { 201: feedWebhookSecretSchema } },
    config: { audit: 'feeds.webhook.create' },
  }, async (request, reply) => reply.status(201).send(await webhooks.createWebhookEndpoint(request.ctx, request.body)));

  r.patch('/api/feeds/webhooks/:id', {
    schema: { tags, summary: 'Change a webhook endpoint: name, template, connections, enable or disable', params: feedIdParamsSchema, body: updateFeedWebhookBodySchema, response: { 200: feedWebhookEndpointSchema } },
    config: { audit: 'feeds.webhook.update' },
  }, async (request) => webhooks.updateWebhookEndpointSettings(request.ctx, request.params.id, request.body));

  r.delete('/api/feeds/webhooks/:id', {
    schema: { tags, summary: 'Remove a webhook endpoint', params: feedIdParamsSchema, response: { 204: noContent } },
    config: { audit: 'feeds.webhook.delete' },
  }, async (request, reply) => {
    await webhooks.removeWebhookEndpoint(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/feeds/webhooks/:id/rotate-secret', {
    schema: { tags, summary: 'Rotate the secret (shown once); the previous one verifies for 24 hours', params: feedIdParamsSchema, response: { 200: feedWebhookSecretSchema } },
    config: { audit: 'feeds.webhook.rotate_secret' },
  }, async (request) => webhooks.rotateWebhookSecret(request.ctx, request.params.id));

  r.get('/api/feeds/entries', {
    schema: { tags, summary: 'Articles received from feeds and webhooks, newest first', querystring: feedEntryListQuerySchema, response: { 200: feedEntryListSchema } },
  }, async (request) => listEntries(request.ctx, request.query));

  // The public receiver reads the raw body (the signature covers its exact bytes), whatever its type.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhooks.webhookBodyLimitBytes }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/public/feeds/webhooks/:endpointId', {
      schema: {
        tags,
        summary: 'Receive an article from a blog (public; signed with Omni-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>)',
        params: webhookEndpointParamsSchema,
        response: { 200: webhookAcceptedSchema, 202: webhookAcceptedSchema },
        security: [],
      },
      bodyLimit: webhooks.webhookBodyLimitBytes,
      config: { audit: 'feeds.webhook.receive', ignoreBadCredentials: true },
    }, async (request, reply) => {
      const result = await webhooks.receiveWebhook(request.ctx, {
        endpointId: request.params.endpointId,
        signatureHeader: request.headers[signatureHeaderName],
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      });
      return reply.status(result.status).send(result.body);
    });
  });
}
