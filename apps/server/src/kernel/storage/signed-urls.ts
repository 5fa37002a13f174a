import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';

/**
 * Signed URLs for blobs served by Omni itself (local storage): `/blobs/<key>?exp=<unix>&kid=<key id>&sig=…`,
 * sig = base64url HMAC-SHA256 over `v1\n<key>\n<exp>`, with a key derived by HKDF from ENCRYPTION_KEY
 * (info 'omni-media-url-v1'). URLs signed with a key listed in ENCRYPTION_PREVIOUS_KEYS keep verifying
 * during a rotation. Verification needs no database: the key is in the signed path.
 */
export type UrlSigner = {
  sign(key: string, expiresAt: number): { exp: string; kid: string; sig: string };
  verify(key: string, query: { exp?: string; kid?: string; sig?: string }, now?: Date): 'valid' | 'expired' | 'invalid';
};

const info = Buffer.from('omni-media-url-v1', 'utf8');

function deriveUrlKey(secret: string, keyId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from(keyId, 'utf8'), info, 32));
}

function mac(secret: Buffer, key: string, exp: string): Buffer {
  return createHmac('sha256', secret).update(`v1\n${key}\n${exp}`).digest();
}

export function createUrlSigner(config: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEY_ID' | 'ENCRYPTION_PREVIOUS_KEYS'>): UrlSigner {
  const keys = new Map<string, Buffer>();
  for (const entry of config.ENCRYPTION_PREVIOUS_KEYS ?? []) {
    const separator = entry.indexOf(':');
    if (separator > 0) keys.set(entry.slice(0, separator), deriveUrlKey(entry.slice(separator + 1), entry.slice(0, separator)));
  }
  keys.set(config.ENCRYPTION_KEY_ID, deriveUrlKey(config.ENCRYPTION_KEY, config.ENCRYPTION_KEY_ID));
  const current = keys.get(config.ENCRYPTION_KEY_ID)!;
  return {
    sign(key, expiresAt) {
      const exp = String(Math.floor(expiresAt));
      return { exp, kid: config.ENCRYPTION_KEY_ID, sig: mac(current, key, exp).toString('base64url') };
    },
    verify(key, query, now = new Date()) {
      const { exp, kid, sig } = query;
      if (!exp || !/^\d{1,12}$/.test(exp) || !kid || !sig) return 'invalid';
      const secret = keys.get(kid);
      if (!secret) return 'invalid';
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(secret, key, exp);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      return Number(exp) * 1000 <= now.getTime() ? 'expired' : 'valid';
    },
  };
}
