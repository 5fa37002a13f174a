import { randomUUID } from 'node:crypto';
import type {
  CreatePublishTargetBody,
  PublishTarget,
  PublishTargetDetail,
  PublishTargetList,
  PublishTargetListQuery,
  ReschedulePublishTargetBody,
} from '@omni/contracts/publishing';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest, conflict, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { checkSchedulingConnection, type SchedulingCheck } from '../../social/index.js';
import { cancelPublish, scheduleDispatch } from '../publishing.jobs.js';
import { publishingPermissions } from '../publishing.permissions.js';
import {
  findLatestMetrics,
  findTarget,
  insertTarget,
  insertTransition,
  listAttempts,
  listTransitions,
  selectTargets,
  type TargetFilter,
  type TargetRow,
} from '../publishing.queries.js';
import { transitionTarget } from '../publishing.state.js';

/** A scheduled time this far in the past is a mistake, not "now" with clock skew. */
const pastToleranceMs = 5 * 60_000;

/** 400 when `scheduledAt` is further in the past than clock skew explains. */
export function assertNotPast(scheduledAt: Date): void {
  if (scheduledAt.getTime() < Date.now() - pastToleranceMs) {
    throw badRequest('publishing.scheduled_in_past', 'The scheduled time is in the past; choose a later time or publish now.', [
      { path: 'body.scheduledAt', message: 'is in the past' },
    ]);
  }
}

export function requireAccount(ctx: ServiceContext): string {
  if (!ctx.accountId) throw new AppError('forbidden', 'account.none_active', 'Choose an account first: post targets belong to an account.');
  return ctx.accountId;
}

export function toTargetDto(row: TargetRow): PublishTarget {
  return {
    id: row.id,
    accountId: row.accountId,
    connectionId: row.connectionId,
    network: row.network,
    content: {
      text: row.content.text,
      media: row.content.media.map((item) => ({ url: item.url, kind: item.kind, altText: item.altText ?? null, mimeType: item.mimeType ?? null })),
      link: row.content.link ?? null,
      options: row.content.options ?? {},
    },
    scheduledAt: row.scheduledAt.toISOString(),
    status: row.status,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    externalId: row.externalId,
    externalUrl: row.externalUrl,
    lastError: row.lastError,
    lastErrorKind: row.lastErrorKind,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Schedule one post on one connection (scheduledAt null or absent: publish now). */
export async function createTarget(ctx: ServiceContext, body: CreatePublishTargetBody): Promise<PublishTarget> {
  assertCan(ctx, publishingPermissions.publish);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const actor = requireActor(ctx);
  const scheduledAt = body.scheduledAt ? new Date(body.scheduledAt) : new Date();
  assertNotPast(scheduledAt);
  const target = await withTenant(ctx, async (tx) => {
    const connection = assertSchedulable(await checkSchedulingConnection(tx, { accountId, connectionId: body.connectionId }));
    const inserted = await insertTarget(tx, {
      tenantId,
      accountId,
      connectionId: body.connectionId,
      network: connection.network,
      content: body.content,
      scheduledAt,
      idempotencyKey: `omni-${randomUUID()}`,
      createdBy: actor.userId,
    });
    await insertTransition(tx, {
      tenantId,
      targetId: inserted.id,
      from: null,
      to: 'scheduled',
      reason: body.scheduledAt ? `scheduled for ${scheduledAt.toISOString()}` : 'publish now requested',
    });
    await scheduleDispatch(tx, scheduledAt);
    return inserted;
  });
  ctx.audit.targetType = 'publish_target';
  ctx.audit.targetId = target.id;
  ctx.audit.metadata = { connectionId: target.connectionId, network: target.network, scheduledAt: target.scheduledAt.toISOString() };
  return toTargetDto(target);
}

/**
 * The social module's answer on a connection, as this module's errors: posts of an account may only use
 * that account's connections (another's is 404 like a missing one), and only active ones with a destination.
 * A light check (one row, no tokens): the full load, with any token refresh, happens at publish time.
 */
export function assertSchedulable(check: SchedulingCheck): Extract<SchedulingCheck, { ok: true }> {
  if (check.ok) return check;
  switch (check.problem) {
    case 'not_found':
      throw notFound('Social connection');
    case 'no_destination':
      throw conflict('publishing.connection_without_destination', 'This connection has no page, board or profile selected: reconnect it and choose one.');
    case 'needs_reconnect':
    case 'disconnected':
      throw new AppError(
        'conflict',
        'publishing.connection_needs_reconnect',
        `This connection is ${check.problem === 'disconnected' ? 'disconnected' : 'waiting to be reconnected'}; reconnect it before scheduling posts on it.${check.reason ? ` (${check.reason})` : ''}`,
        { connectionStatus: check.problem },
      );
  }
}

function encodeCursor(row: TargetRow): string {
  return Buffer.from(JSON.stringify([row.scheduledAtText, row.id]), 'utf8').toString('base64url');
}

const timestampTextPattern = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}(?::?\d{2})?|Z)$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string | undefined): TargetFilter['cursor'] {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && timestampTextPattern.test(value[0]) && typeof value[1] === 'string' && uuidPattern.test(value[1])) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('request.invalid_cursor', 'The cursor is not valid; start again from the first page.', [
    { path: 'querystring.cursor', message: 'is not a cursor returned by this list' },
  ]);
}

/** The active account's post targets, newest scheduled first. */
export async function listTargets(ctx: ServiceContext, query: PublishTargetListQuery): Promise<PublishTargetList> {
  assertCan(ctx, publishingPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const from = query.from ? new Date(query.from) : undefined;
  const to = query.to ? new Date(query.to) : undefined;
  if (from && to && from.getTime() > to.getTime()) {
    throw badRequest('request.invalid', '"from" must be before "to".', [{ path: 'querystring.from', message: 'must be before "to"' }]);
  }
  const rows = await withTenantRead(ctx, (tx) =>
    selectTargets(tx, { accountId, status: query.status, network: query.network, connectionId: query.connectionId, from, to, limit: query.limit, cursor: decodeCursor(query.cursor) }),
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map(toTargetDto), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

export async function getTargetRow(tx: Tx, ctx: ServiceContext, id: string, lock: boolean): Promise<TargetRow> {
  const target = await findTarget(tx, id, { accountId: requireAccount(ctx), lock });
  if (!target) throw notFound('Post target');
  return target;
}

/** Status, attempts, transitions and the latest engagement snapshot. */
export async function getTarget(ctx: ServiceContext, id: string): Promise<PublishTargetDetail> {
  assertCan(ctx, publishingPermissions.read);
  requireTenant(ctx);
  return withTenantRead(ctx, async (tx) => {
    const target = await getTargetRow(tx, ctx, id, false);
    const [attempts, transitions, metrics] = [await listAttempts(tx, id), await listTransitions(tx, id), await findLatestMetrics(tx, id)];
    return {
      ...toTargetDto(target),
      attempts: attempts.map((attempt) => ({
        attemptNumber: attempt.attemptNumber,
        startedAt: attempt.startedAt.toISOString(),
        finishedAt: attempt.finishedAt?.toISOString() ?? null,
        outcome: attempt.outcome,
        errorKind: attempt.errorKind,
        errorMessage: attempt.errorMessage,
      })),
      transitions: transitions.map((transition) => ({ from: transition.from, to: transition.to, reason: transition.reason, at: transition.at.toISOString() })),
      latestMetrics: metrics ? { ...metrics, collectedAt: metrics.collectedAt.toISOString() } : null,
    };
  });
}

function assertScheduled(target: TargetRow, action: string): void {
  if (target.status !== 'scheduled') {
    throw new AppError('conflict', 'publishing.not_scheduled', `Only a scheduled post can be ${action}; this one is ${target.status}.`, { currentStatus: target.status });
  }
}

/**
 * Move a scheduled target to another time. Its pending publish job (if the dispatcher already queued it)
 * is removed in the same transaction, and a wake-up is queued for the new time: no double publish.
 */
export async function rescheduleTarget(ctx: ServiceContext, id: string, body: ReschedulePublishTargetBody): Promise<PublishTarget> {
  assertCan(ctx, publishingPermissions.publish);
  requireTenant(ctx);
  const scheduledAt = new Date(body.scheduledAt);
  const updated = await withTenant(ctx, async (tx) => {
    const target = await getTargetRow(tx, ctx, id, true);
    assertScheduled(target, 'rescheduled');
    assertNotPast(scheduledAt);
    await cancelPublish(tx, id);
    const rescheduled = await transitionTarget(tx, target, 'scheduled', `rescheduled from ${target.scheduledAt.toISOString()} to ${scheduledAt.toISOString()}`, {
      scheduledAt,
      nextAttemptAt: scheduledAt,
      dispatchedAt: null,
    });
    await scheduleDispatch(tx, scheduledAt);
    return rescheduled;
  });
  ctx.audit.targetType = 'publish_target';
  ctx.audit.metadata = { scheduledAt: updated.scheduledAt.toISOString() };
  return toTargetDto(updated);
}

/** Cancel a scheduled target (only from scheduled: a post in flight or done cannot be called back). */
export async function cancelTarget(ctx: ServiceContext, id: string): Promise<PublishTarget> {
  assertCan(ctx, publishingPermissions.publish);
  requireTenant(ctx);
  const cancelled = await withTenant(ctx, async (tx) => {
    const target = await getTargetRow(tx, ctx, id, true);
    assertScheduled(target, 'cancelled');
    await cancelPublish(tx, id);
    return transitionTarget(tx, target, 'cancelled', 'cancelled by a person', { nextAttemptAt: null, dispatchedAt: null });
  });
  ctx.audit.targetType = 'publish_target';
  return toTargetDto(cancelled);
}

/** Publish a scheduled target now instead of at its time (a pending retry backoff is skipped too). */
export async function publishTargetNow(ctx: ServiceContext, id: string): Promise<PublishTarget> {
  assertCan(ctx, publishingPermissions.publish);
  requireTenant(ctx);
  const updated = await withTenant(ctx, async (tx) => {
    const target = await getTargetRow(tx, ctx, id, true);
    assertScheduled(target, 'published now');
    // Already handed to a publish job: it runs as soon as a worker is free.
    if (target.dispatchedAt) return target;
    const now = new Date();
    const moved = await transitionTarget(tx, target, 'scheduled', 'publish now requested', {
      scheduledAt: target.attemptCount === 0 ? now : undefined,
      nextAttemptAt: now,
    });
    await scheduleDispatch(tx, now);
    return moved;
  });
  ctx.audit.targetType = 'publish_target';
  return toTargetDto(updated);
}
