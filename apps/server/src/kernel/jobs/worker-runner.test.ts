import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { withSystemAccess } from '../db/tenancy.js';
import { createJobRegistry, defineJob, enqueueJob, registerJob, startJobWorker } from './jobs.js';

describe('the job worker', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('runs, as the non-owner app role, a job enqueued in a committed transaction', async () => {
    const seen: number[] = [];
    let resolveRan: () => void = () => undefined;
    const ran = new Promise<void>((resolve) => (resolveRan = resolve));
    const marker = Math.floor(Math.random() * 1e9);
    const job = defineJob({
      id: `test.worker-runner-${marker}`,
      payload: z.object({ marker: z.number() }),
      async run(_ctx, payload, tx) {
        expect(tx).not.toBeNull();
        seen.push(payload.marker);
        resolveRan();
      },
    });
    const registry = createJobRegistry();
    registerJob(registry, job);
    const worker = await startJobWorker(t.kernel, registry);
    try {
      await withSystemAccess(t.kernel, 'test', (tx) => enqueueJob(tx, job, { marker }, { tenantId: null }));
      await ran;
      expect(seen).toEqual([marker]);
    } finally {
      await worker.stop();
    }
  });

  it('registers a job declaring a cron schedule with the worker’s scheduler', async () => {
    const marker = Math.floor(Math.random() * 1e9);
    const job = defineJob({ id: `test.cron-${marker}`, payload: z.object({}), cron: '0 0 1 1 *', async run() {} });
    const registry = createJobRegistry();
    registerJob(registry, job);
    const worker = await startJobWorker(t.kernel, registry);
    try {
      // The scheduler records its crontab asynchronously after the runner starts: wait for it (bounded).
      await vi.waitFor(
        async () => {
          const known = await t.owner.query('SELECT identifier FROM graphile_worker._private_known_crontabs WHERE identifier = $1', [job.id]);
          expect(known.rows).toEqual([{ identifier: job.id }]);
        },
        { timeout: 15_000, interval: 200 },
      );
    } finally {
      await worker.stop();
    }
  });
});
