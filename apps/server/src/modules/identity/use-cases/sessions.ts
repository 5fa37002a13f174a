import type { AuthSession, RevokeOtherSessionsResult, SessionList } from '@omni/contracts/identity';
import { requireActor } from '../../../kernel/access.js';
import type { Config } from '../../../kernel/config.js';
import type { Actor } from '../../../kernel/context.js';
import { generateToken, sha256Hex } from '../../../kernel/crypto/tokens.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess, withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import { AppError, notFound, unauthorized } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import {
  insertRefreshToken,
  insertSession,
  markSessionsStale,
  revokeSessions,
  selectActiveSessionsOfUser,
  selectSessionByRefreshToken,
  selectSessionOfUser,
} from '../identity.queries.js';
import { noteSessionsRevoked, noteSessionsStale } from '../identity.revocations.js';
import { forgetCachedScopesOfUser } from '../identity.scope-cache.js';
import { signAccessToken } from '../identity.tokens.js';
import type { ResolvedScope, UserRecord } from '../identity.types.js';
import { toUserDto } from './users.js';

/** Actions on the signed-in person's own credentials need a session, not an API key. */
export function requireSessionActor(ctx: ServiceContext): Actor & { sessionId: string } {
  const actor = requireActor(ctx);
  if (!actor.sessionId) {
    throw new AppError('forbidden', 'auth.session_required', 'This action needs a signed-in user; API keys cannot perform it.');
  }
  return { ...actor, sessionId: actor.sessionId };
}

/** A new refresh token for a session: the secret goes to the client, only its hash is stored. */
export async function issueRefreshToken(tx: Tx, config: Config, sessionId: string, parentId: string | null): Promise<{ id: string; token: string }> {
  const token = generateToken(32);
  const id = await insertRefreshToken(tx, { sessionId, tokenHash: sha256Hex(token), parentId, idleTtlSeconds: config.REFRESH_IDLE_TTL_SECONDS });
  return { id, token };
}

/** The client's view of a session: an access token carrying the scope, plus the refresh token. */
export async function buildAuthSession(
  config: Config,
  input: { user: UserRecord; sessionId: string; scope: ResolvedScope | null; refreshToken: string; issuedAtMs: number },
): Promise<AuthSession> {
  const { user, scope } = input;
  const accessToken = await signAccessToken(config, {
    userId: user.id,
    sessionId: input.sessionId,
    tenantId: scope?.tenantId ?? null,
    accountId: scope?.accountId ?? null,
    tenantRole: scope?.tenantRole ?? null,
    accountRole: scope?.accountRole ?? null,
    isSuperAdmin: user.isSuperAdmin,
    issuedAtMs: input.issuedAtMs,
  });
  return {
    accessToken,
    refreshToken: input.refreshToken,
    tokenType: 'Bearer',
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
    user: toUserDto(user),
    scope: scope ? { tenantId: scope.tenantId, accountId: scope.accountId, tenantRole: scope.tenantRole, accountRole: scope.accountRole } : null,
  };
}

async function createSessionRecords(tx: Tx, ctx: ServiceContext, user: UserRecord, scope: ResolvedScope | null) {
  const session = await insertSession(tx, {
    userId: user.id,
    activeTenantId: scope?.tenantId ?? null,
    activeAccountId: scope?.accountId ?? null,
    userAgent: ctx.userAgent,
    ip: ctx.ip,
    absoluteTtlSeconds: ctx.config.REFRESH_ABSOLUTE_TTL_SECONDS,
  });
  const refresh = await issueRefreshToken(tx, ctx.config, session.id, null);
  return { sessionId: session.id, refreshToken: refresh.token };
}

/**
 * Sign a user in on this device: a new session (refresh-token family) in the given scope. Pass tx to
 * create it in the caller's transaction (needed when the user was created in that same transaction).
 */
export async function startSession(ctx: ServiceContext, user: UserRecord, scope: ResolvedScope | null, tx?: Tx): Promise<AuthSession> {
  const issuedAtMs = Date.now();
  const created = tx ? await createSessionRecords(tx, ctx, user, scope) : await withSystemAccess(ctx, 'auth:start-session', (own) => createSessionRecords(own, ctx, user, scope));
  return buildAuthSession(ctx.config, { user, sessionId: created.sessionId, scope, refreshToken: created.refreshToken, issuedAtMs });
}

export async function listSessions(ctx: ServiceContext): Promise<SessionList> {
  const actor = requireActor(ctx);
  const rows = await withSystemAccessRead(ctx, 'auth:sessions', (tx) => selectActiveSessionsOfUser(tx, actor.userId));
  return {
    items: rows.map((row) => ({
      id: row.id,
      userAgent: row.userAgent,
      ip: row.ip,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      current: row.id === actor.sessionId,
    })),
  };
}

/** Revoke one of the user's own sessions (the current one included). Idempotent for revoked ones. */
export async function revokeSession(ctx: ServiceContext, sessionId: string): Promise<void> {
  const actor = requireSessionActor(ctx);
  const revoked = await withSystemAccess(ctx, 'auth:sessions', async (tx) => {
    const session = await selectSessionOfUser(tx, sessionId, actor.userId);
    if (!session) throw notFound('Session');
    return revokeSessions(tx, { userId: actor.userId, sessionId }, 'revoked_by_user');
  });
  noteSessionsRevoked(revoked);
  ctx.audit.targetType = 'session';
  ctx.audit.targetId = sessionId;
}

export async function revokeOtherSessions(ctx: ServiceContext): Promise<RevokeOtherSessionsResult> {
  const actor = requireSessionActor(ctx);
  const revoked = await withSystemAccess(ctx, 'auth:sessions', (tx) =>
    revokeSessions(tx, { userId: actor.userId, exceptSessionId: actor.sessionId }, 'revoked_by_user'),
  );
  noteSessionsRevoked(revoked);
  ctx.audit.targetType = 'session';
  ctx.audit.metadata = { revoked: revoked.length, kept: actor.sessionId };
  return { revoked: revoked.length };
}

/**
 * Sign out: revoke the session of the access token and/or of the given refresh token (a client whose
 * access token expired can still sign out with its refresh token).
 */
export async function logout(ctx: ServiceContext, refreshToken: string | undefined): Promise<void> {
  const actor = ctx.actor;
  if (actor && !actor.sessionId) {
    throw new AppError('forbidden', 'auth.session_required', 'API keys have no session to sign out of; revoke the key instead.');
  }
  if (!actor && !refreshToken) throw unauthorized('Send the access token or the refresh token of the session to sign out.');
  const revoked = await withSystemAccess(ctx, 'auth:logout', async (tx) => {
    const targets = new Map<string, string>();
    if (actor?.sessionId) targets.set(actor.sessionId, actor.userId);
    if (refreshToken) {
      const session = await selectSessionByRefreshToken(tx, sha256Hex(refreshToken));
      // Another person's refresh token is ignored rather than reported: it proves nothing about them.
      if (session && (!actor || session.userId === actor.userId)) targets.set(session.id, session.userId);
    }
    const all = [];
    for (const [sessionId, userId] of targets) all.push(...(await revokeSessions(tx, { userId, sessionId }, 'logout')));
    return { all, sessionIds: [...targets.keys()] };
  });
  noteSessionsRevoked(revoked.all);
  ctx.audit.targetType = 'session';
  if (revoked.sessionIds[0]) ctx.audit.targetId = revoked.sessionIds[0];
}

/** Revoke every session of a user (password reset, account actions); returns how many were live. */
export async function revokeUserSessions(tx: Tx, userId: string, reason: string): Promise<number> {
  const revoked = await revokeSessions(tx, { userId }, reason);
  noteSessionsRevoked(revoked);
  return revoked.length;
}

/** Refuse the user's access tokens issued before now (401 auth.token_stale) so clients refresh their claims. */
export async function markUserSessionsStale(tx: Tx, userId: string): Promise<void> {
  const stale = await markSessionsStale(tx, userId);
  noteSessionsStale(stale);
  forgetCachedScopesOfUser(userId);
}
