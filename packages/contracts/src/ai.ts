import { z } from 'zod';

/**
 * The ai module (/api/ai/**, /api/platform/ai/**): provider settings (the platform default and a tenant's
 * own key, never returned: keyHint only), the agent catalogue with health, agent runs, usage and cost,
 * budgets and the human-in-the-loop policies. See docs/design/ai-agents.md.
 */

const timestampSchema = z.iso.datetime();
const daySchema = z.iso.date();

export const aiProviderKindSchema = z.enum(['offline', 'openai-compatible', 'anthropic'], 'Choose offline, openai-compatible or anthropic.');
export type AiProviderKindName = z.infer<typeof aiProviderKindSchema>;

/** The workflows that route AI results to people; new ones are added here. */
export const aiWorkflowTypeSchema = z.enum(['content_generation', 'campaign_optimization', 'lead_processing', 'product_listing', 'moderation'], 'Choose a known workflow type.');
export type AiWorkflowType = z.infer<typeof aiWorkflowTypeSchema>;

export const aiRunStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'awaiting_review', 'approved', 'rejected', 'expired']);
export type AiRunStatus = z.infer<typeof aiRunStatusSchema>;

// ---------- Provider settings ----------

const modelNameSchema = z.string().trim().min(1, 'Enter a model name.').max(200);

export const aiProviderSettingsSchema = z.object({
  kind: aiProviderKindSchema,
  baseUrl: z.string().nullable(),
  /** The last four characters of the stored key; the key itself is never returned. */
  keyHint: z.string().nullable(),
  defaultModel: z.string(),
  /** Per-agent model overrides. */
  models: z.record(z.string(), z.string()),
  requestsPerMinute: z.number().int(),
  enabled: z.boolean(),
  updatedAt: timestampSchema.nullable(),
});
export type AiProviderSettings = z.infer<typeof aiProviderSettingsSchema>;

export const aiSettingsSchema = z.object({
  /** The tenant's own provider, or null when it uses the platform's. */
  own: aiProviderSettingsSchema.nullable(),
  /** What the tenant may know of the platform default (no key, no hint). */
  platform: z.object({ kind: aiProviderKindSchema, defaultModel: z.string(), enabled: z.boolean() }),
  /** Which provider runs this tenant's agents now. */
  effective: z.enum(['own', 'platform']),
});
export type AiSettings = z.infer<typeof aiSettingsSchema>;

export const updateAiProviderSettingsBodySchema = z.object({
  kind: aiProviderKindSchema,
  baseUrl: z.url('Enter the API base URL, e.g. https://api.openai.com/v1.').max(500).nullable().default(null),
  /** A new key; leave it out to keep the stored one, null to remove it. */
  apiKey: z.string().trim().min(8, 'The key looks too short.').max(500).nullable().optional(),
  defaultModel: modelNameSchema,
  models: z.record(z.string().max(100), modelNameSchema).default({}),
  requestsPerMinute: z.number().int().min(1).max(100_000).default(60),
  enabled: z.boolean().default(true),
});
export type UpdateAiProviderSettingsBody = z.infer<typeof updateAiProviderSettingsBodySchema>;

/** PUT /api/ai/settings: null `provider` removes the tenant's own (back to the platform's). */
export const updateAiSettingsBodySchema = z.object({ provider: updateAiProviderSettingsBodySchema.nullable() });
export type UpdateAiSettingsBody = z.infer<typeof updateAiSettingsBodySchema>;

/** POST /api/ai/settings/test: the given settings (a key left out uses the stored one), or the saved ones. */
export const testAiSettingsBodySchema = z.object({ provider: updateAiProviderSettingsBodySchema.nullable().default(null) });
export type TestAiSettingsBody = z.infer<typeof testAiSettingsBodySchema>;

export const aiSettingsTestResultSchema = z.object({ ok: z.boolean(), models: z.array(z.string()), message: z.string() });
export type AiSettingsTestResult = z.infer<typeof aiSettingsTestResultSchema>;

export const platformAiSettingsSchema = aiProviderSettingsSchema.extend({
  /** Tenants' own base URLs may point at private addresses (self-hosted models on the LAN). */
  allowPrivateBaseUrls: z.boolean(),
});
export type PlatformAiSettings = z.infer<typeof platformAiSettingsSchema>;

export const updatePlatformAiSettingsBodySchema = updateAiProviderSettingsBodySchema.extend({ allowPrivateBaseUrls: z.boolean().default(false) });
export type UpdatePlatformAiSettingsBody = z.infer<typeof updatePlatformAiSettingsBodySchema>;

// POST /api/platform/ai/settings/test takes testAiSettingsBodySchema: null `provider` tests the platform's current one.

/** Calls and tokens recorded under a provider and model, across every workspace. */
export const aiModelUsageSchema = z.object({ calls: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int(), costMicros: z.number().int() });
export type AiModelUsage = z.infer<typeof aiModelUsageSchema>;

/** A model's price (platform-wide): USD micro-units per million tokens, like the budget ($0.15 → 150000). */
export const aiPriceSchema = z.object({
  provider: aiProviderKindSchema,
  model: z.string(),
  inputMicrosPerMillion: z.number().int(),
  outputMicrosPerMillion: z.number().int(),
  updatedAt: timestampSchema,
  /** Runs recorded under exactly this provider and model in the last 30 days (UTC days, today included). */
  usage30d: aiModelUsageSchema,
});
export type AiPrice = z.infer<typeof aiPriceSchema>;

export const aiPriceListSchema = z.object({
  items: z.array(aiPriceSchema),
  /** Models run in the last 30 days without a price of their own and at no cost: recorded as free until priced. */
  unpriced: z.array(z.object({ provider: z.string(), model: z.string(), usage30d: aiModelUsageSchema })),
});
export type AiPriceList = z.infer<typeof aiPriceListSchema>;

const microsPerMillionSchema = z
  .number('Enter a price.')
  .int('Use whole micro-dollars (1 = $0.000001).')
  .min(0, 'A price cannot be negative.')
  .max(1e12, 'At most $1,000,000 per million tokens.');

/** PUT /api/platform/ai/prices: add or change one model's price (offline runs are always free). */
export const upsertAiPriceBodySchema = z.object({
  provider: aiProviderKindSchema,
  model: modelNameSchema,
  inputMicrosPerMillion: microsPerMillionSchema,
  outputMicrosPerMillion: microsPerMillionSchema,
});
export type UpsertAiPriceBody = z.infer<typeof upsertAiPriceBodySchema>;

/** DELETE /api/platform/ai/prices/:provider/:model (URL-encoded; a name without a price is 404 ai.price_not_found). */
export const aiPriceParamsSchema = z.object({ provider: z.string().min(1).max(100), model: z.string().min(1).max(200) });

// ---------- HITL policies ----------

export const hitlModeSchema = z.enum(['off', 'always', 'below'], 'Choose off, always or below.');
export const hitlTimeoutActionSchema = z.enum(['reject', 'approve', 'escalate'], 'Choose reject, approve or escalate.');

const hitlPolicyFieldsSchema = z.object({
  mode: hitlModeSchema,
  threshold: z.number().min(0).max(1),
  deadlineMinutes: z.number().int().min(1).max(43_200),
  escalationRole: z.enum(['editor', 'admin']),
  onTimeout: hitlTimeoutActionSchema,
});

export const hitlPolicySchema = hitlPolicyFieldsSchema.extend({
  workflowType: aiWorkflowTypeSchema,
  /** Where the effective policy comes from. */
  source: z.enum(['platform_locked', 'tenant', 'platform', 'default']),
  locked: z.boolean(),
  /** The tenant's own row, when it has one (even if a platform lock overrides it). */
  tenantPolicy: hitlPolicyFieldsSchema.nullable(),
});
export type HitlPolicy = z.infer<typeof hitlPolicySchema>;
export const hitlPolicyListSchema = z.object({ items: z.array(hitlPolicySchema) });
export type HitlPolicyList = z.infer<typeof hitlPolicyListSchema>;

/** PUT /api/ai/hitl-policies: one workflow type's policy, or null fields to delete the tenant's row. */
export const updateHitlPolicyBodySchema = hitlPolicyFieldsSchema.extend({ workflowType: aiWorkflowTypeSchema });
export type UpdateHitlPolicyBody = z.infer<typeof updateHitlPolicyBodySchema>;

export const platformHitlPolicySchema = hitlPolicyFieldsSchema.extend({ workflowType: aiWorkflowTypeSchema, locked: z.boolean(), updatedAt: timestampSchema });
export const platformHitlPolicyListSchema = z.object({ items: z.array(platformHitlPolicySchema) });
export type PlatformHitlPolicyList = z.infer<typeof platformHitlPolicyListSchema>;
export const updatePlatformHitlPolicyBodySchema = updateHitlPolicyBodySchema.extend({ locked: z.boolean().default(false) });
export type UpdatePlatformHitlPolicyBody = z.infer<typeof updatePlatformHitlPolicyBodySchema>;

// ---------- Agents and runs ----------

export const aiAgentSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  workflowType: aiWorkflowTypeSchema,
  description: z.string(),
  /** Whether the offline provider can run it (the translator cannot). */
  worksOffline: z.boolean(),
  /** 'llm': a language model (or the offline rules); 'model': a statistical model trained on the tenant's data. */
  kind: z.enum(['llm', 'model']),
  /** JSON schema of the input, for forms and API clients. */
  inputSchema: z.record(z.string(), z.unknown()),
  health: z.object({
    runs24h: z.number().int(),
    failed24h: z.number().int(),
    /** failed / finished in the last 24 h; null without runs. */
    errorRate: z.number().nullable(),
    p95DurationMs: z.number().nullable(),
    /** The latest failure in the window (code and when), null without one. */
    lastErrorCode: z.string().nullable(),
    lastErrorAt: timestampSchema.nullable(),
  }),
});
export type AiAgent = z.infer<typeof aiAgentSchema>;
export const aiAgentListSchema = z.object({ items: z.array(aiAgentSchema) });
export type AiAgentList = z.infer<typeof aiAgentListSchema>;

export const aiAgentParamsSchema = z.object({ agentId: z.string().min(1).max(100) });
export const aiRunParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const runAgentBodySchema = z.object({
  input: z.record(z.string(), z.unknown()),
  /** Default: the agent's own workflow type. */
  workflowType: aiWorkflowTypeSchema.optional(),
  subject: z.object({ type: z.string().regex(/^[a-z][a-z0-9_.-]{0,59}$/), id: z.uuid() }).nullable().default(null),
  /** true: queue the run (202, status queued) and poll GET /api/ai/runs/:id; false: wait for it (201). */
  background: z.boolean().default(false),
});
export type RunAgentBody = z.infer<typeof runAgentBodySchema>;

export const aiRunSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  agent: z.string(),
  agentVersion: z.number().int(),
  status: aiRunStatusSchema,
  input: z.unknown(),
  output: z.unknown().nullable(),
  confidence: z.number().nullable(),
  explanation: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costMicros: z.number().int(),
  startedAt: timestampSchema,
  finishedAt: timestampSchema.nullable(),
  durationMs: z.number().int().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  workflowType: z.string(),
  subject: z.object({ type: z.string(), id: z.uuid() }).nullable(),
  requestedBy: z.uuid().nullable(),
  /** The policy the result was routed by (source, mode, threshold…). */
  policy: z.record(z.string(), z.unknown()).nullable(),
  approvalRequestId: z.uuid().nullable(),
  decidedBy: z.uuid().nullable(),
  decidedAt: timestampSchema.nullable(),
  decisionNote: z.string().nullable(),
});
export type AiRun = z.infer<typeof aiRunSchema>;

export const aiRunListQuerySchema = z.object({
  agent: z.string().max(100).optional(),
  status: aiRunStatusSchema.optional(),
  workflowType: aiWorkflowTypeSchema.optional(),
  from: timestampSchema.optional(),
  to: timestampSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AiRunListQuery = z.infer<typeof aiRunListQuerySchema>;
export const aiRunListSchema = z.object({ items: z.array(aiRunSchema) });
export type AiRunList = z.infer<typeof aiRunListSchema>;

// ---------- Performance predictions ----------

/** A draft's predicted engagement (docs/design/ai-agents.md §5): the model, the account's history, or defaults. */
export const performancePredictionSchema = z.object({
  /** Engagement per impression (or interactions per post when `scoreKind` is 'count'). */
  rate: z.number(),
  low: z.number(),
  high: z.number(),
  basis: z.enum(['model', 'history', 'default']),
  scoreKind: z.enum(['per_impression', 'count']),
  samples: z.number().int(),
  confidence: z.number(),
  explanation: z.string(),
});
export type PerformancePredictionDto = z.infer<typeof performancePredictionSchema>;

export const predictPerformanceBodySchema = z.object({
  network: z.string().trim().min(1).max(40),
  text: z.string().max(70_000).default(''),
  /** When it would go out; default now. */
  at: z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' }).optional(),
  mediaCount: z.number().int().min(0).max(100).default(0),
  hasLink: z.boolean().default(false),
});
export type PredictPerformanceBody = z.input<typeof predictPerformanceBodySchema>;
export const predictPerformanceResultSchema = performancePredictionSchema.extend({ network: z.string() });
export type PredictPerformanceResult = z.infer<typeof predictPerformanceResultSchema>;

// ---------- Usage and budget ----------

export const aiUsageQuerySchema = z.object({ from: daySchema, to: daySchema });
export type AiUsageQuery = z.infer<typeof aiUsageQuerySchema>;
export const aiUsageSchema = z.object({
  from: daySchema,
  to: daySchema,
  totalCostMicros: z.number().int(),
  totalCalls: z.number().int(),
  items: z.array(
    z.object({ day: daySchema, agent: z.string(), provider: z.string(), model: z.string(), calls: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int(), costMicros: z.number().int() }),
  ),
});
export type AiUsage = z.infer<typeof aiUsageSchema>;

export const aiBudgetSchema = z.object({
  /** USD micro-units per calendar month (UTC); null: no cap. */
  monthlyLimitMicros: z.number().int().nullable(),
  alertAtPercent: z.number().int(),
  hardStop: z.boolean(),
  monthToDateCostMicros: z.number().int(),
});
export type AiBudget = z.infer<typeof aiBudgetSchema>;
export const updateAiBudgetBodySchema = z.object({
  monthlyLimitMicros: z.number().int().min(0).max(1e15).nullable(),
  alertAtPercent: z.number().int().min(1).max(100).default(80),
  hardStop: z.boolean().default(true),
});
export type UpdateAiBudgetBody = z.infer<typeof updateAiBudgetBodySchema>;
