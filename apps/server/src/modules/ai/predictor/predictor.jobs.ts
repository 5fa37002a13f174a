import { z } from 'zod';
import type { Tx } from '../../../kernel/db/database.js';
import { defineJob, enqueueJobs } from '../../../kernel/jobs/jobs.js';
import { lookbackDays } from './defaults.js';
import { listTenantsWithHistory } from '../../publishing/index.js';
import { listTenantsWithModels } from './models.queries.js';
import { trainTenantPredictors } from './training.js';

/**
 * Daily: under system access (cron) one job per tenant with published history or a stored model (key
 * `ai-train:<tenantId>:<date>`); inside a tenant, retrain every (account, network) with enough posts and drop
 * the models of those without. Idempotent: a rerun rewrites the same rows.
 */
export const trainPredictorsJob = defineJob({
  id: 'ai.train-predictors',
  payload: z.object({}),
  cron: '41 2 * * *',
  run: async (ctx, _payload, tx) => {
    if (!tx) throw new Error('ai.train-predictors runs in a transaction');
    const transaction: Tx = tx;
    if (ctx.tenantId) {
      const summary = await trainTenantPredictors(transaction, ctx.tenantId);
      ctx.logger.info({ trained: summary.trained.length, removed: summary.removed }, 'predictors trained');
      return;
    }
    const since = new Date(Date.now() - lookbackDays * 86_400_000);
    const tenants = [...new Set([...(await listTenantsWithHistory(transaction, since)), ...(await listTenantsWithModels(transaction))])].sort();
    const date = new Date().toISOString().slice(0, 10);
    await enqueueJobs(transaction, trainPredictorsJob, tenants.map((tenantId) => ({ payload: {}, options: { tenantId, key: `ai-train:${tenantId}:${date}` } })));
  },
});

/** The predictor's jobs, for the ai module's job list. */
export const predictorJobs = [trainPredictorsJob];
