import type { Config } from '../../kernel/config.js';
import type { Tx } from '../../kernel/db/database.js';
import { selectTenantPlan } from './media.queries.js';

const MB = 1024 * 1024;

export type MediaLimits = { plan: string; maxImageBytes: number; maxVideoBytes: number; quotaBytes: number };

/** MEDIA_PLAN_LIMITS ("plan=imageMB/videoMB/quotaMB", …) as a table; "default" covers plans not listed. */
export function parsePlanLimits(entries: string[]): Map<string, Omit<MediaLimits, 'plan'>> {
  const table = new Map<string, Omit<MediaLimits, 'plan'>>();
  for (const entry of entries) {
    const [plan, values] = entry.split('=') as [string, string];
    const [image, video, quota] = values.split('/').map(Number) as [number, number, number];
    table.set(plan, { maxImageBytes: image * MB, maxVideoBytes: video * MB, quotaBytes: quota * MB });
  }
  return table;
}

/**
 * The tenant's media limits: its plan (tenants.plan) looked up in MEDIA_PLAN_LIMITS. The one seam the
 * billing module will replace, without changing callers.
 */
export async function resolveMediaLimits(tx: Tx, config: Config, tenantId: string): Promise<MediaLimits> {
  const plan = (await selectTenantPlan(tx, tenantId)) ?? 'default';
  const table = parsePlanLimits(config.MEDIA_PLAN_LIMITS);
  const limits = table.get(plan) ?? table.get('default') ?? { maxImageBytes: 20 * MB, maxVideoBytes: 250 * MB, quotaBytes: 2048 * MB };
  return { plan, ...limits };
}

/** "Images may be at most 20 MB on the Starter plan." */
export function describeKindLimit(kind: 'image' | 'video', limits: MediaLimits): string {
  const bytes = kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes;
  const plan = limits.plan.charAt(0).toUpperCase() + limits.plan.slice(1);
  return `${kind === 'image' ? 'Images' : 'Videos'} may be at most ${Math.round(bytes / MB)} MB on the ${plan} plan.`;
}
