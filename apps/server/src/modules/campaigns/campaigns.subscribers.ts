import { z } from 'zod';
import type { EventBus } from '../../kernel/events/events.js';
import { enqueueJob } from '../../kernel/jobs/jobs.js';
import { applyStrategyJob } from './campaigns.jobs.js';
import { campaignSubjectType } from './campaigns.service.js';

const runDecidedPayload = z.object({
  runId: z.uuid(),
  outcome: z.enum(['approved', 'rejected', 'expired']),
  subject: z.object({ type: z.string(), id: z.uuid() }).nullable(),
});

/**
 * Subscribers only enqueue: an approved run about a campaign (by a reviewer or automatically) is applied by
 * the job, which re-reads the run. Rejected and expired runs create nothing; the campaign shows the run's status.
 */
export function subscribeCampaigns(bus: EventBus): void {
  bus.subscribe('ai.run_decided', async (tx, event) => {
    const payload = runDecidedPayload.safeParse(event.payload);
    if (!payload.success || payload.data.outcome !== 'approved' || payload.data.subject?.type !== campaignSubjectType) return;
    await enqueueJob(tx, applyStrategyJob, { runId: payload.data.runId, campaignId: payload.data.subject.id }, { tenantId: event.tenantId, key: `campaigns.apply:${payload.data.runId}` });
  });
}
