import { parseConfig, type Config } from '../../../src/kernel/config.js';

/** A Config for provider tests: the given settings (base URLs of a fake, client ids) over the defaults. */
export function providerTestConfig(settings: Record<string, string>): Config {
  return {
    ...parseConfig({ NODE_ENV: 'test', SOCIAL_HTTP_TIMEOUT_MS: '2500', ...settings }),
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
