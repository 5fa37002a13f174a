import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { FakeOpenAiCompatible } from '../fakes/openai-compatible.js';
import { request } from '../harness.js';

/** Point a tenant's AI settings at the OpenAI-compatible fake (own provider; the test app allows private base URLs). */
export async function useFakeAiProvider(app: FastifyInstance, token: string, fake: FakeOpenAiCompatible, overrides: Record<string, unknown> = {}): Promise<void> {
  const provider = { kind: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: fake.apiKey, defaultModel: 'gpt-4o-mini', requestsPerMinute: 1000, ...overrides };
  const saved = await request(app, { method: 'PUT', url: '/api/ai/settings', token, payload: { provider } });
  expect(saved.statusCode, saved.body).toBe(200);
}

/** Set the tenant's human-in-the-loop policy for one workflow type (defaults: below 0.8, 60 min, admin, reject). */
export async function setHitlPolicy(app: FastifyInstance, token: string, policy: Record<string, unknown> & { workflowType: string }): Promise<void> {
  const response = await request(app, {
    method: 'PUT',
    url: '/api/ai/hitl-policies',
    token,
    payload: { mode: 'below', threshold: 0.8, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject', ...policy },
  });
  expect(response.statusCode, response.body).toBe(200);
}
