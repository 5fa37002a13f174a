import {
  installWorkflowTemplateBodySchema,
  workflowIdParamsSchema,
  workflowSavedSchema,
  workflowTemplateListSchema,
  workflowTemplateParamsSchema,
  workflowWebhookAcceptedSchema,
  workflowWebhookParamsSchema,
} from '@omni/contracts/workflows';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { installTemplate, listTemplates } from '../templates/templates.service.js';
import { receiveWorkflowWebhook, rotateWebhookSecret, webhookBodyLimitBytes, webhookHeaders } from './webhook.js';

const tags = ['workflows'];

/** Routes of triggers and templates: the public webhook receiver, secret rotation, the template catalogue. */
export async function workflowTriggerRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/workflows/templates', {
    schema: { tags, summary: 'Workflow templates, the tenant’s industry first', response: { 200: workflowTemplateListSchema } },
  }, async (request) => listTemplates(request.ctx));

  r.post('/api/workflows/templates/:templateId/install', {
    schema: {
      tags,
      summary: 'Install a template as a new workflow: active when valid, else paused with its validation (e.g. step kinds not available yet); a webhook’s secret is shown once',
      params: workflowTemplateParamsSchema,
      body: installWorkflowTemplateBodySchema,
      response: { 201: workflowSavedSchema },
    },
    config: { audit: 'workflows.template.install' },
  }, async (request, reply) => reply.status(201).send(await installTemplate(request.ctx, request.params.templateId, request.body)));

  r.post('/api/workflows/:id/webhook-secret', {
    schema: { tags, summary: 'Rotate the webhook trigger’s secret (shown once; the old one stops working at once; 409 workflows.not_webhook)', params: workflowIdParamsSchema, response: { 200: workflowSavedSchema } },
    config: { audit: 'workflows.webhook.rotate_secret' },
  }, async (request) => rotateWebhookSecret(request.ctx, request.params.id));

  // The public receiver reads the raw body (the signature covers its exact bytes), whatever its type.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookBodyLimitBytes }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/hooks/workflows/:key', {
      schema: {
        tags,
        summary: 'Start a webhook workflow (public; X-Omni-Timestamp, X-Omni-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>, X-Omni-Delivery for deduplication)',
        params: workflowWebhookParamsSchema,
        response: { 202: workflowWebhookAcceptedSchema },
        security: [],
      },
      bodyLimit: webhookBodyLimitBytes,
      config: { audit: 'workflows.webhook.receive', ignoreBadCredentials: true },
    }, async (request, reply) => {
      const accepted = await receiveWorkflowWebhook(request.ctx, {
        key: request.params.key,
        signature: request.headers[webhookHeaders.signature],
        timestamp: request.headers[webhookHeaders.timestamp],
        delivery: request.headers[webhookHeaders.delivery],
        contentType: request.headers['content-type'],
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      });
      return reply.status(202).send(accepted);
    });
  });
}
