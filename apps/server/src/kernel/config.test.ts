import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { deriveAppDatabaseUrl, resolveConfig } from './runtime-config.js';

function configErrorOf(source: Record<string, string>): string {
  try {
    parseConfig(source);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('configuration', () => {
  it('fills every setting with its default when the environment is empty', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      LOG_LEVEL: 'info',
      APP_DB_ROLE: 'omni_app',
      CORS_ORIGINS: [],
      BODY_LIMIT_BYTES: 1024 * 1024,
      SEED_DEMO: true,
      TRUST_PROXY: ['loopback', 'linklocal', 'uniquelocal'],
    });
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('coerces numbers, booleans and comma-separated lists', () => {
    const config = parseConfig({ PORT: '8080', SEED_DEMO: 'no', CORS_ORIGINS: ' https://a.example, https://b.example ,,', JWT_PREVIOUS_SECRETS: 'old-one' });
    expect(config.PORT).toBe(8080);
    expect(config.SEED_DEMO).toBe(false);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.JWT_PREVIOUS_SECRETS).toEqual(['old-one']);
  });

  it('rejects bad values with one readable line per variable', () => {
    const message = configErrorOf({ PORT: 'eighty', LOG_LEVEL: 'loud', JWT_SECRET: 'short', SMTP_URL: 'not a url', SEED_DEMO: 'maybe' });
    expect(message).toMatch(/^Invalid configuration:\n/);
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(5);
    for (const variable of ['PORT', 'LOG_LEVEL', 'JWT_SECRET', 'SMTP_URL', 'SEED_DEMO']) {
      expect(lines.some((line) => line.trim().startsWith(`${variable}: `))).toBe(true);
    }
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DB_POOL_MAX', '0'],
    ['ACCESS_TOKEN_TTL_SECONDS', '3600'],
    ['BODY_LIMIT_BYTES', '10'],
    ['APP_DB_ROLE', 'omni-app; DROP ROLE postgres'],
    ['APP_DB_PASSWORD', 'short'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'db.internal 5432'],
  ])('rejects %s=%s', (variable, value) => {
    expect(configErrorOf({ [variable]: value })).toContain(`${variable}: `);
  });

  it('refuses to start in production without the secrets and database it needs', async () => {
    await expect(resolveConfig(parseConfig({ NODE_ENV: 'production' }))).rejects.toThrow(/JWT_SECRET, ENCRYPTION_KEY and DATABASE_URL/);
  });

  it('derives the app role’s connection URL from the owner URL unless one is configured', () => {
    const config = parseConfig({ APP_DB_ROLE: 'omni_app', APP_DB_PASSWORD: 'app-password-1' });
    expect(deriveAppDatabaseUrl(config, 'postgres://owner:secret@db.internal:5432/omni')).toBe('postgres://omni_app:app-password-1@db.internal:5432/omni');
    const explicit = parseConfig({ APP_DATABASE_URL: 'postgres://custom:pw@elsewhere/omni' });
    expect(deriveAppDatabaseUrl(explicit, 'postgres://owner:secret@db.internal:5432/omni')).toBe('postgres://custom:pw@elsewhere/omni');
  });
});
