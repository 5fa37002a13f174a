import { z } from 'zod';
import type { Tx } from '../../../kernel/db/database.js';
import { badRequest } from '../../../kernel/errors.js';
import { getAccountTimezone, listPublishedPosts, summarizeHistory, type HistorySummary } from '../../publishing/index.js';
import {
  defaultBand,
  defaultConfidence,
  defaultEngagementRates,
  followerProxyDays,
  historyThreshold,
  lookbackDays,
  maxSamples,
  modelThreshold,
  staleAfterHours,
  staleSampleShare,
} from './defaults.js';
import { featureNames, featureRow, quantile } from './features.js';
import { findModel, type StoredModel } from './models.queries.js';
import { predictRidge } from './ridge.js';
import { fitAccountModel, outcomeOf, scoreKindOf, type TrainedModel } from './training.js';

const dayMs = 86_400_000;
/** Two-sided 95 % normal quantile: n ≥ 30, so Student's t is within a few percent of it. */
const z95 = 1.96;
const historyConfidence = 0.4;

export const predictionInputSchema = z.object({
  accountId: z.uuid(),
  network: z.string().trim().min(1).max(40),
  draft: z.object({
    text: z.string().max(70_000),
    at: z.coerce.date().refine((date) => !Number.isNaN(date.getTime()), 'is not a date'),
    mediaCount: z.number().int().min(0).max(100).default(0),
    hasLink: z.boolean().default(false),
    hashtags: z.array(z.string().max(200)).max(100).default([]),
  }),
});
export type PredictionInput = z.input<typeof predictionInputSchema>;

export type PerformancePrediction = {
  /** Predicted engagement per impression (or interactions, when `scoreKind` is 'count'). */
  rate: number;
  /** 95 % prediction interval (model), 10th–90th percentile (history), or the documented band (default). */
  low: number;
  high: number;
  basis: 'model' | 'history' | 'default';
  scoreKind: 'per_impression' | 'count';
  /** The account's published posts with metrics on the network the answer rests on. */
  samples: number;
  confidence: number;
  explanation: string;
};

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
const round = (value: number, digits = 6) => Number(value.toFixed(digits));
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

const featureLabels: Record<(typeof featureNames)[number], string> = {
  log_text_length: 'longer text',
  hashtags: 'each hashtag',
  has_media: 'media',
  has_link: 'a link',
  morning: 'mornings',
  afternoon: 'afternoons',
  evening: 'evenings',
  weekend: 'weekends',
  log_follower_proxy: 'a larger recent audience',
};

function isStale(model: StoredModel, summary: HistorySummary, now: Date): boolean {
  const samples = Math.min(summary.samples, maxSamples);
  if (now.getTime() - model.trainedAt.getTime() > staleAfterHours * 3600_000) return true;
  if (Math.abs(model.n - samples) > staleSampleShare * samples) return true;
  if (model.scoreKind !== (summary.isRated ? 'per_impression' : 'count')) return true;
  return model.featureNames.join(',') !== featureNames.join(',');
}

function describeEffects(model: TrainedModel): string {
  const effects = model.weights
    .map((weight, index) => ({ name: featureNames[index]!, weight, perUnit: weight / model.scales[index]! }))
    .filter((effect) => Math.abs(effect.weight) > 1e-12)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, 3);
  if (effects.length === 0) return 'No feature moved engagement noticeably.';
  const unit = (value: number) => (model.scoreKind === 'per_impression' ? `${value >= 0 ? '+' : '−'}${percent(Math.abs(value))}` : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`);
  return `Strongest effects: ${effects.map((effect) => `${featureLabels[effect.name]} ${unit(effect.perUnit)}`).join(', ')}.`;
}

function fromModel(model: TrainedModel, input: z.output<typeof predictionInputSchema>, context: { timeZone: string; followerProxy: number; samples: number }): PerformancePrediction {
  const row = featureRow(input.draft, { timeZone: context.timeZone, followerProxy: context.followerProxy });
  const { value, standardError } = predictRidge(model, row);
  const ceiling = model.scoreKind === 'per_impression' ? 1 : Number.POSITIVE_INFINITY;
  const rate = clamp(value, 0, ceiling);
  // Confidence grows with how much of the outcome the model explains on posts it did not see and with data.
  const confidence = 0.5 + 0.4 * clamp(model.looR2, 0, 1) * Math.min(1, model.n / 100);
  return {
    rate: round(rate),
    low: round(clamp(value - z95 * standardError, 0, ceiling)),
    high: round(clamp(value + z95 * standardError, 0, ceiling)),
    basis: 'model',
    scoreKind: model.scoreKind,
    samples: context.samples,
    confidence: round(confidence, 2),
    explanation:
      `Ridge regression trained on ${model.n} of the account's published ${input.network} posts ` +
      `(r² ${model.r2.toFixed(2)}, ${model.looR2.toFixed(2)} on left-out posts; λ ${model.lambda}). ${describeEffects(model)} ` +
      `Range: 95 % prediction interval from the residual standard error.`,
  };
}

/**
 * Predicted engagement of a draft on a network for an account (design §5), in the caller's transaction
 * (read only is enough), without permission checks (the caller authorized). With ≥ 30 published posts with
 * metrics on the network: the stored ridge model, refitted in memory when stale (missing, older than 36 h, or
 * trained on a count 20 % off); with 5–29: the median of the account's own rates; otherwise the industry
 * default of the network with confidence 0.3. Invalid input is a 400 problem.
 */
export async function predictPerformance(tx: Tx, rawInput: PredictionInput): Promise<PerformancePrediction> {
  const parsed = predictionInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw badRequest(
      'ai.invalid_prediction_input',
      'The draft to predict is not valid.',
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const input = parsed.data;
  const now = new Date();
  const since = new Date(now.getTime() - lookbackDays * dayMs);
  const summary = await summarizeHistory(tx, { accountId: input.accountId, network: input.network, since, proxySince: new Date(now.getTime() - followerProxyDays * dayMs) });
  const samples = Math.min(summary.samples, maxSamples);

  if (samples >= modelThreshold) {
    const stored = await findModel(tx, { accountId: input.accountId, network: input.network });
    const model = stored && !isStale(stored, summary, now) ? stored : await fitAccountModel(tx, { accountId: input.accountId, network: input.network, now });
    if (model) {
      const timeZone = (await getAccountTimezone(tx, input.accountId)) ?? 'UTC';
      return fromModel(model, input, { timeZone, followerProxy: summary.recentMedianImpressions ?? model.followerProxyDefault, samples });
    }
  }

  if (samples >= historyThreshold) {
    const posts = await listPublishedPosts(tx, { accountId: input.accountId, network: input.network, since, limit: maxSamples });
    const scoreKind = scoreKindOf(posts);
    const outcomes = posts.map((post) => outcomeOf(post, scoreKind));
    const rate = quantile(outcomes, 0.5);
    const shown = scoreKind === 'per_impression' ? percent(rate) : `${rate.toFixed(1)} interactions`;
    return {
      rate: round(rate),
      low: round(quantile(outcomes, 0.1)),
      high: round(quantile(outcomes, 0.9)),
      basis: 'history',
      scoreKind,
      samples: posts.length,
      confidence: historyConfidence,
      explanation:
        `Only ${posts.length} published ${input.network} posts with metrics (a model needs ${modelThreshold}): the median of the account's own posts, ${shown}; ` +
        `the range is their 10th to 90th percentile. The draft's text, time and media are not taken into account yet.`,
    };
  }

  const known = defaultEngagementRates as Record<string, number>;
  const rate = known[input.network] ?? quantile(Object.values(defaultEngagementRates), 0.5);
  return {
    rate: round(rate),
    low: round(rate * defaultBand.low),
    high: round(rate * defaultBand.high),
    basis: 'default',
    scoreKind: 'per_impression',
    samples,
    confidence: defaultConfidence,
    explanation:
      `Only ${samples} published ${input.network} posts with metrics (the account's own median needs ${historyThreshold}): ` +
      `the industry default engagement per impression for ${input.network} (${percent(rate)}; sources in the predictor's README), shown with a wide band.`,
  };
}
