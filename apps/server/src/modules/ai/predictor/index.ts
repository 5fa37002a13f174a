/**
 * The performance predictor (docs/design/ai-agents.md §5): a ridge regression per account and network
 * learned from published posts and their engagement, with fallbacks to the account's median and to industry
 * defaults. The ai module re-exports these and registers `predictorJobs`; see README.md.
 */

export {
  /** Predicted engagement of a draft (rate, interval, basis, samples, confidence, explanation), in the caller's transaction. */
  predictPerformance,
  predictionInputSchema,
  type PerformancePrediction,
  type PredictionInput,
} from './predict.js';

export {
  /** Retrain and store every (account, network) model of the current tenant (what the nightly job does). */
  trainTenantPredictors,
  type TrainingSummary,
} from './training.js';

export {
  /** `ai.train-predictors`: daily cron under system access, one job per tenant and date. */
  trainPredictorsJob,
  predictorJobs,
} from './predictor.jobs.js';

export {
  /** Industry default engagement rates per network (sources in defaults.ts). */
  defaultEngagementRates,
} from './defaults.js';
