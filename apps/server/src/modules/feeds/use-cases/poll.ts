import { emitEvent } from '../../../kernel/events/events.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { Tx } from '../../../kernel/db/database.js';
import { OutboundHttpError, OutboundRefusal, OutboundTransportError, type OutboundResponse } from '../../../kernel/http/outbound-fetch.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { notifySubscriptionFailing } from '../feeds.drafts.js';
import { enqueueProcessEntries } from '../feeds.jobs.js';
import { FeedParseError, parseFeedDocument, type ParsedArticle, type ParsedFeed } from '../feeds.parser.js';
import { insertEntries, selectSubscriptionById, updateSubscription } from '../feeds.queries.js';
import type { NewEntry, SubscriptionRow } from '../feeds.schema.js';
import { createFeedFetcher } from '../feeds.shared.js';

/**
 * Polling one subscription: a conditional GET (If-None-Match / If-Modified-Since) through the feed fetcher
 * outside any transaction, then one transaction that records the outcome. New entries are inserted with
 * ON CONFLICT DO NOTHING (dedupe by source and key) and get one feeds.process-entry job each, in the same
 * transaction. The first successful poll records what the feed already holds without drafts (backfill
 * 'none') or drafts only the newest entry ('latest'). Failures back off (the interval doubles per failure
 * in a row, at most 24 hours); after 10 in a row the subscription is 'failing' until a poll succeeds.
 */

export const failingAfterFailures = 10;
const maxBackoffMs = 24 * 3600_000;

export type PollOutcome = {
  outcome: 'new_entries' | 'no_new_entries' | 'not_modified' | 'failed' | 'skipped';
  newEntries: number;
  subscription: SubscriptionRow | null;
};

type FetchResult = { kind: 'not_modified'; response: OutboundResponse } | { kind: 'parsed'; response: OutboundResponse; feed: ParsedFeed } | { kind: 'failed'; message: string };

/** When a subscription that failed `failures` times in a row is polled next. */
export function backoffDelayMs(pollIntervalMinutes: number, failures: number): number {
  return Math.min(pollIntervalMinutes * 60_000 * 2 ** Math.min(failures, 20), maxBackoffMs);
}

function decodeDocument(response: OutboundResponse): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(response.contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(response.bytes);
  } catch {
    return new TextDecoder('utf-8').decode(response.bytes);
  }
}

/** Why a fetch failed, for people: the policy's or the origin's words, never a stack. */
function describeFetchFailure(error: unknown): string | null {
  if (error instanceof OutboundRefusal || error instanceof OutboundHttpError) return error.message;
  if (error instanceof OutboundTransportError) {
    const cause = error.cause as { code?: string; name?: string } | undefined;
    const reason = cause?.name === 'TimeoutError' || cause?.name === 'AbortError' ? 'timed out' : (cause?.code ?? 'connection failed');
    return `${error.message} (${reason})`;
  }
  return null;
}

/** Fetch and parse a feed document (no database). Unexpected errors (bugs) are thrown, not reported. */
export async function fetchFeed(kernel: Kernel, url: string, validators: { etag: string | null; lastModified: string | null } = { etag: null, lastModified: null }): Promise<FetchResult> {
  const headers: Record<string, string> = {};
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  let response: OutboundResponse;
  try {
    response = await createFeedFetcher(kernel.config).fetch(url, { headers });
  } catch (error) {
    const message = describeFetchFailure(error);
    if (message === null) throw error;
    return { kind: 'failed', message };
  }
  if (response.status === 304) return { kind: 'not_modified', response };
  try {
    return { kind: 'parsed', response, feed: await parseFeedDocument(decodeDocument(response)) };
  } catch (error) {
    if (error instanceof FeedParseError) return { kind: 'failed', message: `feed ${url}: ${error.message}` };
    throw error;
  }
}

function headerValue(response: OutboundResponse, name: string): string | null {
  const value = response.headers[name];
  return typeof value === 'string' && value.length <= 500 ? value : null;
}

function entryValues(row: SubscriptionRow, article: ParsedArticle, status: NewEntry['status']): NewEntry {
  return {
    tenantId: row.tenantId,
    accountId: row.accountId,
    sourceType: 'feed',
    sourceId: row.id,
    entryKey: article.key,
    title: article.title,
    url: article.url,
    summary: article.summary,
    contentHtml: article.contentHtml,
    imageUrl: article.imageUrl,
    author: article.author,
    tags: article.tags,
    publishedAt: article.publishedAt,
    status,
  };
}

/** Entries dated this long before the first poll are old posts resurfacing in the feed's window. */
const resurfacedAfterMs = 7 * 24 * 3600_000;

/**
 * Which entries become drafts. First poll: none (backfill 'none') or the newest ('latest'). Later polls:
 * every new entry, except one dated more than a week before the subscription's first poll (an old post
 * pushed back into the feed's window is history, not news; the week absorbs feeds with wrong time zones).
 */
function statusOf(row: SubscriptionRow, article: ParsedArticle, index: number): NewEntry['status'] {
  if (!row.firstPolledAt) return row.backfill === 'latest' && index === 0 ? 'pending' : 'skipped';
  if (article.publishedAt && article.publishedAt.getTime() < row.firstPolledAt.getTime() - resurfacedAfterMs) return 'skipped';
  return 'pending';
}

async function recordFailure(kernel: Kernel, tx: Tx, row: SubscriptionRow, message: string, now: Date): Promise<SubscriptionRow> {
  const failures = row.consecutiveFailures + 1;
  const becomesFailing = failures >= failingAfterFailures && row.status === 'active';
  const updated = await updateSubscription(tx, row.id, {
    consecutiveFailures: failures,
    lastError: message.slice(0, 1000),
    lastPolledAt: now,
    nextPollAt: new Date(now.getTime() + backoffDelayMs(row.pollIntervalMinutes, failures)),
    status: becomesFailing ? 'failing' : row.status,
  });
  if (becomesFailing) {
    await emitEvent(tx, {
      tenantId: row.tenantId,
      type: 'feeds.subscription_failing',
      payload: { subscriptionId: row.id, accountId: row.accountId, url: row.url, failures, lastError: updated.lastError },
    });
    await notifySubscriptionFailing(kernel, tx, updated);
  }
  return updated;
}

async function recordSuccess(tx: Tx, row: SubscriptionRow, result: Exclude<FetchResult, { kind: 'failed' }>, now: Date): Promise<{ row: SubscriptionRow; newEntries: number }> {
  let inserted = 0;
  const update: Parameters<typeof updateSubscription>[2] = {
    consecutiveFailures: 0,
    lastError: null,
    lastPolledAt: now,
    nextPollAt: new Date(now.getTime() + row.pollIntervalMinutes * 60_000),
    status: row.status === 'failing' ? 'active' : row.status,
    etag: headerValue(result.response, 'etag') ?? row.etag,
    lastModified: headerValue(result.response, 'last-modified') ?? row.lastModified,
  };
  if (result.kind === 'parsed') {
    const { feed } = result;
    const rows = await insertEntries(tx, feed.articles.map((article, index) => entryValues(row, article, statusOf(row, article, index))));
    inserted = rows.length;
    await enqueueProcessEntries(tx, rows.filter((entry) => entry.status === 'pending'));
    Object.assign(update, { format: feed.format, title: feed.title ?? row.title, firstPolledAt: row.firstPolledAt ?? now });
    if (!headerValue(result.response, 'etag')) update.etag = null;
    if (!headerValue(result.response, 'last-modified')) update.lastModified = null;
  }
  return { row: await updateSubscription(tx, row.id, update), newEntries: inserted };
}

/**
 * Poll one subscription now. `manual`: a person asked (paused subscriptions too); otherwise the job skips
 * paused ones and ones not yet due (a duplicate job after a manual poll).
 */
export async function pollSubscription(kernel: Kernel, tenantId: string, subscriptionId: string, options: { manual?: boolean } = {}): Promise<PollOutcome> {
  const scope = { db: kernel.db, tenantId };
  const current = await withTenantRead(scope, (tx) => selectSubscriptionById(tx, subscriptionId));
  if (!current) return { outcome: 'skipped', newEntries: 0, subscription: null };
  if (!options.manual && (current.status === 'paused' || current.nextPollAt.getTime() > Date.now())) return { outcome: 'skipped', newEntries: 0, subscription: current };

  const result = await fetchFeed(kernel, current.url, { etag: current.etag, lastModified: current.lastModified });
  return withTenant(scope, async (tx) => {
    const row = await selectSubscriptionById(tx, subscriptionId, { forUpdate: true });
    // Removed, or its URL changed, while we fetched: what we fetched is not its news.
    if (!row || row.url !== current.url) return { outcome: 'skipped', newEntries: 0, subscription: row };
    const now = new Date();
    if (result.kind === 'failed') return { outcome: 'failed', newEntries: 0, subscription: await recordFailure(kernel, tx, row, result.message, now) };
    const recorded = await recordSuccess(tx, row, result, now);
    const outcome = result.kind === 'not_modified' ? 'not_modified' : recorded.newEntries > 0 ? 'new_entries' : 'no_new_entries';
    return { outcome, newEntries: recorded.newEntries, subscription: recorded.row };
  });
}
