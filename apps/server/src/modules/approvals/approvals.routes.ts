import {
  approvalCommentListQuerySchema,
  approvalCommentListSchema,
  approvalCommentSchema,
  approvalIdParamsSchema,
  approvalLinkListSchema,
  approvalListQuerySchema,
  approvalRequestDetailSchema,
  approvalRequestListSchema,
  approvalRequestSchema,
  approvalTokenParamsSchema,
  createApprovalCommentBodySchema,
  createApprovalLinkBodySchema,
  createdApprovalLinkSchema,
  decideApprovalBodySchema,
  publicApprovalSchema,
  publicCommentBodySchema,
  publicDecisionBodySchema,
} from '@omni/contracts/approvals';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import * as service from './approvals.service.js';

const noContent = z.null().describe('No content');

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function approvalsRoutes(app: FastifyInstance, kernel: Kernel): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['approvals'];

  r.get('/api/approvals', {
    schema: { tags, summary: "The active account's approval requests (clients: client stage only), newest first", querystring: approvalListQuerySchema, response: { 200: approvalRequestListSchema } },
  }, async (request) => service.listRequests(request.ctx, request.query));

  r.get('/api/approvals/comments', {
    schema: { tags, summary: "A subject's comments, oldest first", querystring: approvalCommentListQuerySchema, response: { 200: approvalCommentListSchema } },
  }, async (request) => service.listComments(request.ctx, request.query));

  r.post('/api/approvals/comments', {
    schema: { tags, summary: 'Comment on a subject (recorded with its current revision)', body: createApprovalCommentBodySchema, response: { 201: approvalCommentSchema } },
    config: { audit: 'approvals.comment_added' },
  }, async (request, reply) => reply.status(201).send(await service.createComment(request.ctx, request.body)));

  r.delete('/api/approvals/comments/:id', {
    schema: { tags, summary: 'Delete a comment (its author or an editor)', params: approvalIdParamsSchema, response: { 204: noContent } },
    config: { audit: 'approvals.comment_deleted' },
  }, async (request, reply) => {
    await service.deleteComment(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.delete('/api/approvals/links/:id', {
    schema: { tags, summary: 'Revoke a client approval link', params: approvalIdParamsSchema, response: { 204: noContent } },
    config: { audit: 'approvals.link_revoked' },
  }, async (request, reply) => {
    await service.revokeLink(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/api/approvals/:id', {
    schema: { tags, summary: 'A request with its preview, decision, comments and client links', params: approvalIdParamsSchema, response: { 200: approvalRequestDetailSchema } },
  }, async (request) => service.getRequestDetail(request.ctx, request.params.id));

  r.post('/api/approvals/:id/decision', {
    schema: { tags, summary: 'Approve, reject or request changes (first decision wins)', params: approvalIdParamsSchema, body: decideApprovalBodySchema, response: { 200: approvalRequestSchema } },
    config: { audit: 'approvals.decided' },
  }, async (request) => service.decideRequest(request.ctx, request.params.id, request.body));

  r.post('/api/approvals/:id/withdraw', {
    schema: { tags, summary: 'Withdraw a pending request (its requester or an editor)', params: approvalIdParamsSchema, response: { 200: approvalRequestSchema } },
    config: { audit: 'approvals.withdrawn' },
  }, async (request) => service.withdrawRequest(request.ctx, request.params.id));

  r.post('/api/approvals/:id/links', {
    schema: { tags, summary: 'Create a client approval link (the token is shown once)', params: approvalIdParamsSchema, body: createApprovalLinkBodySchema, response: { 201: createdApprovalLinkSchema } },
    config: { audit: 'approvals.link_created' },
  }, async (request, reply) => reply.status(201).send(await service.createLink(request.ctx, request.params.id, request.body)));

  r.get('/api/approvals/:id/links', {
    schema: { tags, summary: "A request's client approval links", params: approvalIdParamsSchema, response: { 200: approvalLinkListSchema } },
  }, async (request) => service.listLinks(request.ctx, request.params.id));

  // ---------------------------------------------------------------- public: the client approval page
  // No account: the token is the credential. A per-IP limit on top of the global one slows guessing.
  const linkLimiter = app.createRateLimit({ max: kernel.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000, keyGenerator: (request) => `approval-link:${request.ip}` });
  const limitLinks = async (request: FastifyRequest) => {
    const result = await linkLimiter(request);
    if (!result.isAllowed && result.isExceeded) {
      throw new AppError('too_many_requests', 'approvals.rate_limited', 'Too many requests from this address. Wait a minute and try again.', {
        retryAfterSeconds: Math.max(1, result.ttlInSeconds),
      });
    }
  };
  const publicRoute = { ignoreBadCredentials: true } as const;

  r.get('/api/public/approvals/:token', {
    schema: { tags, summary: 'The client approval page behind a link: previews, comments, and the decision if made', params: approvalTokenParamsSchema, response: { 200: publicApprovalSchema }, security: [] },
    config: publicRoute,
    preHandler: limitLinks,
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    return service.viewPublicApproval(kernel, request.params.token);
  });

  r.post('/api/public/approvals/:token/decision', {
    schema: { tags, summary: 'Decide through a client approval link (no account needed)', params: approvalTokenParamsSchema, body: publicDecisionBodySchema, response: { 200: publicApprovalSchema }, security: [] },
    config: { ...publicRoute, audit: 'approvals.link_decision' },
    preHandler: limitLinks,
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return service.decidePublicApproval(request.ctx, request.params.token, request.body);
  });

  r.post('/api/public/approvals/:token/comments', {
    schema: { tags, summary: 'Comment through a client approval link', params: approvalTokenParamsSchema, body: publicCommentBodySchema, response: { 201: approvalCommentSchema.omit({ canDelete: true, authorUserId: true }) }, security: [] },
    config: { ...publicRoute, audit: 'approvals.link_comment' },
    preHandler: limitLinks,
  }, async (request, reply) => reply.status(201).send(await service.commentPublicApproval(request.ctx, request.params.token, request.body)));
}
