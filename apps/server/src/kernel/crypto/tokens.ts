import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Small, generic primitives for secrets handed to clients (refresh tokens, email links, API keys).
 * Such secrets are stored only as their SHA-256 digest: they are long random values, so a fast hash is
 * enough (no dictionary to attack), and lookups by digest stay indexable.
 */

/** A URL-safe random token carrying `bytes` bytes of entropy (base64url, no padding). */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const lowerAlphanumeric = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random string drawn uniformly from `alphabet` (default: lower-case letters and digits). */
export function generateRandomString(length: number, alphabet = lowerAlphanumeric): string {
  let result = '';
  for (let index = 0; index < length; index += 1) result += alphabet[randomInt(alphabet.length)];
  return result;
}

/** Hex SHA-256 digest of a UTF-8 string. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compare two strings without leaking, through timing, where they first differ. */
export function timingSafeEqualStrings(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, 'utf8');
  const rightBytes = Buffer.from(right, 'utf8');
  // Compare digests so inputs of different lengths take the same path (timingSafeEqual needs equal lengths).
  const leftDigest = createHash('sha256').update(leftBytes).digest();
  const rightDigest = createHash('sha256').update(rightBytes).digest();
  return timingSafeEqual(leftDigest, rightDigest) && leftBytes.length === rightBytes.length;
}
