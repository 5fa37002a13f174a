import { randomUUID } from 'node:crypto';
import { parseMediaReference } from '@omni/contracts/media';
import { publishMediaSchema, type PublishTarget, type PublishTargetStatus } from '@omni/contracts/publishing';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../../../kernel/config.js';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { AppError } from '../../../kernel/errors.js';
import { checkSchedulingConnection } from '../../social/index.js';
import { cancelPublish, scheduleDispatch } from '../publishing.jobs.js';
import { findSettings, findTarget, insertTarget, insertTransition, type StoredContent, type TargetRow } from '../publishing.queries.js';
import { rateWindows, type RateWindow } from '../publishing.rate-windows.js';
import { transitionTarget } from '../publishing.state.js';
import { assertNotPast, assertSchedulable, toTargetDto } from './targets.js';

/**
 * Publishing's internal API for other modules (content): transaction-level functions that run in the
 * caller's transaction and skip this module's permission checks — the caller has authorized the person.
 * The state machine and exactly-once rules (decision 006) are the same as for the public routes.
 */

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

const internalMediaSchema = publishMediaSchema.extend({
  // Omni's own media: omni-media:// references, resolved to short-lived signed URLs just before the provider call (design §5.5).
  url: z
    .string()
    .trim()
    .max(2048)
    .refine((value) => parseMediaReference(value) !== null || isHttpUrl(value), 'Use an http(s) URL or an omni-media:// reference.'),
});

/** Target content as other modules hand it over: like the public API's, plus omni-media:// references. */
export const internalContentSchema = z
  .object({
    text: z.string().max(20_000).default(''),
    media: z.array(internalMediaSchema).max(20).default([]),
    link: z.string().trim().max(2048).refine(isHttpUrl, 'Use an http(s) URL.').nullable().default(null),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((content) => content.text.trim().length > 0 || content.media.length > 0, { message: 'A post needs text or at least one media item.', path: ['text'] });
export type InternalContent = z.input<typeof internalContentSchema>;

function parseContent(content: InternalContent): StoredContent {
  const parsed = internalContentSchema.safeParse(content);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('unprocessable', 'publishing.invalid_content', `The post content is not valid: ${issue.path.join('.') || 'content'} ${issue.message}`);
  }
  return parsed.data;
}

export type ScheduleTargetItem = { connectionId: string; content: InternalContent; scheduledAt: Date };

/**
 * What POST /api/publishing/targets does, for many targets, in the caller's transaction: each connection
 * checked (in the account, active, with a destination; 404/409 AppErrors otherwise), each target inserted
 * with its own idempotency key and its `→ scheduled` transition, and one dispatcher wake-up per due second.
 * Rolls back with the caller. The order of the result is the order of `items`.
 */
export async function scheduleTargetsInTx(
  tx: Tx,
  input: { tenantId: string; accountId: string; createdBy: string | null; items: ScheduleTargetItem[] },
): Promise<PublishTarget[]> {
  const checks = new Map<string, Awaited<ReturnType<typeof checkSchedulingConnection>>>();
  const wakeUps = new Map<number, Date>();
  const created: PublishTarget[] = [];
  for (const item of input.items) {
    assertNotPast(item.scheduledAt);
    const content = parseContent(item.content);
    let check = checks.get(item.connectionId);
    if (!check) {
      check = await checkSchedulingConnection(tx, { accountId: input.accountId, connectionId: item.connectionId });
      checks.set(item.connectionId, check);
    }
    const connection = assertSchedulable(check);
    const row = await insertTarget(tx, {
      tenantId: input.tenantId,
      accountId: input.accountId,
      connectionId: item.connectionId,
      network: connection.network,
      content,
      scheduledAt: item.scheduledAt,
      idempotencyKey: `omni-${randomUUID()}`,
      createdBy: input.createdBy,
    });
    await insertTransition(tx, { tenantId: input.tenantId, targetId: row.id, from: null, to: 'scheduled', reason: `scheduled for ${item.scheduledAt.toISOString()}` });
    wakeUps.set(Math.floor(item.scheduledAt.getTime() / 1000), item.scheduledAt);
    created.push(toTargetDto(row));
  }
  for (const at of wakeUps.values()) await scheduleDispatch(tx, at);
  return created;
}

/** Why a revise or cancel did nothing: the target is no longer scheduled (or does not exist here). */
export type ScheduledChangeResult = { ok: true; target: PublishTarget } | { ok: false; currentStatus: PublishTargetStatus | 'not_found' };

async function lockScheduled(tx: Tx, targetId: string): Promise<{ target: TargetRow } | { refused: ScheduledChangeResult }> {
  const target = isUuid(targetId) ? await findTarget(tx, targetId, { lock: true }) : null;
  if (!target) return { refused: { ok: false, currentStatus: 'not_found' } };
  if (target.status !== 'scheduled') return { refused: { ok: false, currentStatus: target.status } };
  return { target };
}

/**
 * Change a still-scheduled target's content and/or time, in the caller's transaction, under its row lock.
 * A publish job already queued for it is removed and the dispatch mark cleared (so the old content or
 * time can never go out as well); the idempotency key stays (nothing was published under it); the change
 * is a `scheduled → scheduled` transition with `reason`, and the dispatcher is woken for the new time.
 * Anything but scheduled (publishing, published, …) is refused with the current status, changing nothing.
 */
export async function reviseScheduledTarget(
  tx: Tx,
  input: { targetId: string; content?: InternalContent; scheduledAt?: Date; reason: string },
): Promise<ScheduledChangeResult> {
  const locked = await lockScheduled(tx, input.targetId);
  if ('refused' in locked) return locked.refused;
  const content = input.content === undefined ? undefined : parseContent(input.content);
  if (input.scheduledAt) assertNotPast(input.scheduledAt);
  await cancelPublish(tx, locked.target.id);
  if (content) {
    await tx.execute(sql`UPDATE publish_targets SET content = ${JSON.stringify(content)}::jsonb WHERE id = ${locked.target.id}`);
  }
  // A retry waiting out its backoff keeps waiting unless the time itself moves.
  const dueAt = input.scheduledAt ?? locked.target.nextAttemptAt ?? locked.target.scheduledAt;
  const revised = await transitionTarget(tx, locked.target, 'scheduled', input.reason, {
    scheduledAt: input.scheduledAt,
    nextAttemptAt: dueAt,
    dispatchedAt: null,
  });
  await scheduleDispatch(tx, dueAt);
  return { ok: true, target: toTargetDto(revised) };
}

/**
 * Cancel a still-scheduled target in the caller's transaction (queued publish job removed, dispatch mark
 * cleared, `scheduled → cancelled` with `reason`); anything else is refused with the current status.
 */
export async function cancelScheduledTarget(tx: Tx, input: { targetId: string; reason: string }): Promise<ScheduledChangeResult> {
  const locked = await lockScheduled(tx, input.targetId);
  if ('refused' in locked) return locked.refused;
  await cancelPublish(tx, locked.target.id);
  const cancelled = await transitionTarget(tx, locked.target, 'cancelled', input.reason, { nextAttemptAt: null, dispatchedAt: null });
  return { ok: true, target: toTargetDto(cancelled) };
}

export type TargetStatusSummary = {
  id: string;
  status: PublishTargetStatus;
  network: string;
  connectionId: string;
  scheduledAt: string;
  publishedAt: string | null;
  externalUrl: string | null;
  lastError: string | null;
};

const uuidArray = (values: string[]) => sql`${`{${values.join(',')}}`}::uuid[]`;
const iso = (value: unknown): string => (value instanceof Date ? value : new Date(String(value))).toISOString();
const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));

/** The current statuses of many targets in one query (calendar, status sync); unknown ids are left out. */
export async function getTargetStatuses(tx: Tx, targetIds: string[]): Promise<TargetStatusSummary[]> {
  const ids = [...new Set(targetIds.filter(isUuid))];
  if (ids.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, status, network, connection_id, scheduled_at, published_at, external_url, last_error
      FROM publish_targets WHERE id = ANY(${uuidArray(ids)}) ORDER BY scheduled_at, id`);
  return rows.rows.map((row) => ({
    id: row.id as string,
    status: row.status as PublishTargetStatus,
    network: row.network as string,
    connectionId: row.connection_id as string,
    scheduledAt: iso(row.scheduled_at),
    publishedAt: isoOrNull(row.published_at),
    externalUrl: (row.external_url as string | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
  }));
}

export type ConnectionLoadItem = { targetId: string; connectionId: string; network: string; scheduledAt: string; status: PublishTargetStatus };

/**
 * Every target that is not cancelled on these connections scheduled in [from, to), whoever created it
 * (content or the publishing API directly): what conflict checks count.
 */
export async function listConnectionLoad(tx: Tx, input: { connectionIds: string[]; from: Date; to: Date }): Promise<ConnectionLoadItem[]> {
  const ids = [...new Set(input.connectionIds.filter(isUuid))];
  if (ids.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, connection_id, network, scheduled_at, status FROM publish_targets
     WHERE connection_id = ANY(${uuidArray(ids)}) AND status <> 'cancelled'
       AND scheduled_at >= ${input.from.toISOString()}::timestamptz AND scheduled_at < ${input.to.toISOString()}::timestamptz
     ORDER BY scheduled_at, id`);
  return rows.rows.map((row) => ({
    targetId: row.id as string,
    connectionId: row.connection_id as string,
    network: row.network as string,
    scheduledAt: iso(row.scheduled_at),
    status: row.status as PublishTargetStatus,
  }));
}

/** The per-connection rate windows in force (defaults and PUBLISH_NETWORK_RATE_LIMITS): "network limit" warnings. */
export function perConnectionWindows(config: Pick<Config, 'PUBLISH_NETWORK_RATE_LIMITS'>): RateWindow[] {
  return rateWindows(config).filter((window) => window.scope === 'connection');
}

/** The account's IANA time zone (publishing settings), or null when none is set. */
export async function getAccountTimezone(tx: Tx, accountId: string): Promise<string | null> {
  return (await findSettings(tx, accountId))?.timezone ?? null;
}
