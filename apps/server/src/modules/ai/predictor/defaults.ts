import type { SocialNetworkId } from '@omni/contracts/social';

/**
 * Engagement per impression before an account has its own data (design §5, `basis: "default"`,
 * confidence 0.3). The rate is interactions / impressions, the definition the predictor learns.
 *
 * Sources:
 * - Buffer, "State of Social Media Engagement" (2025; engagement divided by impressions, millions of posts
 *   of Buffer's users), as summarised at shortsintel.com/statistics/social-media-engagement-benchmarks:
 *   LinkedIn 6.50 %, Facebook 5.07 %, X 2.31 %, Instagram 1.16 %.
 * - Pinterest: no per-impression figure in that report; Instagram's 1.16 % (the closest visual network) is
 *   used until a Pinterest account has its own history.
 * - Sandbox (Omni's test network): a round 5 % so demos show a plausible number.
 *
 * The band is not a statistical interval: half to one and a half times the benchmark, because an account's
 * rate commonly sits anywhere in that range of a cross-industry average.
 */
export const defaultEngagementRates: Record<SocialNetworkId, number> = {
  linkedin: 0.065,
  facebook: 0.0507,
  x: 0.0231,
  instagram: 0.0116,
  pinterest: 0.0116,
  sandbox: 0.05,
};

export const defaultBand = { low: 0.5, high: 1.5 };
export const defaultConfidence = 0.3;

/** Published posts with metrics on the network from which a model is trained (design §5). */
export const modelThreshold = 30;
/** Below the model threshold, the account's own median once it has this many posts. */
export const historyThreshold = 5;
/** How far back published posts count. */
export const lookbackDays = 365;
/** The most recent posts used per (account, network), so training stays cheap. */
export const maxSamples = 2000;
/** Window of the follower proxy: median impressions of the account's posts in the preceding days. */
export const followerProxyDays = 30;
/** A stored model older than this, or trained on a count that differs by this share, is stale. */
export const staleAfterHours = 36;
export const staleSampleShare = 0.2;
