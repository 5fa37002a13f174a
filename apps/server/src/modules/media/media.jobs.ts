import { z } from 'zod';
import { defineJob, requireJobTenant } from '../../kernel/jobs/jobs.js';
import { getBlobStore } from '../../kernel/storage/index.js';
import { assetPrefix } from './media.keys.js';
import { selectProcessingPrefixes } from './media.queries.js';
import { deletePrefix, processAsset } from './use-cases/process-asset.js';

/** Sanitize an upload and make its renditions (idempotent; key process:<assetId>). No transaction is held across the image work. */
export const processAssetJob = defineJob({
  id: 'media.process-asset',
  payload: z.object({ assetId: z.uuid() }),
  transactional: false,
  maxAttempts: 5,
  run: async (ctx, { assetId }) => {
    await processAsset(ctx, requireJobTenant(ctx.tenantId), assetId);
  },
});

/** Delete every stored object of a deleted asset. */
export const purgeAssetJob = defineJob({
  id: 'media.purge-asset',
  payload: z.object({ assetId: z.uuid() }),
  transactional: false,
  maxAttempts: 10,
  run: async (ctx, { assetId }) => {
    await deletePrefix(getBlobStore(ctx.config), assetPrefix(requireJobTenant(ctx.tenantId), assetId));
  },
});

const orphanAgeMs = 24 * 3600 * 1000;

/**
 * Daily: raw uploads older than a day without a processing asset (the process crashed between storing
 * the upload and inserting its row) are deleted. Runs under system access: it reads every tenant's prefixes.
 */
export const sweepOrphansJob = defineJob({
  id: 'media.sweep-orphans',
  payload: z.object({}),
  cron: '23 3 * * *',
  run: async (ctx, _payload, tx) => {
    if (!tx) throw new Error('media.sweep-orphans runs in a transaction');
    const store = getBlobStore(ctx.config);
    const cutoff = Date.now() - orphanAgeMs;
    const candidates: string[] = [];
    for await (const item of store.list('t/')) {
      if (item.key.endsWith('/upload.raw') && item.lastModified.getTime() < cutoff) candidates.push(item.key);
    }
    const prefixes = candidates.map((key) => key.slice(0, -'/upload.raw'.length));
    const processing = await selectProcessingPrefixes(tx, prefixes);
    for (const prefix of prefixes) if (!processing.has(prefix)) await store.delete(`${prefix}/upload.raw`);
  },
});

export const mediaJobs = [processAssetJob, purgeAssetJob, sweepOrphansJob];
