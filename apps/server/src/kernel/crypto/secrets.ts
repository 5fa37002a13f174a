import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';

/**
 * Secrets at rest (provider access tokens, API credentials): AES-256-GCM with a key id, so keys can
 * rotate. Format: `v1.<kid>.<iv>.<tag>.<ciphertext>`, each part base64url. The version and key id are
 * authenticated (additional data), so a payload cannot be relabelled to another key.
 *
 * Keys: ENCRYPTION_KEY (id ENCRYPTION_KEY_ID) encrypts; ENCRYPTION_PREVIOUS_KEYS ("kid:key" pairs) only
 * decrypt. Rotation: move the old key into the previous list under its id, set a new key and id; old
 * payloads keep decrypting, and reencryptSecret moves them to the current key when convenient.
 */
export type SecretKeyConfig = Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEY_ID' | 'ENCRYPTION_PREVIOUS_KEYS'>;

export type SecretBox = {
  readonly currentKeyId: string;
  encrypt(plaintext: string): string;
  /** Throws SecretDecryptionError on an unknown key id, a malformed payload or a failed authentication. */
  decrypt(payload: string): string;
  /** The key id a payload was encrypted with, or null when it is not a v1 payload. */
  keyIdOf(payload: string): string | null;
};

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

const version = 'v1';
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
const ivBytes = 12;
const tagBytes = 16;

/** Stretch the configured key text (any length ≥ 32 characters) into a 256-bit key bound to its id. */
function deriveKey(secret: string, keyId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('omni.secrets.v1', 'utf8'), Buffer.from(keyId, 'utf8'), 32));
}

function parsePreviousKeys(entries: string[]): Array<[string, string]> {
  return entries.map((entry) => {
    const separator = entry.indexOf(':');
    const keyId = separator > 0 ? entry.slice(0, separator) : '';
    const secret = separator > 0 ? entry.slice(separator + 1) : '';
    if (!keyIdPattern.test(keyId) || secret.length < 32) {
      throw new Error('ENCRYPTION_PREVIOUS_KEYS entries must be "kid:key" with a key of at least 32 characters');
    }
    return [keyId, secret];
  });
}

export function createSecretBox(config: SecretKeyConfig): SecretBox {
  const currentKeyId = config.ENCRYPTION_KEY_ID;
  if (!keyIdPattern.test(currentKeyId)) throw new Error('ENCRYPTION_KEY_ID must be 1–32 letters, digits, _ or -');
  if (!config.ENCRYPTION_KEY || config.ENCRYPTION_KEY.length < 32) throw new Error('ENCRYPTION_KEY must be at least 32 characters');
  const keys = new Map<string, Buffer>();
  for (const [keyId, secret] of parsePreviousKeys(config.ENCRYPTION_PREVIOUS_KEYS ?? [])) keys.set(keyId, deriveKey(secret, keyId));
  // The current key wins over a previous entry with the same id.
  keys.set(currentKeyId, deriveKey(config.ENCRYPTION_KEY, currentKeyId));
  const currentKey = keys.get(currentKeyId)!;

  function split(payload: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
    const parts = payload.split('.');
    if (parts.length !== 5 || parts[0] !== version) throw new SecretDecryptionError('Not an encrypted secret (expected v1.<kid>.<iv>.<tag>.<ciphertext>)');
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    const decoded = { keyId, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url') };
    if (!keyIdPattern.test(keyId) || decoded.iv.length !== ivBytes || decoded.tag.length !== tagBytes) {
      throw new SecretDecryptionError('Malformed encrypted secret');
    }
    return decoded;
  }

  return {
    currentKeyId,
    encrypt(plaintext) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: tagBytes });
      cipher.setAAD(Buffer.from(`${version}.${currentKeyId}`, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [version, currentKeyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    decrypt(payload) {
      const { keyId, iv, tag, ciphertext } = split(payload);
      const key = keys.get(keyId);
      if (!key) throw new SecretDecryptionError(`No key with id "${keyId}" is configured (ENCRYPTION_KEY_ID / ENCRYPTION_PREVIOUS_KEYS)`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
        decipher.setAAD(Buffer.from(`${version}.${keyId}`, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretDecryptionError('The encrypted secret failed authentication (tampered, or the wrong key)');
      }
    },
    keyIdOf(payload) {
      const parts = payload.split('.');
      return parts.length === 5 && parts[0] === version && keyIdPattern.test(parts[1]!) ? parts[1]! : null;
    },
  };
}

// One box per config object: key derivation runs once per process, not per call.
const boxes = new WeakMap<SecretKeyConfig, SecretBox>();

function boxFor(config: SecretKeyConfig): SecretBox {
  let box = boxes.get(config);
  if (!box) {
    box = createSecretBox(config);
    boxes.set(config, box);
  }
  return box;
}

/** Encrypt with the current key. */
export function encryptSecret(config: SecretKeyConfig, plaintext: string): string {
  return boxFor(config).encrypt(plaintext);
}

/** Decrypt with whichever configured key the payload names. */
export function decryptSecret(config: SecretKeyConfig, payload: string): string {
  return boxFor(config).decrypt(payload);
}

/** The same secret under the current key (unchanged when it already uses it). */
export function reencryptSecret(config: SecretKeyConfig, payload: string): string {
  const box = boxFor(config);
  if (box.keyIdOf(payload) === box.currentKeyId) {
    box.decrypt(payload); // still verify: never pass on a payload that would not decrypt
    return payload;
  }
  return box.encrypt(box.decrypt(payload));
}
