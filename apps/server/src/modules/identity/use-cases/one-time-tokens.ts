import { generateToken, sha256Hex } from '../../../kernel/crypto/tokens.js';
import type { Tx } from '../../../kernel/db/database.js';
import { AppError, badRequest } from '../../../kernel/errors.js';
import { consumeOneTimeToken, insertOneTimeToken, retireOneTimeTokens, selectOneTimeTokenState } from '../identity.queries.js';
import type { OneTimeTokenPurpose } from '../identity.schema.js';

/** Lifetimes of the links sent by email. */
export const oneTimeTokenTtlSeconds: Record<OneTimeTokenPurpose, number> = {
  reset_password: 3600,
  verify_email: 48 * 3600,
  magic_link: 15 * 60,
};

/**
 * Create a single-use token; returns the secret for the email link (only its hash is stored). A new
 * sign-in or reset link retires the older ones, so only the latest email works.
 */
export async function createOneTimeToken(tx: Tx, userId: string, purpose: OneTimeTokenPurpose): Promise<string> {
  if (purpose !== 'verify_email') await retireOneTimeTokens(tx, userId, purpose);
  const token = generateToken(32);
  await insertOneTimeToken(tx, { userId, purpose, tokenHash: sha256Hex(token), ttlSeconds: oneTimeTokenTtlSeconds[purpose] });
  return token;
}

/** Use a token exactly once; throws a clear error when it is unknown, used or expired. Returns the user id. */
export async function redeemOneTimeToken(tx: Tx, token: string, purpose: OneTimeTokenPurpose): Promise<string> {
  const tokenHash = sha256Hex(token);
  const userId = await consumeOneTimeToken(tx, tokenHash, purpose);
  if (userId) return userId;
  const state = await selectOneTimeTokenState(tx, tokenHash, purpose);
  if (state === 'used') throw new AppError('gone', 'auth.token_used', 'This link was already used. Ask for a new one.');
  if (state === 'expired') throw new AppError('gone', 'auth.token_expired', 'This link has expired. Ask for a new one.');
  throw badRequest('auth.token_invalid', 'This link is not valid. Check that you copied it completely, or ask for a new one.');
}
