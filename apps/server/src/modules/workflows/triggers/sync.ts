import { workflowDefinitionSchema } from '@omni/contracts/workflows';
import type { Config } from '../../../kernel/config.js';
import { encryptSecret } from '../../../kernel/crypto/secrets.js';
import { generateToken } from '../../../kernel/crypto/tokens.js';
import type { Tx } from '../../../kernel/db/database.js';
import type { WorkflowRow } from '../workflows.queries.js';
import { nextFireAfter } from './schedule.js';
import { deleteTriggerOfWorkflow, findTriggerOfWorkflow, updateWebhookSecret, upsertTrigger, type TriggerRow } from './triggers.queries.js';

/**
 * The trigger row follows the workflow (migrations/0021): rewritten from its current version and status in
 * the transaction that saved it. A webhook keeps its key and secret across edits and pauses (a new one is
 * made, and shown once, only when the trigger becomes a webhook); a schedule's next fire is computed from
 * now when it becomes active or its cron or zone changes, and kept otherwise (a due fire is not skipped by
 * an unrelated edit).
 */

type SyncedWorkflow = Pick<WorkflowRow, 'id' | 'tenant_id' | 'account_id' | 'status' | 'definition'>;

/** A webhook secret as senders hold it (`whsec_` and 32 random bytes). */
const newWebhookSecret = () => `whsec_${generateToken(32)}`;

/** Rewrite the workflow's trigger row; returns the webhook secret when a new one was made (shown once). */
export async function syncTrigger(tx: Tx, config: Config, workflow: SyncedWorkflow, now = new Date()): Promise<{ webhookSecret: string | null }> {
  const parsed = workflowDefinitionSchema.safeParse(workflow.definition);
  const trigger = parsed.success ? parsed.data.trigger : null;
  if (!trigger || trigger.kind === 'manual') {
    await deleteTriggerOfWorkflow(tx, workflow.id);
    return { webhookSecret: null };
  }
  const existing = await findTriggerOfWorkflow(tx, workflow.id, { lock: true });
  const active = workflow.status === 'active';
  const base = {
    tenant_id: workflow.tenant_id,
    account_id: workflow.account_id,
    workflow_id: workflow.id,
    kind: trigger.kind,
    active,
    event_type: null,
    filter: null,
    cron: null,
    timezone: null,
    next_fire_at: null,
    webhook_key: null,
    webhook_secret_encrypted: null,
  } satisfies Omit<TriggerRow, 'id'>;
  let webhookSecret: string | null = null;
  if (trigger.kind === 'event') {
    await upsertTrigger(tx, { ...base, event_type: trigger.eventType, filter: trigger.filter });
  } else if (trigger.kind === 'schedule') {
    const unchanged = existing?.kind === 'schedule' && existing.active && existing.next_fire_at && existing.cron === trigger.cron && existing.timezone === trigger.timezone;
    const nextFireAt = !active ? null : unchanged ? new Date(existing.next_fire_at!) : nextFireAfter(trigger.cron, trigger.timezone, now);
    await upsertTrigger(tx, { ...base, cron: trigger.cron, timezone: trigger.timezone, next_fire_at: nextFireAt });
  } else {
    const keep = existing?.kind === 'webhook' && existing.webhook_key && existing.webhook_secret_encrypted;
    if (!keep) webhookSecret = newWebhookSecret();
    await upsertTrigger(tx, {
      ...base,
      webhook_key: keep ? existing.webhook_key : generateToken(24),
      webhook_secret_encrypted: keep ? existing.webhook_secret_encrypted : encryptSecret(config, webhookSecret!),
    });
  }
  return { webhookSecret };
}

/** A new secret for the workflow's webhook (the old one stops verifying at once); null: not a webhook workflow. */
export async function rotateTriggerSecret(tx: Tx, config: Config, workflowId: string): Promise<string | null> {
  const existing = await findTriggerOfWorkflow(tx, workflowId, { lock: true });
  if (existing?.kind !== 'webhook') return null;
  const secret = newWebhookSecret();
  await updateWebhookSecret(tx, workflowId, encryptSecret(config, secret));
  return secret;
}
