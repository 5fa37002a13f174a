import {
  aiAgentListSchema,
  aiAgentParamsSchema,
  aiBudgetSchema,
  aiPriceListSchema,
  aiPriceParamsSchema,
  aiRunListQuerySchema,
  aiRunListSchema,
  aiRunParamsSchema,
  aiRunSchema,
  aiSettingsSchema,
  aiSettingsTestResultSchema,
  aiUsageQuerySchema,
  aiUsageSchema,
  hitlPolicyListSchema,
  platformAiSettingsSchema,
  platformHitlPolicyListSchema,
  predictPerformanceBodySchema,
  predictPerformanceResultSchema,
  runAgentBodySchema,
  testAiSettingsBodySchema,
  updateAiBudgetBodySchema,
  upsertAiPriceBodySchema,
  updateAiSettingsBodySchema,
  updateHitlPolicyBodySchema,
  updatePlatformAiSettingsBodySchema,
  updatePlatformHitlPolicyBodySchema,
} from '@omni/contracts/ai';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as prices from './ai.prices.js';
import * as service from './ai.service.js';

const tags = ['ai'];

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function aiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/ai/settings', {
    schema: { tags, summary: 'The workspace’s AI provider (own key shown as a hint only) and the platform default', response: { 200: aiSettingsSchema } },
  }, async (request) => service.getAiSettings(request.ctx));

  r.put('/api/ai/settings', {
    schema: { tags, summary: 'Use an own AI provider and key (stored encrypted), or null to use the platform’s', body: updateAiSettingsBodySchema, response: { 200: aiSettingsSchema } },
    config: { audit: 'ai.settings.update' },
  }, async (request) => service.updateAiSettings(request.ctx, request.body));

  r.post('/api/ai/settings/test', {
    schema: { tags, summary: 'Test a provider connection by listing its models', body: testAiSettingsBodySchema, response: { 200: aiSettingsTestResultSchema } },
    config: { audit: false },
  }, async (request) => service.testAiSettings(request.ctx, request.body));

  r.get('/api/platform/ai/settings', {
    schema: { tags, summary: 'The platform’s default AI provider (super admin)', response: { 200: platformAiSettingsSchema } },
  }, async (request) => service.getPlatformAiSettings(request.ctx));

  r.put('/api/platform/ai/settings', {
    schema: { tags, summary: 'Set the platform’s default AI provider (super admin)', body: updatePlatformAiSettingsBodySchema, response: { 200: platformAiSettingsSchema } },
    config: { audit: 'ai.platform_settings.update' },
  }, async (request) => service.updatePlatformAiSettings(request.ctx, request.body));

  r.post('/api/platform/ai/settings/test', {
    schema: { tags, summary: 'Test the platform provider (the given settings, or null: the current one) by listing its models (super admin)', body: testAiSettingsBodySchema, response: { 200: aiSettingsTestResultSchema } },
    config: { audit: false },
  }, async (request) => service.testPlatformAiSettings(request.ctx, request.body));

  r.get('/api/platform/ai/prices', {
    schema: { tags, summary: 'Model prices (USD micro-units per million tokens) with their usage over 30 days, and models run without a price (super admin)', response: { 200: aiPriceListSchema } },
  }, async (request) => prices.listAiPrices(request.ctx));

  r.put('/api/platform/ai/prices', {
    schema: { tags, summary: 'Add or change a model’s price (USD micro-units per million tokens; offline is always free) (super admin)', body: upsertAiPriceBodySchema, response: { 200: aiPriceListSchema } },
    config: { audit: 'ai.price.update' },
  }, async (request) => prices.upsertAiPrice(request.ctx, request.body));

  r.delete('/api/platform/ai/prices/:provider/:model', {
    schema: { tags, summary: 'Remove a model’s price: its runs cost 0 from then on (404 ai.price_not_found) (super admin)', params: aiPriceParamsSchema, response: { 200: aiPriceListSchema } },
    config: { audit: 'ai.price.delete' },
  }, async (request) => prices.deleteAiPrice(request.ctx, request.params.provider, request.params.model));

  r.get('/api/platform/ai/hitl-policies', {
    schema: { tags, summary: 'The platform’s human-in-the-loop policies (super admin)', response: { 200: platformHitlPolicyListSchema } },
  }, async (request) => service.listPlatformHitlPolicies(request.ctx));

  r.put('/api/platform/ai/hitl-policies', {
    schema: { tags, summary: 'Set (and lock) a platform human-in-the-loop policy (super admin)', body: updatePlatformHitlPolicyBodySchema, response: { 200: platformHitlPolicyListSchema } },
    config: { audit: 'ai.platform_policy.update' },
  }, async (request) => service.updatePlatformHitlPolicy(request.ctx, request.body));

  r.get('/api/ai/agents', {
    schema: { tags, summary: 'The agent catalogue with each agent’s health (runs, error rate, p95 duration over 24 h)', response: { 200: aiAgentListSchema } },
  }, async (request) => service.listAgents(request.ctx));

  r.get('/api/platform/ai/agents', {
    schema: { tags, summary: 'The agent catalogue with health over every workspace’s runs in the last 24 h (super admin)', response: { 200: aiAgentListSchema } },
  }, async (request) => service.listPlatformAgents(request.ctx));

  r.post('/api/ai/agents/:agentId/runs', {
    schema: {
      tags,
      summary: 'Run an agent (201 when finished; 202 queued with background: true); the result is auto-approved or waits for review by the workflow’s policy',
      params: aiAgentParamsSchema,
      body: runAgentBodySchema,
      response: { 201: aiRunSchema, 202: aiRunSchema },
    },
    config: { audit: 'ai.run.create' },
  }, async (request, reply) => reply.status(request.body.background ? 202 : 201).send(await service.startAgentRun(request.ctx, request.params.agentId, request.body)));

  r.post('/api/ai/predictions', {
    schema: { tags, summary: 'Predicted engagement of a draft on a network (model, account median or industry default; nothing recorded)', body: predictPerformanceBodySchema, response: { 200: predictPerformanceResultSchema } },
    config: { audit: false },
  }, async (request) => service.predictDraft(request.ctx, request.body));

  r.get('/api/ai/runs', {
    schema: { tags, summary: 'Agent runs of the active account, newest first', querystring: aiRunListQuerySchema, response: { 200: aiRunListSchema } },
  }, async (request) => service.listRuns(request.ctx, request.query));

  r.get('/api/ai/runs/:id', {
    schema: { tags, summary: 'One agent run: input, output, confidence, decision', params: aiRunParamsSchema, response: { 200: aiRunSchema } },
  }, async (request) => service.getRun(request.ctx, request.params.id));

  r.get('/api/ai/usage', {
    schema: { tags, summary: 'AI calls, tokens and cost per day, agent, provider and model', querystring: aiUsageQuerySchema, response: { 200: aiUsageSchema } },
  }, async (request) => service.getUsage(request.ctx, request.query));

  r.get('/api/ai/budget', {
    schema: { tags, summary: 'The monthly AI budget and the month’s cost so far', response: { 200: aiBudgetSchema } },
  }, async (request) => service.getBudget(request.ctx));

  r.put('/api/ai/budget', {
    schema: { tags, summary: 'Set the monthly AI budget (USD micro-units; null: no cap)', body: updateAiBudgetBodySchema, response: { 200: aiBudgetSchema } },
    config: { audit: 'ai.budget.update' },
  }, async (request) => service.updateBudget(request.ctx, request.body));

  r.get('/api/ai/hitl-policies', {
    schema: { tags, summary: 'The effective human-in-the-loop policy per workflow type (with platform locks)', response: { 200: hitlPolicyListSchema } },
  }, async (request) => service.listHitlPolicies(request.ctx));

  r.put('/api/ai/hitl-policies', {
    schema: { tags, summary: 'Set the workspace’s policy for one workflow type (403 ai.policy_locked when the platform locked it)', body: updateHitlPolicyBodySchema, response: { 200: hitlPolicyListSchema } },
    config: { audit: 'ai.policy.update' },
  }, async (request) => service.updateHitlPolicy(request.ctx, request.body));
}
