import type { AiBudget, AiRun, AiSettings, AiSettingsTestResult, AiUsage } from '@omni/contracts/ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiCompatibleFake, type FakeOpenAiCompatible } from '../../../test/fakes/openai-compatible.js';
import { setHitlPolicy, useFakeAiProvider } from '../../../test/factories/ai.js';
import { addMember, createSuperAdmin, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/** Keys, cost accounting, budgets and rate limits (docs/design/ai-agents.md §3, §4), through the HTTP API. */
describe('ai: keys, usage, budget and rate limit', () => {
  let t: TestApp;
  let fake: FakeOpenAiCompatible;
  const secretKey = 'sk-test-0123456789-abcdefWXYZ';

  beforeAll(async () => {
    t = await createTestApp({ AI_BASE_URL_ALLOW_PRIVATE: 'true' });
    fake = await startOpenAiCompatibleFake({ apiKey: secretKey });
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const provider = (overrides: Record<string, unknown> = {}) => ({ kind: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: secretKey, defaultModel: 'gpt-4o-mini', requestsPerMinute: 1000, ...overrides });

  async function tenantWithFakeProvider(overrides: Record<string, unknown> = {}): Promise<RegisteredTenant> {
    const tenant = await registerTenant(t.app);
    await useFakeAiProvider(t.app, tenant.token, fake, overrides);
    // Results go straight through: these tests are about money, not review.
    await setHitlPolicy(t.app, tenant.token, { workflowType: 'moderation', mode: 'off' });
    return tenant;
  }

  function runSentiment(tenant: RegisteredTenant, usage?: { inputTokens: number; outputTokens: number }) {
    fake.reply({ kind: 'object', value: { items: [{ index: 0, label: 'positive', score: 0.8 }], overall: { label: 'positive', score: 0.8 }, confidence: 0.9, explanation: 'Praise.' }, usage });
    return request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token: tenant.token, payload: { input: { texts: ['I love it'] } } });
  }

  it('stores the key encrypted, shows only its last four characters, and tests the connection with it', async () => {
    const tenant = await tenantWithFakeProvider();
    const settings = (await request(t.app, { url: '/api/ai/settings', token: tenant.token })).json<AiSettings>();
    expect(settings).toMatchObject({ effective: 'own', own: { kind: 'openai-compatible', keyHint: 'WXYZ', defaultModel: 'gpt-4o-mini' } });
    expect(JSON.stringify(settings)).not.toContain(secretKey);
    const raw = await t.owner.query(`SELECT to_jsonb(s)::text AS row FROM ai_provider_settings s WHERE tenant_id = $1`, [tenant.tenant.id]);
    expect(raw.rows).toHaveLength(1);
    expect(raw.rows[0].row).not.toContain(secretKey);
    expect(raw.rows[0].row).not.toContain('0123456789');

    // A save without apiKey keeps the stored key: the test connection still authenticates.
    const kept = await request(t.app, { method: 'PUT', url: '/api/ai/settings', token: tenant.token, payload: { provider: { ...provider(), apiKey: undefined, defaultModel: 'gpt-4o' } } });
    expect(kept.json<AiSettings>().own).toMatchObject({ keyHint: 'WXYZ', defaultModel: 'gpt-4o' });
    const tested = await request(t.app, { method: 'POST', url: '/api/ai/settings/test', token: tenant.token, payload: {} });
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.json<AiSettingsTestResult>()).toMatchObject({ ok: true });
    expect(tested.json<AiSettingsTestResult>().models.length).toBeGreaterThan(0);
    const wrongKey = await request(t.app, { method: 'POST', url: '/api/ai/settings/test', token: tenant.token, payload: { provider: provider({ apiKey: 'sk-wrong-key-000000' }) } });
    expect(wrongKey.json<AiSettingsTestResult>()).toMatchObject({ ok: false, models: [] });
  });

  it('refuses a tenant base URL on a private address unless the platform allows it, and members without admin rights', async () => {
    const strict = await createTestApp();
    try {
      const tenant = await registerTenant(strict.app);
      const refused = await request(strict.app, { method: 'PUT', url: '/api/ai/settings', token: tenant.token, payload: { provider: provider() } });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ code: 'ai.base_url_refused' });
      const metadata = await request(strict.app, { method: 'PUT', url: '/api/ai/settings', token: tenant.token, payload: { provider: provider({ baseUrl: 'https://169.254.169.254/v1' }) } });
      expect(metadata.statusCode).toBe(422);
      expect((await request(strict.app, { url: '/api/ai/settings', token: tenant.token })).json<AiSettings>().own).toBeNull();
      const editor = await addMember(strict, tenant.token, { role: 'member' });
      const forbidden = await request(strict.app, { method: 'PUT', url: '/api/ai/budget', token: editor.token, payload: { monthlyLimitMicros: 0 } });
      expect(forbidden.statusCode).toBe(403);
    } finally {
      await strict.close();
    }
  });

  it('shows the platform default to super admins without a key (read only here: the row is shared by every test process)', async () => {
    const root = await createSuperAdmin(t);
    const platform = await request(t.app, { url: '/api/platform/ai/settings', token: root.token });
    expect(platform.statusCode, platform.body).toBe(200);
    expect(platform.json()).toMatchObject({ kind: expect.any(String), defaultModel: expect.any(String) });
    expect(platform.json()).not.toHaveProperty('apiKey');
    const tenant = await registerTenant(t.app);
    expect((await request(t.app, { url: '/api/platform/ai/settings', token: tenant.token })).statusCode).toBe(403);
  });

  it('records tokens and cost per tenant, agent and day as the fake’s usage × the model’s list price', async () => {
    const tenant = await tenantWithFakeProvider();
    const first = await runSentiment(tenant, { inputTokens: 1000, outputTokens: 2000 });
    expect(first.statusCode, first.body).toBe(201);
    // gpt-4o-mini: $0.15 / $0.60 per million tokens → 1000 × 0.15 + 2000 × 0.60 = 1350 micro-dollars.
    expect(first.json<AiRun>()).toMatchObject({ inputTokens: 1000, outputTokens: 2000, costMicros: 1350, status: 'approved' });
    await runSentiment(tenant, { inputTokens: 10_000, outputTokens: 0 });
    const day = new Date().toISOString().slice(0, 10);
    const usage = (await request(t.app, { url: `/api/ai/usage?from=${day}&to=${day}`, token: tenant.token })).json<AiUsage>();
    expect(usage.items).toEqual([{ day, agent: 'sentiment-analyst', provider: 'openai-compatible', model: 'gpt-4o-mini', calls: 2, inputTokens: 11_000, outputTokens: 2000, costMicros: 1350 + 1500 }]);
    expect(usage.totalCostMicros).toBe(2850);
    const other = await registerTenant(t.app);
    expect((await request(t.app, { url: `/api/ai/usage?from=${day}&to=${day}`, token: other.token })).json<AiUsage>().items).toEqual([]);
    const backwards = await request(t.app, { url: `/api/ai/usage?from=${day}&to=2000-01-01`, token: tenant.token });
    expect(backwards.statusCode).toBe(422);
  });

  it('stops runs with 402 ai.budget_exceeded once the month’s cost reaches the cap, notifying admins once a day', async () => {
    const tenant = await tenantWithFakeProvider();
    const budget = await request(t.app, { method: 'PUT', url: '/api/ai/budget', token: tenant.token, payload: { monthlyLimitMicros: 1000, hardStop: true } });
    expect(budget.json<AiBudget>()).toMatchObject({ monthlyLimitMicros: 1000, monthToDateCostMicros: 0 });
    expect((await runSentiment(tenant, { inputTokens: 1000, outputTokens: 2000 })).statusCode).toBe(201);
    fake.clearReplies();
    const calls = fake.chatRequests().length;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token: tenant.token, payload: { input: { texts: ['again'] } } });
      expect(refused.statusCode).toBe(402);
      expect(refused.json()).toMatchObject({ code: 'ai.budget_exceeded', limitMicros: 1000, spentMicros: 1350 });
    }
    expect(fake.chatRequests().length).toBe(calls);
    const notified = await t.owner.query(`SELECT user_id FROM notifications WHERE tenant_id = $1 AND kind = 'ai.budget_exceeded'`, [tenant.tenant.id]);
    expect(notified.rows.map((row) => row.user_id)).toEqual([tenant.user.id]);
    const raised = await request(t.app, { method: 'PUT', url: '/api/ai/budget', token: tenant.token, payload: { monthlyLimitMicros: null } });
    expect(raised.json<AiBudget>()).toMatchObject({ monthlyLimitMicros: null, monthToDateCostMicros: 1350 });
    expect((await runSentiment(tenant)).statusCode).toBe(201);
  });

  it('limits requests per tenant per minute with 429 ai.rate_limited and Retry-After', async () => {
    const tenant = await tenantWithFakeProvider({ requestsPerMinute: 2 });
    expect((await runSentiment(tenant)).statusCode).toBe(201);
    expect((await runSentiment(tenant)).statusCode).toBe(201);
    fake.clearReplies();
    const limited = await request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token: tenant.token, payload: { input: { texts: ['third'] } } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'ai.rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(30);
    // Another tenant has its own bucket.
    const other = await tenantWithFakeProvider({ requestsPerMinute: 2 });
    expect((await runSentiment(other)).statusCode).toBe(201);
  });

  it('records a provider failure as a failed run with its reason', async () => {
    const tenant = await tenantWithFakeProvider();
    fake.reply({ kind: 'rate_limited', retryAfterSeconds: 7 });
    const response = await request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token: tenant.token, payload: { input: { texts: ['hello'] } } });
    expect(response.statusCode).toBe(201);
    expect(response.json<AiRun>()).toMatchObject({ status: 'failed', errorCode: 'ai.rate_limited' });
    const invalid = await request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token: tenant.token, payload: { input: { texts: [] } } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toMatchObject({ code: 'ai.invalid_input' });
    const unknown = await request(t.app, { method: 'POST', url: '/api/ai/agents/nobody/runs', token: tenant.token, payload: { input: {} } });
    expect(unknown.statusCode).toBe(404);
  });
});
