import { z } from 'zod';
import { defineJob, requireTransaction } from '../../kernel/jobs/jobs.js';
import { applyStrategy } from './campaigns.strategy.js';

/** Apply an approved strategist run to its campaign (key `campaigns.apply:<runId>`: once per run). */
export const applyStrategyJob = defineJob({
  id: 'campaigns.apply-strategy',
  payload: z.object({ runId: z.uuid(), campaignId: z.uuid() }),
  run: async (ctx, payload, tx) => applyStrategy(ctx, requireTransaction(tx), payload),
});

export const campaignsJobs = [applyStrategyJob];
