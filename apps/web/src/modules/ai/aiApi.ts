import type {
  AiAgentList,
  AiBudget,
  AiPriceList,
  AiProviderKindName,
  AiProviderSettings,
  AiRun,
  AiRunList,
  AiRunStatus,
  AiSettings,
  AiSettingsTestResult,
  AiUsage,
  AiWorkflowType,
  HitlPolicyList,
  PlatformAiSettings,
  PlatformHitlPolicyList,
  RunAgentBody,
  TestAiSettingsBody,
  UpdateAiBudgetBody,
  UpdateAiProviderSettingsBody,
  UpdateAiSettingsBody,
  UpdateHitlPolicyBody,
  UpdatePlatformAiSettingsBody,
  UpdatePlatformHitlPolicyBody,
  UpsertAiPriceBody,
} from '@omni/contracts/ai';
import { api } from '../../shared/api';
import { i18next } from '../../shared/i18n/i18n';

export type RunFilters = { agent?: string; status?: AiRunStatus; workflowType?: AiWorkflowType };

const id = (value: string) => encodeURIComponent(value);

/** Typed calls to /api/ai and /api/platform/ai (packages/contracts/src/ai.ts). */
export const aiApi = {
  settings: () => api.get<AiSettings>('/api/ai/settings'),
  updateSettings: (body: UpdateAiSettingsBody) => api.put<AiSettings>('/api/ai/settings', body),
  testSettings: (body: TestAiSettingsBody) => api.post<AiSettingsTestResult>('/api/ai/settings/test', body),
  budget: () => api.get<AiBudget>('/api/ai/budget'),
  updateBudget: (body: UpdateAiBudgetBody) => api.put<AiBudget>('/api/ai/budget', body),
  usage: (range: { from: string; to: string }) => api.get<AiUsage>('/api/ai/usage', { query: range }),
  hitlPolicies: () => api.get<HitlPolicyList>('/api/ai/hitl-policies'),
  updateHitlPolicy: (body: UpdateHitlPolicyBody) => api.put<HitlPolicyList>('/api/ai/hitl-policies', body),
  agents: () => api.get<AiAgentList>('/api/ai/agents'),
  /** Super admins: health over every workspace. */
  platformAgents: () => api.get<AiAgentList>('/api/platform/ai/agents'),
  runs: (filters: RunFilters, limit = 100) => api.get<AiRunList>('/api/ai/runs', { query: { ...filters, limit } }),
  run: (runId: string) => api.get<AiRun>(`/api/ai/runs/${id(runId)}`),
  runAgent: (agentId: string, body: Partial<RunAgentBody> & Pick<RunAgentBody, 'input'>) => api.post<AiRun>(`/api/ai/agents/${id(agentId)}/runs`, body),
  platformSettings: () => api.get<PlatformAiSettings>('/api/platform/ai/settings'),
  updatePlatformSettings: (body: UpdatePlatformAiSettingsBody) => api.put<PlatformAiSettings>('/api/platform/ai/settings', body),
  /** The given settings (a key left out uses the stored one), or null: the platform's current provider. */
  testPlatformSettings: (body: TestAiSettingsBody) => api.post<AiSettingsTestResult>('/api/platform/ai/settings/test', body),
  platformPrices: () => api.get<AiPriceList>('/api/platform/ai/prices'),
  upsertPlatformPrice: (body: UpsertAiPriceBody) => api.put<AiPriceList>('/api/platform/ai/prices', body),
  /** Model names may hold slashes (vendor/model): both parts travel URL-encoded. */
  deletePlatformPrice: (provider: string, model: string) => api.delete<AiPriceList>(`/api/platform/ai/prices/${id(provider)}/${id(model)}`),
  platformHitlPolicies: () => api.get<PlatformHitlPolicyList>('/api/platform/ai/hitl-policies'),
  updatePlatformHitlPolicy: (body: UpdatePlatformHitlPolicyBody) => api.put<PlatformHitlPolicyList>('/api/platform/ai/hitl-policies', body),
};

export const aiProviderKinds: AiProviderKindName[] = ['offline', 'openai-compatible', 'anthropic'];
export const aiWorkflowTypes: AiWorkflowType[] = ['content_generation', 'campaign_optimization', 'lead_processing', 'product_listing', 'moderation'];
export const aiRunStatuses: AiRunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'awaiting_review', 'approved', 'rejected', 'expired'];

export { aiAccessOf } from './aiAccess';

// ---------------------------------------------------------------------------------------------- money

/** USD micro-units as money in the user's language; small amounts keep their cents' fractions. */
export function formatUsd(micros: number): string {
  const dollars = micros / 1e6;
  const fraction = dollars !== 0 && Math.abs(dollars) < 1 ? 4 : 2;
  return new Intl.NumberFormat(i18next.language, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: fraction }).format(dollars);
}

/**
 * A typed dollar amount → micro-units: '' is "no cap" (null); a comma works as the decimal mark; anything
 * else (negative, letters, more than six decimals) is undefined, which the form reports.
 */
export function parseUsd(text: string): number | null | undefined {
  const value = text.trim().replace(/^\$/, '').replace(',', '.');
  if (value === '') return null;
  if (!/^\d+(\.\d{1,6})?$/.test(value)) return undefined;
  const [whole, fraction = ''] = value.split('.');
  return Number(whole) * 1e6 + Number(fraction.padEnd(6, '0'));
}

/** Micro-units → the text the budget field shows ('' for no cap). */
export function usdInputOf(micros: number | null): string {
  if (micros === null) return '';
  return (micros / 1e6).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

/** A model price as typed in the prices table: amounts in US dollars per million tokens. */
export type PriceDraft = { provider: AiProviderKindName; model: string; input: string; output: string };

export function priceDraftOf(price: { provider: AiProviderKindName; model: string; inputMicrosPerMillion?: number; outputMicrosPerMillion?: number }): PriceDraft {
  return { provider: price.provider, model: price.model, input: usdInputOf(price.inputMicrosPerMillion ?? null), output: usdInputOf(price.outputMicrosPerMillion ?? null) };
}

export type PriceAmountProblem = 'required' | 'invalid';

/**
 * The draft → the body the server takes (micro-units, like the budget), or what is wrong with its amounts:
 * an empty amount is required (0 is a price: free), anything parseUsd refuses is invalid. The model name
 * is left to the contract's schema.
 */
export function priceBodyOf(draft: PriceDraft): { body: UpsertAiPriceBody; problems: null } | { body: null; problems: Partial<Record<'input' | 'output', PriceAmountProblem>> } {
  const input = parseUsd(draft.input);
  const output = parseUsd(draft.output);
  const problemOf = (value: number | null | undefined): PriceAmountProblem | undefined => (value === null ? 'required' : value === undefined ? 'invalid' : undefined);
  if (typeof input !== 'number' || typeof output !== 'number') {
    return { body: null, problems: Object.fromEntries(Object.entries({ input: problemOf(input), output: problemOf(output) }).filter(([, problem]) => problem)) };
  }
  return { body: { provider: draft.provider, model: draft.model.trim(), inputMicrosPerMillion: input, outputMicrosPerMillion: output }, problems: null };
}

export type BudgetState = 'none' | 'ok' | 'alert' | 'exceeded';

/** How much of the month's budget is spent, and whether it passed the alert line or the limit. */
export function budgetProgress(budget: Pick<AiBudget, 'monthlyLimitMicros' | 'alertAtPercent' | 'monthToDateCostMicros'>): { percent: number | null; state: BudgetState } {
  if (budget.monthlyLimitMicros === null) return { percent: null, state: 'none' };
  const spent = budget.monthToDateCostMicros;
  if (budget.monthlyLimitMicros === 0) return { percent: spent > 0 ? 100 : 0, state: 'exceeded' };
  const percent = (spent / budget.monthlyLimitMicros) * 100;
  const state: BudgetState = percent >= 100 ? 'exceeded' : percent >= budget.alertAtPercent ? 'alert' : 'ok';
  return { percent, state };
}

// ---------------------------------------------------------------------------------------------- usage

/** The last `days` calendar days (UTC) up to today, as the usage endpoint takes them. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1))).toISOString().slice(0, 10);
  return { from, to };
}

export type AgentUsage = { agent: string; calls: number; inputTokens: number; outputTokens: number; costMicros: number };

/** Usage rows (per day, agent, provider, model) summed per agent, the most expensive first. */
export function usageByAgent(usage: Pick<AiUsage, 'items'>): AgentUsage[] {
  const totals = new Map<string, AgentUsage>();
  for (const item of usage.items) {
    const row = totals.get(item.agent) ?? { agent: item.agent, calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 };
    row.calls += item.calls;
    row.inputTokens += item.inputTokens;
    row.outputTokens += item.outputTokens;
    row.costMicros += item.costMicros;
    totals.set(item.agent, row);
  }
  return [...totals.values()].sort((left, right) => right.costMicros - left.costMicros || right.calls - left.calls || left.agent.localeCompare(right.agent));
}

/** One entry per day of the range (days without calls included, as zero), oldest first. */
export function usageByDay(usage: Pick<AiUsage, 'items' | 'from' | 'to'>): Array<{ day: string; calls: number; costMicros: number }> {
  const days: Array<{ day: string; calls: number; costMicros: number }> = [];
  const end = Date.parse(`${usage.to}T00:00:00Z`);
  for (let at = Date.parse(`${usage.from}T00:00:00Z`); at <= end && days.length < 400; at += 86_400_000) {
    days.push({ day: new Date(at).toISOString().slice(0, 10), calls: 0, costMicros: 0 });
  }
  const index = new Map(days.map((entry) => [entry.day, entry]));
  for (const item of usage.items) {
    const entry = index.get(item.day);
    if (!entry) continue;
    entry.calls += item.calls;
    entry.costMicros += item.costMicros;
  }
  return days;
}

// ---------------------------------------------------------------------------------------------- runs

/** A run that has not finished yet: its screens poll until it has. */
export function isRunSettling(status: AiRunStatus): boolean {
  return status === 'queued' || status === 'running';
}

export type StatusTone = 'neutral' | 'primary' | 'success' | 'warning' | 'danger';

export function runStatusTone(status: AiRunStatus): StatusTone {
  switch (status) {
    case 'succeeded':
    case 'approved':
      return 'success';
    case 'failed':
    case 'rejected':
      return 'danger';
    case 'awaiting_review':
      return 'warning';
    case 'queued':
    case 'running':
      return 'primary';
    default:
      return 'neutral';
  }
}

/** Confidence bands: low (< 0.5), medium (< 0.8), high. */
export function confidenceTone(confidence: number): 'danger' | 'warning' | 'success' {
  return confidence < 0.5 ? 'danger' : confidence < 0.8 ? 'warning' : 'success';
}

/** A confidence or threshold (0–1) with two decimals in the user's language: 0.55, 0,55. */
export function formatConfidence(value: number): string {
  return new Intl.NumberFormat(i18next.language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** 0.125 → "12.5 %" in the user's language. */
export function formatPercent(value: number): string {
  return new Intl.NumberFormat(i18next.language, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

/** "24 h", "2 d 3 h", "45 min": a deadline in minutes as a person reads it. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes <= 0) return '';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const part = (unit: 'days' | 'hours' | 'minutes', count: number) => (count ? i18next.t(`ai.durationUnits.${unit}`, { count }) : '');
  return [part('days', days), part('hours', hours), part('minutes', rest)].filter(Boolean).join(' ');
}

/** 850 ms, 2.4 s, 3 min 5 s. */
export function formatDuration(milliseconds: number | null): string {
  if (milliseconds === null) return '—';
  const format = (value: number, digits = 0) => new Intl.NumberFormat(i18next.language, { maximumFractionDigits: digits }).format(value);
  if (milliseconds < 1000) return `${format(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${format(milliseconds / 1000, 1)} s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.round((milliseconds % 60_000) / 1000);
  return seconds ? `${format(minutes)} min ${format(seconds)} s` : `${format(minutes)} min`;
}

/** A readable part of an agent's output, beside the raw JSON. */
export type OutputBlock =
  | { kind: 'text'; label: string | null; text: string; tags: string[] }
  | { kind: 'items'; title: string; items: Array<{ label: string | null; text: string; meta: string | null }> }
  | { kind: 'facts'; facts: Array<{ label: string; value: string }> };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const asText = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);
const scalar = (value: unknown): string | null => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null);

/**
 * What a person reads first in an agent's output: texts and drafts, findings, scores and verdicts — by the
 * shape of the output, so new agents with the same fields read the same way. Confidence and explanation
 * are shown apart and left out here. Unknown shapes give no blocks (the raw JSON stays available).
 */
export function summarizeOutput(output: unknown): OutputBlock[] {
  if (typeof output === 'string') return output.trim() ? [{ kind: 'text', label: null, text: output, tags: [] }] : [];
  if (!isRecord(output)) return [];
  const blocks: OutputBlock[] = [];
  const strategy = isRecord(output.strategy) ? output.strategy : null;
  if (strategy && asText(strategy.summary)) {
    const messages = Array.isArray(strategy.keyMessages) ? strategy.keyMessages.map(scalar).filter((item): item is string => item !== null) : [];
    blocks.push({ kind: 'text', label: 'strategy', text: asText(strategy.summary)!, tags: messages });
  }
  const text = asText(output.text);
  if (text) {
    const tags = Array.isArray(output.hashtags) ? output.hashtags.map(scalar).filter((tag): tag is string => tag !== null).map((tag) => (tag.startsWith('#') ? tag : `#${tag}`)) : [];
    blocks.push({ kind: 'text', label: null, text, tags });
  }
  if (Array.isArray(output.drafts)) {
    const items = output.drafts.filter(isRecord).flatMap((draft) => {
      const draftText = asText(draft.text);
      return draftText ? [{ label: scalar(draft.network), text: draftText, meta: scalar(draft.suggestedAt) }] : [];
    });
    if (items.length) blocks.push({ kind: 'items', title: 'drafts', items });
  }
  if (Array.isArray(output.findings)) {
    const items = output.findings.filter(isRecord).flatMap((finding) => {
      const title = asText(finding.title);
      return title ? [{ label: title, text: asText(finding.detail) ?? '', meta: scalar(finding.kind) }] : [];
    });
    if (items.length) blocks.push({ kind: 'items', title: 'findings', items });
  }
  if (Array.isArray(output.reasons)) {
    const items = output.reasons.flatMap((reason) => {
      if (typeof reason === 'string') return [{ label: null, text: reason, meta: null }];
      if (isRecord(reason) && asText(reason.factor)) {
        const points = typeof reason.points === 'number' ? `${reason.points > 0 ? '+' : ''}${reason.points}` : null;
        return [{ label: null, text: asText(reason.factor)!, meta: points }];
      }
      return [];
    });
    if (items.length) blocks.push({ kind: 'items', title: 'reasons', items });
  }
  const facts: Array<{ label: string; value: string }> = [];
  for (const key of ['score', 'grade', 'allowed'] as const) {
    const value = scalar(output[key]);
    if (value !== null) facts.push({ label: key, value });
  }
  if (Array.isArray(output.categories) && output.categories.length) facts.push({ label: 'categories', value: output.categories.map(scalar).filter(Boolean).join(', ') });
  if (isRecord(output.overall) && scalar(output.overall.label)) {
    const score = typeof output.overall.score === 'number' ? ` (${output.overall.score})` : '';
    facts.push({ label: 'sentiment', value: `${scalar(output.overall.label)}${score}` });
  }
  if (facts.length) blocks.push({ kind: 'facts', facts });
  return blocks;
}

// ---------------------------------------------------------------------------------------------- provider form

/** The provider form's fields as the person types them. */
export type ProviderFormValues = {
  kind: AiProviderKindName;
  baseUrl: string;
  /** Empty: keep the stored key. */
  apiKey: string;
  defaultModel: string;
  overrides: Array<{ agent: string; model: string }>;
  requestsPerMinute: string;
};

export function providerFormOf(settings: AiProviderSettings | null): ProviderFormValues {
  if (!settings) return { kind: 'openai-compatible', baseUrl: '', apiKey: '', defaultModel: '', overrides: [], requestsPerMinute: '60' };
  return {
    kind: settings.kind,
    baseUrl: settings.baseUrl ?? '',
    apiKey: '',
    defaultModel: settings.kind === 'offline' ? '' : settings.defaultModel,
    overrides: Object.entries(settings.models).map(([agent, model]) => ({ agent, model })),
    requestsPerMinute: String(settings.requestsPerMinute),
  };
}

/**
 * The form → the body the server validates: an empty key is left out (the stored key stays), the offline
 * kind needs no URL, key or model, empty override rows are dropped. The schema then reports what is wrong.
 */
export function providerBodyOf(values: ProviderFormValues): Omit<UpdateAiProviderSettingsBody, 'enabled'> & { enabled?: boolean } {
  const offline = values.kind === 'offline';
  const models = Object.fromEntries(values.overrides.filter((row) => row.agent.trim() && row.model.trim()).map((row) => [row.agent.trim(), row.model.trim()]));
  const rpm = values.requestsPerMinute.trim();
  return {
    kind: values.kind,
    baseUrl: offline || !values.baseUrl.trim() ? null : values.baseUrl.trim(),
    ...(!offline && values.apiKey.trim() ? { apiKey: values.apiKey.trim() } : {}),
    defaultModel: offline ? 'offline' : values.defaultModel.trim(),
    models: offline ? {} : models,
    requestsPerMinute: rpm === '' ? 60 : Number(rpm),
  };
}
