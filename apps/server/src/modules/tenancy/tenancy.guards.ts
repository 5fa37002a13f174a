import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withSystemAccessRead } from '../../kernel/db/tenancy.js';
import { AppError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { RequestGuard, ServiceContext } from '../../kernel/module.js';
import { selectSuspendedTenantIds, selectTenantIdBySlug, selectTenantIdByVerifiedDomain } from './tenancy.queries.js';

/**
 * Per-request tenant plumbing, kept in this process:
 * - host → tenant (sub-domain of ROOT_DOMAIN or a verified custom domain), cached briefly;
 * - the set of suspended tenants, reloaded every 2 s and updated at once by suspend/reactivate here.
 * Both are process-wide (one database per process); every app built in the process shares them.
 */

// ------------------------------------------------------------------------------------------ host → tenant

const hostCacheTtlMs = 30_000;
const hostCacheCapacity = 10_000;
const hostCache = new Map<string, { tenantId: string | null; expiresAtMs: number }>();

const ipv4Pattern = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The request's host name: lower case, without port or trailing dot (x-forwarded-host when proxied). */
export function requestHostname(request: FastifyRequest): string {
  return request.hostname.toLowerCase().replace(/\.$/, '');
}

/**
 * The tenant a host name belongs to: `<slug>.<ROOT_DOMAIN>` always, otherwise a verified custom domain.
 * null for the root domain itself, IP addresses and unknown hosts.
 */
export async function resolveTenantIdByHost(kernel: Kernel, host: string): Promise<string | null> {
  const rootDomain = kernel.config.ROOT_DOMAIN.toLowerCase();
  if (!host || host === rootDomain || ipv4Pattern.test(host) || host.startsWith('[') || host.includes(':')) return null;
  const nowMs = Date.now();
  const cached = hostCache.get(host);
  if (cached && cached.expiresAtMs > nowMs) return cached.tenantId;

  let tenantId: string | null = null;
  if (host.endsWith(`.${rootDomain}`)) {
    const slug = host.slice(0, -(rootDomain.length + 1));
    if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(slug)) {
      tenantId = await withSystemAccessRead(kernel, 'tenancy: resolve host', (tx) => selectTenantIdBySlug(tx, slug));
    }
  } else if (host.includes('.')) {
    tenantId = await withSystemAccessRead(kernel, 'tenancy: resolve host', (tx) => selectTenantIdByVerifiedDomain(tx, host));
  }
  hostCache.delete(host);
  hostCache.set(host, { tenantId, expiresAtMs: nowMs + hostCacheTtlMs });
  while (hostCache.size > hostCacheCapacity) {
    const oldest = hostCache.keys().next().value;
    if (oldest === undefined) break;
    hostCache.delete(oldest);
  }
  return tenantId;
}

/** Forget a host's cached answer (after a domain is verified or removed in this process). */
export function forgetHost(host: string): void {
  hostCache.delete(host.toLowerCase());
}

/** Forget a cached "no such tenant" for `<slug>.<ROOT_DOMAIN>` once a tenant takes that slug. */
export function forgetTenantHost(kernel: Pick<Kernel, 'config'>, slug: string): void {
  forgetHost(`${slug}.${kernel.config.ROOT_DOMAIN}`);
}

/** For requests without a tenant from their credentials: the tenant of the Host header, if any. */
export const resolveTenantFromHost: RequestGuard = async (request, ctx) => {
  if (ctx.tenantId) return;
  ctx.tenantId = await resolveTenantIdByHost(ctx, requestHostname(request));
};

// ------------------------------------------------------------------------------------------ suspension

const pollIntervalMs = 2_000;
let suspendedTenantIds = new Set<string>();
/** Bumped by every local change, so a poll that read the table before the change cannot undo it. */
let localChangeGeneration = 0;

export function isTenantSuspended(tenantId: string): boolean {
  return suspendedTenantIds.has(tenantId);
}

/** Apply a suspend/reactivate made in this process at once (other processes see it within one poll). */
export function noteTenantStatus(tenantId: string, status: 'active' | 'suspended'): void {
  localChangeGeneration += 1;
  const next = new Set(suspendedTenantIds);
  if (status === 'suspended') next.add(tenantId);
  else next.delete(tenantId);
  suspendedTenantIds = next;
}

/** One poll: replace the set with the database's view (unless this process changed it meanwhile). */
export async function reloadSuspendedTenants(kernel: Kernel): Promise<void> {
  const generation = localChangeGeneration;
  const ids = await withSystemAccessRead(kernel, 'tenancy: poll suspended tenants', (tx) => selectSuspendedTenantIds(tx));
  if (generation === localChangeGeneration) suspendedTenantIds = new Set(ids);
}

/** Load the set before the app serves, then poll; the timer stops when the app closes. */
export async function startSuspensionPoller(app: FastifyInstance, kernel: Kernel): Promise<void> {
  await reloadSuspendedTenants(kernel);
  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    reloadSuspendedTenants(kernel)
      .catch((error: unknown) => kernel.logger.warn({ err: error }, 'could not reload suspended tenants; keeping the last known set'))
      .finally(() => {
        polling = false;
      });
  }, pollIntervalMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

/** Paths a member of a suspended tenant can still use, to sign out or move to another tenant. */
const openPaths = new Set(['/api/auth/logout', '/api/auth/switch', '/api/me/memberships']);

function isOpenPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return path.startsWith('/api/platform/') || openPaths.has(path);
}

/** 403 tenant.suspended for every request acting in a suspended tenant (by token or by host). */
export const refuseSuspendedTenant: RequestGuard = async (request, ctx: ServiceContext) => {
  if (!ctx.tenantId || !isTenantSuspended(ctx.tenantId) || isOpenPath(request.url)) return;
  throw new AppError(
    'forbidden',
    'tenant.suspended',
    'This workspace has been suspended by the platform operator. Switch to another workspace or contact support.',
  );
};
