import type { AiRun, AiRunStatus, PerformancePredictionDto, PredictPerformanceBody, PredictPerformanceResult } from '@omni/contracts/ai';
import { createCampaignFormSchema } from '@omni/contracts/campaigns';
import type {
  Campaign,
  CampaignDetail,
  CampaignGoal,
  CampaignKpiMetric,
  CampaignList,
  CampaignPerformance,
  CampaignStatus,
  CreateCampaignBody,
  CreateCampaignInput,
  GenerateCampaignBody,
  GenerateCampaignResult,
  SubmitCampaignDraftsBody,
  SubmitCampaignDraftsResult,
  UpdateCampaignBody,
} from '@omni/contracts/campaigns';
import { socialNetworkIdSchema, type SocialNetworkId } from '@omni/contracts/social';
import { diffWordsWithSpace } from 'diff';
import { z } from 'zod';
import { api } from '../../shared/api';

const id = (value: string) => encodeURIComponent(value);

/** Typed calls to /api/campaigns (packages/contracts/src/campaigns.ts). */
export const campaignsApi = {
  list: (query: { status?: CampaignStatus | ''; q?: string; limit?: number } = {}) => api.get<CampaignList>('/api/campaigns', { query: { status: query.status, q: query.q, limit: query.limit } }),
  campaign: (campaignId: string) => api.get<CampaignDetail>(`/api/campaigns/${id(campaignId)}`),
  create: (body: CreateCampaignInput) => api.post<CampaignDetail>('/api/campaigns', body),
  update: (campaignId: string, body: UpdateCampaignBody) => api.patch<CampaignDetail>(`/api/campaigns/${id(campaignId)}`, body),
  remove: (campaignId: string) => api.delete(`/api/campaigns/${id(campaignId)}`),
  generate: (campaignId: string, body: GenerateCampaignBody = {}) => api.post<GenerateCampaignResult>(`/api/campaigns/${id(campaignId)}/generate`, body),
  submit: (campaignId: string, body: SubmitCampaignDraftsBody = {}) => api.post<SubmitCampaignDraftsResult>(`/api/campaigns/${id(campaignId)}/submit`, body),
  performance: (campaignId: string) => api.get<CampaignPerformance>(`/api/campaigns/${id(campaignId)}/performance`),
  link: (campaignId: string, postId: string) => api.post<CampaignDetail>(`/api/campaigns/${id(campaignId)}/posts`, { postId }),
  unlink: (campaignId: string, postId: string) => api.delete<CampaignDetail>(`/api/campaigns/${id(campaignId)}/posts/${id(postId)}`),
};

/** Predicted performance of a draft (POST /api/ai/predictions); runs go through the ai module's aiApi. */
export const predictionsApi = {
  predict: (body: PredictPerformanceBody) => api.post<PredictPerformanceResult>('/api/ai/predictions', body),
};


export { campaignsAccessOf } from './campaignsAccess';

// ---------- Runs ----------

/** Where a run is in its life, as the screens show it. */
export type RunPhase = 'working' | 'review' | 'done' | 'stopped';

export function runPhaseOf(status: AiRunStatus): RunPhase {
  switch (status) {
    case 'queued':
    case 'running':
      return 'working';
    case 'awaiting_review':
      return 'review';
    case 'approved':
    case 'succeeded':
      return 'done';
    default:
      return 'stopped';
  }
}

/** How often to ask for a run again: fast while it works, slowly while people review it, never once decided. */
export function runPollInterval(status: AiRunStatus | undefined): number | false {
  if (!status) return false;
  const phase = runPhaseOf(status);
  return phase === 'working' ? 1_500 : phase === 'review' ? 5_000 : false;
}

/**
 * How often to reload a campaign: while its generation run works or waits for review, and between the
 * approval and the drafts being created (the strategy is stored in the same step as the drafts).
 */
export function campaignPollInterval(campaign: Pick<Campaign, 'latestRun' | 'strategy'> | undefined): number | false {
  const run = campaign?.latestRun;
  if (!run) return false;
  if (run.status === 'approved' || run.status === 'succeeded') return campaign.strategy?.runId === run.id ? false : 2_000;
  return runPollInterval(run.status);
}

/** The offline provider labels every explanation "[offline: rule-based, no AI model] …". */
export function isOfflineResult(explanation: string | null | undefined): boolean {
  return typeof explanation === 'string' && explanation.startsWith('[offline');
}

const strategistOutputSchema = z.object({
  strategy: z.object({ summary: z.string(), keyMessages: z.array(z.string()), tone: z.string() }),
  channelPlan: z.array(z.object({ network: socialNetworkIdSchema, postsPerWeek: z.number(), focus: z.string() })),
  drafts: z.array(z.object({ network: socialNetworkIdSchema, text: z.string(), suggestedAt: z.string() })),
});
export type StrategistOutput = z.infer<typeof strategistOutputSchema>;

/** The campaign strategist's output from a run (null until it has one, or when it is not the strategist's). */
export function strategistOutputOf(run: Pick<AiRun, 'output'> | null | undefined): StrategistOutput | null {
  const parsed = strategistOutputSchema.safeParse(run?.output);
  return parsed.success ? parsed.data : null;
}

const copywriterOutputSchema = z.object({ text: z.string(), hashtags: z.array(z.string()) });

/** The copywriter's suggestion as the post text it would become: the rewrite, then its hashtags. */
export function copywriterSuggestionOf(run: Pick<AiRun, 'output'> | null | undefined): string | null {
  const parsed = copywriterOutputSchema.safeParse(run?.output);
  if (!parsed.success) return null;
  const text = parsed.data.text.trim();
  // A model may already have written some of its hashtags into the text: add only the others, once.
  const present = new Set((text.match(/#[\p{L}\p{N}_]+/gu) ?? []).map((tag) => tag.slice(1).toLowerCase()));
  const tags: string[] = [];
  for (const raw of parsed.data.hashtags) {
    const tag = raw.trim().replace(/^#+/, '');
    if (!tag || present.has(tag.toLowerCase())) continue;
    present.add(tag.toLowerCase());
    tags.push(`#${tag}`);
  }
  return [text, tags.join(' ')].filter(Boolean).join(' ');
}

// ---------- Diffs, predictions, money ----------

export type WordChange = { op: 'equal' | 'insert' | 'delete'; text: string };

/** Word-by-word difference (whitespace kept), the same algorithm the server uses for revisions. */
export function wordDiff(before: string, after: string): WordChange[] {
  return diffWordsWithSpace(before, after).map((part) => ({ op: part.added ? 'insert' : part.removed ? 'delete' : 'equal', text: part.value }));
}

/** "3.20 %" for a rate per impression, "12.5" for interactions per post. */
export function formatPredictionValue(value: number, scoreKind: PerformancePredictionDto['scoreKind'], locale = 'en'): string {
  if (scoreKind === 'count') return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** KPI progress as a bar width: 0–100. */
export function progressPercent(progress: number | null): number {
  if (progress === null || !Number.isFinite(progress)) return 0;
  return Math.round(Math.min(1, Math.max(0, progress)) * 100);
}

/** "1500", "1,500.50" or "1 500,5" → micro-units; '' → null; anything else → NaN (the schema refuses it). */
export function budgetToMicros(text: string): number | null {
  const trimmed = text.trim().replace(/[\s\u00a0']/g, '');
  if (!trimmed) return null;
  // One separator followed by 1–2 digits at the end is the decimal one; the others group thousands.
  const decimal = /[.,](\d{1,2})$/.exec(trimmed);
  const whole = decimal ? trimmed.slice(0, decimal.index) : trimmed;
  if (!/^\d+([.,]\d{3})*$/.test(whole) && !/^\d+$/.test(whole)) return Number.NaN;
  const units = Number(whole.replace(/[.,]/g, ''));
  const cents = decimal ? Number(decimal[1]!.padEnd(2, '0')) : 0;
  return units * 1_000_000 + cents * 10_000;
}

/** Micro-units → the amount to edit ("1500.5"). */
export function microsToBudget(micros: number | null): string {
  return micros === null ? '' : String(micros / 1_000_000);
}

/** "€1,500.00" in the person's language. */
export function formatBudget(micros: number | null, currency: string, locale = 'en'): string {
  if (micros === null) return '—';
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(micros / 1_000_000);
  } catch {
    return `${(micros / 1_000_000).toFixed(2)} ${currency}`;
  }
}

/** A KPI's target or actual in words: engagement rate as a percentage, the rest as counts. */
export function formatKpiValue(metric: CampaignKpiMetric, value: number, locale = 'en'): string {
  if (metric === 'engagement_rate') return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(value);
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** What a person types as a KPI target → the contract's value (engagement rate is typed in percent). */
export function kpiTargetOf(metric: CampaignKpiMetric, text: string): number {
  const trimmed = text.trim().replace(',', '.');
  if (!trimmed) return Number.NaN;
  const value = Number(trimmed);
  return metric === 'engagement_rate' ? value / 100 : value;
}

/** The contract's KPI target → what the form shows (the inverse of kpiTargetOf). */
export function kpiTargetText(metric: CampaignKpiMetric, value: number): string {
  return metric === 'engagement_rate' ? String(Number((value * 100).toFixed(4))) : String(value);
}

// ---------- The campaign form ----------

export type CampaignFormValues = {
  name: string;
  goal: CampaignGoal;
  audience: string;
  channels: SocialNetworkId[];
  startsOn: string;
  endsOn: string;
  budget: string;
  currency: string;
  kpis: Array<{ metric: CampaignKpiMetric; target: string }>;
  brief: string;
};

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** A new campaign starts tomorrow and runs four weeks; an existing one shows what it has. */
export function campaignFormValues(campaign?: Campaign | null, today = new Date()): CampaignFormValues {
  if (!campaign) {
    const start = new Date(today.getTime() + 86_400_000);
    return { name: '', goal: 'awareness', audience: '', channels: [], startsOn: dayOf(start), endsOn: dayOf(new Date(start.getTime() + 27 * 86_400_000)), budget: '', currency: 'EUR', kpis: [], brief: '' };
  }
  return {
    name: campaign.name,
    goal: campaign.goal,
    audience: campaign.audience,
    channels: campaign.channels,
    startsOn: campaign.startsOn,
    endsOn: campaign.endsOn,
    budget: microsToBudget(campaign.budgetMicros),
    currency: campaign.currency,
    kpis: campaign.kpis.map((kpi) => ({ metric: kpi.metric, target: kpiTargetText(kpi.metric, kpi.target) })),
    brief: campaign.brief,
  };
}

/** The form's values as the contract's body (money in micro-units, engagement-rate targets as fractions). */
export function campaignBodyOf(values: CampaignFormValues): unknown {
  return {
    name: values.name,
    goal: values.goal,
    audience: values.audience,
    channels: values.channels,
    startsOn: values.startsOn,
    endsOn: values.endsOn,
    budgetMicros: budgetToMicros(values.budget),
    currency: values.currency.trim().toUpperCase(),
    kpis: values.kpis.map((kpi) => ({ metric: kpi.metric, target: kpiTargetOf(kpi.metric, kpi.target) })),
    brief: values.brief,
  };
}

/**
 * The contract's schema as the form uses it: an amount or KPI target that is not a number gets a sentence
 * of its own (the contract only knows "expected number"), next to every other field's issue.
 */
export const campaignFormSchema = z.unknown().transform((value, ctx): CreateCampaignBody => {
  const input = (value ?? {}) as { budgetMicros?: unknown; kpis?: Array<{ target?: unknown }> };
  const notNumbers = new Set<string>();
  const notANumber = (path: Array<string | number>, message: string) => {
    notNumbers.add(path.join('.'));
    ctx.addIssue({ code: 'custom', path, message });
  };
  if (Number.isNaN(input.budgetMicros)) notANumber(['budgetMicros'], 'Enter the budget as an amount, e.g. 1500 or 1,500.50.');
  (input.kpis ?? []).forEach((kpi, index) => {
    if (Number.isNaN(kpi.target)) notANumber(['kpis', index, 'target'], 'Enter each KPI’s target as a number.');
  });
  const parsed = createCampaignFormSchema.safeParse(value);
  if (parsed.success && notNumbers.size === 0) return parsed.data;
  for (const issue of parsed.error?.issues ?? []) {
    if (!notNumbers.has(issue.path.join('.'))) ctx.addIssue({ code: 'custom', path: issue.path as Array<string | number>, message: issue.message });
  }
  return z.NEVER;
});
