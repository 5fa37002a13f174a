import { z } from 'zod';
import { confidenceFields, defineAgent, offlineLabel, round } from './define.js';

const bucketSchema = z.object({
  /** e.g. "instagram · Tue 18:00" or "2026-W49". */
  label: z.string().trim().min(1).max(200),
  impressions: z.number().int().min(0),
  interactions: z.number().int().min(0),
});

const rate = (bucket: z.infer<typeof bucketSchema>) => (bucket.impressions > 0 ? bucket.interactions / bucket.impressions : 0);
const percent = (value: number) => `${round(value * 100, 2)}%`;

export const insightsAnalystAgent = defineAgent({
  id: 'insights-analyst',
  version: 1,
  workflowType: 'campaign_optimization',
  description: 'Turns engagement summaries (per time slot, network or period) into findings: the best bucket, the trend and outliers.',
  input: z.object({
    /** Buckets to compare (slots, networks…); `series` in time order for the trend. */
    buckets: z.array(bucketSchema).max(500).default([]),
    series: z.array(bucketSchema).max(500).default([]),
  }),
  output: z.object({
    findings: z.array(z.object({ kind: z.enum(['best_bucket', 'trend', 'outlier', 'summary']), title: z.string(), detail: z.string() })),
    ...confidenceFields,
  }),
  system:
    'You are a social media analyst. From the engagement numbers given, state the findings a marketer can act on: the best performing bucket, the trend over the series and outliers. Quote the numbers; never invent data.',
  buildPrompt: (input) => `Buckets: ${JSON.stringify(input.buckets)}\nSeries (oldest first): ${JSON.stringify(input.series)}`,
  offline: (input) => {
    const findings: Array<{ kind: 'best_bucket' | 'trend' | 'outlier' | 'summary'; title: string; detail: string }> = [];
    const buckets = input.buckets.filter((bucket) => bucket.impressions > 0);
    if (buckets.length > 0) {
      const best = [...buckets].sort((left, right) => rate(right) - rate(left) || left.label.localeCompare(right.label))[0]!;
      const mean = buckets.reduce((sum, bucket) => sum + rate(bucket), 0) / buckets.length;
      findings.push({ kind: 'best_bucket', title: `Best: ${best.label}`, detail: `${percent(rate(best))} engagement rate against an average of ${percent(mean)} over ${buckets.length} buckets.` });
      const spread = Math.sqrt(buckets.reduce((sum, bucket) => sum + (rate(bucket) - mean) ** 2, 0) / buckets.length);
      for (const bucket of buckets) {
        if (spread > 0 && Math.abs(rate(bucket) - mean) > 2 * spread) {
          findings.push({ kind: 'outlier', title: `Outlier: ${bucket.label}`, detail: `${percent(rate(bucket))}, more than two standard deviations from the average ${percent(mean)}.` });
        }
      }
    }
    const series = input.series.filter((point) => point.impressions > 0);
    if (series.length >= 2) {
      const half = Math.floor(series.length / 2);
      const average = (points: typeof series) => points.reduce((sum, point) => sum + rate(point), 0) / points.length;
      const before = average(series.slice(0, half));
      const after = average(series.slice(half));
      const change = before > 0 ? (after - before) / before : 0;
      const direction = Math.abs(change) < 0.05 ? 'flat' : change > 0 ? 'rising' : 'falling';
      findings.push({ kind: 'trend', title: `Engagement is ${direction}`, detail: `${percent(before)} in the first half of the series, ${percent(after)} in the second (${change >= 0 ? '+' : ''}${round(change * 100, 1)}%).` });
    }
    if (findings.length === 0) findings.push({ kind: 'summary', title: 'Not enough data', detail: 'No bucket or period with impressions was given.' });
    return {
      findings,
      confidence: findings[0]!.kind === 'summary' ? 0.2 : 0.6,
      explanation: `${offlineLabel} Templated findings computed from the numbers given (rates, averages, standard deviation).`,
    };
  },
});
