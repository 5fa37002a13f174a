import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LoadRequest = {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
};

export type LoadResult = {
  requestsPerSecond: number;
  totalRequests: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
};

const workerPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-worker.ts');

/**
 * Run autocannon in a child process (it inherits tsx from this process's execArgv) and return its summary.
 * Both servers under comparison stay in this process, so they see the same machine and the same load.
 */
export async function measureLoad(request: LoadRequest): Promise<LoadResult> {
  const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    child.once('message', (message) => {
      settled = true;
      resolve(message as LoadResult);
    });
    child.once('error', (error) => {
      if (!settled) reject(error);
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} before reporting`));
    });
    child.send(request);
  });
}
