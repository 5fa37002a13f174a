/** Who is acting, for which tenant. Built by the authentication hook; passed to every service call. */
export type TenantRole = 'owner' | 'admin' | 'member';
export type AccountRole = 'admin' | 'editor' | 'contributor' | 'viewer' | 'client';

export type Actor = {
  userId: string;
  sessionId: string | null;
  apiKeyId: string | null;
  /** API-key scopes; null for a signed-in user (their roles decide). */
  scopes: string[] | null;
  isSuperAdmin: boolean;
};

export type RequestContext = {
  requestId: string;
  ip: string;
  userAgent: string | null;
  actor: Actor | null;
  /** Active tenant: from the authenticated membership (token claim or API key), never from the body. */
  tenantId: string | null;
  accountId: string | null;
  /** The actor's role in the active tenant, from the token (refreshed when memberships change). */
  tenantRole: TenantRole | null;
  /** The actor's own role in the active account (before inheritance from the tenant role). */
  accountRole: AccountRole | null;
  /**
   * Hints a service leaves for the audit entry of this request (e.g. the tenant a registration created,
   * the id of the row it made). Mutable on purpose; read once the response is sent.
   */
  audit: { tenantId?: string | null; targetType?: string; targetId?: string; metadata?: Record<string, unknown> };
};

/** The minimum a tenant-scoped operation needs. Jobs build one from their payload. */
export type TenantScope = { tenantId: string };

export function requireTenantScope(ctx: { tenantId: string | null }): TenantScope {
  if (!ctx.tenantId) throw new Error('No active tenant in context');
  return { tenantId: ctx.tenantId };
}
