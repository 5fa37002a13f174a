import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, RawConfig } from './config.js';

type LocalSecrets = { jwtSecret: string; encryptionKey: string; databasePassword: string };

/**
 * Fill in the secrets a local install needs. In production they must be configured; on a developer's
 * machine they are generated once and kept in DATA_DIR/secrets.json (mode 0600), so restarts keep sessions.
 */
export async function resolveConfig(raw: RawConfig): Promise<Config & { localDatabasePassword: string }> {
  if (raw.NODE_ENV === 'production' && (!raw.JWT_SECRET || !raw.ENCRYPTION_KEY || !raw.DATABASE_URL)) {
    throw new Error('In production set JWT_SECRET, ENCRYPTION_KEY and DATABASE_URL (see README, Configuration).');
  }
  const secrets = await loadLocalSecrets(raw.DATA_DIR);
  return {
    ...raw,
    JWT_SECRET: raw.JWT_SECRET ?? secrets.jwtSecret,
    ENCRYPTION_KEY: raw.ENCRYPTION_KEY ?? secrets.encryptionKey,
    localDatabasePassword: secrets.databasePassword,
  };
}

async function loadLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = path.resolve(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64url'),
    databasePassword: randomBytes(18).toString('base64url'),
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  await chmod(file, 0o600);
  return secrets;
}

/** The URL the app (non-owner role) connects with: configured, or derived from the owner URL. */
export function deriveAppDatabaseUrl(config: Pick<Config, 'APP_DATABASE_URL' | 'APP_DB_ROLE' | 'APP_DB_PASSWORD'>, ownerUrl: string): string {
  if (config.APP_DATABASE_URL) return config.APP_DATABASE_URL;
  const url = new URL(ownerUrl);
  url.username = config.APP_DB_ROLE;
  url.password = config.APP_DB_PASSWORD;
  return url.toString();
}
