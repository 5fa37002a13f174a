import type { AccountRole, RequestContext, TenantRole } from './context.js';
import { AppError, forbidden, unauthorized } from './errors.js';

/**
 * Role-based access. Roles inherit downward: a tenant owner or admin is an account admin in every
 * account of the tenant. A permission names the least tenant role and/or least account role that grants
 * it; API keys additionally need the permission in their scopes ("resource:*" or "*" allowed).
 */
export const tenantRoles: TenantRole[] = ['member', 'admin', 'owner'];
export const accountRoles: AccountRole[] = ['client', 'viewer', 'contributor', 'editor', 'admin'];

export type PermissionRule = { tenantRole?: TenantRole; accountRole?: AccountRole; platform?: boolean };

const rules = new Map<string, PermissionRule>();

/** Modules declare their permissions once, at import time. */
export function definePermissions(definitions: Record<string, PermissionRule>): void {
  for (const [name, rule] of Object.entries(definitions)) {
    if (rules.has(name)) throw new Error(`Permission ${name} is defined twice`);
    rules.set(name, rule);
  }
}

export function listPermissions(): string[] {
  return [...rules.keys()].sort();
}

function rankOf<T>(list: T[], value: T | null | undefined): number {
  return value == null ? -1 : list.indexOf(value);
}

/** The account role that applies after inheritance from the tenant role. */
export function effectiveAccountRole(ctx: Pick<RequestContext, 'tenantRole' | 'accountRole' | 'accountId'>): AccountRole | null {
  if (ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin') return 'admin';
  return ctx.accountId ? ctx.accountRole : null;
}

function scopeAllows(scopes: string[], permission: string): boolean {
  const resource = permission.split(':')[0];
  return scopes.includes('*') || scopes.includes(permission) || scopes.includes(`${resource}:*`);
}

export function can(ctx: RequestContext, permission: string): boolean {
  const rule = rules.get(permission);
  if (!rule) throw new Error(`Unknown permission ${permission}`);
  const actor = ctx.actor;
  if (!actor) return false;
  if (actor.scopes && !scopeAllows(actor.scopes, permission)) return false;
  if (rule.platform) return actor.isSuperAdmin;
  if (!ctx.tenantId) return false;
  if (rule.tenantRole && rankOf(tenantRoles, ctx.tenantRole) >= rankOf(tenantRoles, rule.tenantRole)) return true;
  if (rule.accountRole && rankOf(accountRoles, effectiveAccountRole(ctx)) >= rankOf(accountRoles, rule.accountRole)) return true;
  return false;
}

/** Throw 401 when nobody is signed in, 403 when the actor lacks the permission. */
export function assertCan(ctx: RequestContext, permission: string): void {
  if (!ctx.actor) throw unauthorized();
  if (!can(ctx, permission)) {
    if (!ctx.tenantId && !rules.get(permission)?.platform) {
      throw new AppError('forbidden', 'tenant.none_active', 'Choose a workspace first: you have no active tenant.');
    }
    throw forbidden(`You do not have permission to do this (${permission}).`);
  }
}

/** The signed-in actor, or 401. */
export function requireActor(ctx: RequestContext): NonNullable<RequestContext['actor']> {
  if (!ctx.actor) throw unauthorized();
  return ctx.actor;
}

/** The active tenant id, or a clear 403 when the actor has none. */
export function requireTenant(ctx: RequestContext): string {
  requireActor(ctx);
  if (!ctx.tenantId) throw new AppError('forbidden', 'tenant.none_active', 'Choose a workspace first: you have no active tenant.');
  return ctx.tenantId;
}
