import type { AuthSession, SwitchScopeBody } from '@omni/contracts/identity';
import { withSystemAccess } from '../../../kernel/db/tenancy.js';
import { AppError, unauthorized } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { selectSessionForUpdate, selectUserById, spendRefreshTokensOfSession, updateSessionUse } from '../identity.queries.js';
import type { IdentityDependencies } from '../identity.types.js';
import { buildAuthSession, issueRefreshToken, requireSessionActor } from './sessions.js';

/**
 * Move the current session to another tenant/account the user belongs to. The session keeps its id;
 * it gets a new refresh token and its older unspent ones become spent, so the old scope's tokens
 * cannot be refreshed back into existence.
 */
export async function switchScope(ctx: ServiceContext, deps: IdentityDependencies, input: SwitchScopeBody): Promise<AuthSession> {
  const actor = requireSessionActor(ctx);
  const issuedAtMs = Date.now();
  // accountId null asks for the tenant level; left out, the directory picks the user's default account there.
  const scope = await deps.memberships.resolveScope(ctx, actor.userId, {
    tenantId: input.tenantId,
    ...(input.accountId !== undefined ? { accountId: input.accountId } : {}),
  });
  if (!scope) throw new AppError('forbidden', 'tenant.no_access', 'You are not a member of this workspace.');

  const result = await withSystemAccess(ctx, 'auth:switch', async (tx) => {
    const session = await selectSessionForUpdate(tx, actor.sessionId);
    if (!session || session.revokedAt || session.userId !== actor.userId) return null;
    const user = await selectUserById(tx, actor.userId);
    if (!user) return null;
    const refresh = await issueRefreshToken(tx, ctx.config, session.id, null);
    await spendRefreshTokensOfSession(tx, session.id, refresh.id);
    await updateSessionUse(tx, session.id, { activeTenantId: scope.tenantId, activeAccountId: scope.accountId, ip: ctx.ip, userAgent: ctx.userAgent });
    return { user, sessionId: session.id, refreshToken: refresh.token };
  });
  if (!result) throw unauthorized('This session was signed out. Sign in again.', 'auth.session_revoked');
  ctx.audit.targetType = 'session';
  ctx.audit.targetId = result.sessionId;
  ctx.audit.tenantId = scope.tenantId;
  return buildAuthSession(ctx.config, { ...result, scope, issuedAtMs });
}
