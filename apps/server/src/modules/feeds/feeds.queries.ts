import { and, asc, desc, eq, lte, ne } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';
import {
  feedEntries,
  feedSubscriptions,
  feedWebhookEndpoints,
  feedWebhookReceipts,
  type EntryRow,
  type NewEntry,
  type SubscriptionRow,
  type WebhookEndpointRow,
} from './feeds.schema.js';

/**
 * The only code that reads or writes the feeds tables. Every function runs in the caller's transaction
 * (withTenant: row-level security limits it to that tenant; system access only for the poll scheduler,
 * the receipt prune and the public webhook's endpoint lookup, before the tenant is known).
 */

// ------------------------------------------------------------------------------------------ subscriptions

export async function selectSubscriptions(tx: Tx, accountId: string): Promise<SubscriptionRow[]> {
  return tx.select().from(feedSubscriptions).where(eq(feedSubscriptions.accountId, accountId)).orderBy(asc(feedSubscriptions.createdAt), asc(feedSubscriptions.id));
}

export async function selectSubscriptionById(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | null> {
  const query = tx.select().from(feedSubscriptions).where(eq(feedSubscriptions.id, id));
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

export type NewSubscription = typeof feedSubscriptions.$inferInsert;

/** Null when the account already follows this URL. */
export async function insertSubscription(tx: Tx, values: NewSubscription): Promise<SubscriptionRow | null> {
  const rows = await tx.insert(feedSubscriptions).values(values).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

export type SubscriptionUpdate = Partial<Omit<SubscriptionRow, 'id' | 'tenantId' | 'accountId' | 'createdAt' | 'createdBy'>>;

export async function updateSubscription(tx: Tx, id: string, update: SubscriptionUpdate): Promise<SubscriptionRow> {
  const rows = await tx.update(feedSubscriptions).set({ ...update, updatedAt: new Date() }).where(eq(feedSubscriptions.id, id)).returning();
  return rows[0]!;
}

export async function deleteSubscription(tx: Tx, id: string): Promise<void> {
  await tx.delete(feedSubscriptions).where(eq(feedSubscriptions.id, id));
}

/** Due subscriptions across tenants (system access), oldest due first. */
export async function selectDueSubscriptions(tx: Tx, now: Date, limit: number): Promise<Array<{ id: string; tenantId: string }>> {
  return tx
    .select({ id: feedSubscriptions.id, tenantId: feedSubscriptions.tenantId })
    .from(feedSubscriptions)
    .where(and(ne(feedSubscriptions.status, 'paused'), lte(feedSubscriptions.nextPollAt, now)))
    .orderBy(asc(feedSubscriptions.nextPollAt))
    .limit(limit);
}

// ------------------------------------------------------------------------------------------ webhook endpoints

export async function selectWebhookEndpoints(tx: Tx, accountId: string): Promise<WebhookEndpointRow[]> {
  return tx
    .select()
    .from(feedWebhookEndpoints)
    .where(eq(feedWebhookEndpoints.accountId, accountId))
    .orderBy(asc(feedWebhookEndpoints.createdAt), asc(feedWebhookEndpoints.id));
}

export async function selectWebhookEndpointById(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpointRow | null> {
  const query = tx.select().from(feedWebhookEndpoints).where(eq(feedWebhookEndpoints.id, id));
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

export async function insertWebhookEndpoint(tx: Tx, values: typeof feedWebhookEndpoints.$inferInsert): Promise<WebhookEndpointRow> {
  const rows = await tx.insert(feedWebhookEndpoints).values(values).returning();
  return rows[0]!;
}

export type WebhookEndpointUpdate = Partial<Omit<WebhookEndpointRow, 'id' | 'tenantId' | 'accountId' | 'createdAt' | 'createdBy'>>;

export async function updateWebhookEndpoint(tx: Tx, id: string, update: WebhookEndpointUpdate): Promise<WebhookEndpointRow> {
  const rows = await tx.update(feedWebhookEndpoints).set({ ...update, updatedAt: new Date() }).where(eq(feedWebhookEndpoints.id, id)).returning();
  return rows[0]!;
}

export async function deleteWebhookEndpoint(tx: Tx, id: string): Promise<void> {
  await tx.delete(feedWebhookEndpoints).where(eq(feedWebhookEndpoints.id, id));
}

/** A receipt per signed payload; false when it was seen before (a replay). */
export async function insertWebhookReceipt(tx: Tx, values: { tenantId: string; endpointId: string; signatureSha256: string }): Promise<boolean> {
  const rows = await tx.insert(feedWebhookReceipts).values(values).onConflictDoNothing().returning({ endpointId: feedWebhookReceipts.endpointId });
  return rows.length === 1;
}

/** Receipts older than `before`, across tenants (system access). */
export async function deleteWebhookReceiptsBefore(tx: Tx, before: Date): Promise<number> {
  const rows = await tx.delete(feedWebhookReceipts).where(lte(feedWebhookReceipts.receivedAt, before)).returning({ endpointId: feedWebhookReceipts.endpointId });
  return rows.length;
}

// ------------------------------------------------------------------------------------------ entries

/** Insert what is new; entries already known (same source and key) are left alone. Returns the new rows. */
export async function insertEntries(tx: Tx, entries: NewEntry[]): Promise<EntryRow[]> {
  if (entries.length === 0) return [];
  return tx.insert(feedEntries).values(entries).onConflictDoNothing().returning();
}

export async function selectEntryByKey(tx: Tx, key: { sourceType: EntryRow['sourceType']; sourceId: string; entryKey: string }): Promise<EntryRow | null> {
  const rows = await tx
    .select()
    .from(feedEntries)
    .where(and(eq(feedEntries.sourceType, key.sourceType), eq(feedEntries.sourceId, key.sourceId), eq(feedEntries.entryKey, key.entryKey)));
  return rows[0] ?? null;
}

export async function selectEntryById(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<EntryRow | null> {
  const query = tx.select().from(feedEntries).where(eq(feedEntries.id, id));
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

export type EntryFilter = { accountId: string; sourceType?: EntryRow['sourceType']; sourceId?: string; limit: number };

export async function selectEntries(tx: Tx, filter: EntryFilter): Promise<EntryRow[]> {
  const conditions = [
    eq(feedEntries.accountId, filter.accountId),
    filter.sourceType ? eq(feedEntries.sourceType, filter.sourceType) : undefined,
    filter.sourceId ? eq(feedEntries.sourceId, filter.sourceId) : undefined,
  ].filter((condition) => condition !== undefined);
  return tx
    .select()
    .from(feedEntries)
    .where(and(...conditions))
    .orderBy(desc(feedEntries.receivedAt), desc(feedEntries.id))
    .limit(filter.limit);
}

export async function updateEntry(tx: Tx, id: string, update: Partial<Pick<EntryRow, 'status' | 'postId' | 'error' | 'processedAt'>>): Promise<EntryRow> {
  const rows = await tx.update(feedEntries).set(update).where(eq(feedEntries.id, id)).returning();
  return rows[0]!;
}
