import type { BestTimeSlot, BestTimes, BestTimesQuery } from '@omni/contracts/content-calendar';
import { isKnownTimeZone, toZonedInputValue, wallClockIn, zonedTimeToInstant } from '@omni/contracts/time';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getAccountTimezone, summarizeEngagementByHour, type EngagementBucket } from '../../publishing/index.js';
import { listSchedulableConnections } from '../../social/index.js';
import { contentPermissions } from '../content.permissions.js';
import { defaultBestTimes, learnedThreshold, lookbackDays, minimumBucketSamples, shrinkagePrior, type WeeklySlot } from './best-times.defaults.js';
import { requireAccount } from './posts.js';
import { findScheduleConflicts } from './scheduling.js';

/**
 * Best-time suggestions (design §7.3): up to 5 upcoming slots on a network. Learned from the account's own
 * published posts once it has enough of them with metrics (each (weekday, hour) bucket's engagement shrunk
 * toward the network mean, so one lucky post does not dominate; only buckets scoring above that mean are
 * suggested); the industry defaults otherwise, and to fill up when the learned buckets have fewer upcoming
 * slots. Slots that would conflict are skipped.
 */

const dayMs = 24 * 3600_000;
const maxSlots = 5;
/** Candidates checked for conflicts at most (each check reads the connection's load). */
const maxChecks = 40;

export type ScoredSlot = WeeklySlot & { score: number; samples: number };

/**
 * The learned (weekday, hour) buckets of one network, best first: score = (sum + prior·mean) / (n + prior)
 * with the network mean over all its samples; buckets with fewer than the minimum samples, and those
 * scoring no better than the mean (a worse-than-usual time is no suggestion), left out. Null when the
 * network has fewer published posts with metrics than the threshold.
 */
export function learnBestBuckets(buckets: EngagementBucket[]): { samples: number; slots: ScoredSlot[] | null } {
  const samples = buckets.reduce((total, bucket) => total + bucket.samples, 0);
  if (samples < learnedThreshold) return { samples, slots: null };
  const mean = buckets.reduce((total, bucket) => total + bucket.meanScore * bucket.samples, 0) / samples;
  const slots = buckets
    .filter((bucket) => bucket.samples >= minimumBucketSamples)
    .map((bucket) => ({ weekday: bucket.weekday, hour: bucket.hour, samples: bucket.samples, score: (bucket.meanScore * bucket.samples + shrinkagePrior * mean) / (bucket.samples + shrinkagePrior) }))
    .filter((slot) => slot.score > mean)
    .sort((a, b) => b.score - a.score || a.weekday - b.weekday || a.hour - b.hour);
  return { samples, slots };
}

/** The instants in [start, end) at which the zone's clock shows the slot's weekday and hour. */
export function upcomingInstants(slot: WeeklySlot, start: Date, end: Date, timeZone: string): Date[] {
  const first = wallClockIn(start, timeZone);
  const days = Math.ceil((end.getTime() - start.getTime()) / dayMs) + 1;
  const instants: Date[] = [];
  for (let offset = 0; offset <= days; offset += 1) {
    const day = new Date(Date.UTC(first.year, first.month - 1, first.day + offset));
    if (day.getUTCDay() !== slot.weekday) continue;
    const at = zonedTimeToInstant({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: slot.hour }, timeZone);
    if (at.getTime() >= start.getTime() && at.getTime() < end.getTime()) instants.push(at);
  }
  return instants;
}

type Candidate = { at: Date; source: BestTimeSlot['source']; score: number | null; samples: number };

export async function getBestTimes(ctx: ServiceContext, query: BestTimesQuery): Promise<BestTimes> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  if (query.timeZone && !isKnownTimeZone(query.timeZone)) {
    throw new AppError('unprocessable', 'content.unknown_timezone', `Unknown time zone "${query.timeZone}".`, { errors: [{ path: 'querystring.timeZone', message: 'is not an IANA time zone' }] });
  }
  const now = new Date();
  const from = query.from ? new Date(query.from) : now;
  const end = new Date(from.getTime() + query.days * dayMs);
  const start = from.getTime() < now.getTime() ? now : from;
  return withTenantRead(ctx, async (tx) => {
    const connections = (await listSchedulableConnections(tx, accountId)).filter((connection) => connection.network === query.network);
    const wanted = query.connectionId?.toLowerCase();
    const checked = wanted ? connections.filter((connection) => connection.id === wanted) : connections;
    if (query.connectionId && checked.length === 0) throw notFound('Social connection');
    const timeZone = (await getAccountTimezone(tx, accountId)) ?? query.timeZone ?? 'UTC';
    const buckets = await summarizeEngagementByHour(tx, { accountId, network: query.network, since: new Date(now.getTime() - lookbackDays * dayMs), timeZone });
    const learned = learnBestBuckets(buckets);

    const candidates: Candidate[] = [];
    for (const slot of learned.slots ?? []) {
      for (const at of upcomingInstants(slot, start, end, timeZone)) candidates.push({ at, source: 'learned', score: slot.score, samples: slot.samples });
    }
    const defaults = defaultBestTimes[query.network]
      .flatMap((slot) => upcomingInstants(slot, start, end, timeZone))
      .filter((at) => !candidates.some((candidate) => candidate.at.getTime() === at.getTime()))
      .sort((a, b) => a.getTime() - b.getTime());
    for (const at of defaults) candidates.push({ at, source: 'default', score: null, samples: 0 });

    const picked: Candidate[] = [];
    for (const candidate of candidates.slice(0, maxChecks)) {
      if (picked.length === maxSlots) break;
      if (checked.length > 0) {
        const placements = checked.map((connection) => ({ connectionId: connection.id, network: connection.network, at: candidate.at }));
        if ((await findScheduleConflicts(tx, { accountId, config: ctx.config, placements })).length > 0) continue;
      }
      picked.push(candidate);
    }
    return {
      network: query.network,
      timeZone,
      source: learned.slots ? 'learned' : 'default',
      samples: learned.samples,
      threshold: learnedThreshold,
      slots: picked
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .map((candidate) => ({ at: candidate.at.toISOString(), local: toZonedInputValue(candidate.at, timeZone), source: candidate.source, score: candidate.score, samples: candidate.samples })),
    };
  });
}
