import type { Kernel } from '../../../kernel/kernel.js';
import { createFacebookProvider } from './facebook.js';
import { createInstagramProvider } from './instagram.js';
import { createLinkedInProvider } from './linkedin.js';
import { createPinterestProvider } from './pinterest.js';
import { networkIds, type NetworkId, type SocialProvider } from './provider.js';
import { createSandboxProvider } from './sandbox.js';
import { createXProvider } from './x.js';

/**
 * The provider registry: one provider per network, built from the kernel's config (base URLs, client
 * ids) once per kernel. The sandbox needs the kernel's database; the others only its config.
 */
type ProviderFactories = Record<NetworkId, (kernel: Kernel) => SocialProvider>;

const factories: ProviderFactories = {
  facebook: (kernel) => createFacebookProvider(kernel.config),
  instagram: (kernel) => createInstagramProvider(kernel.config),
  pinterest: (kernel) => createPinterestProvider(kernel.config),
  x: (kernel) => createXProvider(kernel.config),
  linkedin: (kernel) => createLinkedInProvider(kernel.config),
  sandbox: (kernel) => createSandboxProvider(kernel),
};

// Keyed by the kernel's database: a request's ServiceContext is a copy of the kernel, the database is shared.
const registries = new WeakMap<Kernel['db'], Map<NetworkId, SocialProvider>>();

/** Replace a network's provider for one kernel (tests: e.g. an Instagram provider that polls faster). */
export function overrideProvider(kernel: Kernel, provider: SocialProvider): void {
  registryOf(kernel).set(provider.id, provider);
}

function registryOf(kernel: Kernel): Map<NetworkId, SocialProvider> {
  let registry = registries.get(kernel.db);
  if (!registry) {
    registry = new Map();
    registries.set(kernel.db, registry);
  }
  return registry;
}

export function isNetworkId(value: string): value is NetworkId {
  return (networkIds as string[]).includes(value);
}

/** The provider of a network, or null when this build has none for it. */
export function findProvider(kernel: Kernel, network: NetworkId): SocialProvider | null {
  const registry = registryOf(kernel);
  let provider = registry.get(network);
  if (!provider) {
    const factory = factories[network];
    if (!factory) return null;
    provider = factory(kernel);
    registry.set(network, provider);
  }
  return provider;
}

/** The provider of a network; throws when this build has none for it. */
export function getProvider(kernel: Kernel, network: NetworkId): SocialProvider {
  const provider = findProvider(kernel, network);
  if (!provider) throw new Error(`No provider for network ${network}`);
  return provider;
}

/** Every provider this build has, configured or not, in the order of networkIds. */
export function listProviders(kernel: Kernel): SocialProvider[] {
  return networkIds.map((network) => findProvider(kernel, network)).filter((provider): provider is SocialProvider => provider !== null);
}
