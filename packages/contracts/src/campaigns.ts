import { z } from 'zod';
import { aiRunSchema, performancePredictionSchema } from './ai.js';
import { postStatusSchema } from './content.js';
import { socialNetworkIdSchema } from './social.js';

/**
 * The campaigns module (/api/campaigns/**): campaigns (goal, audience, channels, budget, dates, KPIs), a
 * strategy generated from a brief by the campaign-strategist agent (a queued AI run under the
 * content-generation HITL policy), the draft posts it creates in the content studio, posts linked by hand,
 * and predicted against actual performance. See docs/design/ai-agents.md §7.
 */

const timestampSchema = z.iso.datetime();
const daySchema = z.iso.date('Use a date like 2030-01-31.');

export const campaignGoalSchema = z.enum(['awareness', 'engagement', 'traffic', 'leads', 'sales'], 'Choose awareness, engagement, traffic, leads or sales.');
export type CampaignGoal = z.infer<typeof campaignGoalSchema>;

export const campaignStatusSchema = z.enum(['draft', 'planned', 'active', 'completed', 'archived'], 'Choose draft, planned, active, completed or archived.');
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

/** Metrics a KPI can target: engagement summed over the campaign's published posts. */
export const campaignKpiMetricSchema = z.enum(['impressions', 'likes', 'comments', 'shares', 'clicks', 'interactions', 'engagement_rate', 'posts_published'], 'Choose a known KPI metric.');
export type CampaignKpiMetric = z.infer<typeof campaignKpiMetricSchema>;

export const campaignKpiSchema = z.object({
  metric: campaignKpiMetricSchema,
  /** engagement_rate is a fraction (0.035 = 3.5 %); the others are counts. */
  target: z.number().min(0, 'A KPI target cannot be negative.').max(1e12),
});
export type CampaignKpi = z.infer<typeof campaignKpiSchema>;

/** The fields without defaults: an update must not reset what it does not mention. */
const campaignFields = {
  name: z.string().trim().min(1, 'Name the campaign.').max(200, 'A name has at most 200 characters.'),
  goal: campaignGoalSchema,
  audience: z.string().trim().max(1000, 'Describe the audience in at most 1000 characters.'),
  channels: z.array(socialNetworkIdSchema).min(1, 'Choose at least one channel.').max(6),
  /** Media budget in micro-units of `currency`; null: none set. */
  budgetMicros: z.number().int().min(0).max(1e15).nullable(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'Use a three-letter currency code, e.g. EUR.'),
  startsOn: daySchema,
  endsOn: daySchema,
  kpis: z.array(campaignKpiSchema).max(10, 'At most 10 KPIs.'),
  /** The brief the strategist works from (also editable before generating). */
  brief: z.string().trim().max(5000, 'A brief has at most 5000 characters.'),
};

const campaignFieldsSchema = z.object({
  ...campaignFields,
  audience: campaignFields.audience.default(''),
  budgetMicros: campaignFields.budgetMicros.default(null),
  currency: campaignFields.currency.default('USD'),
  kpis: campaignFields.kpis.default([]),
  brief: campaignFields.brief.default(''),
});

/** Why the dates do not fit together (end before start), or null. The server answers 422 campaigns.invalid_dates. */
export function campaignDatesIssue(startsOn: string, endsOn: string): string | null {
  return endsOn >= startsOn ? null : 'The campaign must end on or after its start.';
}

const endsAfterStart = (value: { startsOn?: string; endsOn?: string }) => !value.startsOn || !value.endsOn || campaignDatesIssue(value.startsOn, value.endsOn) === null;
const endsAfterStartIssue = { message: 'The campaign must end on or after its start.', path: ['endsOn'] };

/**
 * The request body. The order of the dates is checked by the server against the stored campaign too (422
 * campaigns.invalid_dates, path body.endsOn), so the body schema checks shapes only; forms use
 * createCampaignFormSchema, which also checks the order.
 */
export const createCampaignBodySchema = campaignFieldsSchema;
export type CreateCampaignBody = z.infer<typeof createCampaignBodySchema>;
export type CreateCampaignInput = z.input<typeof createCampaignBodySchema>;
/** For forms: the body plus the order of the dates (issue on endsOn). */
export const createCampaignFormSchema = campaignFieldsSchema.refine(endsAfterStart, endsAfterStartIssue);

/**
 * Partial update; `status` moves the campaign through its life (archived campaigns refuse other changes with
 * 409 campaigns.archived until a status other than archived is set). Dates are checked merged with the stored ones.
 */
export const updateCampaignBodySchema = z
  .object(campaignFields)
  .partial()
  .extend({ status: campaignStatusSchema.optional() });
export type UpdateCampaignBody = z.infer<typeof updateCampaignBodySchema>;
/** For forms: the update plus the order of the dates when both are given. */
export const updateCampaignFormSchema = updateCampaignBodySchema.refine(endsAfterStart, endsAfterStartIssue);

export const campaignIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });
export const campaignPostParamsSchema = z.object({ id: z.uuid('Id must be a UUID.'), postId: z.uuid('Id must be a UUID.') });

export const campaignListQuerySchema = z.object({
  status: campaignStatusSchema.optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type CampaignListQuery = z.infer<typeof campaignListQuerySchema>;

/** The strategist's result, stored on the campaign once the run is approved. */
export const campaignStrategySchema = z.object({
  summary: z.string(),
  keyMessages: z.array(z.string()),
  tone: z.string(),
  channelPlan: z.array(z.object({ network: socialNetworkIdSchema, postsPerWeek: z.number().int(), focus: z.string() })),
  runId: z.uuid(),
  approvedAt: timestampSchema,
});
export type CampaignStrategy = z.infer<typeof campaignStrategySchema>;

/** A content post of the campaign with its prediction (made when it was created or linked) and status. */
export const campaignPostSchema = z.object({
  postId: z.uuid(),
  role: z.enum(['generated', 'linked']),
  title: z.string().nullable(),
  excerpt: z.string(),
  status: postStatusSchema,
  plannedAt: timestampSchema.nullable(),
  networks: z.array(socialNetworkIdSchema),
  /** One per network of the post (for a generated post without a destination: the network it was drafted for); empty when none is known. */
  predicted: z.array(performancePredictionSchema.extend({ network: socialNetworkIdSchema })),
  createdAt: timestampSchema,
});
export type CampaignPost = z.infer<typeof campaignPostSchema>;

export const campaignSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  name: z.string(),
  goal: campaignGoalSchema,
  audience: z.string(),
  channels: z.array(socialNetworkIdSchema),
  budgetMicros: z.number().int().nullable(),
  currency: z.string(),
  startsOn: daySchema,
  endsOn: daySchema,
  kpis: z.array(campaignKpiSchema),
  brief: z.string(),
  status: campaignStatusSchema,
  strategy: campaignStrategySchema.nullable(),
  /** The latest generate-from-brief run (queued, running, awaiting review, approved, rejected, failed…). */
  latestRun: aiRunSchema.nullable(),
  postCount: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Campaign = z.infer<typeof campaignSchema>;

export const campaignDetailSchema = campaignSchema.extend({ posts: z.array(campaignPostSchema) });
export type CampaignDetail = z.infer<typeof campaignDetailSchema>;

export const campaignListSchema = z.object({ items: z.array(campaignSchema), total: z.number().int() });
export type CampaignList = z.infer<typeof campaignListSchema>;

/** Generate from the brief: the body overrides the stored brief (and stores it). */
export const generateCampaignBodySchema = z.object({
  brief: z.string().trim().min(10, 'Describe the campaign in a sentence or more.').max(5000).optional(),
});
export type GenerateCampaignBody = z.infer<typeof generateCampaignBodySchema>;

/** 202: the queued strategist run; poll GET /api/ai/runs/:id (or the campaign's latestRun). */
export const generateCampaignResultSchema = z.object({ run: aiRunSchema });
export type GenerateCampaignResult = z.infer<typeof generateCampaignResultSchema>;

export const linkCampaignPostBodySchema = z.object({ postId: z.uuid('Id must be a UUID.') });
export type LinkCampaignPostBody = z.infer<typeof linkCampaignPostBodySchema>;

/** Submit the campaign's drafts (all, or the listed ones) for approval in the content studio. */
export const submitCampaignDraftsBodySchema = z.object({ postIds: z.array(z.uuid()).max(500).optional() });
export type SubmitCampaignDraftsBody = z.infer<typeof submitCampaignDraftsBodySchema>;
export const submitCampaignDraftsResultSchema = z.object({
  submitted: z.array(z.uuid()),
  /** Drafts that could not be submitted, with why (e.g. no destination, a network rule broken). */
  skipped: z.array(z.object({ postId: z.uuid(), code: z.string(), message: z.string() })),
});
export type SubmitCampaignDraftsResult = z.infer<typeof submitCampaignDraftsResultSchema>;

/** Predicted against actual, per post and in total, and progress towards each KPI. */
export const campaignPerformanceSchema = z.object({
  campaignId: z.uuid(),
  posts: z.array(
    z.object({
      postId: z.uuid(),
      network: socialNetworkIdSchema,
      status: postStatusSchema,
      predictedRate: z.number().nullable(),
      /** null until published with metrics. */
      actualRate: z.number().nullable(),
      impressions: z.number().int(),
      interactions: z.number().int(),
    }),
  ),
  totals: z.object({
    postsPublished: z.number().int(),
    impressions: z.number().int(),
    likes: z.number().int(),
    comments: z.number().int(),
    shares: z.number().int(),
    clicks: z.number().int(),
    interactions: z.number().int(),
    engagementRate: z.number().nullable(),
    predictedEngagementRate: z.number().nullable(),
  }),
  kpis: z.array(campaignKpiSchema.extend({ actual: z.number(), progress: z.number().nullable() })),
});
export type CampaignPerformance = z.infer<typeof campaignPerformanceSchema>;
