import { sql, type SQL } from 'drizzle-orm';
import { isUuid, type Tx } from '../../kernel/db/database.js';

/**
 * The only code that reads or writes the ai tables (migrations/0015_ai.sql). Every function runs in the
 * caller's transaction: withTenant (row-level security limits it to the tenant), or system access for the
 * platform rows (tenant_id NULL). Tenants read the platform rows only through the SECURITY DEFINER
 * functions ai_platform_provider() and ai_platform_hitl_policies(), which never return a key.
 */

const rowsOf = async <T>(tx: Tx, query: SQL): Promise<T[]> => (await tx.execute<T & Record<string, unknown>>(query)).rows as T[];

// ------------------------------------------------------------------------------------------ provider settings

export type ProviderSettingsRow = {
  id: string;
  tenant_id: string | null;
  kind: 'offline' | 'openai-compatible' | 'anthropic';
  base_url: string | null;
  api_key_secret: string | null;
  key_hint: string | null;
  default_model: string;
  models: Record<string, string>;
  requests_per_minute: number;
  enabled: boolean;
  allow_private_base_urls: boolean;
  updated_at: Date;
};

/** The tenant's own row (tenant scope), or the platform row (system access only) when tenantId is null. */
export async function selectProviderSettings(tx: Tx, tenantId: string | null): Promise<ProviderSettingsRow | null> {
  const condition = tenantId === null ? sql`tenant_id IS NULL` : sql`tenant_id = ${tenantId}`;
  const rows = await rowsOf<ProviderSettingsRow>(tx, sql`SELECT * FROM ai_provider_settings WHERE ${condition}`);
  return rows[0] ?? null;
}

export type PlatformProviderPublic = {
  kind: ProviderSettingsRow['kind'];
  base_url: string | null;
  default_model: string;
  models: Record<string, string>;
  requests_per_minute: number;
  enabled: boolean;
  has_key: boolean;
  allow_private_base_urls: boolean;
};

/** What a tenant may know of the platform row (no key); null before a super admin saved one. */
export async function selectPlatformProviderPublic(tx: Tx): Promise<PlatformProviderPublic | null> {
  const rows = await rowsOf<PlatformProviderPublic>(tx, sql`SELECT * FROM ai_platform_provider()`);
  return rows[0] ?? null;
}

export type ProviderSettingsValues = {
  kind: ProviderSettingsRow['kind'];
  baseUrl: string | null;
  /** undefined: keep the stored key; null: remove it. */
  apiKeySecret?: { secret: string; hint: string } | null;
  defaultModel: string;
  models: Record<string, string>;
  requestsPerMinute: number;
  enabled: boolean;
  allowPrivateBaseUrls: boolean;
  updatedBy: string | null;
};

export async function upsertProviderSettings(tx: Tx, tenantId: string | null, values: ProviderSettingsValues): Promise<ProviderSettingsRow> {
  const keepKey = values.apiKeySecret === undefined;
  const secret = values.apiKeySecret?.secret ?? null;
  const hint = values.apiKeySecret?.hint ?? null;
  const rows = await rowsOf<ProviderSettingsRow>(
    tx,
    sql`INSERT INTO ai_provider_settings AS s (tenant_id, kind, base_url, api_key_secret, key_hint, default_model, models, requests_per_minute, enabled, allow_private_base_urls, updated_by)
        VALUES (${tenantId}, ${values.kind}, ${values.baseUrl}, ${secret}, ${hint}, ${values.defaultModel}, ${JSON.stringify(values.models)}::jsonb,
                ${values.requestsPerMinute}, ${values.enabled}, ${values.allowPrivateBaseUrls}, ${values.updatedBy})
        ON CONFLICT (tenant_id) DO UPDATE SET
          kind = excluded.kind, base_url = excluded.base_url,
          api_key_secret = CASE WHEN ${keepKey} THEN s.api_key_secret ELSE excluded.api_key_secret END,
          key_hint = CASE WHEN ${keepKey} THEN s.key_hint ELSE excluded.key_hint END,
          default_model = excluded.default_model, models = excluded.models, requests_per_minute = excluded.requests_per_minute,
          enabled = excluded.enabled, allow_private_base_urls = excluded.allow_private_base_urls, updated_by = excluded.updated_by, updated_at = now()
        RETURNING *`,
  );
  return rows[0]!;
}

export async function deleteTenantProviderSettings(tx: Tx, tenantId: string): Promise<void> {
  await tx.execute(sql`DELETE FROM ai_provider_settings WHERE tenant_id = ${tenantId}`);
}

// ------------------------------------------------------------------------------------------ budgets and usage

export type BudgetRow = { tenant_id: string; monthly_limit_micros: string | null; alert_at_percent: number; hard_stop: boolean; exceeded_notified_on: string | null };

export async function selectBudget(tx: Tx, tenantId: string): Promise<BudgetRow | null> {
  const rows = await rowsOf<BudgetRow>(tx, sql`SELECT tenant_id, monthly_limit_micros::text, alert_at_percent, hard_stop, exceeded_notified_on::text FROM ai_budgets WHERE tenant_id = ${tenantId}`);
  return rows[0] ?? null;
}

export async function upsertBudget(tx: Tx, tenantId: string, values: { monthlyLimitMicros: number | null; alertAtPercent: number; hardStop: boolean; updatedBy: string | null }): Promise<void> {
  await tx.execute(sql`
    INSERT INTO ai_budgets (tenant_id, monthly_limit_micros, alert_at_percent, hard_stop, updated_by) VALUES (${tenantId}, ${values.monthlyLimitMicros}, ${values.alertAtPercent}, ${values.hardStop}, ${values.updatedBy})
    ON CONFLICT (tenant_id) DO UPDATE SET monthly_limit_micros = excluded.monthly_limit_micros, alert_at_percent = excluded.alert_at_percent,
      hard_stop = excluded.hard_stop, updated_by = excluded.updated_by, updated_at = now()`);
}

/**
 * Claim a budget notice: true for the first caller of the period — "exceeded" once a day (the day), the
 * alert once a month (the month's first day). The row is created with the given limit when the tenant had
 * none (the configured default applied).
 */
export async function claimBudgetNotice(tx: Tx, tenantId: string, notice: 'exceeded' | 'alert', period: string, defaultLimitMicros: number | null): Promise<boolean> {
  const column = sql.raw(notice === 'exceeded' ? 'exceeded_notified_on' : 'alert_notified_month');
  const rows = await rowsOf<{ tenant_id: string }>(
    tx,
    sql`INSERT INTO ai_budgets AS b (tenant_id, monthly_limit_micros, ${column}) VALUES (${tenantId}, ${defaultLimitMicros}, ${period}::date)
        ON CONFLICT (tenant_id) DO UPDATE SET ${column} = excluded.${column}
        WHERE b.${column} IS DISTINCT FROM excluded.${column}
        RETURNING tenant_id`,
  );
  return rows.length === 1;
}

export async function selectCostSince(tx: Tx, tenantId: string, fromDay: string): Promise<number> {
  const rows = await rowsOf<{ cost: string }>(tx, sql`SELECT coalesce(sum(cost_micros), 0)::text AS cost FROM ai_usage_daily WHERE tenant_id = ${tenantId} AND day >= ${fromDay}::date`);
  return Number(rows[0]!.cost);
}

export async function upsertUsageDaily(
  tx: Tx,
  values: { tenantId: string; day: string; agent: string; provider: string; model: string; inputTokens: number; outputTokens: number; costMicros: number },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO ai_usage_daily AS u (tenant_id, day, agent, provider, model, calls, input_tokens, output_tokens, cost_micros)
    VALUES (${values.tenantId}, ${values.day}::date, ${values.agent}, ${values.provider}, ${values.model}, 1, ${values.inputTokens}, ${values.outputTokens}, ${values.costMicros})
    ON CONFLICT (tenant_id, day, agent, provider, model) DO UPDATE SET calls = u.calls + 1, input_tokens = u.input_tokens + excluded.input_tokens,
      output_tokens = u.output_tokens + excluded.output_tokens, cost_micros = u.cost_micros + excluded.cost_micros`);
}

export type UsageRow = { day: string; agent: string; provider: string; model: string; calls: number; input_tokens: string; output_tokens: string; cost_micros: string };

export async function selectUsage(tx: Tx, tenantId: string, from: string, to: string): Promise<UsageRow[]> {
  return rowsOf<UsageRow>(
    tx,
    sql`SELECT day::text, agent, provider, model, calls, input_tokens::text, output_tokens::text, cost_micros::text FROM ai_usage_daily
         WHERE tenant_id = ${tenantId} AND day BETWEEN ${from}::date AND ${to}::date ORDER BY day, agent, provider, model`,
  );
}

export type PriceRow = { input_micros_per_million: string; output_micros_per_million: string };

export async function selectPrice(tx: Tx, provider: string, model: string): Promise<PriceRow | null> {
  const rows = await rowsOf<PriceRow>(
    tx,
    sql`SELECT input_micros_per_million::text, output_micros_per_million::text FROM ai_prices WHERE provider = ${provider} AND model = ${model}`,
  );
  return rows[0] ?? null;
}

export type PriceListRow = PriceRow & { provider: 'offline' | 'openai-compatible' | 'anthropic'; model: string; updated_at: Date };

/** Every model price (platform-wide, no tenant rows). */
export async function selectPrices(tx: Tx): Promise<PriceListRow[]> {
  return rowsOf<PriceListRow>(
    tx,
    sql`SELECT provider, model, input_micros_per_million::text, output_micros_per_million::text, updated_at FROM ai_prices ORDER BY provider, model`,
  );
}

export async function upsertPrice(tx: Tx, values: { provider: string; model: string; inputMicrosPerMillion: number; outputMicrosPerMillion: number }): Promise<void> {
  await tx.execute(sql`
    INSERT INTO ai_prices (provider, model, input_micros_per_million, output_micros_per_million) VALUES (${values.provider}, ${values.model}, ${values.inputMicrosPerMillion}, ${values.outputMicrosPerMillion})
    ON CONFLICT (provider, model) DO UPDATE SET input_micros_per_million = excluded.input_micros_per_million,
      output_micros_per_million = excluded.output_micros_per_million, updated_at = now()`);
}

/** The deleted price, or null when there was none. */
export async function deletePrice(tx: Tx, provider: string, model: string): Promise<PriceRow | null> {
  const rows = await rowsOf<PriceRow>(
    tx,
    sql`DELETE FROM ai_prices WHERE provider = ${provider} AND model = ${model} RETURNING input_micros_per_million::text, output_micros_per_million::text`,
  );
  return rows[0] ?? null;
}

export type ModelUsageRow = { provider: string; model: string; calls: string; input_tokens: string; output_tokens: string; cost_micros: string };

/** Usage per provider and model since a day (the caller's scope: all tenants under system access). */
export async function selectUsageByModelSince(tx: Tx, fromDay: string): Promise<ModelUsageRow[]> {
  return rowsOf<ModelUsageRow>(
    tx,
    sql`SELECT provider, model, sum(calls)::text AS calls, sum(input_tokens)::text AS input_tokens, sum(output_tokens)::text AS output_tokens, sum(cost_micros)::text AS cost_micros
          FROM ai_usage_daily WHERE day >= ${fromDay}::date GROUP BY provider, model ORDER BY provider, model`,
  );
}

// ------------------------------------------------------------------------------------------ rate limit

/**
 * Take one request from the tenant's token bucket (capacity and refill: perMinute a minute), in one
 * statement. Returns null when taken, else the seconds until a request is available.
 */
export async function takeRateToken(tx: Tx, tenantId: string, perMinute: number): Promise<number | null> {
  const refill = sql`LEAST(${perMinute}::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.refilled_at) * ${perMinute}::float8 / 60)`;
  const taken = await rowsOf<{ tokens: number }>(
    tx,
    sql`INSERT INTO ai_rate_buckets AS b (tenant_id, tokens) VALUES (${tenantId}, ${perMinute - 1}::float8)
        ON CONFLICT (tenant_id) DO UPDATE SET tokens = ${refill} - 1, refilled_at = clock_timestamp() WHERE ${refill} >= 1
        RETURNING tokens`,
  );
  if (taken.length === 1) return null;
  const current = await rowsOf<{ tokens: number }>(tx, sql`SELECT ${refill} AS tokens FROM ai_rate_buckets b WHERE tenant_id = ${tenantId}`);
  const missing = 1 - (current[0]?.tokens ?? 0);
  return Math.max(1, Math.ceil((missing * 60) / perMinute));
}

// ------------------------------------------------------------------------------------------ runs

export type RunRow = {
  id: string;
  tenant_id: string;
  account_id: string;
  agent: string;
  agent_version: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'awaiting_review' | 'approved' | 'rejected' | 'expired';
  input: unknown;
  output: unknown;
  confidence: string | null;
  explanation: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_micros: string;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  workflow_type: string;
  subject_type: string | null;
  subject_id: string | null;
  requested_by: string | null;
  policy: Record<string, unknown> | null;
  approval_request_id: string | null;
  review_round: number;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
};

export async function insertRun(
  tx: Tx,
  values: {
    tenantId: string;
    accountId: string;
    agent: string;
    agentVersion: number;
    status: 'queued' | 'running';
    input: unknown;
    provider: string;
    model: string;
    workflowType: string;
    subject: { type: string; id: string } | null;
    requestedBy: string | null;
  },
): Promise<RunRow> {
  const rows = await rowsOf<RunRow>(
    tx,
    sql`INSERT INTO ai_runs (tenant_id, account_id, agent, agent_version, status, input, provider, model, workflow_type, subject_type, subject_id, requested_by)
        VALUES (${values.tenantId}, ${values.accountId}, ${values.agent}, ${values.agentVersion}, ${values.status}, ${JSON.stringify(values.input)}::jsonb, ${values.provider}, ${values.model},
                ${values.workflowType}, ${values.subject?.type ?? null}, ${values.subject?.id ?? null}, ${values.requestedBy})
        RETURNING *`,
  );
  return rows[0]!;
}

export async function selectRun(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<RunRow | null> {
  const rows = await rowsOf<RunRow>(tx, sql`SELECT * FROM ai_runs WHERE id = ${id} ${options.forUpdate ? sql`FOR UPDATE` : sql``}`);
  return rows[0] ?? null;
}

/** A queued run starts (or a retried one restarts): running, started now, on the provider resolved now. Null when already finished. */
export async function claimRun(tx: Tx, id: string, values: { provider: string; model: string }): Promise<RunRow | null> {
  const rows = await rowsOf<RunRow>(
    tx,
    sql`UPDATE ai_runs SET status = 'running', started_at = clock_timestamp(), provider = ${values.provider}, model = ${values.model}
        WHERE id = ${id} AND status IN ('queued', 'running') RETURNING *`,
  );
  return rows[0] ?? null;
}

/** Runs by id (other tenants' ids simply match nothing). */
export async function selectRunsByIds(tx: Tx, ids: string[]): Promise<RunRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return rowsOf<RunRow>(tx, sql`SELECT * FROM ai_runs WHERE id = ANY(${`{${valid.join(',')}}`}::uuid[])`);
}

export type RunUpdate = Partial<{
  status: RunRow['status'];
  output: unknown;
  confidence: number | null;
  explanation: string | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  finished: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  policy: Record<string, unknown>;
  approvalRequestId: string | null;
  reviewRound: number;
  decision: { decidedBy: string | null; note: string };
}>;

export async function updateRun(tx: Tx, id: string, update: RunUpdate): Promise<RunRow> {
  const sets: SQL[] = [];
  if (update.status !== undefined) sets.push(sql`status = ${update.status}`);
  if (update.output !== undefined) sets.push(sql`output = ${JSON.stringify(update.output)}::jsonb`);
  if (update.confidence !== undefined) sets.push(sql`confidence = ${update.confidence}`);
  if (update.explanation !== undefined) sets.push(sql`explanation = ${update.explanation}`);
  if (update.model !== undefined) sets.push(sql`model = ${update.model}`);
  if (update.inputTokens !== undefined) sets.push(sql`input_tokens = ${update.inputTokens}`);
  if (update.outputTokens !== undefined) sets.push(sql`output_tokens = ${update.outputTokens}`);
  if (update.costMicros !== undefined) sets.push(sql`cost_micros = ${update.costMicros}`);
  if (update.finished) sets.push(sql`finished_at = clock_timestamp(), duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::int`);
  if (update.errorCode !== undefined) sets.push(sql`error_code = ${update.errorCode}`);
  if (update.errorMessage !== undefined) sets.push(sql`error_message = ${update.errorMessage}`);
  if (update.policy !== undefined) sets.push(sql`policy = ${JSON.stringify(update.policy)}::jsonb`);
  if (update.approvalRequestId !== undefined) sets.push(sql`approval_request_id = ${update.approvalRequestId}`);
  if (update.reviewRound !== undefined) sets.push(sql`review_round = ${update.reviewRound}`);
  if (update.decision) sets.push(sql`decided_by = ${update.decision.decidedBy}, decided_at = clock_timestamp(), decision_note = ${update.decision.note}`);
  const rows = await rowsOf<RunRow>(tx, sql`UPDATE ai_runs SET ${sql.join(sets, sql`, `)} WHERE id = ${id} RETURNING *`);
  return rows[0]!;
}

export type RunFilter = { accountId: string; agent?: string; status?: string; workflowType?: string; from?: string; to?: string; limit: number };

export async function selectRuns(tx: Tx, filter: RunFilter): Promise<RunRow[]> {
  const conditions: SQL[] = [sql`account_id = ${filter.accountId}`];
  if (filter.agent) conditions.push(sql`agent = ${filter.agent}`);
  if (filter.status) conditions.push(sql`status = ${filter.status}`);
  if (filter.workflowType) conditions.push(sql`workflow_type = ${filter.workflowType}`);
  if (filter.from) conditions.push(sql`started_at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(sql`started_at < ${filter.to}::timestamptz`);
  return rowsOf<RunRow>(tx, sql`SELECT * FROM ai_runs WHERE ${sql.join(conditions, sql` AND `)} ORDER BY started_at DESC, id DESC LIMIT ${filter.limit}`);
}

export type AgentHealthRow = { agent: string; runs: number; failed: number; finished: number; p95_ms: number | null; last_error_code: string | null; last_error_at: Date | null };

/** Runs per agent since a time (the caller's scope: one tenant, or all under system access). */
export async function selectAgentHealth(tx: Tx, since: Date): Promise<AgentHealthRow[]> {
  return rowsOf<AgentHealthRow>(
    tx,
    sql`SELECT agent, count(*)::int AS runs, count(*) FILTER (WHERE status = 'failed')::int AS failed, count(finished_at)::int AS finished,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p95_ms,
               (array_agg(error_code ORDER BY finished_at DESC) FILTER (WHERE status = 'failed'))[1] AS last_error_code,
               max(finished_at) FILTER (WHERE status = 'failed') AS last_error_at
          FROM ai_runs WHERE started_at >= ${since.toISOString()}::timestamptz GROUP BY agent`,
  );
}

// ------------------------------------------------------------------------------------------ HITL policies

export type PolicyRow = {
  workflow_type: string;
  mode: 'off' | 'always' | 'below';
  threshold: string;
  deadline_minutes: number;
  escalation_role: 'editor' | 'admin';
  on_timeout: 'reject' | 'approve' | 'escalate';
  locked: boolean;
  updated_at: Date;
};

export async function selectTenantPolicies(tx: Tx, tenantId: string): Promise<PolicyRow[]> {
  return rowsOf<PolicyRow>(
    tx,
    sql`SELECT workflow_type, mode, threshold::text, deadline_minutes, escalation_role, on_timeout, locked, updated_at FROM hitl_policies WHERE tenant_id = ${tenantId} ORDER BY workflow_type`,
  );
}

export async function selectPlatformPolicies(tx: Tx): Promise<PolicyRow[]> {
  return rowsOf<PolicyRow>(tx, sql`SELECT workflow_type, mode, threshold::text, deadline_minutes, escalation_role, on_timeout, locked, updated_at FROM ai_platform_hitl_policies()`);
}

export async function upsertPolicy(
  tx: Tx,
  tenantId: string | null,
  values: { workflowType: string; mode: string; threshold: number; deadlineMinutes: number; escalationRole: string; onTimeout: string; locked: boolean; updatedBy: string | null },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO hitl_policies (tenant_id, workflow_type, mode, threshold, deadline_minutes, escalation_role, on_timeout, locked, updated_by)
    VALUES (${tenantId}, ${values.workflowType}, ${values.mode}, ${values.threshold}, ${values.deadlineMinutes}, ${values.escalationRole}, ${values.onTimeout}, ${values.locked}, ${values.updatedBy})
    ON CONFLICT (tenant_id, workflow_type) DO UPDATE SET mode = excluded.mode, threshold = excluded.threshold, deadline_minutes = excluded.deadline_minutes,
      escalation_role = excluded.escalation_role, on_timeout = excluded.on_timeout, locked = excluded.locked, updated_by = excluded.updated_by, updated_at = now()`);
}
