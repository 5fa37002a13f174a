import type { FeedEntryList, FeedEntryListQuery } from '@omni/contracts/feeds';
import { sql } from 'drizzle-orm';
import { emitEvent } from '../../../kernel/events/events.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isAppError } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { createDraftFromEntry, importArticleImage, type ArticleDraftSource } from '../feeds.drafts.js';
import { feedsPermissions } from '../feeds.permissions.js';
import { selectEntries, selectEntryById, selectSubscriptionById, selectWebhookEndpointById, updateEntry } from '../feeds.queries.js';
import type { EntryRow } from '../feeds.schema.js';
import { requireFeedsAccount, toEntryDto } from '../feeds.shared.js';

/** Received articles: the list people see, and turning one entry into a draft post (the job). */

export async function listEntries(ctx: ServiceContext, query: FeedEntryListQuery): Promise<FeedEntryList> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.read);
  const rows = await withTenantRead(ctx, (tx) => selectEntries(tx, { accountId, sourceType: query.sourceType, sourceId: query.sourceId, limit: query.limit }));
  return { items: rows.map(toEntryDto) };
}

async function sourceOf(tx: Tx, entry: EntryRow): Promise<ArticleDraftSource | null> {
  if (entry.sourceType === 'feed') {
    const subscription = await selectSubscriptionById(tx, entry.sourceId);
    return subscription
      ? { kind: 'feed', id: subscription.id, name: subscription.title ?? subscription.url, templateId: subscription.templateId, connectionIds: subscription.connectionIds }
      : null;
  }
  const endpoint = await selectWebhookEndpointById(tx, entry.sourceId);
  return endpoint ? { kind: 'webhook', id: endpoint.id, name: endpoint.name, templateId: endpoint.templateId, connectionIds: endpoint.connectionIds } : null;
}

const isPending = (entry: EntryRow | null): entry is EntryRow => entry !== null && entry.status === 'pending' && entry.postId === null;

/**
 * feeds.process-entry: one pending entry → its image imported into the library (before any transaction,
 * as media asks) → one draft post in review, made in one transaction with the entry locked: a second run
 * finds it drafted and does nothing. A source removed meanwhile, or a refusal by content (e.g. the
 * template was deleted), fails the entry with the reason; anything else is thrown and retried.
 */
export async function processEntry(kernel: Kernel, tenantId: string, entryId: string): Promise<void> {
  const scope = { db: kernel.db, tenantId };
  const current = await withTenantRead(scope, (tx) => selectEntryById(tx, entryId));
  if (!isPending(current)) return;
  const image = await importArticleImage(kernel, current);
  await withTenant(scope, async (tx) => {
    const entry = await selectEntryById(tx, entryId, { forUpdate: true });
    if (!isPending(entry)) return;
    const source = await sourceOf(tx, entry);
    if (!source) {
      await updateEntry(tx, entry.id, { status: 'failed', error: 'The feed or webhook this article came from was removed.', processedAt: new Date() });
      return;
    }
    let postId: string;
    // A savepoint: when content refuses, nothing of the attempt is kept, but the entry records why.
    await tx.execute(sql`SAVEPOINT feeds_draft`);
    try {
      postId = await createDraftFromEntry(kernel, tx, entry, source, image.assetId);
      await tx.execute(sql`RELEASE SAVEPOINT feeds_draft`);
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      await tx.execute(sql`ROLLBACK TO SAVEPOINT feeds_draft`);
      await updateEntry(tx, entry.id, { status: 'failed', error: `No draft was made: ${error.message}`.slice(0, 1000), processedAt: new Date() });
      return;
    }
    await updateEntry(tx, entry.id, { status: 'drafted', postId, error: image.note, processedAt: new Date() });
    await emitEvent(tx, {
      tenantId,
      type: 'feeds.article_received',
      payload: { entryId: entry.id, accountId: entry.accountId, sourceType: entry.sourceType, sourceId: entry.sourceId, url: entry.url, postId },
    });
  });
}
