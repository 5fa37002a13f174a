import type { AuthSession } from '@omni/contracts/identity';
import { decryptSecret, encryptSecret, SecretDecryptionError, type SecretKeyConfig } from '../../../kernel/crypto/secrets.js';
import { sha256Hex } from '../../../kernel/crypto/tokens.js';
import { withSystemAccess, withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import { unauthorized } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { isRefreshTokenUnused, lockRefreshToken, revokeSessions, selectRefreshTokenContext, selectUserById, spendRefreshToken, updateSessionUse } from '../identity.queries.js';
import { noteSessionsRevoked } from '../identity.revocations.js';
import type { IdentityDependencies, ResolvedScope } from '../identity.types.js';
import { buildAuthSession, issueRefreshToken } from './sessions.js';

/**
 * The scope a session continues in: its active tenant/account with the user's current roles; if the
 * user lost access there, their default scope.
 */
export async function resolveSessionScope(
  kernel: Kernel,
  deps: IdentityDependencies,
  userId: string,
  active: { tenantId: string | null; accountId: string | null },
): Promise<ResolvedScope | null> {
  if (active.tenantId) {
    const scope = await deps.memberships.resolveScope(kernel, userId, { tenantId: active.tenantId, accountId: active.accountId });
    if (scope) return scope;
  }
  return deps.memberships.resolveScope(kernel, userId, null);
}

const invalidRefresh = () => unauthorized('The refresh token is not valid. Sign in again.', 'auth.refresh_invalid');

/**
 * Rotate a refresh token: the presented one is spent and a successor issued, in one transaction that
 * locks the token and its session, so parallel refreshes of one token produce exactly one successor.
 * A spent token presented again within REFRESH_REUSE_GRACE_SECONDS, while its successor is unused, gets
 * that same successor back (a client racing itself, or one that never received the answer because its
 * page reloaded mid-refresh): the family never forks. Within the window but with the successor already
 * used (or switched away from), it is refused without harm; later, it means the token leaked: the whole
 * session (token family) is revoked.
 */
export async function refreshSession(ctx: ServiceContext, deps: IdentityDependencies, refreshToken: string): Promise<AuthSession> {
  const tokenHash = sha256Hex(refreshToken);
  // Taken before the memberships are read: if they change meanwhile, the new token counts as stale.
  const issuedAtMs = Date.now();
  // Memberships are read before the locking transaction, so no connection waits on a lock while
  // holding another (50 parallel refreshes would otherwise exhaust the pool).
  const peek = await withSystemAccessRead(ctx, 'auth:refresh', (tx) => selectRefreshTokenContext(tx, tokenHash));
  if (!peek) throw invalidRefresh();
  const scope = await resolveSessionScope(ctx, deps, peek.userId, { tenantId: peek.activeTenantId, accountId: peek.activeAccountId });

  const outcome = await withSystemAccess(ctx, 'auth:refresh', async (tx) => {
    const token = await lockRefreshToken(tx, tokenHash, ctx.config.REFRESH_REUSE_GRACE_SECONDS);
    if (!token) return { kind: 'invalid' as const };
    if (token.isSessionRevoked) return { kind: 'revoked' as const };
    const replay =
      token.isUsed && token.isWithinReuseGrace && token.successorId && token.successorSecret && (await isRefreshTokenUnused(tx, token.successorId)) ? token.successorSecret : null;
    if (token.isUsed && !replay) {
      if (token.isWithinReuseGrace) return { kind: 'superseded' as const };
      const revoked = await revokeSessions(tx, { userId: token.userId, sessionId: token.sessionId }, 'refresh_token_reused');
      return { kind: 'reused' as const, revoked, sessionId: token.sessionId };
    }
    if (token.isSessionExpired || token.isTokenExpired) return { kind: 'expired' as const };
    // The session switched scope since the peek: the scope read above may not match it.
    if (token.activeTenantId !== peek.activeTenantId || token.activeAccountId !== peek.activeAccountId) return { kind: 'superseded' as const };
    const user = await selectUserById(tx, token.userId);
    if (!user) return { kind: 'invalid' as const };
    if (replay) {
      const replayed = openReplay(ctx.config, replay);
      if (!replayed) return { kind: 'superseded' as const };
      return { kind: 'rotated' as const, user, sessionId: token.sessionId, refreshToken: replayed };
    }
    const successor = await issueRefreshToken(tx, ctx.config, token.sessionId, token.tokenId);
    await spendRefreshToken(tx, token.tokenId, successor.id, encryptSecret(ctx.config, successor.token));
    await updateSessionUse(tx, token.sessionId, {
      activeTenantId: scope?.tenantId ?? null,
      activeAccountId: scope?.accountId ?? null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return { kind: 'rotated' as const, user, sessionId: token.sessionId, refreshToken: successor.token };
  });

  switch (outcome.kind) {
    case 'invalid':
      throw invalidRefresh();
    case 'revoked':
      throw unauthorized('This session was signed out. Sign in again.', 'auth.session_revoked');
    case 'expired':
      throw unauthorized('The session has expired. Sign in again.', 'auth.refresh_expired');
    case 'superseded':
      throw unauthorized('This refresh token was just used by another request; use the newest one.', 'auth.refresh_superseded');
    case 'reused':
      noteSessionsRevoked(outcome.revoked);
      ctx.logger.warn({ sessionId: outcome.sessionId }, 'spent refresh token presented again; session revoked');
      ctx.audit.targetType = 'session';
      ctx.audit.targetId = outcome.sessionId;
      throw unauthorized('This refresh token was already used; for safety the session was signed out. Sign in again.', 'auth.refresh_reused');
    case 'rotated':
      ctx.audit.targetType = 'session';
      ctx.audit.targetId = outcome.sessionId;
      return buildAuthSession(ctx.config, { user: outcome.user, sessionId: outcome.sessionId, scope, refreshToken: outcome.refreshToken, issuedAtMs });
  }
}

/** The kept successor, or null when it cannot be opened any more (its encryption key was retired). */
function openReplay(config: SecretKeyConfig, secret: string): string | null {
  try {
    return decryptSecret(config, secret);
  } catch (error) {
    if (error instanceof SecretDecryptionError) return null;
    throw error;
  }
}
