import type { AuditEntry, AuditList, AuditListQuery, PlatformAuditListQuery } from '@omni/contracts/audit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertCan, requireTenant } from '../../kernel/access.js';
import type { Tx } from '../../kernel/db/database.js';
import { isUuid } from '../../kernel/db/database.js';
import { withSystemAccess, withTenant, withSystemAccessRead, withTenantRead } from '../../kernel/db/tenancy.js';
import { badRequest } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { auditPermissions } from './audit.permissions.js';
import { countAuditEntriesSince, insertAuditEntry, selectAuditEntries, type AuditFilter, type AuditRow } from './audit.queries.js';

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const metadataMaxBytes = 8 * 1024;

/** Writes started by the observer and not finished yet (tests and shutdown wait for them). */
const pendingWrites = new Set<Promise<void>>();

/** Resolve once every audit entry started so far is written (or has failed and been logged). */
export async function flushAuditWrites(): Promise<void> {
  while (pendingWrites.size > 0) await Promise.all([...pendingWrites]);
}

/** "/api/accounts/:id/archive" → "account"; the resource the :id parameter names. */
function targetTypeOfRoute(routeUrl: string): string | null {
  const segments = routeUrl.split('/');
  const index = segments.indexOf(':id');
  const resource = index > 0 ? segments[index - 1] : undefined;
  if (!resource) return null;
  return resource.endsWith('ies') ? `${resource.slice(0, -3)}y` : resource.replace(/s$/, '');
}

function boundedMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  const text = JSON.stringify(metadata);
  return Buffer.byteLength(text) <= metadataMaxBytes ? (JSON.parse(text) as Record<string, unknown>) : { truncated: true };
}

/**
 * The response observer: one audit_log row per mutating request (POST/PUT/PATCH/DELETE) unless the route
 * says `config: { audit: false }`. Services add hints through ctx.audit; request bodies are never stored.
 * Tenant: ctx.audit.tenantId when a service set it (null = platform-level), else null for /api/platform/*
 * routes, else the request's tenant.
 */
export async function recordAuditEntry(request: FastifyRequest, reply: FastifyReply, ctx: ServiceContext): Promise<void> {
  if (!mutatingMethods.has(request.method)) return;
  const routeUrl = request.routeOptions.url;
  if (!routeUrl) return; // no route matched: nothing was mutated
  const configured = request.routeOptions.config?.audit;
  if (configured === false) return;

  const params = (request.params ?? {}) as Record<string, unknown>;
  const paramId = typeof params.id === 'string' ? params.id : undefined;
  const tenantId = ctx.audit.tenantId !== undefined ? ctx.audit.tenantId : routeUrl.startsWith('/api/platform/') ? null : ctx.tenantId;
  const entry = {
    tenantId: isUuid(tenantId) ? tenantId : null,
    actorUserId: ctx.actor?.userId ?? null,
    actorApiKeyId: ctx.actor?.apiKeyId ?? null,
    action: typeof configured === 'string' ? configured : `${request.method} ${routeUrl}`,
    targetType: ctx.audit.targetType ?? (paramId ? targetTypeOfRoute(routeUrl) : null),
    targetId: ctx.audit.targetId ?? paramId ?? null,
    statusCode: reply.statusCode,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    metadata: boundedMetadata(ctx.audit.metadata),
  };
  const write = (async () => {
    try {
      if (entry.tenantId) await withTenant({ db: ctx.db, tenantId: entry.tenantId }, (tx) => insertAuditEntry(tx, entry));
      else await withSystemAccess(ctx, 'audit: platform entry', (tx) => insertAuditEntry(tx, entry));
    } catch (error) {
      ctx.logger.error({ err: error, action: entry.action }, 'could not write the audit entry');
    }
  })();
  pendingWrites.add(write);
  try {
    await write;
  } finally {
    pendingWrites.delete(write);
  }
}

function toAuditEntryDto(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    tenantId: row.tenantId,
    actor: row.actorUserId ? { userId: row.actorUserId, name: row.actorName, email: row.actorEmail } : null,
    apiKeyId: row.actorApiKeyId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    statusCode: row.statusCode,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
  };
}

function encodeCursor(row: AuditRow): string {
  return Buffer.from(JSON.stringify([row.cursorAt, row.id]), 'utf8').toString('base64url');
}

/** created_at as PostgreSQL prints timestamptz, e.g. 2030-01-31 12:00:00.123456+00. */
const timestampTextPattern = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}(?::?\d{2})?|Z)$/;

function decodeCursor(cursor: string | undefined): AuditFilter['cursor'] {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && timestampTextPattern.test(value[0]) && typeof value[1] === 'string' && /^\d{1,19}$/.test(value[1])) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw badRequest('request.invalid_cursor', 'The cursor is not valid; start again from the first page.', [
    { path: 'querystring.cursor', message: 'is not a cursor returned by this list' },
  ]);
}

function toFilter(query: AuditListQuery): Omit<AuditFilter, 'tenantId'> {
  const from = query.from ? new Date(query.from) : undefined;
  const to = query.to ? new Date(query.to) : undefined;
  if (from && to && from.getTime() > to.getTime()) {
    throw badRequest('request.invalid', '"from" must be before "to".', [{ path: 'querystring.from', message: 'must be before "to"' }]);
  }
  return {
    action: query.action,
    actorUserId: query.actorUserId,
    targetType: query.targetType,
    from,
    to,
    limit: query.limit,
    cursor: decodeCursor(query.cursor),
  };
}

function toList(rows: AuditRow[], limit: number): AuditList {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toAuditEntryDto), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** The active tenant's audit log (tenant admins). */
export async function listAuditEntries(ctx: ServiceContext, query: AuditListQuery): Promise<AuditList> {
  assertCan(ctx, auditPermissions.read);
  const tenantId = requireTenant(ctx);
  const filter = toFilter(query);
  const rows = await withTenantRead(ctx, (tx) => selectAuditEntries(tx, { ...filter, tenantId }));
  return toList(rows, query.limit);
}

/** Every tenant's and the platform's audit log (super admins), optionally one tenant's. */
export async function listPlatformAuditEntries(ctx: ServiceContext, query: PlatformAuditListQuery): Promise<AuditList> {
  assertCan(ctx, auditPermissions.platform);
  const filter = toFilter(query);
  const rows = await withSystemAccessRead(ctx, 'platform: audit list', (tx) => selectAuditEntries(tx, { ...filter, tenantId: query.tenantId }));
  return toList(rows, query.limit);
}

/** How many audit entries a tenant has since a moment, in the caller's transaction (dashboard figures). */
export async function countAuditEvents(tx: Tx, input: { tenantId: string; since: Date }): Promise<number> {
  return countAuditEntriesSince(tx, input.tenantId, input.since);
}
