import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { SecretDecryptionError, createSecretBox, decryptSecret, encryptSecret, reencryptSecret } from './secrets.js';

const oldKey = 'old-key-old-key-old-key-old-key-old-key-0001';
const newKey = 'new-key-new-key-new-key-new-key-new-key-0002';

function keyConfig(overrides: Record<string, string>) {
  const raw = parseConfig({ NODE_ENV: 'test', ...overrides });
  return { ENCRYPTION_KEY: raw.ENCRYPTION_KEY!, ENCRYPTION_KEY_ID: raw.ENCRYPTION_KEY_ID, ENCRYPTION_PREVIOUS_KEYS: raw.ENCRYPTION_PREVIOUS_KEYS };
}

/** Flip one bit of a base64url part of the payload. */
function tamper(payload: string, partIndex: number): string {
  const parts = payload.split('.');
  const bytes = Buffer.from(parts[partIndex]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('secrets at rest (AES-256-GCM with key ids)', () => {
  const config = keyConfig({ ENCRYPTION_KEY: oldKey });

  it('round-trips a secret in the v1.<kid>.<iv>.<tag>.<ciphertext> format without exposing the plaintext', () => {
    const payload = encryptSecret(config, 'EAAB-page-token-ünïcode');
    expect(payload).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(payload).not.toContain('EAAB');
    expect(decryptSecret(config, payload)).toBe('EAAB-page-token-ünïcode');
  });

  it('uses a fresh nonce each time, so equal secrets encrypt differently', () => {
    expect(encryptSecret(config, 'same')).not.toBe(encryptSecret(config, 'same'));
  });

  it('detects tampering with the ciphertext, the tag, the nonce or the key id', () => {
    const payload = encryptSecret(config, 'a secret worth protecting');
    for (const index of [2, 3, 4]) expect(() => decryptSecret(config, tamper(payload, index))).toThrow(SecretDecryptionError);
    const relabelled = payload.replace(/^v1\.k1\./, 'v1.k2.');
    const withK2 = keyConfig({ ENCRYPTION_KEY: oldKey, ENCRYPTION_PREVIOUS_KEYS: `k2:${oldKey}` });
    expect(() => decryptSecret(withK2, relabelled)).toThrow(/failed authentication/);
    expect(() => decryptSecret(config, 'plaintext-token')).toThrow(SecretDecryptionError);
  });

  it('refuses a payload made with a key that is not configured', () => {
    const other = keyConfig({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_ID: 'k9' });
    expect(() => decryptSecret(config, encryptSecret(other, 'x'))).toThrow(/No key with id "k9"/);
  });

  it('after a rotation, old payloads still decrypt and re-encryption moves them to the current key', () => {
    const before = encryptSecret(config, 'long-lived token');
    const rotated = keyConfig({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_ID: 'k2', ENCRYPTION_PREVIOUS_KEYS: `k1:${oldKey}` });
    expect(decryptSecret(rotated, before)).toBe('long-lived token');
    const moved = reencryptSecret(rotated, before);
    expect(moved.split('.')[1]).toBe('k2');
    expect(decryptSecret(rotated, moved)).toBe('long-lived token');
    // Once the old key is dropped, only the re-encrypted payload survives.
    const afterRetirement = keyConfig({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_ID: 'k2' });
    expect(decryptSecret(afterRetirement, moved)).toBe('long-lived token');
    expect(() => decryptSecret(afterRetirement, before)).toThrow(SecretDecryptionError);
    // A payload already on the current key is returned as is.
    expect(reencryptSecret(rotated, moved)).toBe(moved);
  });

  it('rejects malformed previous-key entries and short keys at start-up', () => {
    expect(() => createSecretBox(keyConfig({ ENCRYPTION_KEY: oldKey, ENCRYPTION_PREVIOUS_KEYS: 'no-separator' }))).toThrow(/kid:key/);
    expect(() => createSecretBox(keyConfig({ ENCRYPTION_KEY: oldKey, ENCRYPTION_PREVIOUS_KEYS: 'k0:short' }))).toThrow(/kid:key/);
  });
});
