import { parseConfig, type Config } from '../../../src/kernel/config.js';
import { ProviderError } from '../../../src/modules/social/providers/provider.js';

/**
 * A Config for provider tests: the given settings (base URLs of a fake, client ids) over the defaults.
 * The fakes serve the posts' media at /test-media/ over http on 127.0.0.1, so unless the settings say
 * otherwise the media fetch policy allows loopback and the origins of the base URLs given.
 */
export function providerTestConfig(settings: Record<string, string>): Config {
  const fakeOrigins = Object.entries(settings)
    .filter(([name, value]) => name.endsWith('_URL') && /^https?:\/\//.test(value))
    .map(([, value]) => new URL(value).origin);
  return {
    ...parseConfig({
      NODE_ENV: 'test',
      SOCIAL_HTTP_TIMEOUT_MS: '2500',
      MEDIA_FETCH_ALLOW_LOOPBACK: 'true',
      MEDIA_FETCH_ALLOWED_ORIGINS: [...new Set(fakeOrigins)].join(','),
      ...settings,
    }),
    JWT_SECRET: 'provider-tests-jwt-secret-0123456789abcdef',
    ENCRYPTION_KEY: 'provider-tests-encryption-key-0123456789ab',
  };
}

/** A base URL on 127.0.0.1 where nothing listens: connecting is refused, so no request is ever sent. */
export async function unreachableBaseUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The ProviderError a provider call fails with; anything else (success, another error) fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}
