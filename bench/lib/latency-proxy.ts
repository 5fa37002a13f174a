import http from 'node:http';
import { listenOnLoopback } from '../../apps/server/test/fakes/network/fake-http-server.js';

export type LatencyProxy = { url: string; close(): Promise<void> };

/**
 * An HTTP proxy on 127.0.0.1 that forwards every request to `target` after a random delay in
 * [minimumMs, maximumMs]: a local fake network answers in microseconds, a real one in tens of ms or more.
 * Bodies are buffered (the fakes' requests are small), headers passed through.
 */
export async function startLatencyProxy(target: string, latency: { minimumMs: number; maximumMs: number }): Promise<LatencyProxy> {
  const upstream = new URL(target);
  // A fresh connection to the fake per request: reusing one the fake is just closing (its keep-alive ends
  // after 5 s idle) would lose a response, which the engine must then treat as an unknown outcome.
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const delay = latency.minimumMs + Math.random() * (latency.maximumMs - latency.minimumMs);
      setTimeout(() => {
        const forwarded = http.request(
          { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host }, agent },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        forwarded.on('error', () => {
          // The fake dropped the connection: do the same to our client.
          request.socket.destroy();
        });
        forwarded.end(Buffer.concat(chunks));
      }, delay);
    });
  });
  // Clients keep their connections to us (undici closes idle ones itself, well before this).
  server.keepAliveTimeout = 60_000;
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    async close() {
      agent.destroy();
      await listening.close();
    },
  };
}
