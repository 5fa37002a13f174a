import { promises as dns } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { anthropicDefaultBaseUrl, createAiProvider, type AiFetch, type AiProvider, type AiProviderSettings } from '../../kernel/ai/index.js';
import type { Config } from '../../kernel/config.js';
import { decryptSecret } from '../../kernel/crypto/secrets.js';
import type { Tx } from '../../kernel/db/database.js';
import { AppError } from '../../kernel/errors.js';
import { OutboundRefusal, createOutboundFetcher } from '../../kernel/http/outbound-fetch.js';
import { selectPlatformProviderPublic, selectProviderSettings, type ProviderSettingsRow } from './ai.queries.js';

/**
 * Which provider runs a tenant's agents: its own enabled settings row, else the platform's row, else the
 * AI_* configuration (the platform default at first start). Tenants' base URLs are user-supplied (SSRF):
 * checked when saved and guarded at call time unless the platform allows private addresses.
 */
export type ResolvedProvider = {
  source: 'own' | 'platform';
  kind: ProviderSettingsRow['kind'];
  baseUrl: string | null;
  apiKey: string | null;
  defaultModel: string;
  models: Record<string, string>;
  requestsPerMinute: number;
  guarded: boolean;
};

export const defaultModels: Record<ProviderSettingsRow['kind'], string> = { offline: 'offline', 'openai-compatible': 'gpt-4o-mini', anthropic: 'claude-haiku-4-5' };

/** The platform default from the configuration (no row saved yet). */
export function configuredPlatformProvider(config: Config): ResolvedProvider {
  return {
    source: 'platform',
    kind: config.AI_PROVIDER,
    baseUrl: config.AI_BASE_URL ?? null,
    apiKey: config.AI_API_KEY ?? null,
    defaultModel: config.AI_PROVIDER === 'offline' ? 'offline' : (config.AI_MODEL ?? defaultModels[config.AI_PROVIDER]),
    models: {},
    requestsPerMinute: config.AI_REQUESTS_PER_MINUTE,
    guarded: false,
  };
}

export function fromRow(config: Config, row: ProviderSettingsRow, source: 'own' | 'platform', guarded: boolean): ResolvedProvider {
  return {
    source,
    kind: row.kind,
    baseUrl: row.base_url,
    apiKey: row.api_key_secret ? decryptSecret(config, row.api_key_secret) : null,
    defaultModel: row.default_model,
    models: row.models,
    requestsPerMinute: row.requests_per_minute,
    guarded,
  };
}

/** Whether tenants' base URLs may be private (platform setting, or AI_BASE_URL_ALLOW_PRIVATE for development). */
export async function privateBaseUrlsAllowed(tx: Tx, config: Config): Promise<boolean> {
  if (config.AI_BASE_URL_ALLOW_PRIVATE) return true;
  return (await selectPlatformProviderPublic(tx))?.allow_private_base_urls ?? false;
}

/** The tenant's provider, in the tenant's transaction; the platform's key is read under system access by the caller. */
export async function resolveTenantProvider(
  tx: Tx,
  config: Config,
  tenantId: string,
  readPlatformRow: () => Promise<ProviderSettingsRow | null>,
): Promise<ResolvedProvider> {
  const own = await selectProviderSettings(tx, tenantId);
  if (own?.enabled) return fromRow(config, own, 'own', !(await privateBaseUrlsAllowed(tx, config)));
  const platform = await readPlatformRow();
  return platform ? fromRow(config, platform, 'platform', false) : configuredPlatformProvider(config);
}

/** The URL-level policy for a tenant's base URL (https, public host): 422 ai.base_url_refused. */
export function requireAllowedBaseUrl(url: string, allowPrivate: boolean): string {
  if (allowPrivate) return url;
  try {
    return createOutboundFetcher({ origins: 'public', maxBytes: 1, timeoutMs: 1, subject: 'AI base URL' }).check(url);
  } catch (error) {
    if (error instanceof OutboundRefusal) {
      throw new AppError('unprocessable', 'ai.base_url_refused', `Omni cannot call this AI endpoint: ${error.message}.`, { errors: [{ path: 'provider.baseUrl', message: error.message }] });
    }
    throw error;
  }
}

/** fetch that refuses hosts resolving to non-public addresses (a tenant's base URL, at call time). */
export function createGuardedFetch(): AiFetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = ipaddr.isValid(host) ? [{ address: host }] : await dns.lookup(host, { all: true, verbatim: true });
    for (const { address } of addresses) {
      const parsed = ipaddr.process(address);
      if (parsed.range() !== 'unicast') throw new TypeError(`AI endpoint ${url.origin} resolves to a non-public address (${parsed.range()}): refused`);
    }
    return globalThis.fetch(input, init);
  };
}

/** Provider settings for the kernel seam; timeouts from AI_CALL_TIMEOUT_SECONDS. */
export function toProviderSettings(config: Config, resolved: ResolvedProvider, model?: string): AiProviderSettings {
  const timeoutMs = config.AI_CALL_TIMEOUT_SECONDS * 1000;
  const fetch = resolved.guarded ? createGuardedFetch() : undefined;
  switch (resolved.kind) {
    case 'offline':
      return { kind: 'offline' };
    case 'openai-compatible':
      return { kind: 'openai-compatible', baseUrl: resolved.baseUrl ?? 'https://api.openai.com/v1', apiKey: resolved.apiKey ?? undefined, model: model ?? resolved.defaultModel, timeoutMs, fetch };
    case 'anthropic':
      return { kind: 'anthropic', baseUrl: resolved.baseUrl ?? anthropicDefaultBaseUrl, apiKey: resolved.apiKey ?? '', model: model ?? resolved.defaultModel, timeoutMs, fetch };
  }
}

export function createResolvedProvider(config: Config, resolved: ResolvedProvider, model?: string): AiProvider {
  return createAiProvider(toProviderSettings(config, resolved, model));
}
