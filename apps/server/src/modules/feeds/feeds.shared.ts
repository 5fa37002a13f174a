import type { FeedEntry, FeedSubscription, FeedWebhookEndpoint } from '@omni/contracts/feeds';
import { assertCan } from '../../kernel/access.js';
import type { Config } from '../../kernel/config.js';
import type { Tx } from '../../kernel/db/database.js';
import { AppError, badRequest } from '../../kernel/errors.js';
import { createOutboundFetcher, type OutboundFetcher } from '../../kernel/http/outbound-fetch.js';
import type { ServiceContext } from '../../kernel/module.js';
import { articleTemplateExists } from '../content/index.js';
import { checkSchedulingConnection } from '../social/index.js';
import { feedsPermissions } from './feeds.permissions.js';
import type { EntryRow, SubscriptionRow, WebhookEndpointRow } from './feeds.schema.js';
import { publicBaseUrl } from '../../kernel/http/public-url.js';
export { publicBaseUrl } from '../../kernel/http/public-url.js';

/** Helpers the feeds use cases share: the account in scope, the fetch policy, connection checks, DTOs. */

/** The active account of a feeds request, after the permission check. */
export function requireFeedsAccount(ctx: ServiceContext, permission: (typeof feedsPermissions)[keyof typeof feedsPermissions]): string {
  assertCan(ctx, permission);
  if (!ctx.accountId) throw badRequest('feeds.account_required', 'Switch to an account first: feeds belong to an account.');
  return ctx.accountId;
}

/** How long one feed download may take, redirects included. */
export const feedFetchTimeoutMs = 30_000;

/**
 * The fetcher for feed documents and article images: any origin, but only over https and only to global
 * unicast addresses (decision 008's address rules: private, loopback, link-local and metadata addresses are
 * refused, also after redirects and DNS answers). FEEDS_FETCH_ALLOW_LOOPBACK lets development and tests
 * reach local fakes over http.
 */
export function createFeedFetcher(config: Config): OutboundFetcher {
  return createOutboundFetcher({
    origins: 'public',
    maxBytes: config.FEEDS_FETCH_MAX_BYTES,
    timeoutMs: feedFetchTimeoutMs,
    allowLoopback: config.FEEDS_FETCH_ALLOW_LOOPBACK,
    subject: 'feed',
    sizeHint: ' (FEEDS_FETCH_MAX_BYTES)',
    userAgent: 'Omni-Feeds/1 (+feed reader)',
    accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
  });
}

/** Every connection must be one of the account's (another account's is as unknown as a missing one). */
export async function requireAccountConnections(tx: Tx, accountId: string, connectionIds: string[]): Promise<string[]> {
  const unique = [...new Set(connectionIds)];
  const errors = [];
  for (const [index, connectionId] of unique.entries()) {
    const check = await checkSchedulingConnection(tx, { accountId, connectionId });
    if (!check.ok && check.problem === 'not_found') errors.push({ path: `connectionIds.${index}`, message: `Connection ${connectionId} is not one of this account's.` });
  }
  if (errors.length > 0) throw new AppError('unprocessable', 'feeds.connection_unknown', 'Choose connections of this account.', { errors });
  return unique;
}

/** A template named for the drafts must be one of the account's (null: drafts without a template). */
export async function requireAccountTemplate(tx: Tx, accountId: string, templateId: string | null | undefined): Promise<void> {
  if (!templateId || (await articleTemplateExists(tx, accountId, templateId))) return;
  throw new AppError('unprocessable', 'feeds.template_unknown', 'Choose a template of this account.', {
    errors: [{ path: 'templateId', message: `Template ${templateId} is not one of this account's.` }],
  });
}

export function webhookUrlOf(config: Config, endpointId: string): string {
  return `${publicBaseUrl(config)}/api/public/feeds/webhooks/${endpointId}`;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toSubscriptionDto(row: SubscriptionRow): FeedSubscription {
  return {
    id: row.id,
    accountId: row.accountId,
    url: row.url,
    title: row.title,
    format: row.format,
    status: row.status,
    pollIntervalMinutes: row.pollIntervalMinutes,
    lastPolledAt: iso(row.lastPolledAt),
    nextPollAt: row.nextPollAt.toISOString(),
    consecutiveFailures: row.consecutiveFailures,
    lastError: row.lastError,
    templateId: row.templateId,
    connectionIds: row.connectionIds,
    backfill: row.backfill,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toWebhookEndpointDto(config: Config, row: WebhookEndpointRow): FeedWebhookEndpoint {
  const previousValid = row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now() ? row.previousSecretExpiresAt : null;
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    url: webhookUrlOf(config, row.id),
    templateId: row.templateId,
    connectionIds: row.connectionIds,
    status: row.status,
    lastReceivedAt: iso(row.lastReceivedAt),
    previousSecretExpiresAt: iso(previousValid),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toEntryDto(row: EntryRow): FeedEntry {
  return {
    id: row.id,
    accountId: row.accountId,
    sourceType: row.sourceType,
    sourceId: row.sourceId,
    title: row.title,
    url: row.url,
    imageUrl: row.imageUrl,
    publishedAt: iso(row.publishedAt),
    receivedAt: row.receivedAt.toISOString(),
    status: row.status,
    postId: row.postId,
    error: row.error,
  };
}
