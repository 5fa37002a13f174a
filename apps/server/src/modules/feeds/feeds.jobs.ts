import { z } from 'zod';
import type { Tx } from '../../kernel/db/database.js';
import { defineJob, enqueueJob, enqueueJobs, requireJobTenant, requireTransaction } from '../../kernel/jobs/jobs.js';
import { deleteWebhookReceiptsBefore, selectDueSubscriptions } from './feeds.queries.js';
import type { EntryRow } from './feeds.schema.js';
import { processEntry } from './use-cases/entries.js';
import { pollSubscription } from './use-cases/poll.js';

/**
 * The feeds jobs and the only helpers that enqueue them. Keys: `feeds.poll:<subscriptionId>` (a pending
 * poll is replaced, never doubled) and `feeds.entry:<entryId>`.
 */

/** One subscription: fetch (no transaction held across it), then record the outcome. */
export const pollFeedJob = defineJob({
  id: 'feeds.poll-feed',
  payload: z.object({ subscriptionId: z.string().uuid() }),
  transactional: false,
  // A failed fetch is recorded (backoff, last error), not thrown: a throw is a bug or the database.
  maxAttempts: 3,
  run: async (ctx, { subscriptionId }) => {
    await pollSubscription(ctx, requireJobTenant(ctx.tenantId), subscriptionId);
  },
});

/** One entry → a draft post in review. */
export const processEntryJob = defineJob({
  id: 'feeds.process-entry',
  payload: z.object({ entryId: z.string().uuid() }),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx, { entryId }) => {
    await processEntry(ctx, requireJobTenant(ctx.tenantId), entryId);
  },
});

const scheduleBatch = 500;

/** Every 5 minutes, under system access: one poll job per due subscription across tenants. */
export const schedulePollsJob = defineJob({
  id: 'feeds.schedule-polls',
  payload: z.object({}),
  cron: '*/5 * * * *',
  run: async (ctx, _payload, tx) => {
    const due = await selectDueSubscriptions(requireTransaction(tx), new Date(), scheduleBatch);
    await enqueueJobs(
      requireTransaction(tx),
      pollFeedJob,
      due.map((subscription) => ({ payload: { subscriptionId: subscription.id }, options: { tenantId: subscription.tenantId, key: `feeds.poll:${subscription.id}` } })),
    );
    if (due.length > 0) ctx.logger.info({ subscriptions: due.length }, 'feeds: polls scheduled');
  },
});

/** Daily: webhook receipts older than twice the tolerance can no longer be replayed (the timestamp check refuses them). */
export const pruneReceiptsJob = defineJob({
  id: 'feeds.prune-receipts',
  payload: z.object({}),
  cron: '41 4 * * *',
  run: async (ctx, _payload, tx) => {
    const before = new Date(Date.now() - 2 * ctx.config.FEEDS_WEBHOOK_TOLERANCE_SECONDS * 1000);
    const deleted = await deleteWebhookReceiptsBefore(requireTransaction(tx), before);
    if (deleted > 0) ctx.logger.info({ deleted }, 'feeds: webhook receipts pruned');
  },
});

export const feedsJobs = [schedulePollsJob, pollFeedJob, processEntryJob, pruneReceiptsJob];

/** Poll a subscription soon (a new subscription, a resumed one), in the caller's transaction. */
export async function enqueuePoll(tx: Tx, tenantId: string, subscriptionId: string): Promise<void> {
  await enqueueJob(tx, pollFeedJob, { subscriptionId }, { tenantId, key: `feeds.poll:${subscriptionId}` });
}

/** One process-entry job per new pending entry, in the transaction that inserted them. */
export async function enqueueProcessEntries(tx: Tx, entries: Array<Pick<EntryRow, 'id' | 'tenantId'>>): Promise<void> {
  await enqueueJobs(
    tx,
    processEntryJob,
    entries.map((entry) => ({ payload: { entryId: entry.id }, options: { tenantId: entry.tenantId, key: `feeds.entry:${entry.id}` } })),
  );
}
