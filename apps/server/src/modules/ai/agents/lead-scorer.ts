import { z } from 'zod';
import { confidenceFields, defineAgent, offlineLabel } from './define.js';

const activitySchema = z.object({
  type: z.enum(['email_open', 'email_click', 'page_view', 'form_submit', 'demo_request', 'purchase', 'reply', 'unsubscribe']),
  at: z.iso.datetime(),
});

/** Points per activity (offline rules), capped per type so one busy signal cannot carry the score. */
const activityPoints: Record<z.infer<typeof activitySchema>['type'], { points: number; cap: number }> = {
  email_open: { points: 2, cap: 10 },
  email_click: { points: 5, cap: 15 },
  page_view: { points: 1, cap: 10 },
  form_submit: { points: 15, cap: 30 },
  demo_request: { points: 30, cap: 30 },
  purchase: { points: 25, cap: 25 },
  reply: { points: 10, cap: 20 },
  unsubscribe: { points: -30, cap: -30 },
};
const seniorTitles = /\b(ceo|cto|cmo|coo|founder|owner|head|director|vp|vice president|chief|partner)\b/i;
const freeMail = /@(gmail|yahoo|hotmail|outlook|gmx|web|icloud|aol)\./i;

export const leadScorerAgent = defineAgent({
  id: 'lead-scorer',
  version: 1,
  workflowType: 'lead_processing',
  description: 'Scores a lead 0–100 from its fields and activities, with the reasons for each point.',
  input: z.object({
    lead: z.object({
      email: z.string().max(254).nullable().default(null),
      company: z.string().max(200).nullable().default(null),
      jobTitle: z.string().max(200).nullable().default(null),
      source: z.string().max(100).nullable().default(null),
      country: z.string().max(100).nullable().default(null),
    }),
    activities: z.array(activitySchema).max(1000).default([]),
    /** The date the score is for (recency is measured from it). */
    asOf: z.iso.datetime(),
  }),
  output: z.object({
    score: z.number().int().min(0).max(100),
    grade: z.enum(['hot', 'warm', 'cold']),
    reasons: z.array(z.object({ factor: z.string(), points: z.number().int() })),
    ...confidenceFields,
  }),
  system:
    'You score B2B marketing leads from 0 (no fit, no interest) to 100 (ready to buy). Weigh fit (role, company, business email) and intent (recent activities); list each factor with its points.',
  buildPrompt: (input) => `Lead: ${JSON.stringify(input.lead)}\nActivities (as of ${input.asOf}): ${JSON.stringify(input.activities)}`,
  offline: (input) => {
    const reasons: Array<{ factor: string; points: number }> = [];
    const { lead } = input;
    if (lead.email && !freeMail.test(lead.email)) reasons.push({ factor: 'business email address', points: 10 });
    if (lead.company) reasons.push({ factor: 'company given', points: 5 });
    if (lead.jobTitle && seniorTitles.test(lead.jobTitle)) reasons.push({ factor: `senior role (${lead.jobTitle})`, points: 15 });
    const asOf = Date.parse(input.asOf);
    const recent = input.activities.filter((activity) => asOf - Date.parse(activity.at) <= 30 * 86_400_000);
    for (const [type, rule] of Object.entries(activityPoints)) {
      const count = recent.filter((activity) => activity.type === type).length;
      if (count === 0) continue;
      const points = rule.points < 0 ? rule.cap : Math.min(rule.cap, count * rule.points);
      reasons.push({ factor: `${count}× ${type.replace('_', ' ')} in the last 30 days`, points });
    }
    const score = Math.max(0, Math.min(100, reasons.reduce((sum, reason) => sum + reason.points, 0)));
    return {
      score,
      grade: score >= 60 ? ('hot' as const) : score >= 30 ? ('warm' as const) : ('cold' as const),
      reasons,
      confidence: 0.6,
      explanation: `${offlineLabel} Weighted rules: fit (email, company, role) and activities of the last 30 days, each capped.`,
    };
  },
});
