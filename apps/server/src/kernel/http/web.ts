import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Serve the built web console: hashed assets with long caching, and index.html for any other GET that
 * is not an API path (client-side routing). API paths keep their problem+json 404s.
 */
export async function serveWebConsole(app: FastifyInstance, distDir: string): Promise<boolean> {
  const root = path.resolve(distDir);
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ root }, 'web console not built; run npm run build -w @omni/web');
    return false;
  }
  await app.register(fastifyStatic, { root, wildcard: false, index: false, serve: true, prefix: '/', decorateReply: true,
    setHeaders: (response, filePath) => {
      if (filePath.includes(`${path.sep}assets${path.sep}`)) response.header('cache-control', 'public, max-age=31536000, immutable');
      else response.header('cache-control', 'no-cache');
    },
  });
  return true;
}

const apiPrefixes = ['/api/', '/openapi.json', '/docs', '/healthz', '/readyz', '/metrics', '/t/'];

/** Client-side routes get index.html; API paths keep their problem+json 404. */
export function isConsoleRoute(method: string, url: string): boolean {
  return method === 'GET' && !apiPrefixes.some((prefix) => url.startsWith(prefix));
}
