import type { Config } from '../config.js';

/** The console's public origin, without a trailing slash: PUBLIC_URL, else localhost on PORT. */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_URL' | 'PORT'>): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}
