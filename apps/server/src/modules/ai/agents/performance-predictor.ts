import { socialNetworkIdSchema } from '@omni/contracts/social';
import { z } from 'zod';
import { predictPerformance } from '../predictor/predict.js';
import { confidenceFields, defineModelAgent } from './define.js';

/**
 * The performance predictor as an agent (docs/design/ai-agents.md §4–§5): the ridge model trained on the
 * account's own published posts, with the documented fallbacks (history median, industry default). Not an
 * LLM: runs record provider 'model', no tokens, no cost.
 */
export const performancePredictorAgent = defineModelAgent({
  id: 'performance-predictor',
  version: 1,
  workflowType: 'content_generation',
  description:
    'Predicts a draft’s engagement rate with an interval from a model trained on the account’s own published posts (the account’s median or industry defaults when there are too few).',
  modelName: 'ridge-regression',
  input: z.object({
    network: socialNetworkIdSchema,
    text: z.string().max(70_000).default(''),
    at: z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T09:00:00Z.' }),
    mediaCount: z.number().int().min(0).max(100).default(0),
    hasLink: z.boolean().default(false),
  }),
  output: z.object({
    rate: z.number(),
    low: z.number(),
    high: z.number(),
    basis: z.enum(['model', 'history', 'default']),
    scoreKind: z.enum(['per_impression', 'count']),
    samples: z.number().int(),
    ...confidenceFields,
  }),
  compute: async (tx, input, { accountId }) =>
    predictPerformance(tx, {
      accountId,
      network: input.network,
      // The features count the hashtags written in the text themselves.
      draft: { text: input.text, at: input.at, mediaCount: input.mediaCount, hasLink: input.hasLink, hashtags: [] },
    }),
});

