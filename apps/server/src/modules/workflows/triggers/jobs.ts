import { z } from 'zod';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { defineJob, enqueueJob, requireJobTenant, requireTransaction } from '../../../kernel/jobs/jobs.js';
import type { Logger } from '../../../kernel/logger.js';
import { findWorkflow } from '../workflows.queries.js';
import { startRunInTx } from '../workflows.runs.js';
import { nextFireAfter } from './schedule.js';
import { claimDueSchedules, pruneWebhookReceipts, updateNextFire } from './triggers.queries.js';
import { webhookToleranceSeconds } from './webhook.js';

/**
 * The triggers' jobs: the start of a run an event matched (the subscriber only enqueues it) and the
 * platform cron that fires due schedules.
 */

/** A run an event matched: started in the tenant's transaction unless the workflow stopped being active. */
export const startEventRunJob = defineJob({
  id: 'workflows.start-event-run',
  payload: z.object({ accountId: z.string().uuid(), workflowId: z.string().uuid(), eventId: z.string().uuid(), payload: z.record(z.string(), z.unknown()) }),
  run: async (ctx, input, tx) => {
    requireJobTenant(ctx.tenantId);
    const transaction = requireTransaction(tx);
    const workflow = await findWorkflow(transaction, input.workflowId, input.accountId);
    if (!workflow || workflow.status !== 'active') return;
    await startRunInTx(transaction, ctx.config, workflow, { test: false, triggerKind: 'event', payload: input.payload, startedBy: null, dedupKey: input.eventId });
  },
});

export async function enqueueEventRunStart(tx: Tx, start: { tenantId: string; accountId: string; workflowId: string; eventId: string; payload: Record<string, unknown> }): Promise<void> {
  const { tenantId, ...payload } = start;
  await enqueueJob(tx, startEventRunJob, payload, { tenantId, key: `wf-event:${start.workflowId}:${start.eventId}` });
}

/** At most this many schedules fire per job; the next minute takes the rest. */
const fireBatch = 500;

/**
 * Fire due schedules (system access; SKIP LOCKED, so two fire jobs split them): one run per trigger with the
 * fire time (ISO) as dedup key, so running the job twice for a slot starts one run; then the next fire
 * after now — a fire missed while no worker ran happens once, never as a backlog.
 */
export async function fireDueSchedules(tx: Tx, config: Config, logger: Logger, now = new Date()): Promise<number> {
  const due = await claimDueSchedules(tx, fireBatch);
  let started = 0;
  for (const trigger of due) {
    const firedFor = new Date(trigger.next_fire_at!).toISOString();
    const workflow = await findWorkflow(tx, trigger.workflow_id, trigger.account_id);
    if (workflow?.status === 'active') {
      const payload = { scheduledAt: firedFor, firedAt: now.toISOString(), cron: trigger.cron, timezone: trigger.timezone };
      const { duplicate } = await startRunInTx(tx, config, workflow, { test: false, triggerKind: 'schedule', payload, startedBy: null, dedupKey: firedFor });
      if (!duplicate) started += 1;
    }
    await updateNextFire(tx, trigger.id, nextFireAfter(trigger.cron!, trigger.timezone!, now));
  }
  if (due.length > 0) logger.info({ due: due.length, started }, 'workflow schedules fired');
  return started;
}

/** Webhook receipts are kept this long (twice the signature tolerance): older deliveries are refused by their timestamp. */
const receiptRetentionSeconds = 2 * webhookToleranceSeconds;

/** Every minute (graphile-worker's crontab slot), across tenants: due schedules fire, old webhook receipts go. */
export const fireSchedulesJob = defineJob({
  id: 'workflows.fire-schedules',
  payload: z.object({}),
  cron: '* * * * *',
  run: async (ctx, _payload, tx) => {
    const transaction = requireTransaction(tx);
    await fireDueSchedules(transaction, ctx.config, ctx.logger);
    await pruneWebhookReceipts(transaction, receiptRetentionSeconds);
  },
});

export const triggerJobs = [startEventRunJob, fireSchedulesJob];
