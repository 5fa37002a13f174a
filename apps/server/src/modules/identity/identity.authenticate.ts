import type { FastifyRequest } from 'fastify';
import { sha256Hex, timingSafeEqualStrings } from '../../kernel/crypto/tokens.js';
import { withSystemAccess, withSystemAccessRead } from '../../kernel/db/tenancy.js';
import { isAppError, unauthorized } from '../../kernel/errors.js';
import type { Authenticator, ServiceContext } from '../../kernel/module.js';
import { selectApiKeyByPrefix, touchApiKey } from './identity.queries.js';
import { findSessionMark } from './identity.revocations.js';
import { resolveScopeCached } from './identity.scope-cache.js';
import { verifyAccessToken } from './identity.tokens.js';
import type { IdentityDependencies } from './identity.types.js';
import { apiKeyPattern } from './use-cases/api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * For routes that need no sign-in (login, refresh, password reset…): a stale or invalid token sent
     * along by habit is ignored instead of refused, so a client with an expired token can still refresh.
     */
    ignoreBadCredentials?: boolean;
  }
}

type Credentials = { kind: 'bearer'; token: string } | { kind: 'api_key'; key: string };

function readCredentials(request: FastifyRequest): Credentials | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization.trim());
    const scheme = match?.[1]?.toLowerCase();
    if (scheme === 'bearer') return { kind: 'bearer', token: match![2]! };
    if (scheme === 'apikey') return { kind: 'api_key', key: match![2]! };
    throw unauthorized('Use "Authorization: Bearer <access token>" or an API key.', 'auth.scheme_unsupported');
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return { kind: 'api_key', key: apiKey.trim() };
  return null;
}

async function authenticateBearer(ctx: ServiceContext, token: string): Promise<void> {
  const claims = await verifyAccessToken(ctx.config, token);
  const mark = await findSessionMark(ctx, claims.sessionId);
  if (mark?.revokedAtMs != null) throw unauthorized('This session was signed out. Sign in again.', 'auth.session_revoked');
  if (mark?.staleAtMs != null && claims.issuedAtMs < mark.staleAtMs) {
    throw unauthorized('Your access changed since this token was issued. Refresh it to continue.', 'auth.token_stale');
  }
  ctx.actor = { userId: claims.userId, sessionId: claims.sessionId, apiKeyId: null, scopes: null, isSuperAdmin: claims.isSuperAdmin };
  ctx.tenantId = claims.tenantId;
  ctx.accountId = claims.accountId;
  ctx.tenantRole = claims.tenantRole;
  ctx.accountRole = claims.accountRole;
}

const invalidApiKey = () => unauthorized('The API key is not valid.', 'auth.api_key_invalid');

async function authenticateApiKey(ctx: ServiceContext, deps: IdentityDependencies, key: string): Promise<void> {
  const match = apiKeyPattern.exec(key);
  if (!match) throw invalidApiKey();
  const prefix = match[1]!;
  const row = await withSystemAccessRead(ctx, 'auth:api-key', (tx) => selectApiKeyByPrefix(tx, prefix));
  if (!row || !timingSafeEqualStrings(row.keyHash, sha256Hex(key))) throw invalidApiKey();
  if (row.revokedAt) throw unauthorized('This API key was revoked.', 'auth.api_key_revoked');
  if (row.isExpired) throw unauthorized('This API key has expired.', 'auth.api_key_expired');
  const scope = await resolveScopeCached(ctx, deps.memberships, row.userId, { tenantId: row.tenantId, accountId: row.accountId });
  if (!scope) throw unauthorized("The API key's owner no longer has access to its workspace.", 'auth.api_key_no_access');
  if (row.isLastUseStale) await withSystemAccess(ctx, 'auth:api-key', (tx) => touchApiKey(tx, row.id));
  // Keys never carry platform (super admin) power: they act inside one tenant.
  ctx.actor = { userId: row.userId, sessionId: null, apiKeyId: row.id, scopes: row.scopes, isSuperAdmin: false };
  ctx.tenantId = scope.tenantId;
  ctx.accountId = scope.accountId;
  ctx.tenantRole = scope.tenantRole;
  ctx.accountRole = scope.accountRole;
}

/**
 * Bearer access tokens (verified in memory; revocations from the in-process list) or API keys
 * ("x-api-key: <key>" or "Authorization: ApiKey <key>"). No credentials: false; bad ones: 401.
 */
export function createAuthenticator(deps: IdentityDependencies): Authenticator {
  return async (request, ctx) => {
    try {
      const credentials = readCredentials(request);
      if (!credentials) return false;
      if (credentials.kind === 'bearer') await authenticateBearer(ctx, credentials.token);
      else await authenticateApiKey(ctx, deps, credentials.key);
      return true;
    } catch (error) {
      if (isAppError(error) && error.status === 401 && request.routeOptions.config?.ignoreBadCredentials) {
        ctx.actor = null;
        ctx.tenantId = null;
        ctx.accountId = null;
        ctx.tenantRole = null;
        ctx.accountRole = null;
        return false;
      }
      throw error;
    }
  };
}
