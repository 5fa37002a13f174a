import type { Config } from '../../kernel/config.js';

/**
 * A rate window: at most `limit` publish attempts in any `seconds`-long span, counted per connection (the
 * network's per-user or per-account limit) or across the whole network ('app': the limit the network puts
 * on our app as a whole). The dispatcher claims no target whose connection or network has used its window,
 * and wakes up when the oldest attempt in the window ages out.
 */
export type RateWindow = { network: string; scope: 'connection' | 'app'; limit: number; seconds: number };

/**
 * The networks' published limits on creating posts (read 2026-11; README "Rate windows" has the sources).
 * Rolling windows are never looser than a network's calendar-day reset (LinkedIn resets at midnight UTC).
 */
export const defaultRateWindows: readonly RateWindow[] = [
  // X API v2, POST /2/tweets: 100 requests per 15 minutes per user, 10,000 per 24 hours per app
  // (docs.x.com/x-api/fundamentals/rate-limits, "Manage posts").
  { network: 'x', scope: 'connection', limit: 100, seconds: 900 },
  { network: 'x', scope: 'app', limit: 10_000, seconds: 86_400 },
  // LinkedIn: daily limits per member and per application (reset at midnight UTC). The current docs
  // (learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits) defer the numbers to the
  // Developer Portal; these are the Share API's published 150 per member and 100,000 per application.
  { network: 'linkedin', scope: 'connection', limit: 150, seconds: 86_400 },
  { network: 'linkedin', scope: 'app', limit: 100_000, seconds: 86_400 },
  // Pinterest v5, Standard access: 100 requests per second per user per app, across all endpoints
  // (developers.pinterest.com/docs/reference/rate-limits). Trial access is 1,000 per day per app:
  // configure pinterest:app=1000/86400 while the app is on Trial.
  { network: 'pinterest', scope: 'connection', limit: 100, seconds: 1 },
  // Instagram: API-published posts per account per 24 hours. GET /<IG_ID>/content_publishing_limit
  // documents quota_total as "currently 50" over quota_duration 86,400 s (the content-publishing guide
  // still says 100); the lower, current number is the default.
  { network: 'instagram', scope: 'connection', limit: 50, seconds: 86_400 },
  // Facebook Pages: no fixed count. Page-token calls are limited to 4,800 × the Page's engaged users per
  // 24 h (developers.facebook.com/docs/graph-api/overview/rate-limiting), which we cannot know in advance;
  // a throttled Page answers 429 / codes 4, 17, 32, 613, 80001, and that pauses the connection.
];

/**
 * The rate windows in force: the defaults, except that a network named in PUBLISH_NETWORK_RATE_LIMITS
 * (entries `network=count/seconds`, `network:app=count/seconds` or `network=off`, checked by the config
 * schema) gets exactly the windows listed for it there, and none after `network=off`.
 */
export function rateWindows(config: Pick<Config, 'PUBLISH_NETWORK_RATE_LIMITS'>): RateWindow[] {
  const configured: RateWindow[] = [];
  const overridden = new Set<string>();
  for (const entry of config.PUBLISH_NETWORK_RATE_LIMITS) {
    const [key = '', value = ''] = entry.split('=');
    const [network = '', scope] = key.split(':');
    overridden.add(network);
    if (value === 'off') continue;
    const [limit, seconds] = value.split('/').map(Number);
    configured.push({ network, scope: scope === 'app' ? 'app' : 'connection', limit: limit!, seconds: seconds! });
  }
  return [...defaultRateWindows.filter((window) => !overridden.has(window.network)), ...configured];
}
