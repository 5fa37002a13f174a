import type { Tx } from '../../kernel/db/database.js';
import { isAppError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { createPostFromArticle } from '../content/index.js';
import { importMediaFromUrl } from '../media/index.js';
import { defineNotificationKind, notifyUsers } from '../notifications/index.js';
import { listAccountUserIdsWithRole } from '../tenancy/index.js';
import type { EntryRow } from './feeds.schema.js';

/**
 * Where feeds hands an article on: media.importMediaFromUrl brings its image into the library (outside any
 * transaction, as media asks), content.createPostFromArticle makes one post with per-network variants from
 * the template, revision 1, submitted for approval by the system — in the caller's transaction, with the
 * editors told (notifications). docs/design/content-studio.md §9.
 */

export const draftsCreatedKind = defineNotificationKind('feeds.drafts_created', {
  emailByDefault: false,
  description: 'A feed or webhook produced a draft post waiting for review',
});
export const subscriptionFailingKind = defineNotificationKind('feeds.subscription_failing', {
  emailByDefault: true,
  description: 'A feed subscription failed 10 times in a row',
});

/** The account's editors and up (tenant owners and admins included), in the caller's transaction. */
async function notifyEditors(
  kernel: Kernel,
  tx: Tx,
  scope: { tenantId: string; accountId: string },
  message: { kind: string; title: string; body: string; linkPath: string; subject: { type: string; id: string } },
): Promise<void> {
  const userIds = await listAccountUserIdsWithRole(tx, { accountId: scope.accountId, minAccountRole: 'editor' });
  await notifyUsers(tx, { config: kernel.config, tenantId: scope.tenantId, accountId: scope.accountId, userIds, ...message });
}

export type ArticleDraftSource = { kind: 'feed' | 'webhook'; id: string; name: string; templateId: string | null; connectionIds: string[] };

/**
 * The article's image as a library asset, or why there is none. Refusals (policy, type, size, quota) and
 * an unreachable origin leave the draft without an image and a note; they never block the draft.
 */
export async function importArticleImage(kernel: Kernel, entry: EntryRow): Promise<{ assetId: string | null; note: string | null }> {
  if (!entry.imageUrl) return { assetId: null, note: null };
  try {
    const asset = await importMediaFromUrl(kernel, {
      tenantId: entry.tenantId,
      accountId: entry.accountId,
      url: entry.imageUrl,
      createdBy: null,
      altText: entry.title,
      tags: ['feed'],
    });
    return { assetId: asset.id, note: null };
  } catch (error) {
    const reason = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    kernel.logger.info({ entryId: entry.id, reason }, 'feeds: article image not imported');
    return { assetId: null, note: `The article’s image was not imported: ${reason}`.slice(0, 1000) };
  }
}

/** Make the draft post of an entry in the caller's transaction and tell the account's editors; the post id. */
export async function createDraftFromEntry(kernel: Kernel, tx: Tx, entry: EntryRow, source: ArticleDraftSource, imageAssetId: string | null): Promise<string> {
  const { postId } = await createPostFromArticle(tx, { config: kernel.config, tenantId: entry.tenantId }, {
    accountId: entry.accountId,
    templateId: source.templateId,
    connectionIds: source.connectionIds,
    article: {
      title: entry.title,
      url: entry.url,
      summary: entry.summary,
      author: entry.author,
      publishedAt: entry.publishedAt,
      tags: entry.tags,
      imageAssetId,
    },
    source: { kind: source.kind, id: source.id, entryId: entry.id, name: source.name },
  });
  await notifyEditors(kernel, tx, entry, {
    kind: draftsCreatedKind.kind,
    title: `New draft from ${source.kind} ${source.name}`,
    body: `“${entry.title}” is waiting for review.`,
    linkPath: `/content/posts/${postId}`,
    subject: { type: 'post', id: postId },
  });
  return postId;
}

/** Tell the account's editors that a subscription keeps failing (in the transaction that flags it). */
export async function notifySubscriptionFailing(
  kernel: Kernel,
  tx: Tx,
  subscription: { id: string; tenantId: string; accountId: string; url: string; title: string | null; lastError: string | null; consecutiveFailures: number },
): Promise<void> {
  await notifyEditors(kernel, tx, subscription, {
    kind: subscriptionFailingKind.kind,
    title: `Feed ${subscription.title ?? subscription.url} keeps failing`,
    body: `Omni could not read it ${subscription.consecutiveFailures} times in a row. Last error: ${subscription.lastError ?? 'unknown'}`,
    linkPath: '/settings/feeds',
    subject: { type: 'feed_subscription', id: subscription.id },
  });
}
