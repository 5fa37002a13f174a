import { z } from 'zod';
import { defineJob, enqueueJobs, requireTransaction } from '../../kernel/jobs/jobs.js';
import { selectTenantsWithDueSeries } from './content.recurrence.queries.js';
import { compareAbTest } from './use-cases/ab-compare.js';
import { extendTenantRecurrences } from './use-cases/recurrence.js';
import { applyApprovalDecision, applyApprovalWithdrawal, syncOccurrenceStatus } from './use-cases/reactions.js';

/**
 * Content's jobs. Keys: `approval:<requestId>` (one application per decision), `sync:<occurrenceId>`
 * (a burst of target events for one occurrence makes one re-read).
 */

export const applyApprovalDecisionJob = defineJob({
  id: 'content.apply-approval-decision',
  payload: z.object({
    requestId: z.uuid(),
    accountId: z.uuid(),
    subjectId: z.uuid(),
    subjectRevision: z.number().int().min(1),
    stage: z.enum(['internal', 'client']),
    outcome: z.enum(['approved', 'rejected', 'changes_requested']),
    decidedBy: z.object({ kind: z.enum(['user', 'link']), userId: z.uuid().optional(), linkId: z.uuid().optional(), name: z.string() }),
  }),
  run: async (ctx, payload, tx) => applyApprovalDecision(ctx, requireTransaction(tx), payload),
});

export const applyApprovalWithdrawalJob = defineJob({
  id: 'content.apply-approval-withdrawal',
  payload: z.object({ requestId: z.uuid(), accountId: z.uuid(), subjectId: z.uuid(), subjectRevision: z.number().int().min(1), stage: z.enum(['internal', 'client']) }),
  run: async (_ctx, payload, tx) => applyApprovalWithdrawal(requireTransaction(tx), payload),
});

export const syncOccurrenceStatusJob = defineJob({
  id: 'content.sync-occurrence-status',
  payload: z.object({ occurrenceId: z.uuid() }),
  run: async (ctx, payload, tx) => syncOccurrenceStatus(ctx, requireTransaction(tx), payload.occurrenceId),
});

/** Compare an A/B test's variants (key `ab:<postId>`, run 73 h after B was published). */
export const compareAbJob = defineJob({
  id: 'content.compare-ab',
  payload: z.object({ postId: z.uuid() }),
  run: async (ctx, payload, tx) => {
    await compareAbTest(ctx, requireTransaction(tx), payload.postId);
  },
});

/**
 * Daily: under system access (cron) one job per tenant with a series not materialized up to the horizon
 * (key `recur:<tenantId>:<date>`); inside a tenant, extend its series. Idempotent.
 */
export const extendRecurrencesJob = defineJob({
  id: 'content.extend-recurrences',
  payload: z.object({}),
  cron: '23 3 * * *',
  run: async (ctx, _payload, tx) => {
    if (ctx.tenantId) {
      await extendTenantRecurrences({ ...ctx, tenantId: ctx.tenantId }, requireTransaction(tx));
      return;
    }
    const tenants = await selectTenantsWithDueSeries(requireTransaction(tx), new Date(Date.now() + ctx.config.CONTENT_RECURRENCE_HORIZON_DAYS * 86_400_000));
    const date = new Date().toISOString().slice(0, 10);
    await enqueueJobs(requireTransaction(tx), extendRecurrencesJob, tenants.map((tenantId) => ({ payload: {}, options: { tenantId, key: `recur:${tenantId}:${date}` } })));
  },
});

export const contentJobs = [applyApprovalDecisionJob, applyApprovalWithdrawalJob, syncOccurrenceStatusJob, compareAbJob, extendRecurrencesJob];
