import type { SocialNetworkId } from '@omni/contracts/social';

/**
 * Best times to post before an account has enough of its own data (design §7.3), in the account's local
 * time, best first. The console labels them "based on published industry studies until your own data is
 * enough".
 *
 * Sources:
 * - abacustrategic.com, a study of 30,000 posts: Facebook Tuesday and Thursday 8–12 (we take 09:00, and
 *   Wednesday 10:00), Instagram Wednesday 11:00 (then Tuesday and Thursday 11:00), X Monday and Thursday
 *   08:00, LinkedIn Tuesday and Wednesday 09:00.
 * - activerain.com: Pinterest Friday 15:00 and Saturday 20:00–23:00 (we take 20:00).
 * - Sandbox (Omni's test network): weekdays 10:00, so demos and tests have a suggestion every weekday.
 */

/** 0 = Sunday … 6 = Saturday (as PostgreSQL's `extract(dow …)`), hour 0–23 on the account's clock. */
export type WeeklySlot = { weekday: number; hour: number };

export const defaultBestTimes: Record<SocialNetworkId, WeeklySlot[]> = {
  facebook: [
    { weekday: 2, hour: 9 },
    { weekday: 4, hour: 9 },
    { weekday: 3, hour: 10 },
  ],
  instagram: [
    { weekday: 3, hour: 11 },
    { weekday: 2, hour: 11 },
    { weekday: 4, hour: 11 },
  ],
  x: [
    { weekday: 1, hour: 8 },
    { weekday: 4, hour: 8 },
  ],
  linkedin: [
    { weekday: 2, hour: 9 },
    { weekday: 3, hour: 9 },
  ],
  pinterest: [
    { weekday: 5, hour: 15 },
    { weekday: 6, hour: 20 },
  ],
  sandbox: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, hour: 10 })),
};

/** Published posts with metrics on a network (last 90 days) from which suggestions are learned. */
export const learnedThreshold = 20;
/** How many posts' worth of the network mean a bucket's score is shrunk toward. */
export const shrinkagePrior = 3;
/** A bucket with fewer posts is not suggested. */
export const minimumBucketSamples = 2;
/** How far back published posts count. */
export const lookbackDays = 90;
