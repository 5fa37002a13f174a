import { z } from 'zod';
import { defineJob, enqueueJob } from '../../kernel/jobs/jobs.js';
import { findTenantsWithTokensToRenew, renewalStartFor, renewTenantTokens } from './social.token-renewal.js';

/**
 * The social jobs. Every day at 03:17 UTC the fan-out finds the tenants with tokens about to lapse and
 * enqueues one renewal job each (key `social.renew-tokens:<tenantId>`, spread over the next hour); the
 * tenant job renews them inside the tenant (docs/decisions/007-social-connections.md).
 */

/** One tenant's due connections, renewed through the shared refresh path; no transaction held across calls. */
export const renewTokensJob = defineJob({
  id: 'social.renew-tokens',
  payload: z.object({}),
  transactional: false,
  maxAttempts: 3,
  run: async (ctx) => {
    if (!ctx.tenantId) throw new Error('social.renew-tokens runs inside a tenant');
    await renewTenantTokens(ctx, ctx.tenantId);
  },
});

/** Daily, under system access: which tenants have a token to renew; one job each. */
export const scheduleTokenRenewalsJob = defineJob({
  id: 'social.schedule-token-renewals',
  payload: z.object({}),
  cron: '17 3 * * *',
  run: async (ctx, _payload, tx) => {
    if (!tx) throw new Error('social.schedule-token-renewals runs in a transaction');
    const now = new Date();
    const tenantIds = await findTenantsWithTokensToRenew(ctx, tx, now);
    for (const tenantId of tenantIds) {
      await enqueueJob(tx, renewTokensJob, {}, { tenantId, key: `social.renew-tokens:${tenantId}`, runAt: renewalStartFor(tenantId, now) });
    }
    if (tenantIds.length > 0) ctx.logger.info({ tenants: tenantIds.length }, 'social: token renewals scheduled');
  },
});

export const socialJobs = [scheduleTokenRenewalsJob, renewTokensJob];
