import { randomUUID } from 'node:crypto';
import { sandboxBehaviourSchema, type SandboxBehaviour, type SocialConnection } from '@omni/contracts/social';
import type { Config } from '../../kernel/config.js';
import { decryptSecret, encryptSecret } from '../../kernel/crypto/secrets.js';
import type { Kernel } from '../../kernel/kernel.js';
import { findProvider } from './providers/index.js';
import type { NewConnection } from './social.queries.js';
import type { ConnectionRow } from './social.schema.js';
import { publicBaseUrl } from '../../kernel/http/public-url.js';
export { escapeHtml } from '../../kernel/mail/html.js';
export { publicBaseUrl } from '../../kernel/http/public-url.js';

/** Where the network sends the browser back to (must be registered with the network's app). */
export function callbackUrl(config: Config, network: string): string {
  return `${publicBaseUrl(config)}/api/social/callback/${network}`;
}

/** The console's connections page, where the browser lands after the OAuth round trip. */
export function connectionsPageUrl(config: Config, query: Record<string, string>): string {
  return `${publicBaseUrl(config)}/connections?${new URLSearchParams(query).toString()}`;
}

export function sealSecret(config: Config, value: string | null): string | null {
  return value === null || value === '' ? null : encryptSecret(config, value);
}

export function openSecret(config: Config, value: string | null): string | null {
  return value === null ? null : decryptSecret(config, value);
}

export function toConnectionDto(kernel: Kernel, row: ConnectionRow): SocialConnection {
  return {
    id: row.id,
    accountId: row.accountId,
    network: row.network,
    networkName: findProvider(kernel, row.network)?.displayName ?? row.network,
    destination: { externalId: row.destinationId, name: row.destinationName, kind: row.destinationKind, pictureUrl: row.destinationPictureUrl },
    status: row.status,
    statusReason: row.statusReason,
    needsReconnect: row.status === 'needs_reconnect',
    sandboxBehaviour: row.network === 'sandbox' ? sandboxBehaviourSchema.catch('publish').parse(row.destinationMetadata.sandboxBehaviour ?? 'publish') : null,
    accessTokenExpiresAt: row.accessTokenExpiresAt?.toISOString() ?? null,
    scopes: row.scopes,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    connectedBy: row.connectedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A Sandbox feed's row: no tokens, a destination of its own, its behaviour in the destination metadata. */
export function newSandboxConnection(input: { tenantId: string; accountId: string; name: string; behaviour: SandboxBehaviour; connectedBy: string }): NewConnection {
  return {
    tenantId: input.tenantId,
    accountId: input.accountId,
    network: 'sandbox',
    destinationId: `sandbox-${randomUUID()}`,
    destinationName: input.name,
    destinationKind: 'sandbox',
    destinationPictureUrl: null,
    destinationMetadata: input.behaviour === 'publish' ? {} : { sandboxBehaviour: input.behaviour },
    accessTokenEncrypted: null,
    refreshTokenEncrypted: null,
    destinationTokenEncrypted: null,
    accessTokenExpiresAt: null,
    refreshTokenExpiresAt: null,
    scopes: [],
    connectedBy: input.connectedBy,
  };
}

