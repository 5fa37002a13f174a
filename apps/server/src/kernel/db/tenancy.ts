import { sql } from 'drizzle-orm';
import { type Database, type Tx, isUuid, runScopedReads, runTransaction } from './database.js';
import type { Logger } from '../logger.js';
import { systemAccessCounter } from '../metrics.js';

/**
 * Tenant isolation lives in PostgreSQL: every tenant table has a policy
 *   tenant_id = (SELECT app_tenant_id()) OR (SELECT app_system_access())
 * (app_tenant_id(): nullif(current_setting('app.tenant_id', true), '')::uuid; app_system_access():
 * current_setting('app.system_access', true) = 'on'; as subqueries, read once per statement)
 * and the app connects as a role without BYPASSRLS. The functions below are the only ways to reach the
 * database, so every query runs with exactly one of those settings. The *Read variants are for use cases
 * that only read: each statement carries its scope in the same round trip and runs read only (no
 * BEGIN/COMMIT; see runScopedReads and docs/decisions/009-scoped-reads.md).
 */
export type TenantDatabaseContext = { db: Database; tenantId: string | null };

export async function withTenant<T>(ctx: TenantDatabaseContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tenantId = ctx.tenantId;
  if (!isUuid(tenantId)) throw new Error('withTenant needs a tenant id (uuid) in the context');
  return runTransaction(ctx.db, `BEGIN; SELECT set_config('app.tenant_id', '${tenantId.toLowerCase()}', true)`, fn);
}

const readOnly = `set_config('transaction_read_only', 'on', true)`;
const tenantReadScope = `SELECT set_config('app.tenant_id', $1, true), ${readOnly}`;
const systemReadScope = `SELECT set_config('app.system_access', 'on', true), ${readOnly}`;

/** Reads inside the context's tenant: one round trip per statement, read only. */
export async function withTenantRead<T>(ctx: TenantDatabaseContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tenantId = ctx.tenantId;
  if (!isUuid(tenantId)) throw new Error('withTenantRead needs a tenant id (uuid) in the context');
  return runScopedReads(ctx.db, { name: 'omni_tenant_read', sql: tenantReadScope, values: [tenantId.toLowerCase()] }, fn);
}

/**
 * The named, audited escape for work that is not one tenant's: sign-in before a tenant is known, sweeps,
 * platform administration. The reason is logged and counted; keep it a short constant phrase.
 */
export async function withSystemAccess<T>(
  ctx: { db: Database; logger?: Logger },
  reason: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  systemAccessCounter.inc({ reason });
  ctx.logger?.debug({ reason }, 'system access');
  return runTransaction(ctx.db, `BEGIN; SELECT set_config('app.system_access', 'on', true)`, fn);
}

/** Reads across tenants (same rules as withSystemAccess: named, logged, counted), read only. */
export async function withSystemAccessRead<T>(
  ctx: { db: Database; logger?: Logger },
  reason: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  systemAccessCounter.inc({ reason });
  ctx.logger?.debug({ reason }, 'system access (read)');
  return runScopedReads(ctx.db, { name: 'omni_system_read', sql: systemReadScope, values: [] }, fn);
}

/**
 * Inside a withSystemAccess transaction, run fn as one tenant: system access off and app.tenant_id set
 * (transaction-local, one round trip), then system access back on and the tenant cleared, also when fn
 * throws (if the transaction is still usable; fn's error is what the caller gets). For cross-tenant work
 * whose per-tenant part must run under that tenant's row security, in one transaction: the outbox
 * delivering several tenants' events. A savepoint rolled back inside fn restores the settings it saw.
 */
export async function asTenantWithin<T>(tx: Tx, tenantId: string, fn: () => Promise<T>): Promise<T> {
  if (!isUuid(tenantId)) throw new Error('asTenantWithin needs a tenant id (uuid)');
  await tx.execute(sql`SELECT set_config('app.system_access', '', true), set_config('app.tenant_id', ${tenantId.toLowerCase()}, true)`);
  const restore = () => tx.execute(sql`SELECT set_config('app.tenant_id', '', true), set_config('app.system_access', 'on', true)`);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // An aborted transaction cannot run anything more (then fn's own error says why, and nothing runs after it).
    await restore().catch(() => undefined);
    throw error;
  }
  await restore();
  return result;
}
