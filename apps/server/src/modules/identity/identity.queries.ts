import { and, desc, eq, gt, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';
import {
  apiKeys,
  oneTimeTokens,
  refreshTokens,
  sessions,
  users,
  type ApiKeyRow,
  type OneTimeTokenPurpose,
  type SessionRow,
  type UserRow,
} from './identity.schema.js';

/** The only file that reads or writes the identity tables. Every function runs in the caller's transaction. */

// ---------------------------------------------------------------------------------------------- users

export type NewUser = {
  email: string;
  name: string;
  passwordHash: string | null;
  emailVerifiedAt: Date | null;
  locale: string;
  timezone: string;
  isSuperAdmin: boolean;
};

/** Insert a user; null when the email is taken (no exception, so the caller's transaction stays usable). */
export async function insertUser(tx: Tx, values: NewUser): Promise<UserRow | null> {
  const rows = await tx.insert(users).values(values).onConflictDoNothing({ target: users.email }).returning();
  return rows[0] ?? null;
}

export async function selectUserById(tx: Tx, id: string): Promise<UserRow | null> {
  const rows = await tx.select().from(users).where(eq(users.id, id));
  return rows[0] ?? null;
}

/** Case-insensitive: users.email is citext. */
export async function selectUserByEmail(tx: Tx, email: string): Promise<UserRow | null> {
  const rows = await tx.select().from(users).where(eq(users.email, email));
  return rows[0] ?? null;
}

export type UserProfilePatch = Partial<Pick<UserRow, 'name' | 'locale' | 'timezone' | 'avatarUrl'>>;

export async function updateUserProfile(tx: Tx, id: string, patch: UserProfilePatch): Promise<UserRow | null> {
  const rows = await tx.update(users).set({ ...patch, updatedAt: sql`now()` }).where(eq(users.id, id)).returning();
  return rows[0] ?? null;
}

export async function updateUserPasswordHash(tx: Tx, id: string, passwordHash: string): Promise<void> {
  await tx.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, id));
}

export async function setUserEmailVerified(tx: Tx, id: string): Promise<UserRow | null> {
  const rows = await tx
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return rows[0] ?? null;
}

export type LoginFailureResult = { failedLoginCount: number; lastFailedLoginAt: Date; lockedUntil: Date | null; isNowLocked: boolean };

/**
 * Count one failed sign-in atomically (parallel failures each count). Reaching the threshold locks the
 * account for lockMinutes; the counter keeps going, so after the lock ends the next failure locks again.
 */
export async function recordLoginFailure(tx: Tx, id: string, options: { threshold: number; lockMinutes: number }): Promise<LoginFailureResult | null> {
  const result = await tx.execute<{ failed_login_count: number; last_failed_login_at: Date; locked_until: Date | null; is_now_locked: boolean }>(sql`
    UPDATE users
       SET failed_login_count = failed_login_count + 1,
           last_failed_login_at = now(),
           locked_until = CASE WHEN failed_login_count + 1 >= ${options.threshold}
                               THEN now() + make_interval(mins => ${options.lockMinutes}::int)
                               ELSE locked_until END
     WHERE id = ${id}
     RETURNING failed_login_count, last_failed_login_at, locked_until, failed_login_count >= ${options.threshold} AS is_now_locked`);
  const row = result.rows[0];
  if (!row) return null;
  return {
    failedLoginCount: row.failed_login_count,
    lastFailedLoginAt: new Date(row.last_failed_login_at),
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
    isNowLocked: row.is_now_locked,
  };
}

export async function recordLoginSuccess(tx: Tx, id: string): Promise<void> {
  await tx
    .update(users)
    .set({ failedLoginCount: 0, lastFailedLoginAt: null, lockedUntil: null, lastLoginAt: sql`now()` })
    .where(eq(users.id, id));
}

export async function clearUserLockout(tx: Tx, id: string): Promise<void> {
  await tx.update(users).set({ failedLoginCount: 0, lastFailedLoginAt: null, lockedUntil: null }).where(eq(users.id, id));
}

// ------------------------------------------------------------------------------------------- sessions

export type NewSession = {
  userId: string;
  activeTenantId: string | null;
  activeAccountId: string | null;
  userAgent: string | null;
  ip: string | null;
  absoluteTtlSeconds: number;
};

export async function insertSession(tx: Tx, values: NewSession): Promise<SessionRow> {
  const rows = await tx
    .insert(sessions)
    .values({
      userId: values.userId,
      activeTenantId: values.activeTenantId,
      activeAccountId: values.activeAccountId,
      userAgent: values.userAgent,
      ip: values.ip,
      expiresAt: sql`now() + make_interval(secs => ${values.absoluteTtlSeconds}::int)`,
    })
    .returning();
  return rows[0]!;
}

/** Sessions that can still be refreshed, newest use first. */
export async function selectActiveSessionsOfUser(tx: Tx, userId: string): Promise<SessionRow[]> {
  return tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(sessions.lastUsedAt));
}

export async function selectSessionOfUser(tx: Tx, sessionId: string, userId: string): Promise<SessionRow | null> {
  const rows = await tx.select().from(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
  return rows[0] ?? null;
}

export async function selectSessionForUpdate(tx: Tx, sessionId: string): Promise<SessionRow | null> {
  const rows = await tx.select().from(sessions).where(eq(sessions.id, sessionId)).for('update');
  return rows[0] ?? null;
}

export type RevokedSession = { id: string; revokedAt: Date };

/** Revoke sessions of a user that are not revoked yet; returns the ones this call revoked. */
export async function revokeSessions(
  tx: Tx,
  filter: { userId: string; sessionId?: string; exceptSessionId?: string },
  reason: string,
): Promise<RevokedSession[]> {
  const conditions = [eq(sessions.userId, filter.userId), isNull(sessions.revokedAt)];
  if (filter.sessionId) conditions.push(eq(sessions.id, filter.sessionId));
  if (filter.exceptSessionId) conditions.push(sql`${sessions.id} <> ${filter.exceptSessionId}`);
  return tx
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(...conditions))
    .returning({ id: sessions.id, revokedAt: sessions.revokedAt })
    .then((rows) => rows.map((row) => ({ id: row.id, revokedAt: row.revokedAt! })));
}

export type StaleSession = { id: string; staleAt: Date };

/**
 * Mark the user's live sessions stale at the current instant (clock_timestamp, not the transaction
 * start), so a token issued after this statement is never mistaken for an older one.
 */
export async function markSessionsStale(tx: Tx, userId: string): Promise<StaleSession[]> {
  return tx
    .update(sessions)
    .set({ staleAt: sql`clock_timestamp()` })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .returning({ id: sessions.id, staleAt: sessions.staleAt })
    .then((rows) => rows.map((row) => ({ id: row.id, staleAt: row.staleAt! })));
}

export type SessionChange = { id: string; revokedAt: Date | null; staleAt: Date | null };

/** Sessions revoked or marked stale within the last windowSeconds (served by two partial indexes). */
export async function selectRecentSessionChanges(tx: Tx, windowSeconds: number): Promise<SessionChange[]> {
  const since = sql`now() - make_interval(secs => ${windowSeconds}::int)`;
  return tx
    .select({ id: sessions.id, revokedAt: sessions.revokedAt, staleAt: sessions.staleAt })
    .from(sessions)
    .where(or(gt(sessions.revokedAt, since), gt(sessions.staleAt, since)));
}

export async function selectSessionChange(tx: Tx, sessionId: string): Promise<SessionChange | null> {
  const rows = await tx
    .select({ id: sessions.id, revokedAt: sessions.revokedAt, staleAt: sessions.staleAt })
    .from(sessions)
    .where(eq(sessions.id, sessionId));
  return rows[0] ?? null;
}

export async function updateSessionUse(
  tx: Tx,
  sessionId: string,
  values: { activeTenantId: string | null; activeAccountId: string | null; ip: string | null; userAgent: string | null },
): Promise<void> {
  await tx
    .update(sessions)
    .set({ ...values, lastUsedAt: sql`now()` })
    .where(eq(sessions.id, sessionId));
}

// ------------------------------------------------------------------------------------- refresh tokens

export async function insertRefreshToken(
  tx: Tx,
  values: { sessionId: string; tokenHash: string; parentId: string | null; idleTtlSeconds: number },
): Promise<string> {
  // A token never outlives its session's absolute lifetime.
  const rows = await tx.execute<{ id: string }>(sql`
    INSERT INTO refresh_tokens (session_id, token_hash, parent_id, expires_at)
    SELECT ${values.sessionId}, ${values.tokenHash}, ${values.parentId},
           least(now() + make_interval(secs => ${values.idleTtlSeconds}::int), s.expires_at)
      FROM sessions s WHERE s.id = ${values.sessionId}
    RETURNING id`);
  const id = rows.rows[0]?.id;
  if (!id) throw new Error('refresh token insert found no session');
  return id;
}

export type RefreshTokenContext = {
  tokenId: string;
  sessionId: string;
  userId: string;
  activeTenantId: string | null;
  activeAccountId: string | null;
};

/** Read-only look-up (no lock) of the session a refresh token belongs to. */
export async function selectRefreshTokenContext(tx: Tx, tokenHash: string): Promise<RefreshTokenContext | null> {
  const rows = await tx
    .select({
      tokenId: refreshTokens.id,
      sessionId: sessions.id,
      userId: sessions.userId,
      activeTenantId: sessions.activeTenantId,
      activeAccountId: sessions.activeAccountId,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash));
  return rows[0] ?? null;
}

export type LockedRefreshToken = {
  tokenId: string;
  sessionId: string;
  userId: string;
  activeTenantId: string | null;
  activeAccountId: string | null;
  isUsed: boolean;
  isWithinReuseGrace: boolean;
  /** The successor, and its token encrypted (null after a scope switch or once the successor rotated). */
  successorId: string | null;
  successorSecret: string | null;
  isTokenExpired: boolean;
  isSessionExpired: boolean;
  isSessionRevoked: boolean;
};

/**
 * Lock a refresh token and its session (FOR UPDATE) so concurrent refreshes of the same token
 * serialize: the first rotates it, the others then see it spent. Time checks use the database clock.
 */
export async function lockRefreshToken(tx: Tx, tokenHash: string, reuseGraceSeconds: number): Promise<LockedRefreshToken | null> {
  const result = await tx.execute<{
    token_id: string;
    session_id: string;
    user_id: string;
    active_tenant_id: string | null;
    active_account_id: string | null;
    is_used: boolean;
    is_within_reuse_grace: boolean;
    successor_id: string | null;
    successor_secret: string | null;
    is_token_expired: boolean;
    is_session_expired: boolean;
    is_session_revoked: boolean;
  }>(sql`
    SELECT rt.id AS token_id, s.id AS session_id, s.user_id, s.active_tenant_id, s.active_account_id,
           rt.used_at IS NOT NULL AS is_used,
           coalesce(rt.used_at >= now() - make_interval(secs => ${reuseGraceSeconds}::int), false) AS is_within_reuse_grace,
           rt.successor_id, rt.successor_secret,
           rt.expires_at <= now() AS is_token_expired,
           s.expires_at <= now() AS is_session_expired,
           s.revoked_at IS NOT NULL AS is_session_revoked
      FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
     WHERE rt.token_hash = ${tokenHash}
     FOR UPDATE OF rt, s`);
  const row = result.rows[0];
  if (!row) return null;
  return {
    tokenId: row.token_id,
    sessionId: row.session_id,
    userId: row.user_id,
    activeTenantId: row.active_tenant_id,
    activeAccountId: row.active_account_id,
    isUsed: row.is_used,
    isWithinReuseGrace: row.is_within_reuse_grace,
    successorId: row.successor_id,
    successorSecret: row.successor_secret,
    isTokenExpired: row.is_token_expired,
    isSessionExpired: row.is_session_expired,
    isSessionRevoked: row.is_session_revoked,
  };
}

/** Spend every unspent refresh token of a session (rotation or scope switch), pointing them at the successor. */
export async function spendRefreshTokensOfSession(tx: Tx, sessionId: string, successorId: string): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ usedAt: sql`now()`, successorId })
    .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.usedAt), sql`${refreshTokens.id} <> ${successorId}`));
}

/**
 * Whether a refresh token is still unused. A statement of its own, after lockRefreshToken: the lock's
 * statement kept the snapshot it took before waiting, which may predate the successor it waited for.
 */
export async function isRefreshTokenUnused(tx: Tx, tokenId: string): Promise<boolean> {
  const rows = await tx.select({ id: refreshTokens.id }).from(refreshTokens).where(and(eq(refreshTokens.id, tokenId), isNull(refreshTokens.usedAt)));
  return rows.length > 0;
}

/**
 * Spend a token for its successor, keeping the successor encrypted for a replay within the grace window;
 * the token's own parent, whose successor (this token) is now used, forgets its copy.
 */
export async function spendRefreshToken(tx: Tx, tokenId: string, successorId: string, successorSecret: string | null): Promise<void> {
  await tx.update(refreshTokens).set({ usedAt: sql`now()`, successorId, successorSecret }).where(eq(refreshTokens.id, tokenId));
  await tx.update(refreshTokens).set({ successorSecret: null }).where(and(eq(refreshTokens.successorId, tokenId), isNotNull(refreshTokens.successorSecret)));
}

/** The session a refresh token belongs to, whatever the token's state (for logout). */
export async function selectSessionByRefreshToken(tx: Tx, tokenHash: string): Promise<SessionRow | null> {
  const rows = await tx
    .select({ session: sessions })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash));
  return rows[0]?.session ?? null;
}

// ------------------------------------------------------------------------------------ one-time tokens

export async function insertOneTimeToken(
  tx: Tx,
  values: { userId: string; purpose: OneTimeTokenPurpose; tokenHash: string; ttlSeconds: number },
): Promise<void> {
  await tx.insert(oneTimeTokens).values({
    userId: values.userId,
    purpose: values.purpose,
    tokenHash: values.tokenHash,
    expiresAt: sql`now() + make_interval(secs => ${values.ttlSeconds}::int)`,
  });
}

/** Retire the user's unused tokens of one purpose (a newer link replaces older ones). */
export async function retireOneTimeTokens(tx: Tx, userId: string, purpose: OneTimeTokenPurpose): Promise<void> {
  await tx
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose), isNull(oneTimeTokens.usedAt)));
}

/** Use a token once: the conditional UPDATE succeeds for exactly one caller. Returns the user id. */
export async function consumeOneTimeToken(tx: Tx, tokenHash: string, purpose: OneTimeTokenPurpose): Promise<string | null> {
  const rows = await tx
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(oneTimeTokens.tokenHash, tokenHash),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ userId: oneTimeTokens.userId });
  return rows[0]?.userId ?? null;
}

export type OneTimeTokenState = 'unknown' | 'used' | 'expired' | 'valid';

/** Why a token could not be consumed, for a clear error. */
export async function selectOneTimeTokenState(tx: Tx, tokenHash: string, purpose: OneTimeTokenPurpose): Promise<OneTimeTokenState> {
  const rows = await tx
    .select({ usedAt: oneTimeTokens.usedAt, isExpired: sql<boolean>`${oneTimeTokens.expiresAt} <= now()` })
    .from(oneTimeTokens)
    .where(and(eq(oneTimeTokens.tokenHash, tokenHash), eq(oneTimeTokens.purpose, purpose)));
  const row = rows[0];
  if (!row) return 'unknown';
  if (row.usedAt) return 'used';
  return row.isExpired ? 'expired' : 'valid';
}

// ------------------------------------------------------------------------------------------- API keys

export type NewApiKey = {
  tenantId: string;
  accountId: string | null;
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: string[];
  expiresAt: Date | null;
};

/** Insert a key; null if the prefix collided (the caller draws another). Runs under the key's tenant. */
export async function insertApiKey(tx: Tx, values: NewApiKey): Promise<ApiKeyRow | null> {
  const rows = await tx.insert(apiKeys).values(values).onConflictDoNothing({ target: apiKeys.prefix }).returning();
  return rows[0] ?? null;
}

/** The user's keys in the transaction's tenant (row-level security limits the tenant). */
export async function selectApiKeysOfUser(tx: Tx, userId: string): Promise<ApiKeyRow[]> {
  return tx.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt));
}

export async function selectApiKeyOfUser(tx: Tx, id: string, userId: string): Promise<ApiKeyRow | null> {
  const rows = await tx.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)));
  return rows[0] ?? null;
}

export async function revokeApiKey(tx: Tx, id: string, userId: string): Promise<ApiKeyRow | null> {
  const rows = await tx
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning();
  return rows[0] ?? null;
}

export type ApiKeyCredential = ApiKeyRow & { isExpired: boolean; isLastUseStale: boolean };

/** Look a key up by its public prefix (needs system access: the tenant is not known yet). */
export async function selectApiKeyByPrefix(tx: Tx, prefix: string): Promise<ApiKeyCredential | null> {
  const rows = await tx
    .select({
      key: apiKeys,
      isExpired: sql<boolean>`coalesce(${apiKeys.expiresAt} <= now(), false)`,
      isLastUseStale: sql<boolean>`coalesce(${apiKeys.lastUsedAt} < now() - interval '1 minute', true)`,
    })
    .from(apiKeys)
    .where(eq(apiKeys.prefix, prefix));
  const row = rows[0];
  return row ? { ...row.key, isExpired: row.isExpired, isLastUseStale: row.isLastUseStale } : null;
}

/** Record use at most once a minute per key (the condition makes concurrent requests write once). */
export async function touchApiKey(tx: Tx, id: string): Promise<void> {
  await tx
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), sql`(${apiKeys.lastUsedAt} IS NULL OR ${apiKeys.lastUsedAt} < now() - interval '1 minute')`));
}
