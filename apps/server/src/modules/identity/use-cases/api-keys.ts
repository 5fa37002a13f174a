import type { ApiKey, ApiKeyList, CreateApiKeyBody, CreatedApiKey, PermissionList } from '@omni/contracts/identity';
import { assertCan, listPermissions, requireActor, requireTenant } from '../../../kernel/access.js';
import { generateRandomString, generateToken, sha256Hex } from '../../../kernel/crypto/tokens.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { insertApiKey, revokeApiKey as revokeApiKeyRow, selectApiKeyOfUser, selectApiKeysOfUser } from '../identity.queries.js';
import type { ApiKeyRow } from '../identity.schema.js';
import type { IdentityDependencies } from '../identity.types.js';

/**
 * API keys: "omni_<prefix>_<secret>". The prefix (10 lower-case letters/digits) is public and indexed;
 * the secret (32 random bytes, base64url) is shown once and only the SHA-256 of the whole key is kept.
 * A key belongs to its creator and to the tenant (and optional account) active when it was made; it
 * acts with the creator's current roles there, narrowed to its scopes.
 */
export const apiKeyPattern = /^omni_([a-z0-9]{10})_([A-Za-z0-9_-]{43,128})$/;

export function toApiKeyDto(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    accountId: row.accountId,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export function listApiKeyScopes(ctx: ServiceContext): PermissionList {
  requireActor(ctx);
  return { items: listPermissions() };
}

export async function listApiKeys(ctx: ServiceContext): Promise<ApiKeyList> {
  assertCan(ctx, 'api_keys:manage');
  const rows = await withTenantRead(ctx, (tx) => selectApiKeysOfUser(tx, ctx.actor!.userId));
  return { items: rows.map(toApiKeyDto) };
}

function validateScopes(ctx: ServiceContext, scopes: string[]): string[] {
  const known = new Set(listPermissions());
  const unique = [...new Set(scopes)];
  const errors = unique.flatMap((scope, index) =>
    known.has(scope) ? [] : [{ path: `scopes.${index}`, message: `Unknown scope "${scope}". GET /api/auth/permissions lists the valid ones.` }],
  );
  if (errors.length > 0) throw badRequest('api_key.scope_unknown', errors[0]!.message, errors);
  // A key may not mint a key stronger than itself.
  const ownScopes = ctx.actor?.scopes;
  if (ownScopes) {
    const beyond = unique.filter((scope) => !ownScopes.includes(scope) && !ownScopes.includes('*') && !ownScopes.includes(`${scope.split(':')[0]}:*`));
    if (beyond.length > 0) {
      throw new AppError('forbidden', 'api_key.scope_exceeds_creator', `This API key cannot grant scopes it does not hold: ${beyond.join(', ')}.`);
    }
  }
  return unique.sort();
}

export async function createApiKey(ctx: ServiceContext, deps: IdentityDependencies, input: CreateApiKeyBody): Promise<CreatedApiKey> {
  assertCan(ctx, 'api_keys:manage');
  const tenantId = requireTenant(ctx);
  const userId = ctx.actor!.userId;
  const scopes = validateScopes(ctx, input.scopes);
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    const message = 'The expiry must be in the future.';
    throw badRequest('api_key.expiry_past', message, [{ path: 'expiresAt', message }]);
  }
  const accountId = input.accountId ?? null;
  if (accountId && !(await deps.memberships.resolveScope(ctx, userId, { tenantId, accountId }))) {
    throw new AppError('forbidden', 'tenant.no_access', 'You do not have access to this account.');
  }
  const secretPart = generateToken(32);
  const row = await withTenant(ctx, async (tx) => {
    // A 10-character prefix collides about once in 10^15 draws; retrying keeps uniqueness a non-event.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const prefix = generateRandomString(10);
      const key = `omni_${prefix}_${secretPart}`;
      const inserted = await insertApiKey(tx, { tenantId, accountId, userId, name: input.name, prefix, keyHash: sha256Hex(key), scopes, expiresAt });
      if (inserted) return { inserted, key };
    }
    throw new Error('could not draw a unique API key prefix');
  });
  ctx.audit.targetType = 'api_key';
  ctx.audit.targetId = row.inserted.id;
  ctx.audit.metadata = { scopes, accountId };
  return { apiKey: toApiKeyDto(row.inserted), secret: row.key };
}

/** Revoke one of the user's keys in the active tenant. Revoking a revoked key again is a no-op. */
export async function revokeApiKey(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, 'api_keys:manage');
  const userId = ctx.actor!.userId;
  await withTenant(ctx, async (tx) => {
    const revoked = await revokeApiKeyRow(tx, id, userId);
    if (!revoked && !(await selectApiKeyOfUser(tx, id, userId))) throw notFound('API key');
  });
  ctx.audit.targetType = 'api_key';
  ctx.audit.targetId = id;
}
