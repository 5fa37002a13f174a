import type { Tx } from '../../kernel/db/database.js';
import { withTenantRead } from '../../kernel/db/tenancy.js';
import type { Kernel } from '../../kernel/kernel.js';
import { listProviders } from './providers/index.js';
import type { NetworkId, ProviderErrorKind, SocialProvider } from './providers/provider.js';
import { refreshUnderLock } from './social.publishing.js';
import { selectConnectionsToRenew, selectTenantsWithTokensToRenew, type RenewalFilter } from './social.queries.js';
import type { ConnectionRow } from './social.schema.js';

/**
 * Background renewal of tokens that would lapse on idle connections (docs/decisions/007). A connection
 * nobody publishes to is never loaded, so the publish-time refresh never runs for it:
 * - 'extend' (Facebook, and Instagram through Facebook Login): the long-lived user token (~60 days) can
 *   only be exchanged for a fresh one (fb_exchange_token) while it is still valid. Extended once it
 *   expires within SOCIAL_TOKEN_RENEWAL_DAYS.
 * - 'rotating' (Pinterest's continuous refresh): when the refresh token has a known expiry within the
 *   window, a refresh returns a new one.
 * - 'reuse' (LinkedIn) has a refresh token with a fixed end of life, and X's has no stated expiry:
 *   nothing to renew ahead of time.
 * Every renewal goes through refreshUnderLock, the same path as publishing (row lock, no empty
 * replacements, flagging and one notification per incident).
 */

/** Most tenants enqueued per daily run, and connections renewed per tenant job; the rest wait a day. */
const maxTenantsPerRun = 10_000;
const maxConnectionsPerTenant = 1_000;
/** Tenant jobs start spread over this window (at least a minute out), so a large platform does not
 * call Meta's token endpoint thousands of times in the same second. */
const spreadSeconds = 3600;

export type RenewalSummary = { renewed: number; flagged: number; deferred: number };

function renewalModelOf(provider: SocialProvider): 'extend' | 'rotating' | null {
  if (!provider.isConfigured || !provider.oauth?.refreshTokens) return null;
  const model = provider.oauth.refreshModel;
  return model === 'extend' || model === 'rotating' ? model : null;
}

function renewalWindowMs(kernel: Kernel): number {
  return kernel.config.SOCIAL_TOKEN_RENEWAL_DAYS * 24 * 3600 * 1000;
}

function renewalFilter(kernel: Kernel, now: number): RenewalFilter {
  const providers = listProviders(kernel);
  const withModel = (model: 'extend' | 'rotating'): NetworkId[] =>
    providers.filter((provider) => renewalModelOf(provider) === model).map((provider) => provider.id);
  return { extendNetworks: withModel('extend'), rotatingNetworks: withModel('rotating'), before: new Date(now + renewalWindowMs(kernel)) };
}

/** Whether this row's token expires within the renewal window under its network's model. */
export function isRenewalDue(row: ConnectionRow, provider: SocialProvider, windowMs: number, now = Date.now()): boolean {
  const model = renewalModelOf(provider);
  const expiry = model === 'extend' ? row.accessTokenExpiresAt : model === 'rotating' ? row.refreshTokenExpiresAt : null;
  return expiry !== null && expiry.getTime() - now < windowMs;
}

/** When a tenant's renewal job runs: a fixed offset per tenant within the spread window. */
export function renewalStartFor(tenantId: string, now: Date): Date {
  let hash = 0;
  for (const character of tenantId) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return new Date(now.getTime() + (60 + (hash % (spreadSeconds - 60))) * 1000);
}

/** The daily fan-out (system access): the tenants that have a connection due for renewal. */
export async function findTenantsWithTokensToRenew(kernel: Kernel, tx: Tx, now = new Date()): Promise<string[]> {
  const filter = renewalFilter(kernel, now.getTime());
  if (filter.extendNetworks.length === 0 && filter.rotatingNetworks.length === 0) return [];
  return selectTenantsWithTokensToRenew(tx, filter, maxTenantsPerRun);
}

/**
 * Renew one tenant's due connections, one at a time, each under its row lock. Failures are classified:
 * disconnected or refresh_needed → the connection is flagged needs_reconnect and its owners are told
 * (inside refreshUnderLock); rate_limited → the network is left alone for the rest of this run;
 * retryable and anything else → left for the next daily run (the window leaves about two weeks of tries).
 */
export async function renewTenantTokens(kernel: Kernel, tenantId: string): Promise<RenewalSummary> {
  const windowMs = renewalWindowMs(kernel);
  const filter = renewalFilter(kernel, Date.now());
  const due = await withTenantRead({ db: kernel.db, tenantId }, (tx) => selectConnectionsToRenew(tx, filter, maxConnectionsPerTenant));
  const providers = new Map(listProviders(kernel).map((provider) => [provider.id, provider]));
  const summary: RenewalSummary = { renewed: 0, flagged: 0, deferred: 0 };
  const rateLimited = new Set<NetworkId>();
  for (const connection of due) {
    const provider = providers.get(connection.network);
    if (!provider || rateLimited.has(connection.network)) {
      summary.deferred += 1;
      continue;
    }
    const outcome = await refreshUnderLock(kernel, provider, tenantId, connection.id, (locked) => isRenewalDue(locked, provider, windowMs));
    if (outcome.refreshed) {
      summary.renewed += 1;
      continue;
    }
    if (!outcome.failure) continue;
    const kind: ProviderErrorKind = outcome.failure.kind;
    if (kind === 'disconnected' || kind === 'refresh_needed') {
      summary.flagged += 1;
    } else {
      summary.deferred += 1;
      if (kind === 'rate_limited') rateLimited.add(connection.network);
    }
    kernel.logger.warn(
      { tenantId, connectionId: connection.id, network: connection.network, kind, status: outcome.failure.details.status },
      'social: token renewal failed',
    );
  }
  if (due.length > 0) kernel.logger.info({ tenantId, ...summary }, 'social: token renewal done');
  return summary;
}
