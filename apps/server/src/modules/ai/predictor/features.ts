import { zonedWeekdayHour } from '@omni/contracts/time';

/**
 * The predictor's features (design §5), the same for a published post and for a draft. Weekday × hour is
 * reduced to day parts and a weekend flag: 168 one-hot buckets would need thousands of posts, four day parts
 * learn from dozens. Night (22:00–05:59 on the account's clock) is the reference day part.
 */

export const featureNames = ['log_text_length', 'hashtags', 'has_media', 'has_link', 'morning', 'afternoon', 'evening', 'weekend', 'log_follower_proxy'] as const;

export type PostShape = {
  text: string;
  /** Publication (or planned) instant. */
  at: Date;
  mediaCount: number;
  hasLink: boolean;
  /** Hashtags given apart from the text (a copywriter's suggestion); those in the text are counted too. */
  hashtags?: string[];
};

const hashtagPattern = /#[\p{L}\p{N}_]+/gu;
const urlPattern = /\bhttps?:\/\/\S+/i;

/** Distinct hashtags in the text and the extra list, case-insensitive. */
export function countHashtags(text: string, extra: string[] = []): number {
  const tags = new Set<string>();
  for (const match of text.matchAll(hashtagPattern)) tags.add(match[0].slice(1).toLowerCase());
  for (const tag of extra) {
    const cleaned = tag.trim().replace(/^#/, '').toLowerCase();
    if (cleaned) tags.add(cleaned);
  }
  return tags.size;
}

/** Day part of an hour 0–23: 'morning' 6–11, 'afternoon' 12–16, 'evening' 17–21, 'night' otherwise. */
export function dayPart(hour: number): 'night' | 'morning' | 'afternoon' | 'evening' {
  if (hour >= 6 && hour < 12) return 'morning';
  if (hour >= 12 && hour < 17) return 'afternoon';
  if (hour >= 17 && hour < 22) return 'evening';
  return 'night';
}

/** The feature row of a post, in `featureNames` order; hour and weekday read in the account's zone. */
export function featureRow(post: PostShape, context: { timeZone: string; followerProxy: number }): number[] {
  const { weekday, hour } = zonedWeekdayHour(post.at, context.timeZone);
  const part = dayPart(hour);
  const hasLink = post.hasLink || urlPattern.test(post.text);
  return [
    Math.log1p(post.text.trim().length),
    countHashtags(post.text, post.hashtags),
    post.mediaCount > 0 ? 1 : 0,
    hasLink ? 1 : 0,
    part === 'morning' ? 1 : 0,
    part === 'afternoon' ? 1 : 0,
    part === 'evening' ? 1 : 0,
    weekday === 0 || weekday === 6 ? 1 : 0,
    Math.log1p(Math.max(context.followerProxy, 0)),
  ];
}

/** The value below which `share` (0–1) of the values lie, linearly interpolated. */
export function quantile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * share;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}
