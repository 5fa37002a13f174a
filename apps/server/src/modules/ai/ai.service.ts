import type {
  AiAgentList,
  AiBudget,
  AiRun,
  AiRunList,
  AiRunListQuery,
  AiSettings,
  AiSettingsTestResult,
  AiUsage,
  AiUsageQuery,
  HitlPolicyList,
  PlatformAiSettings,
  PlatformHitlPolicyList,
  PredictPerformanceBody,
  PredictPerformanceResult,
  RunAgentBody,
  TestAiSettingsBody,
  UpdateAiBudgetBody,
  UpdateAiProviderSettingsBody,
  UpdateAiSettingsBody,
  UpdateHitlPolicyBody,
  UpdatePlatformAiSettingsBody,
  UpdatePlatformHitlPolicyBody,
} from '@omni/contracts/ai';
import type { Config } from '../../kernel/config.js';
import { predictPerformanceBodySchema } from '@omni/contracts/ai';
import { z } from 'zod';
import { assertCan, requireActor, requireTenant } from '../../kernel/access.js';
import { isAiProviderError } from '../../kernel/ai/index.js';
import { encryptSecret } from '../../kernel/crypto/secrets.js';
import { isUuid } from '../../kernel/db/database.js';
import { withSystemAccess, withSystemAccessRead, withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, notFound } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { agentCatalogue } from './agents/catalogue.js';
import { toRunDto } from './ai.dto.js';
import { aiPermissions } from './ai.permissions.js';
import { listEffectivePolicies, toPolicyFields } from './ai.policies.js';
import { configuredPlatformProvider, createResolvedProvider, fromRow, privateBaseUrlsAllowed, requireAllowedBaseUrl, type ResolvedProvider } from './ai.providers.js';
import {
  deleteTenantProviderSettings,
  selectAgentHealth,
  type AgentHealthRow,
  selectBudget,
  selectCostSince,
  selectPlatformPolicies,
  selectPlatformProviderPublic,
  selectProviderSettings,
  selectRun,
  selectRuns,
  selectUsage,
  upsertBudget,
  upsertPolicy,
  upsertProviderSettings,
  type ProviderSettingsRow,
} from './ai.queries.js';
import { queueAgentRun, runAgent } from './ai.runs.js';
import { predictPerformance } from './predictor/predict.js';

/** The use cases behind the ai routes: settings, agents and runs, usage and budget, HITL policies. */

const iso = (value: Date) => new Date(value).toISOString();
const keyHint = (key: string) => key.slice(-4);

function toProviderDto(row: ProviderSettingsRow) {
  return {
    kind: row.kind,
    baseUrl: row.base_url,
    keyHint: row.key_hint,
    defaultModel: row.default_model,
    models: row.models,
    requestsPerMinute: row.requests_per_minute,
    enabled: row.enabled,
    updatedAt: iso(row.updated_at),
  };
}

function requireAccount(ctx: ServiceContext, permission: string): string {
  assertCan(ctx, permission);
  if (!ctx.accountId) throw new AppError('forbidden', 'account.none_active', 'Choose an account first.');
  return ctx.accountId;
}

/** The permission, the active tenant and the acting user (tenant-level use cases). */
function requireTenantActor(ctx: ServiceContext, permission: string): { tenantId: string; userId: string } {
  assertCan(ctx, permission);
  return { tenantId: requireTenant(ctx), userId: requireActor(ctx).userId };
}

/** A provider needs its parts: a key for hosted APIs, a base URL for openai-compatible servers. */
function requireCompleteProvider(body: UpdateAiProviderSettingsBody, hasStoredKey: boolean): void {
  if (body.kind === 'openai-compatible' && !body.baseUrl) {
    throw new AppError('unprocessable', 'ai.base_url_required', 'Enter the base URL of the OpenAI-compatible API.', { errors: [{ path: 'provider.baseUrl', message: 'Required for openai-compatible.' }] });
  }
  const hasKey = body.apiKey === undefined ? hasStoredKey : body.apiKey !== null;
  if (body.kind === 'anthropic' && !hasKey) {
    throw new AppError('unprocessable', 'ai.api_key_required', 'Enter the API key of your Anthropic account.', { errors: [{ path: 'provider.apiKey', message: 'Required for anthropic.' }] });
  }
}

/**
 * The first save of the platform provider (no row yet: the configuration stood in for it, and the console
 * showed its key's hint): a key left out keeps AI_API_KEY, when the provider and base URL are the configured
 * ones (the configured key is never sent to another endpoint).
 */
export function withConfiguredPlatformKey<B extends UpdateAiProviderSettingsBody>(config: Pick<Config, 'AI_PROVIDER' | 'AI_BASE_URL' | 'AI_API_KEY'>, body: B): B {
  const sameEndpoint = body.kind === config.AI_PROVIDER && (body.baseUrl ?? null) === (config.AI_BASE_URL ?? null);
  if (body.apiKey !== undefined || !config.AI_API_KEY || body.kind === 'offline' || !sameEndpoint) return body;
  return { ...body, apiKey: config.AI_API_KEY };
}

function providerValues(ctx: ServiceContext, body: UpdateAiProviderSettingsBody, allowPrivateBaseUrls: boolean, userId: string) {
  return {
    kind: body.kind,
    baseUrl: body.kind === 'offline' ? null : body.baseUrl,
    apiKeySecret: body.kind === 'offline' ? null : body.apiKey === undefined ? undefined : body.apiKey === null ? null : { secret: encryptSecret(ctx.config, body.apiKey), hint: keyHint(body.apiKey) },
    defaultModel: body.kind === 'offline' ? 'offline' : body.defaultModel,
    models: body.models,
    requestsPerMinute: body.requestsPerMinute,
    enabled: body.enabled,
    allowPrivateBaseUrls,
    updatedBy: userId,
  };
}

// ------------------------------------------------------------------------------------------ tenant settings

async function readSettings(ctx: ServiceContext, tenantId: string): Promise<AiSettings> {
  return withTenantRead(ctx, async (tx) => {
    const own = await selectProviderSettings(tx, tenantId);
    const platform = await selectPlatformProviderPublic(tx);
    const configured = configuredPlatformProvider(ctx.config);
    return {
      own: own ? toProviderDto(own) : null,
      platform: platform ? { kind: platform.kind, defaultModel: platform.default_model, enabled: platform.enabled } : { kind: configured.kind, defaultModel: configured.defaultModel, enabled: true },
      effective: own?.enabled ? 'own' : 'platform',
    };
  });
}

export async function getAiSettings(ctx: ServiceContext): Promise<AiSettings> {
  assertCan(ctx, aiPermissions.settings);
  return readSettings(ctx, requireTenant(ctx));
}

export async function updateAiSettings(ctx: ServiceContext, body: UpdateAiSettingsBody): Promise<AiSettings> {
  const { tenantId, userId } = requireTenantActor(ctx, aiPermissions.settings);
  await withTenant(ctx, async (tx) => {
    if (body.provider === null) return deleteTenantProviderSettings(tx, tenantId);
    const stored = await selectProviderSettings(tx, tenantId);
    requireCompleteProvider(body.provider, Boolean(stored?.api_key_secret));
    if (body.provider.baseUrl) requireAllowedBaseUrl(body.provider.baseUrl, await privateBaseUrlsAllowed(tx, ctx.config));
    await upsertProviderSettings(tx, tenantId, providerValues(ctx, body.provider, false, userId));
  });
  ctx.audit.targetType = 'ai_provider_settings';
  return readSettings(ctx, tenantId);
}

/**
 * The provider "Test connection" calls for settings typed in a form: complete (a key, a base URL), its
 * base URL allowed unless unguarded, the stored key when the body leaves the key out.
 */
function providerUnderTest(body: UpdateAiProviderSettingsBody, stored: ResolvedProvider | null, source: ResolvedProvider['source'], guarded: boolean): ResolvedProvider {
  requireCompleteProvider(body, Boolean(stored?.apiKey));
  if (body.baseUrl) requireAllowedBaseUrl(body.baseUrl, !guarded);
  return {
    source,
    kind: body.kind,
    baseUrl: body.baseUrl,
    apiKey: body.apiKey === undefined ? (stored?.apiKey ?? null) : body.apiKey,
    defaultModel: body.defaultModel,
    models: body.models,
    requestsPerMinute: body.requestsPerMinute,
    guarded,
  };
}

/** List the provider's models; the provider's refusal (auth, network, refused address…) is the answer, not an error. */
async function testProviderConnection(ctx: ServiceContext, resolved: ResolvedProvider): Promise<AiSettingsTestResult> {
  try {
    const models = await createResolvedProvider(ctx.config, resolved).listModels({ timeoutMs: 15_000 });
    return { ok: true, models, message: `Connected: ${models.length} model(s) available.` };
  } catch (error) {
    if (isAiProviderError(error)) return { ok: false, models: [], message: error.message };
    throw error;
  }
}

/** "Test connection": list the endpoint's models with the given (or saved) settings. Never throws for the provider's answer. */
export async function testAiSettings(ctx: ServiceContext, body: TestAiSettingsBody): Promise<AiSettingsTestResult> {
  assertCan(ctx, aiPermissions.settings);
  const tenantId = requireTenant(ctx);
  const resolved = await withTenant(ctx, async (tx): Promise<ResolvedProvider> => {
    const row = await selectProviderSettings(tx, tenantId);
    const allowPrivate = await privateBaseUrlsAllowed(tx, ctx.config);
    const stored = row ? fromRow(ctx.config, row, 'own', !allowPrivate) : null;
    if (body.provider) return providerUnderTest(body.provider, stored, 'own', !allowPrivate);
    if (!stored) throw new AppError('unprocessable', 'ai.no_own_provider', 'Save your own provider first, or send the settings to test.');
    return stored;
  });
  return testProviderConnection(ctx, resolved);
}

// ------------------------------------------------------------------------------------------ platform

function toPlatformDto(ctx: ServiceContext, row: ProviderSettingsRow | null): PlatformAiSettings {
  if (row) return { ...toProviderDto(row), allowPrivateBaseUrls: row.allow_private_base_urls };
  const configured = configuredPlatformProvider(ctx.config);
  return {
    kind: configured.kind,
    baseUrl: configured.baseUrl,
    keyHint: configured.apiKey ? keyHint(configured.apiKey) : null,
    defaultModel: configured.defaultModel,
    models: {},
    requestsPerMinute: configured.requestsPerMinute,
    enabled: true,
    updatedAt: null,
    allowPrivateBaseUrls: false,
  };
}

export async function getPlatformAiSettings(ctx: ServiceContext): Promise<PlatformAiSettings> {
  assertCan(ctx, aiPermissions.platform);
  return toPlatformDto(ctx, await withSystemAccessRead(ctx, 'ai: platform settings', (tx) => selectProviderSettings(tx, null)));
}

/**
 * "Test connection" of the platform provider: the given settings (a key left out uses the stored one), or
 * the current provider (the saved row, else the server configuration). Like the platform's own runs it is
 * not limited to public addresses (allowPrivateBaseUrls is about workspaces' URLs).
 */
export async function testPlatformAiSettings(ctx: ServiceContext, body: TestAiSettingsBody): Promise<AiSettingsTestResult> {
  assertCan(ctx, aiPermissions.platform);
  const row = await withSystemAccessRead(ctx, 'ai: test the platform provider', (tx) => selectProviderSettings(tx, null));
  const stored = row ? fromRow(ctx.config, row, 'platform', false) : configuredPlatformProvider(ctx.config);
  return testProviderConnection(ctx, body.provider ? providerUnderTest(body.provider, stored, 'platform', false) : stored);
}

export async function updatePlatformAiSettings(ctx: ServiceContext, body: UpdatePlatformAiSettingsBody): Promise<PlatformAiSettings> {
  assertCan(ctx, aiPermissions.platform);
  const actor = requireActor(ctx);
  const row = await withSystemAccess(ctx, 'ai: platform settings', async (tx) => {
    const stored = await selectProviderSettings(tx, null);
    const saved = stored ? body : withConfiguredPlatformKey(ctx.config, body);
    requireCompleteProvider(saved, Boolean(stored?.api_key_secret));
    return upsertProviderSettings(tx, null, providerValues(ctx, saved, saved.allowPrivateBaseUrls, actor.userId));
  });
  return toPlatformDto(ctx, row);
}

function toPlatformPolicyList(rows: Awaited<ReturnType<typeof selectPlatformPolicies>>): PlatformHitlPolicyList {
  return { items: rows.map((row) => ({ workflowType: row.workflow_type as UpdateHitlPolicyBody['workflowType'], ...toPolicyFields(row), locked: row.locked, updatedAt: iso(row.updated_at) })) };
}

export async function listPlatformHitlPolicies(ctx: ServiceContext): Promise<PlatformHitlPolicyList> {
  assertCan(ctx, aiPermissions.platform);
  return toPlatformPolicyList(await withSystemAccessRead(ctx, 'ai: platform policies', (tx) => selectPlatformPolicies(tx)));
}

export async function updatePlatformHitlPolicy(ctx: ServiceContext, body: UpdatePlatformHitlPolicyBody): Promise<PlatformHitlPolicyList> {
  assertCan(ctx, aiPermissions.platform);
  const actor = requireActor(ctx);
  return toPlatformPolicyList(
    await withSystemAccess(ctx, 'ai: platform policies', async (tx) => {
      await upsertPolicy(tx, null, { ...body, updatedBy: actor.userId });
      return selectPlatformPolicies(tx);
    }),
  );
}

// ------------------------------------------------------------------------------------------ tenant policies

export async function listHitlPolicies(ctx: ServiceContext): Promise<HitlPolicyList> {
  assertCan(ctx, aiPermissions.hitl);
  const tenantId = requireTenant(ctx);
  return { items: await withTenantRead(ctx, (tx) => listEffectivePolicies(tx, tenantId)) };
}

export async function updateHitlPolicy(ctx: ServiceContext, body: UpdateHitlPolicyBody): Promise<HitlPolicyList> {
  const { tenantId, userId } = requireTenantActor(ctx, aiPermissions.hitl);
  const items = await withTenant(ctx, async (tx) => {
    const locked = (await selectPlatformPolicies(tx)).find((row) => row.workflow_type === body.workflowType)?.locked;
    if (locked) throw new AppError('forbidden', 'ai.policy_locked', 'This policy is set by the platform; only a super admin can change it.');
    await upsertPolicy(tx, tenantId, { ...body, locked: false, updatedBy: userId });
    return listEffectivePolicies(tx, tenantId);
  });
  return { items };
}

// ------------------------------------------------------------------------------------------ agents and runs

/** The agent catalogue with each agent's health over the last 24 hours of the given runs. */
function agentList(health: AgentHealthRow[]): AiAgentList {
  return {
    items: agentCatalogue.map((agent) => {
      const row = health.find((candidate) => candidate.agent === agent.id);
      return {
        id: agent.id,
        version: agent.version,
        workflowType: agent.workflowType,
        description: agent.description,
        worksOffline: agent.kind === 'model' || agent.offline !== null,
        kind: agent.kind,
        inputSchema: z.toJSONSchema(agent.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
        health: {
          runs24h: row?.runs ?? 0,
          failed24h: row?.failed ?? 0,
          errorRate: row && row.finished > 0 ? row.failed / row.finished : null,
          p95DurationMs: row?.p95_ms === null || row?.p95_ms === undefined ? null : Math.round(row.p95_ms),
          lastErrorCode: row?.last_error_code ?? null,
          lastErrorAt: row?.last_error_at ? iso(row.last_error_at) : null,
        },
      };
    }),
  };
}

const healthWindowStart = () => new Date(Date.now() - 86_400_000);

/** The catalogue with the tenant's own health figures. */
export async function listAgents(ctx: ServiceContext): Promise<AiAgentList> {
  assertCan(ctx, aiPermissions.read);
  requireTenant(ctx);
  return agentList(await withTenantRead(ctx, (tx) => selectAgentHealth(tx, healthWindowStart())));
}

/** The catalogue with health over every tenant's runs (super admin: the platform AI page). */
export async function listPlatformAgents(ctx: ServiceContext): Promise<AiAgentList> {
  assertCan(ctx, aiPermissions.platform);
  return agentList(await withSystemAccessRead(ctx, 'ai: agent health across tenants', (tx) => selectAgentHealth(tx, healthWindowStart())));
}

export async function startAgentRun(ctx: ServiceContext, agentId: string, body: RunAgentBody): Promise<AiRun> {
  const accountId = requireAccount(ctx, aiPermissions.run);
  const options = { accountId, workflowType: body.workflowType, subject: body.subject };
  const run = body.background ? await withTenant(ctx, (tx) => queueAgentRun(tx, ctx, agentId, body.input, options)) : await runAgent(ctx, agentId, body.input, options);
  ctx.audit.targetType = 'ai_run';
  ctx.audit.targetId = run.id;
  return run;
}

/** Predicted engagement of a draft (the editor asks as the text changes): no run recorded, no cost. */
export async function predictDraft(ctx: ServiceContext, body: PredictPerformanceBody): Promise<PredictPerformanceResult> {
  const accountId = requireAccount(ctx, aiPermissions.read);
  const draft = predictPerformanceBodySchema.parse(body);
  const prediction = await withTenantRead(ctx, (tx) =>
    predictPerformance(tx, { accountId, network: draft.network, draft: { text: draft.text, at: draft.at ?? new Date().toISOString(), mediaCount: draft.mediaCount, hasLink: draft.hasLink } }),
  );
  return { network: draft.network, ...prediction };
}

export async function listRuns(ctx: ServiceContext, query: AiRunListQuery): Promise<AiRunList> {
  const accountId = requireAccount(ctx, aiPermissions.read);
  const rows = await withTenantRead(ctx, (tx) => selectRuns(tx, { accountId, ...query }));
  return { items: rows.map(toRunDto) };
}

export async function getRun(ctx: ServiceContext, id: string): Promise<AiRun> {
  const accountId = requireAccount(ctx, aiPermissions.read);
  const row = isUuid(id) ? await withTenantRead(ctx, (tx) => selectRun(tx, id)) : null;
  if (!row || row.account_id !== accountId) throw notFound('AI run');
  return toRunDto(row);
}

// ------------------------------------------------------------------------------------------ usage and budget

export async function getUsage(ctx: ServiceContext, query: AiUsageQuery): Promise<AiUsage> {
  assertCan(ctx, aiPermissions.settings);
  const tenantId = requireTenant(ctx);
  if (query.to < query.from) throw new AppError('unprocessable', 'ai.invalid_range', 'The end date must not be before the start date.', { errors: [{ path: 'to', message: 'Before from.' }] });
  const rows = await withTenantRead(ctx, (tx) => selectUsage(tx, tenantId, query.from, query.to));
  const items = rows.map((row) => ({
    day: row.day,
    agent: row.agent,
    provider: row.provider,
    model: row.model,
    calls: row.calls,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costMicros: Number(row.cost_micros),
  }));
  return {
    from: query.from,
    to: query.to,
    totalCostMicros: items.reduce((sum, item) => sum + item.costMicros, 0),
    totalCalls: items.reduce((sum, item) => sum + item.calls, 0),
    items,
  };
}

async function readBudget(ctx: ServiceContext, tenantId: string): Promise<AiBudget> {
  return withTenantRead(ctx, async (tx) => {
    const budget = await selectBudget(tx, tenantId);
    const spent = await selectCostSince(tx, tenantId, `${new Date().toISOString().slice(0, 7)}-01`);
    const configured = ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD === undefined ? null : Math.round(ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD * 1e6);
    return {
      monthlyLimitMicros: budget ? (budget.monthly_limit_micros === null ? null : Number(budget.monthly_limit_micros)) : configured,
      alertAtPercent: budget?.alert_at_percent ?? 80,
      hardStop: budget?.hard_stop ?? true,
      monthToDateCostMicros: spent,
    };
  });
}

export async function getBudget(ctx: ServiceContext): Promise<AiBudget> {
  assertCan(ctx, aiPermissions.settings);
  return readBudget(ctx, requireTenant(ctx));
}

export async function updateBudget(ctx: ServiceContext, body: UpdateAiBudgetBody): Promise<AiBudget> {
  const { tenantId, userId } = requireTenantActor(ctx, aiPermissions.settings);
  await withTenant(ctx, (tx) => upsertBudget(tx, tenantId, { ...body, updatedBy: userId }));
  return readBudget(ctx, tenantId);
}

