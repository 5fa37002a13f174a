import type {
  CreateFeedSubscriptionBody,
  FeedPollResult,
  FeedPreview,
  FeedPreviewBody,
  FeedSubscription,
  FeedSubscriptionList,
  UpdateFeedSubscriptionBody,
} from '@omni/contracts/feeds';
import { requireActor } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isUuid } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, conflict, notFound } from '../../../kernel/errors.js';
import { OutboundRefusal } from '../../../kernel/http/outbound-fetch.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { enqueuePoll } from '../feeds.jobs.js';
import { feedsPermissions } from '../feeds.permissions.js';
import { deleteSubscription, insertSubscription, selectSubscriptionById, selectSubscriptions, updateSubscription } from '../feeds.queries.js';
import type { SubscriptionRow } from '../feeds.schema.js';
import { createFeedFetcher, requireAccountConnections, requireAccountTemplate, requireFeedsAccount, toSubscriptionDto } from '../feeds.shared.js';
import { fetchFeed, pollSubscription } from './poll.js';

/** Feed subscriptions of the active account: list, preview, add, change, remove, poll now. */

async function requireSubscription(ctx: ServiceContext, tx: Tx, accountId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<SubscriptionRow> {
  const row = isUuid(id) ? await selectSubscriptionById(tx, id, options) : null;
  // Another account's subscription is as unknown as a missing one.
  if (!row || row.accountId !== accountId) throw notFound('Feed subscription');
  return row;
}

/** The URL-level policy (https, no credentials, no private or metadata address literal): 422 with the reason. */
function requireFetchableUrl(ctx: ServiceContext, url: string): string {
  try {
    return createFeedFetcher(ctx.config).check(url);
  } catch (error) {
    if (error instanceof OutboundRefusal) {
      throw new AppError('unprocessable', 'feeds.url_refused', `Omni cannot read this feed: ${error.message}.`, { errors: [{ path: 'url', message: error.message }] });
    }
    throw error;
  }
}

function requirePollInterval(ctx: ServiceContext, minutes: number): number {
  const minimum = ctx.config.FEEDS_POLL_MIN_MINUTES;
  if (minutes < minimum) {
    throw new AppError('unprocessable', 'feeds.poll_interval_too_short', `Poll at most every ${minimum} minutes.`, {
      errors: [{ path: 'pollIntervalMinutes', message: `At least ${minimum} minutes.` }],
    });
  }
  return minutes;
}

export async function listSubscriptions(ctx: ServiceContext): Promise<FeedSubscriptionList> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.read);
  const rows = await withTenantRead(ctx, (tx) => selectSubscriptions(tx, accountId));
  return { items: rows.map(toSubscriptionDto) };
}

/** Fetch and parse without saving: the feed's title and newest entries, or 422 saying why it cannot be read. */
export async function previewFeed(ctx: ServiceContext, body: FeedPreviewBody): Promise<FeedPreview> {
  requireFeedsAccount(ctx, feedsPermissions.manage);
  const url = requireFetchableUrl(ctx, body.url);
  const result = await fetchFeed(ctx, url);
  if (result.kind === 'failed') throw new AppError('unprocessable', 'feeds.fetch_failed', `Omni could not read this feed: ${result.message}.`);
  if (result.kind !== 'parsed') throw new AppError('unprocessable', 'feeds.fetch_failed', 'The feed answered 304 Not Modified to a request without validators.');
  const { feed } = result;
  return {
    url,
    title: feed.title,
    format: feed.format,
    link: feed.link,
    entries: feed.articles.slice(0, 10).map((article) => ({
      key: article.key,
      title: article.title,
      url: article.url,
      publishedAt: article.publishedAt?.toISOString() ?? null,
      imageUrl: article.imageUrl,
    })),
  };
}

/** Add a subscription; its first poll is queued in the same transaction. */
export async function createSubscription(ctx: ServiceContext, body: CreateFeedSubscriptionBody): Promise<FeedSubscription> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  const actor = requireActor(ctx);
  const url = requireFetchableUrl(ctx, body.url);
  const pollIntervalMinutes = requirePollInterval(ctx, body.pollIntervalMinutes);
  return withTenant(ctx, async (tx) => {
    const connectionIds = await requireAccountConnections(tx, accountId, body.connectionIds);
    await requireAccountTemplate(tx, accountId, body.templateId);
    const row = await insertSubscription(tx, {
      tenantId: ctx.tenantId!,
      accountId,
      url,
      pollIntervalMinutes,
      templateId: body.templateId,
      connectionIds,
      backfill: body.backfill,
      createdBy: actor.userId,
    });
    if (!row) throw conflict('feeds.subscription_exists', 'This account already follows this feed.');
    await enqueuePoll(tx, row.tenantId, row.id);
    ctx.audit.targetType = 'feed_subscription';
    ctx.audit.targetId = row.id;
    return toSubscriptionDto(row);
  });
}

export async function updateSubscriptionSettings(ctx: ServiceContext, id: string, body: UpdateFeedSubscriptionBody): Promise<FeedSubscription> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  const pollIntervalMinutes = body.pollIntervalMinutes === undefined ? undefined : requirePollInterval(ctx, body.pollIntervalMinutes);
  return withTenant(ctx, async (tx) => {
    const row = await requireSubscription(ctx, tx, accountId, id, { forUpdate: true });
    const connectionIds = body.connectionIds === undefined ? undefined : await requireAccountConnections(tx, accountId, body.connectionIds);
    await requireAccountTemplate(tx, accountId, body.templateId);
    const resumed = body.status === 'active' && row.status !== 'active';
    const updated = await updateSubscription(tx, row.id, {
      ...(body.templateId !== undefined ? { templateId: body.templateId } : {}),
      ...(connectionIds !== undefined ? { connectionIds } : {}),
      ...(pollIntervalMinutes !== undefined ? { pollIntervalMinutes } : {}),
      ...(body.status === 'paused' ? { status: 'paused' as const } : {}),
      // Resuming (a paused or failing subscription) starts afresh: polled now, failures forgotten.
      ...(resumed ? { status: 'active' as const, consecutiveFailures: 0, nextPollAt: new Date() } : {}),
    });
    if (resumed) await enqueuePoll(tx, updated.tenantId, updated.id);
    return toSubscriptionDto(updated);
  });
}

/** Remove a subscription; its received entries (and the posts made from them) stay. */
export async function removeSubscription(ctx: ServiceContext, id: string): Promise<void> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  await withTenant(ctx, async (tx) => {
    const row = await requireSubscription(ctx, tx, accountId, id, { forUpdate: true });
    await deleteSubscription(tx, row.id);
  });
}

/** Poll now, in the request: the outcome and the subscription after it. */
export async function pollSubscriptionNow(ctx: ServiceContext, id: string): Promise<FeedPollResult> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  await withTenantRead(ctx, (tx) => requireSubscription(ctx, tx, accountId, id));
  const result = await pollSubscription(ctx, ctx.tenantId!, id, { manual: true });
  if (!result.subscription || result.outcome === 'skipped') throw notFound('Feed subscription');
  return { subscription: toSubscriptionDto(result.subscription), outcome: result.outcome, newEntries: result.newEntries };
}
