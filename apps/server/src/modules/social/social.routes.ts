import {
  authorizationSchema,
  connectionIdParamsSchema,
  connectionListQuerySchema,
  createConnectionsBodySchema,
  createSandboxConnectionBodySchema,
  networkParamsSchema,
  oauthCallbackQuerySchema,
  pendingSelectionSchema,
  sandboxEngagementBodySchema,
  sandboxPostListQuerySchema,
  sandboxPostListSchema,
  sandboxPostSchema,
  sandboxTestPostBodySchema,
  socialConnectionListSchema,
  socialConnectionSchema,
  socialNetworkListSchema,
  startConnectBodySchema,
} from '@omni/contracts/social';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import * as service from './social.service.js';

const noContent = z.null().describe('No content');

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function socialRoutes(app: FastifyInstance, kernel: Kernel): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/social/networks', {
    schema: { tags: ['social'], summary: 'Networks this server can connect (configured ones and the sandbox)', response: { 200: socialNetworkListSchema } },
  }, async (request) => service.listNetworks(request.ctx));

  r.post('/api/social/connect/:network', {
    schema: { tags: ['social'], summary: 'Start connecting a network: the URL to send the browser to', params: networkParamsSchema, body: startConnectBodySchema, response: { 200: authorizationSchema } },
    config: { audit: 'social.connect.start' },
  }, async (request) => service.startConnect(request.ctx, request.params.network, request.body ?? {}));

  r.get('/api/social/callback/:network', {
    schema: {
      tags: ['social'],
      summary: "The network's OAuth redirect: checks the state, exchanges the code, then redirects to the console",
      params: networkParamsSchema,
      querystring: oauthCallbackQuerySchema,
    },
    config: { ignoreBadCredentials: true },
  }, async (request, reply) => {
    const outcome = await service.completeCallback(kernel, request.params.network, request.query);
    return reply.header('cache-control', 'no-store').redirect(outcome.redirectTo, 302);
  });

  r.get('/api/social/selections/:id', {
    schema: { tags: ['social'], summary: 'The destinations to choose from after connecting (own selection only)', params: connectionIdParamsSchema, response: { 200: pendingSelectionSchema } },
  }, async (request) => service.getSelection(request.ctx, request.params.id));

  r.post('/api/social/connections', {
    schema: { tags: ['social'], summary: 'Create connections for the chosen destinations', body: createConnectionsBodySchema, response: { 201: socialConnectionListSchema } },
    config: { audit: 'social.connections.create' },
  }, async (request, reply) => reply.status(201).send(await service.createConnections(request.ctx, request.body)));

  r.post('/api/social/connections/sandbox', {
    schema: { tags: ['social'], summary: 'Create a Sandbox connection (no keys needed)', body: createSandboxConnectionBodySchema, response: { 201: socialConnectionSchema } },
    config: { audit: 'social.connections.create_sandbox' },
  }, async (request, reply) => reply.status(201).send(await service.createSandboxConnection(request.ctx, request.body)));

  r.get('/api/social/connections', {
    schema: { tags: ['social'], summary: 'Connections of the active account (tenant admins: any account)', querystring: connectionListQuerySchema, response: { 200: socialConnectionListSchema } },
  }, async (request) => service.listConnections(request.ctx, request.query));

  r.get('/api/social/connections/:id', {
    schema: { tags: ['social'], summary: 'One connection', params: connectionIdParamsSchema, response: { 200: socialConnectionSchema } },
  }, async (request) => service.getConnection(request.ctx, request.params.id));

  r.delete('/api/social/connections/:id', {
    schema: { tags: ['social'], summary: 'Disconnect (credentials are wiped)', params: connectionIdParamsSchema, response: { 204: noContent } },
    config: { audit: 'social.connections.disconnect' },
  }, async (request, reply) => {
    await service.disconnectConnection(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/social/connections/:id/reconnect', {
    schema: { tags: ['social'], summary: 'Start reconnecting: the URL to send the browser to', params: connectionIdParamsSchema, response: { 200: authorizationSchema } },
    config: { audit: 'social.connections.reconnect' },
  }, async (request) => service.startReconnect(request.ctx, request.params.id));

  r.get('/api/social/sandbox/posts', {
    schema: { tags: ['social'], summary: 'Posts published to Sandbox connections', querystring: sandboxPostListQuerySchema, response: { 200: sandboxPostListSchema } },
  }, async (request) => service.listSandboxPosts(request.ctx, request.query));

  r.post('/api/social/sandbox/posts', {
    schema: { tags: ['social'], summary: 'Send a test post to a Sandbox connection', body: sandboxTestPostBodySchema, response: { 201: sandboxPostSchema } },
    config: { audit: 'social.sandbox.test_post' },
  }, async (request, reply) => reply.status(201).send(await service.createSandboxTestPost(request.ctx, request.body)));

  r.post('/api/social/sandbox/posts/:id/engagement', {
    schema: { tags: ['social'], summary: 'Simulate engagement on a Sandbox post (adds to its counters)', params: connectionIdParamsSchema, body: sandboxEngagementBodySchema, response: { 200: sandboxPostSchema } },
    config: { audit: 'social.sandbox.engagement' },
  }, async (request) => service.addEngagement(request.ctx, request.params.id, request.body));
}
