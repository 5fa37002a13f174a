import { z } from 'zod';
import type { Tx } from '../../kernel/db/database.js';
import { defineJob } from '../../kernel/jobs/jobs.js';
import { applyApprovalDecision, syncOccurrenceStatus } from './use-cases/reactions.js';

/**
 * Content's jobs. Keys: `approval:<requestId>` (one application per decision), `sync:<occurrenceId>`
 * (a burst of target events for one occurrence makes one re-read).
 */

function requireTransaction(tx: Tx | null): Tx {
  if (!tx) throw new Error('This content job runs in a transaction');
  return tx;
}

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

export const syncOccurrenceStatusJob = defineJob({
  id: 'content.sync-occurrence-status',
  payload: z.object({ occurrenceId: z.uuid() }),
  run: async (ctx, payload, tx) => syncOccurrenceStatus(ctx, requireTransaction(tx), payload.occurrenceId),
});

export const contentJobs = [applyApprovalDecisionJob, syncOccurrenceStatusJob];
