import { updateAiProviderSettingsBodySchema, upsertAiPriceBodySchema } from '@omni/contracts/ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  aiAccessOf,
  aiApi,
  budgetProgress,
  formatConfidence,
  formatDuration,
  formatMinutes,
  formatUsd,
  isRunSettling,
  lastDays,
  parseUsd,
  priceBodyOf,
  priceDraftOf,
  providerBodyOf,
  providerFormOf,
  summarizeOutput,
  usageByAgent,
  usageByDay,
  usdInputOf,
} from './aiApi';

describe('ai console helpers', () => {
  const scope = (tenantRole: 'owner' | 'admin' | 'member' | null, accountRole: 'viewer' | 'editor' | 'contributor' | 'client' | null) =>
    ({ tenantId: 't', accountId: accountRole ? 'a' : null, tenantRole, accountRole }) as never;

  it('lets viewers read runs, editors run agents and only tenant admins change settings and policies, like ai.permissions.ts', () => {
    expect(aiAccessOf(scope('member', 'client'))).toMatchObject({ canRead: false, canRun: false, canManageSettings: false });
    expect(aiAccessOf(scope('member', 'viewer'))).toMatchObject({ canRead: true, canRun: false, canManageSettings: false, canManagePolicies: false });
    expect(aiAccessOf(scope(null, 'editor'))).toMatchObject({ canRead: true, canRun: true, canManageSettings: false });
    expect(aiAccessOf(scope('admin', null))).toMatchObject({ canRead: true, canRun: true, canManageSettings: true, canManagePolicies: true, hasAccount: false });
    expect(aiAccessOf(scope('owner', 'viewer'))).toMatchObject({ canManageSettings: true, hasAccount: true });
    expect(aiAccessOf(null)).toMatchObject({ canRead: false, canManageSettings: false });
  });

  it('reads dollar amounts into micro-units exactly and refuses what is not an amount', () => {
    expect(parseUsd('')).toBeNull();
    expect(parseUsd('  ')).toBeNull();
    expect(parseUsd('25')).toBe(25_000_000);
    expect(parseUsd('12.5')).toBe(12_500_000);
    expect(parseUsd('$0,10')).toBe(100_000);
    // 0.1 + 0.2 style float errors would give 300000.00000000006: the parse is done on digits.
    expect(parseUsd('0.3')).toBe(300_000);
    expect(parseUsd('0.000001')).toBe(1);
    for (const bad of ['-5', 'ten', '1e3', '1.0000001', '1.2.3']) expect(parseUsd(bad)).toBeUndefined();
    for (const micros of [null, 0, 1, 300_000, 12_500_000, 25_000_000]) expect(parseUsd(usdInputOf(micros))).toBe(micros);
  });

  it('formats costs in dollars, keeping fractions of a cent visible', () => {
    expect(formatUsd(12_500_000)).toBe('$12.50');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1_234)).toBe('$0.0012');
  });

  it('places the month’s spend against the limit and the alert line', () => {
    const budget = (limit: number | null, spent: number) => budgetProgress({ monthlyLimitMicros: limit, alertAtPercent: 80, monthToDateCostMicros: spent });
    expect(budget(null, 5)).toEqual({ percent: null, state: 'none' });
    expect(budget(10_000_000, 5_000_000)).toEqual({ percent: 50, state: 'ok' });
    expect(budget(10_000_000, 8_000_000)).toEqual({ percent: 80, state: 'alert' });
    expect(budget(10_000_000, 12_000_000)).toEqual({ percent: 120, state: 'exceeded' });
    // A zero budget with a hard stop refuses every run, so it reads as reached even before any spend.
    expect(budget(0, 0)).toEqual({ percent: 0, state: 'exceeded' });
  });

  it('sums usage per agent (most expensive first) and per day with the empty days as zero', () => {
    const usage = {
      from: '2030-01-01',
      to: '2030-01-04',
      items: [
        { day: '2030-01-01', agent: 'copywriter', provider: 'openai-compatible', model: 'a', calls: 2, inputTokens: 10, outputTokens: 5, costMicros: 100 },
        { day: '2030-01-01', agent: 'copywriter', provider: 'openai-compatible', model: 'b', calls: 1, inputTokens: 4, outputTokens: 1, costMicros: 50 },
        { day: '2030-01-03', agent: 'moderator', provider: 'offline', model: 'offline', calls: 7, inputTokens: 0, outputTokens: 0, costMicros: 0 },
        { day: '2030-01-03', agent: 'campaign-strategist', provider: 'anthropic', model: 'c', calls: 1, inputTokens: 100, outputTokens: 900, costMicros: 900 },
      ],
    };
    expect(usageByAgent(usage)).toEqual([
      { agent: 'campaign-strategist', calls: 1, inputTokens: 100, outputTokens: 900, costMicros: 900 },
      { agent: 'copywriter', calls: 3, inputTokens: 14, outputTokens: 6, costMicros: 150 },
      { agent: 'moderator', calls: 7, inputTokens: 0, outputTokens: 0, costMicros: 0 },
    ]);
    expect(usageByDay(usage)).toEqual([
      { day: '2030-01-01', calls: 3, costMicros: 150 },
      { day: '2030-01-02', calls: 0, costMicros: 0 },
      { day: '2030-01-03', calls: 8, costMicros: 900 },
      { day: '2030-01-04', calls: 0, costMicros: 0 },
    ]);
  });

  it('asks for the last 30 days including today (UTC), across a month end', () => {
    expect(lastDays(30, new Date('2030-03-05T23:30:00Z'))).toEqual({ from: '2030-02-04', to: '2030-03-05' });
    expect(usageByDay({ ...lastDays(30, new Date('2030-03-05T12:00:00Z')), items: [] })).toHaveLength(30);
  });

  it('polls only runs that have not finished', () => {
    expect(['queued', 'running'].every((status) => isRunSettling(status as never))).toBe(true);
    expect(['succeeded', 'failed', 'awaiting_review', 'approved', 'rejected', 'expired'].some((status) => isRunSettling(status as never))).toBe(false);
  });

  it('shows durations in the unit a person reads', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2_430)).toBe('2.4 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatMinutes(90)).toBe('1 h 30 min');
    expect(formatMinutes(1440)).toBe('1 d');
    expect(formatMinutes(3 * 1440 + 5)).toBe('3 d 5 min');
    expect(formatMinutes(0)).toBe('');
    expect(formatConfidence(0.5)).toBe('0.50');
    expect(formatConfidence(0.8125)).toBe('0.81');
  });

  it('summarizes the outputs of the catalogue’s agents readably and ignores shapes it does not know', () => {
    expect(summarizeOutput({ text: 'Fresh croissants today', hashtags: ['bakery', '#morning'], confidence: 0.6, explanation: 'x' })).toEqual([
      { kind: 'text', label: null, text: 'Fresh croissants today', tags: ['#bakery', '#morning'] },
    ]);
    const strategist = summarizeOutput({
      strategy: { summary: 'Lead with the terrace', keyMessages: ['Heaters', 'Sun'], tone: 'friendly' },
      channelPlan: [],
      drafts: [
        { network: 'instagram', text: 'Terrace is open', suggestedAt: '2030-01-02T09:00:00Z' },
        { network: 'x', text: '', suggestedAt: '2030-01-03T09:00:00Z' },
      ],
    });
    expect(strategist).toEqual([
      { kind: 'text', label: 'strategy', text: 'Lead with the terrace', tags: ['Heaters', 'Sun'] },
      { kind: 'items', title: 'drafts', items: [{ label: 'instagram', text: 'Terrace is open', meta: '2030-01-02T09:00:00Z' }] },
    ]);
    expect(summarizeOutput({ score: 72, grade: 'warm', reasons: [{ factor: 'business email address', points: 10 }, { factor: 'no visit', points: -5 }] })).toEqual([
      { kind: 'items', title: 'reasons', items: [{ label: null, text: 'business email address', meta: '+10' }, { label: null, text: 'no visit', meta: '-5' }] },
      { kind: 'facts', facts: [{ label: 'score', value: '72' }, { label: 'grade', value: 'warm' }] },
    ]);
    expect(summarizeOutput({ allowed: false, categories: ['spam'], reasons: ['spam: 4 links'] })).toEqual([
      { kind: 'items', title: 'reasons', items: [{ label: null, text: 'spam: 4 links', meta: null }] },
      { kind: 'facts', facts: [{ label: 'allowed', value: 'false' }, { label: 'categories', value: 'spam' }] },
    ]);
    expect(summarizeOutput({ items: [], overall: { label: 'positive', score: 0.4 } })).toEqual([{ kind: 'facts', facts: [{ label: 'sentiment', value: 'positive (0.4)' }] }]);
    expect(summarizeOutput({ findings: [{ kind: 'trend', title: 'Rising', detail: '+12 %' }] })).toEqual([{ kind: 'items', title: 'findings', items: [{ label: 'Rising', text: '+12 %', meta: 'trend' }] }]);
    expect(summarizeOutput({ rate: 0.02, basis: 'default' })).toEqual([]);
    expect(summarizeOutput(null)).toEqual([]);
    expect(summarizeOutput([1, 2])).toEqual([]);
  });

  it('keeps a stored key when the key field is left empty and sends what the server schema accepts', () => {
    const stored = { kind: 'openai-compatible' as const, baseUrl: 'https://llm.example.com/v1', keyHint: 'abcd', defaultModel: 'gpt-x', models: { copywriter: 'gpt-y' }, requestsPerMinute: 30, enabled: true, updatedAt: null };
    const form = providerFormOf(stored);
    expect(form).toMatchObject({ apiKey: '', overrides: [{ agent: 'copywriter', model: 'gpt-y' }], requestsPerMinute: '30' });
    const body = providerBodyOf({ ...form, overrides: [...form.overrides, { agent: '  ', model: 'ignored' }] });
    expect(body).toEqual({ kind: 'openai-compatible', baseUrl: 'https://llm.example.com/v1', defaultModel: 'gpt-x', models: { copywriter: 'gpt-y' }, requestsPerMinute: 30 });
    expect('apiKey' in body).toBe(false);
    expect(updateAiProviderSettingsBodySchema.safeParse(body).success).toBe(true);
    expect(providerBodyOf({ ...form, apiKey: ' sk-new-key-1234 ' }).apiKey).toBe('sk-new-key-1234');
    // Offline needs nothing else: no URL, key or models are sent even if the fields still hold values.
    const offline = providerBodyOf({ ...form, kind: 'offline', apiKey: 'sk-typed-before-switch' });
    expect(offline).toEqual({ kind: 'offline', baseUrl: null, defaultModel: 'offline', models: {}, requestsPerMinute: 30 });
    expect(updateAiProviderSettingsBodySchema.safeParse(offline).success).toBe(true);
    // An empty model is left for the schema to report next to its field.
    expect(updateAiProviderSettingsBodySchema.safeParse(providerBodyOf({ ...form, defaultModel: ' ' })).error?.issues[0]?.path).toEqual(['defaultModel']);
  });
});

describe('ai model prices and the platform connection test', () => {
  afterEach(() => vi.unstubAllGlobals());

  /** Answer every request with `answer` and remember what was asked. */
  function recordRequests(answer: unknown) {
    const calls: Array<{ method: string; url: string; body: unknown }> = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        calls.push({ method: init?.method ?? 'GET', url: String(input), body: typeof init?.body === 'string' ? JSON.parse(init.body) : null });
        return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    return calls;
  }

  it('reads a price’s dollars per million tokens into micro-units and back, exactly', () => {
    const draft = priceDraftOf({ provider: 'anthropic', model: 'claude-haiku-4-5', inputMicrosPerMillion: 1_000_000, outputMicrosPerMillion: 150_000 });
    expect(draft).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5', input: '1', output: '0.15' });
    expect(priceBodyOf(draft)).toEqual({ body: { provider: 'anthropic', model: 'claude-haiku-4-5', inputMicrosPerMillion: 1_000_000, outputMicrosPerMillion: 150_000 }, problems: null });
    // A new price starts empty; the model name is trimmed; a comma works as the decimal mark; 0 is a price (free).
    expect(priceDraftOf({ provider: 'openai-compatible', model: '' })).toEqual({ provider: 'openai-compatible', model: '', input: '', output: '' });
    const typed = priceBodyOf({ provider: 'openai-compatible', model: '  acme/model-7b ', input: '$0,0001', output: '0' });
    expect(typed.body).toEqual({ provider: 'openai-compatible', model: 'acme/model-7b', inputMicrosPerMillion: 100, outputMicrosPerMillion: 0 });
    expect(upsertAiPriceBodySchema.safeParse(typed.body).success).toBe(true);
  });

  it('says which amount is missing or not an amount, and leaves an empty model to the schema', () => {
    expect(priceBodyOf({ provider: 'openai-compatible', model: 'm', input: '', output: '2.5' })).toEqual({ body: null, problems: { input: 'required' } });
    expect(priceBodyOf({ provider: 'openai-compatible', model: 'm', input: '-1', output: 'ten' })).toEqual({ body: null, problems: { input: 'invalid', output: 'invalid' } });
    expect(priceBodyOf({ provider: 'openai-compatible', model: 'm', input: '1.0000001', output: '' })).toEqual({ body: null, problems: { input: 'invalid', output: 'required' } });
    const emptyModel = priceBodyOf({ provider: 'openai-compatible', model: '  ', input: '1', output: '1' });
    expect(upsertAiPriceBodySchema.safeParse(emptyModel.body).error?.issues[0]?.path).toEqual(['model']);
  });

  it('calls the platform price and test endpoints, with model names that hold slashes URL-encoded', async () => {
    const list = { items: [], unpriced: [] };
    const calls = recordRequests(list);
    await expect(aiApi.platformPrices()).resolves.toEqual(list);
    await aiApi.upsertPlatformPrice({ provider: 'openai-compatible', model: 'meta-llama/llama-3.1-8b', inputMicrosPerMillion: 50_000, outputMicrosPerMillion: 80_000 });
    await aiApi.deletePlatformPrice('openai-compatible', 'meta-llama/llama-3.1-8b?x#y');
    await aiApi.testPlatformSettings({ provider: null });
    expect(calls).toEqual([
      { method: 'GET', url: '/api/platform/ai/prices', body: null },
      { method: 'PUT', url: '/api/platform/ai/prices', body: { provider: 'openai-compatible', model: 'meta-llama/llama-3.1-8b', inputMicrosPerMillion: 50_000, outputMicrosPerMillion: 80_000 } },
      { method: 'DELETE', url: '/api/platform/ai/prices/openai-compatible/meta-llama%2Fllama-3.1-8b%3Fx%23y', body: null },
      { method: 'POST', url: '/api/platform/ai/settings/test', body: { provider: null } },
    ]);
  });
});
