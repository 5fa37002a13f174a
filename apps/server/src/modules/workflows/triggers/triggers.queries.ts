import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';

/**
 * The only code that reads or writes workflow_triggers (migrations/0021_workflow_triggers.sql), in the
 * caller's transaction: withTenant, or system access for the schedule job and the public webhook's key
 * look-up (the tenant is not known before it).
 */

const rowsOf = async <T>(tx: Tx, query: SQL): Promise<T[]> => (await tx.execute<T & Record<string, unknown>>(query)).rows as T[];

export type TriggerRow = {
  id: string;
  tenant_id: string;
  account_id: string;
  workflow_id: string;
  kind: 'event' | 'schedule' | 'webhook';
  active: boolean;
  event_type: string | null;
  filter: string | null;
  cron: string | null;
  timezone: string | null;
  next_fire_at: Date | null;
  webhook_key: string | null;
  webhook_secret_encrypted: string | null;
};

export type TriggerValues = Omit<TriggerRow, 'id' | 'webhook_key' | 'webhook_secret_encrypted'> & { webhook_key: string | null; webhook_secret_encrypted: string | null };

export async function findTriggerOfWorkflow(tx: Tx, workflowId: string, options: { lock?: boolean } = {}): Promise<TriggerRow | null> {
  const rows = await rowsOf<TriggerRow>(tx, sql`SELECT * FROM workflow_triggers WHERE workflow_id = ${workflowId} ${options.lock ? sql`FOR UPDATE` : sql``}`);
  return rows[0] ?? null;
}

/** Write the workflow's trigger row (insert, or rewrite the one it has). */
export async function upsertTrigger(tx: Tx, values: TriggerValues): Promise<void> {
  await tx.execute(
    sql`INSERT INTO workflow_triggers (tenant_id, account_id, workflow_id, kind, active, event_type, filter, cron, timezone, next_fire_at, webhook_key, webhook_secret_encrypted)
        VALUES (${values.tenant_id}, ${values.account_id}, ${values.workflow_id}, ${values.kind}, ${values.active}, ${values.event_type}, ${values.filter}, ${values.cron},
                ${values.timezone}, ${values.next_fire_at?.toISOString() ?? null}::timestamptz, ${values.webhook_key}, ${values.webhook_secret_encrypted})
        ON CONFLICT (workflow_id) DO UPDATE SET kind = excluded.kind, active = excluded.active, event_type = excluded.event_type, filter = excluded.filter,
               cron = excluded.cron, timezone = excluded.timezone, next_fire_at = excluded.next_fire_at, webhook_key = excluded.webhook_key,
               webhook_secret_encrypted = excluded.webhook_secret_encrypted, updated_at = now()`,
  );
}

export async function deleteTriggerOfWorkflow(tx: Tx, workflowId: string): Promise<void> {
  await tx.execute(sql`DELETE FROM workflow_triggers WHERE workflow_id = ${workflowId}`);
}

export async function updateWebhookSecret(tx: Tx, workflowId: string, secretEncrypted: string): Promise<void> {
  await tx.execute(sql`UPDATE workflow_triggers SET webhook_secret_encrypted = ${secretEncrypted}, updated_at = now() WHERE workflow_id = ${workflowId} AND kind = 'webhook'`);
}

/** The tenant's active event triggers of this type for one account (the tenant comes from the transaction). */
export async function selectEventTriggers(tx: Tx, eventType: string, accountId: string): Promise<TriggerRow[]> {
  return rowsOf<TriggerRow>(
    tx,
    sql`SELECT * FROM workflow_triggers WHERE kind = 'event' AND active AND event_type = ${eventType} AND account_id = ${accountId} ORDER BY created_at, id`,
  );
}

/** A webhook trigger by its public key, whatever its tenant (system access). */
export async function findWebhookTrigger(tx: Tx, key: string): Promise<TriggerRow | null> {
  const rows = await rowsOf<TriggerRow>(tx, sql`SELECT * FROM workflow_triggers WHERE webhook_key = ${key} AND kind = 'webhook'`);
  return rows[0] ?? null;
}

/** Due schedules across tenants (system access), locked; another fire job running at once skips them. */
export async function claimDueSchedules(tx: Tx, limit: number): Promise<TriggerRow[]> {
  return rowsOf<TriggerRow>(
    tx,
    sql`SELECT * FROM workflow_triggers WHERE kind = 'schedule' AND active AND next_fire_at <= clock_timestamp()
         ORDER BY next_fire_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
  );
}

export async function updateNextFire(tx: Tx, triggerId: string, nextFireAt: Date): Promise<void> {
  await tx.execute(sql`UPDATE workflow_triggers SET next_fire_at = ${nextFireAt.toISOString()}::timestamptz WHERE id = ${triggerId}`);
}

// ------------------------------------------------------------------------------------------ webhook receipts

/** The run a signed payload started before (a replay under another delivery id), or null. */
export async function findWebhookReceipt(tx: Tx, workflowId: string, signatureSha256: string): Promise<string | null> {
  const rows = await rowsOf<{ run_id: string }>(tx, sql`SELECT run_id FROM workflow_webhook_receipts WHERE workflow_id = ${workflowId} AND signature_sha256 = ${signatureSha256}`);
  return rows[0]?.run_id ?? null;
}

export async function insertWebhookReceipt(tx: Tx, values: { tenantId: string; workflowId: string; signatureSha256: string; runId: string }): Promise<void> {
  await tx.execute(
    sql`INSERT INTO workflow_webhook_receipts (tenant_id, workflow_id, signature_sha256, run_id)
        VALUES (${values.tenantId}, ${values.workflowId}, ${values.signatureSha256}, ${values.runId}) ON CONFLICT DO NOTHING`,
  );
}

/** Drop receipts older than `seconds` (system access): their timestamps are refused by now anyway. */
export async function pruneWebhookReceipts(tx: Tx, seconds: number): Promise<number> {
  const result = await tx.execute(sql`DELETE FROM workflow_webhook_receipts WHERE received_at < now() - ${seconds}::int * interval '1 second'`);
  return result.rowCount ?? 0;
}
