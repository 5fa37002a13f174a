import autocannon from 'autocannon';
import type { LoadRequest, LoadResult } from './load.js';

/**
 * Child process side of measureLoad: runs autocannon against one URL and sends the summary back over IPC.
 * Kept out of the servers' process so the load generator does not share their event loop.
 */
process.once('message', (message: LoadRequest) => {
  void (async () => {
    const result = await autocannon({
      url: message.url,
      connections: message.connections,
      duration: message.durationSeconds,
      headers: message.headers,
      pipelining: 1,
    });
    const summary: LoadResult = {
      requestsPerSecond: result.requests.average,
      totalRequests: result.requests.total,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      durationSeconds: result.duration,
    };
    process.send?.(summary, () => process.exit(0));
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
