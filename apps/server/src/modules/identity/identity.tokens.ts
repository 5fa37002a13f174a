import { SignJWT, errors as joseErrors, jwtVerify, type JWTHeaderParameters } from 'jose';
import { z } from 'zod';
import type { Config } from '../../kernel/config.js';
import type { AccountRole, TenantRole } from '../../kernel/context.js';
import { unauthorized } from '../../kernel/errors.js';

/**
 * Access tokens: short-lived HS256 JWTs. The header's kid names the signing key, so keys can rotate:
 * JWT_SECRET signs (kid JWT_KEY_ID), JWT_PREVIOUS_SECRETS ("kid:secret") still verify until they age out.
 * iat carries milliseconds (a fractional NumericDate) so it can be compared exactly with a session's stale_at.
 */
export type AccessTokenClaims = {
  userId: string;
  sessionId: string;
  tenantId: string | null;
  accountId: string | null;
  tenantRole: TenantRole | null;
  accountRole: AccountRole | null;
  isSuperAdmin: boolean;
  /** Issue time in epoch milliseconds. */
  issuedAtMs: number;
};

const algorithm = 'HS256';
const encoder = new TextEncoder();

type KeyRing = { signingKid: string; signingKey: Uint8Array; verificationKeys: Map<string, Uint8Array> };

const keyRings = new WeakMap<Config, KeyRing>();

function getKeyRing(config: Config): KeyRing {
  let ring = keyRings.get(config);
  if (!ring) {
    const verificationKeys = new Map<string, Uint8Array>();
    for (const entry of config.JWT_PREVIOUS_SECRETS) {
      const separator = entry.indexOf(':');
      if (separator <= 0 || separator === entry.length - 1) {
        throw new Error('JWT_PREVIOUS_SECRETS entries must look like "kid:secret"');
      }
      verificationKeys.set(entry.slice(0, separator), encoder.encode(entry.slice(separator + 1)));
    }
    const signingKey = encoder.encode(config.JWT_SECRET);
    verificationKeys.set(config.JWT_KEY_ID, signingKey);
    ring = { signingKid: config.JWT_KEY_ID, signingKey, verificationKeys };
    keyRings.set(config, ring);
  }
  return ring;
}

/** Parse the signing keys now, so a malformed JWT_PREVIOUS_SECRETS stops the boot instead of every request. */
export function assertSigningKeys(config: Config): void {
  getKeyRing(config);
}

export async function signAccessToken(config: Config, claims: AccessTokenClaims): Promise<string> {
  const ring = getKeyRing(config);
  const issuedAt = claims.issuedAtMs / 1000;
  return new SignJWT({
    sid: claims.sessionId,
    tid: claims.tenantId,
    aid: claims.accountId,
    trl: claims.tenantRole,
    arl: claims.accountRole,
    sa: claims.isSuperAdmin,
  })
    .setProtectedHeader({ alg: algorithm, kid: ring.signingKid, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(Math.floor(issuedAt) + config.ACCESS_TOKEN_TTL_SECONDS)
    .sign(ring.signingKey);
}

const uuid = z.uuid();
const claimsSchema = z.object({
  sub: uuid,
  sid: uuid,
  tid: uuid.nullable(),
  aid: uuid.nullable(),
  trl: z.enum(['owner', 'admin', 'member']).nullable(),
  arl: z.enum(['admin', 'editor', 'contributor', 'viewer', 'client']).nullable(),
  sa: z.boolean(),
  iat: z.number().finite(),
});

const invalidToken = () => unauthorized('The access token is invalid. Sign in again.', 'auth.token_invalid');

/**
 * Verified tokens, by their exact text, until they expire: a client sends the same token on every request
 * for up to its lifetime, and re-verifying the HMAC each time was a measurable share of a request's CPU.
 * Only successful verifications are kept, so a forged token is always checked in full; revocation and
 * staleness are checked per request by the caller, not here. Bounded: the oldest entries go first.
 */
const verifiedTokens = new Map<string, { claims: AccessTokenClaims; expiresAtMs: number; config: Config }>();
const verifiedTokensLimit = 10_000;

function readExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Verify signature, algorithm, issuer, audience and expiry; throws a 401 AppError on any failure. */
export async function verifyAccessToken(config: Config, token: string): Promise<AccessTokenClaims> {
  const cached = verifiedTokens.get(token);
  if (cached && cached.config === config) {
    if (cached.expiresAtMs > Date.now()) return cached.claims;
    verifiedTokens.delete(token);
  }
  const claims = await verifyAccessTokenFully(config, token);
  const expiresAtMs = readExpiry(token);
  if (expiresAtMs) {
    if (verifiedTokens.size >= verifiedTokensLimit) verifiedTokens.delete(verifiedTokens.keys().next().value!);
    verifiedTokens.set(token, { claims, expiresAtMs, config });
  }
  return claims;
}

async function verifyAccessTokenFully(config: Config, token: string): Promise<AccessTokenClaims> {
  const ring = getKeyRing(config);
  let payload: unknown;
  try {
    const verified = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid === undefined ? undefined : ring.verificationKeys.get(header.kid);
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
      { algorithms: [algorithm], issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, requiredClaims: ['sub', 'iat', 'exp'] },
    );
    payload = verified.payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw unauthorized('The access token has expired. Refresh it.', 'auth.token_expired');
    }
    throw invalidToken();
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw invalidToken();
  const value = claims.data;
  if (value.aid && !value.tid) throw invalidToken();
  return {
    userId: value.sub,
    sessionId: value.sid,
    tenantId: value.tid,
    accountId: value.aid,
    tenantRole: value.trl,
    accountRole: value.arl,
    isSuperAdmin: value.sa,
    issuedAtMs: Math.round(value.iat * 1000),
  };
}
