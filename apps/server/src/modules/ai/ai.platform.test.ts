import type { AiPriceList, AiRun, AiSettingsTestResult, PlatformAiSettings } from '@omni/contracts/ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushAuditWrites } from '../audit/index.js';
import { startOpenAiCompatibleFake, type FakeOpenAiCompatible } from '../../../test/fakes/openai-compatible.js';
import { setHitlPolicy, useFakeAiProvider } from '../../../test/factories/ai.js';
import { createSuperAdmin, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';

/**
 * The super admin's model prices and the platform provider's "Test connection" (/platform/ai). The price
 * table and the platform row are shared by every test process: prices are set on model names of this file
 * only, and the platform row is never written (its configured default stands in for a stored provider).
 */
describe('ai: platform prices and connection test', () => {
  const suffix = uniqueSuffix();
  // Model names with a slash, as OpenRouter and Together name them: they travel URL-encoded.
  const priced = `acme/priced-${suffix}`;
  const unpriced = `acme/unpriced-${suffix}`;
  const platformKey = 'sk-platform-0123456789-KEYZ';
  let t: TestApp;
  let fake: FakeOpenAiCompatible;
  let root: { token: string; userId: string };
  let tenant: RegisteredTenant;

  // The configured platform provider (no row saved) is the fake.
  const platformConfig = () => ({ AI_PROVIDER: 'openai-compatible', AI_BASE_URL: fake.baseUrl, AI_API_KEY: platformKey, AI_MODEL: 'gpt-4o-mini' });

  beforeAll(async () => {
    fake = await startOpenAiCompatibleFake({ apiKey: platformKey, models: ['gpt-4o-mini', priced, unpriced] });
    t = await createTestApp({ ...platformConfig(), AI_BASE_URL_ALLOW_PRIVATE: 'true' });
    root = await createSuperAdmin(t);
    tenant = await registerTenant(t.app);
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const listPrices = async (token = root.token) => {
    const response = await request(t.app, { url: '/api/platform/ai/prices', token });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AiPriceList>();
  };
  const putPrice = (payload: Record<string, unknown>, token = root.token) => request(t.app, { method: 'PUT', url: '/api/platform/ai/prices', token, payload });
  const deletePrice = (provider: string, model: string, token = root.token) =>
    request(t.app, { method: 'DELETE', url: `/api/platform/ai/prices/${encodeURIComponent(provider)}/${encodeURIComponent(model)}`, token });

  /** A run of the sentiment analyst on the model (the workspace's own provider: the platform row is shared). */
  async function runOn(model: string, usage: { inputTokens: number; outputTokens: number }): Promise<AiRun> {
    fake.reply({ kind: 'object', value: { items: [{ index: 0, label: 'positive', score: 0.8 }], overall: { label: 'positive', score: 0.8 }, confidence: 0.9, explanation: 'Praise.' }, usage });
    const response = await request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token: tenant.token, payload: { input: { texts: ['I love it'] } } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<AiRun>();
  }

  async function useModel(model: string) {
    await useFakeAiProvider(t.app, tenant.token, fake, { apiKey: platformKey, defaultModel: model });
  }

  it('lists the seeded list prices in micro-dollars per million tokens, to super admins only', async () => {
    const list = await listPrices();
    expect(list.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'openai-compatible', model: 'gpt-4o-mini', inputMicrosPerMillion: 150_000, outputMicrosPerMillion: 600_000 }),
        expect.objectContaining({ provider: 'offline', model: 'offline', inputMicrosPerMillion: 0, outputMicrosPerMillion: 0 }),
      ]),
    );
    for (const item of list.items) expect(item.usage30d).toEqual({ calls: expect.any(Number), inputTokens: expect.any(Number), outputTokens: expect.any(Number), costMicros: expect.any(Number) });

    for (const refused of [
      await request(t.app, { url: '/api/platform/ai/prices', token: tenant.token }),
      await putPrice({ provider: 'openai-compatible', model: priced, inputMicrosPerMillion: 1, outputMicrosPerMillion: 1 }, tenant.token),
      await deletePrice('openai-compatible', 'gpt-4o-mini', tenant.token),
      await request(t.app, { method: 'POST', url: '/api/platform/ai/settings/test', token: tenant.token, payload: {} }),
    ]) {
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await listPrices()).items.find((item) => item.model === priced)).toBeUndefined();
  });

  it('charges runs by a price set here, shows its usage, and lists models run without one until they are priced', async () => {
    // Not priced yet: the run is free and the model is listed as unpriced with its calls and tokens.
    await setHitlPolicy(t.app, tenant.token, { workflowType: 'moderation', mode: 'off' });
    await useModel(unpriced);
    expect(await runOn(unpriced, { inputTokens: 4000, outputTokens: 1000 })).toMatchObject({ model: unpriced, costMicros: 0 });
    expect((await listPrices()).unpriced).toContainEqual({ provider: 'openai-compatible', model: unpriced, usage30d: { calls: 1, inputTokens: 4000, outputTokens: 1000, costMicros: 0 } });

    // $2.50 in, $10 out per million tokens.
    const saved = await putPrice({ provider: 'openai-compatible', model: `  ${priced}  `, inputMicrosPerMillion: 2_500_000, outputMicrosPerMillion: 10_000_000 });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<AiPriceList>().items).toContainEqual({
      provider: 'openai-compatible',
      model: priced,
      inputMicrosPerMillion: 2_500_000,
      outputMicrosPerMillion: 10_000_000,
      updatedAt: expect.any(String),
      usage30d: { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 },
    });
    await useModel(priced);
    // 1000 × 2.5 + 2000 × 10 = 22 500 micro-dollars.
    expect(await runOn(priced, { inputTokens: 1000, outputTokens: 2000 })).toMatchObject({ model: priced, costMicros: 22_500 });

    // A new price applies to the next run; recorded costs stay.
    const changed = await putPrice({ provider: 'openai-compatible', model: priced, inputMicrosPerMillion: 1_000_000, outputMicrosPerMillion: 0 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await runOn(priced, { inputTokens: 3000, outputTokens: 5000 })).toMatchObject({ costMicros: 3000 });
    const row = (await listPrices()).items.find((item) => item.model === priced);
    expect(row).toMatchObject({ inputMicrosPerMillion: 1_000_000, outputMicrosPerMillion: 0, usage30d: { calls: 2, inputTokens: 4000, outputTokens: 7000, costMicros: 25_500 } });

    // Pricing the unpriced model takes it off that list (its past runs stay free) and shows its usage on the price.
    const pricedNow = (await putPrice({ provider: 'openai-compatible', model: unpriced, inputMicrosPerMillion: 100, outputMicrosPerMillion: 100 })).json<AiPriceList>();
    expect(pricedNow.unpriced.find((item) => item.model === unpriced)).toBeUndefined();
    expect(pricedNow.items.find((item) => item.model === unpriced)?.usage30d).toEqual({ calls: 1, inputTokens: 4000, outputTokens: 1000, costMicros: 0 });

    await flushAuditWrites();
    const audit = await t.owner.query(
      `SELECT action, tenant_id, actor_user_id, target_type, target_id, metadata FROM audit_log WHERE action = 'ai.price.update' AND target_id = $1 ORDER BY id`,
      [`openai-compatible/${priced}`],
    );
    expect(audit.rows).toEqual([
      { action: 'ai.price.update', tenant_id: null, actor_user_id: root.userId, target_type: 'ai_price', target_id: `openai-compatible/${priced}`, metadata: { inputMicrosPerMillion: 2_500_000, outputMicrosPerMillion: 10_000_000, previous: null } },
      {
        action: 'ai.price.update',
        tenant_id: null,
        actor_user_id: root.userId,
        target_type: 'ai_price',
        target_id: `openai-compatible/${priced}`,
        metadata: { inputMicrosPerMillion: 1_000_000, outputMicrosPerMillion: 0, previous: { inputMicrosPerMillion: 2_500_000, outputMicrosPerMillion: 10_000_000 } },
      },
    ]);
  });

  it('removes a price (URL-encoded model names) and says 404 for a price that is not there', async () => {
    const model = `vendor/remove-${suffix}`;
    expect((await putPrice({ provider: 'anthropic', model, inputMicrosPerMillion: 1, outputMicrosPerMillion: 2 })).statusCode).toBe(200);
    const removed = await deletePrice('anthropic', model);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json<AiPriceList>().items.find((item) => item.model === model)).toBeUndefined();

    const again = await deletePrice('anthropic', model);
    expect(again.statusCode).toBe(404);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.json()).toMatchObject({ code: 'ai.price_not_found' });
    expect((await deletePrice('no-such-provider', model)).json()).toMatchObject({ code: 'ai.price_not_found' });

    await flushAuditWrites();
    const audit = await t.owner.query(`SELECT status_code, metadata FROM audit_log WHERE action = 'ai.price.delete' AND target_id = $1 ORDER BY status_code`, [`anthropic/${model}`]);
    // Audit rows are written after the response, in no guaranteed order between requests: compare as a set.
    expect(audit.rows).toEqual([
      { status_code: 200, metadata: { previous: { inputMicrosPerMillion: 1, outputMicrosPerMillion: 2 } } },
      { status_code: 404, metadata: {} },
    ]);
  });

  it('refuses prices that are not whole non-negative micro-dollars, an empty model and the offline kind, changing nothing', async () => {
    const before = await listPrices();
    const invalid: Array<[Record<string, unknown>, string]> = [
      [{ provider: 'openai-compatible', model: priced, inputMicrosPerMillion: -1, outputMicrosPerMillion: 0 }, 'body.inputMicrosPerMillion'],
      [{ provider: 'openai-compatible', model: priced, inputMicrosPerMillion: 0, outputMicrosPerMillion: 0.5 }, 'body.outputMicrosPerMillion'],
      [{ provider: 'openai-compatible', model: priced, inputMicrosPerMillion: 1e13, outputMicrosPerMillion: 0 }, 'body.inputMicrosPerMillion'],
      [{ provider: 'openai-compatible', model: '   ', inputMicrosPerMillion: 0, outputMicrosPerMillion: 0 }, 'body.model'],
      [{ provider: 'mistral', model: priced, inputMicrosPerMillion: 0, outputMicrosPerMillion: 0 }, 'body.provider'],
      [{ provider: 'openai-compatible', model: priced, inputMicrosPerMillion: '2.5', outputMicrosPerMillion: 0 }, 'body.inputMicrosPerMillion'],
    ];
    for (const [payload, path] of invalid) {
      const response = await putPrice(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toMatchObject({ code: 'request.invalid', errors: [expect.objectContaining({ path })] });
    }
    const offline = await putPrice({ provider: 'offline', model: 'offline', inputMicrosPerMillion: 5, outputMicrosPerMillion: 5 });
    expect(offline.statusCode).toBe(422);
    expect(offline.json()).toMatchObject({ code: 'ai.offline_price_fixed', errors: [{ path: 'provider' }] });
    expect((await deletePrice('offline', 'offline')).json()).toMatchObject({ code: 'ai.offline_price_fixed' });
    const after = await listPrices();
    expect(after.items.map(({ provider, model, inputMicrosPerMillion, outputMicrosPerMillion }) => [provider, model, inputMicrosPerMillion, outputMicrosPerMillion])).toEqual(
      before.items.map(({ provider, model, inputMicrosPerMillion, outputMicrosPerMillion }) => [provider, model, inputMicrosPerMillion, outputMicrosPerMillion]),
    );
  });

  it('tests the platform provider: the current one, typed settings with the stored key, a wrong key and a missing key', async () => {
    // Workspaces may not use private addresses here, and the fake is on 127.0.0.1: the platform's own calls
    // are not limited by that setting, so neither is its test.
    const strict = await createTestApp(platformConfig());
    try {
      const admin = await createSuperAdmin(strict);
      const platform = (await request(strict.app, { url: '/api/platform/ai/settings', token: admin.token })).json<PlatformAiSettings>();
      expect(platform).toMatchObject({ kind: 'openai-compatible', baseUrl: fake.baseUrl, keyHint: 'KEYZ', updatedAt: null, allowPrivateBaseUrls: false });
      const test = (payload: Record<string, unknown>) => request(strict.app, { method: 'POST', url: '/api/platform/ai/settings/test', token: admin.token, payload });

      const current = await test({});
      expect(current.statusCode, current.body).toBe(200);
      expect(current.json<AiSettingsTestResult>()).toEqual({ ok: true, models: ['gpt-4o-mini', priced, unpriced], message: 'Connected: 3 model(s) available.' });
      expect((await test({ provider: null })).json<AiSettingsTestResult>()).toMatchObject({ ok: true });

      // The form's settings without a key: the stored (here: configured) key is used.
      const typed = { kind: 'openai-compatible', baseUrl: fake.baseUrl, defaultModel: 'gpt-4o-mini' };
      expect((await test({ provider: typed })).json<AiSettingsTestResult>()).toMatchObject({ ok: true, models: ['gpt-4o-mini', priced, unpriced] });
      const wrongKey = (await test({ provider: { ...typed, apiKey: 'sk-wrong-key-000000' } })).json<AiSettingsTestResult>();
      expect(wrongKey).toMatchObject({ ok: false, models: [] });
      expect(wrongKey.message).not.toBe('');
      const withoutKey = await test({ provider: { kind: 'anthropic', baseUrl: null, apiKey: null, defaultModel: 'claude-haiku-4-5' } });
      expect(withoutKey.statusCode).toBe(422);
      expect(withoutKey.json()).toMatchObject({ code: 'ai.api_key_required' });
      const offline = (await test({ provider: { kind: 'offline', defaultModel: 'offline' } })).json<AiSettingsTestResult>();
      expect(offline).toEqual({ ok: true, models: ['offline'], message: 'Connected: 1 model(s) available.' });

      // The same address typed by a workspace admin is refused for the workspace.
      const owner = await registerTenant(strict.app);
      const tenantTest = await request(strict.app, { method: 'POST', url: '/api/ai/settings/test', token: owner.token, payload: { provider: { ...typed, apiKey: platformKey } } });
      expect(tenantTest.statusCode).toBe(422);
      expect(tenantTest.json()).toMatchObject({ code: 'ai.base_url_refused' });
    } finally {
      await strict.close();
    }
  });
});
