import { countText, networkRules } from '@omni/contracts/network-rules';
import { socialNetworkIdSchema } from '@omni/contracts/social';
import { z } from 'zod';
import { confidenceFields, defineAgent, offlineLabel } from './define.js';

const goalSchema = z.enum(['awareness', 'engagement', 'traffic', 'leads', 'sales']);
type Goal = z.infer<typeof goalSchema>;

/** Offline templates per goal: the angle of the week's post and its call to action. */
const goalTemplates: Record<Goal, { tone: string; angles: string[]; callToAction: string }> = {
  awareness: { tone: 'friendly', angles: ['Meet {topic}', 'Why {topic} matters', 'Behind the scenes of {topic}', '{topic} in numbers'], callToAction: 'Follow us for more.' },
  engagement: { tone: 'playful', angles: ['What do you think about {topic}?', 'Your favourite part of {topic}?', 'Quick poll: {topic}', 'Share your {topic} story'], callToAction: 'Tell us in the comments!' },
  traffic: { tone: 'professional', angles: ['New on our blog: {topic}', 'The guide to {topic}', '5 tips on {topic}', 'Everything about {topic}'], callToAction: 'Read more via the link.' },
  leads: { tone: 'professional', angles: ['Get our free {topic} checklist', 'Webinar: mastering {topic}', 'Is {topic} right for you?', 'Ask our {topic} experts'], callToAction: 'Sign up today.' },
  sales: { tone: 'bold', angles: ['Introducing {topic}', 'Limited offer on {topic}', 'Customers love {topic}', 'Last chance: {topic}'], callToAction: 'Shop now.' },
};
const maxWeeks = 12;

/** "single-origin espresso" → "#SingleOriginEspresso". */
const hashtagOf = (phrase: string) => `#${phrase.split(/[^\p{L}\p{N}]+/u).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')}`;
/** An angle as a sentence: a full stop unless it ends in punctuation already. */
const sentenceOf = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);
const postHourUtc = 10;

export const campaignStrategistAgent = defineAgent({
  id: 'campaign-strategist',
  version: 1,
  workflowType: 'campaign_optimization',
  description: 'Turns a campaign brief into a strategy, a channel plan and post drafts (one per channel per week) with suggested times.',
  maxOutputTokens: 4000,
  input: z.object({
    brief: z.string().trim().min(10, 'Describe the campaign in a sentence or more.').max(5000),
    goal: goalSchema,
    audience: z.string().trim().max(1000).default(''),
    channels: z.array(socialNetworkIdSchema).min(1).max(6),
    startsOn: z.iso.date(),
    endsOn: z.iso.date(),
  }).refine((input) => input.endsOn >= input.startsOn, { message: 'The campaign must end on or after its start.', path: ['endsOn'] }),
  output: z.object({
    strategy: z.object({ summary: z.string(), keyMessages: z.array(z.string()), tone: z.string() }),
    channelPlan: z.array(z.object({ network: socialNetworkIdSchema, postsPerWeek: z.number().int().min(0), focus: z.string() })),
    drafts: z.array(z.object({ network: socialNetworkIdSchema, text: z.string(), suggestedAt: z.iso.datetime() })),
    ...confidenceFields,
  }),
  system:
    'You are a social media campaign strategist. From the brief, write a short strategy (summary, key messages, tone), a plan per channel and ready-to-edit post drafts with a suggested publication time (ISO 8601, UTC) within the campaign dates. Respect each network’s text limits. Never invent prices, dates or claims that are not in the brief.',
  buildPrompt: (input) =>
    [
      `Goal: ${input.goal}`,
      `Audience: ${input.audience || 'not specified'}`,
      `Channels: ${input.channels.map((network) => `${networkRules[network].displayName} (≤ ${networkRules[network].maxText} characters)`).join(', ')}`,
      `Dates: ${input.startsOn} to ${input.endsOn}`,
      'Brief:',
      input.brief,
    ].join('\n'),
  offline: (input, nlp) => {
    const topics = nlp.topics(input.brief, 5);
    const keywords = nlp.keywords(input.brief, 5).map((keyword) => keyword.term);
    const topic = topics[0] ?? keywords[0] ?? 'our news';
    const template = goalTemplates[input.goal];
    const start = Date.parse(`${input.startsOn}T00:00:00Z`);
    const end = Date.parse(`${input.endsOn}T23:59:59Z`);
    const weeks = Math.min(maxWeeks, Math.max(1, Math.ceil((end - start) / (7 * 86_400_000))));
    // The brief's own sentences carry the facts (nothing invented); each week's post uses the next one.
    const sentences = nlp.sentences(input.brief).filter((sentence) => sentence.length >= 20);
    const hashtags = (topics.length > 0 ? topics : keywords).slice(0, 2).map(hashtagOf).filter((tag) => tag.length > 1).join(' ');
    const drafts: Array<{ network: (typeof input.channels)[number]; text: string; suggestedAt: string }> = [];
    for (let week = 0; week < weeks; week += 1) {
      input.channels.forEach((network, channelIndex) => {
        const angle = sentenceOf(template.angles[week % template.angles.length]!.replace('{topic}', topic));
        const fact = sentences.length > 0 ? sentences[week % sentences.length]! : null;
        const limit = networkRules[network].maxText;
        const candidates = [
          [angle, fact, template.callToAction, hashtags],
          [angle, fact, template.callToAction],
          [angle, template.callToAction, hashtags],
          [angle, template.callToAction],
        ].map((parts) => parts.filter((part): part is string => Boolean(part)).join(' '));
        const text = candidates.find((candidate) => countText(network, candidate) <= limit) ?? candidates[candidates.length - 1]!.slice(0, limit);
        // Spread channels over the week: day 1 + channel index, 10:00 UTC, never past the end date.
        const at = Math.min(start + (week * 7 + 1 + (channelIndex % 5)) * 86_400_000 + postHourUtc * 3_600_000, end);
        drafts.push({ network, text, suggestedAt: new Date(at).toISOString() });
      });
    }
    const messages = topics.length > 0 ? topics.slice(0, 3).map((phrase) => `Highlight ${phrase}`) : keywords.map((term) => `Highlight ${term}`);
    return {
      strategy: {
        summary: `A ${weeks}-week ${input.goal} campaign on ${input.channels.map((network) => networkRules[network].displayName).join(', ')} around “${topic}”${input.audience ? ` for ${input.audience}` : ''}.`,
        keyMessages: messages.length > 0 ? messages : ['Restate the brief’s main point'],
        tone: template.tone,
      },
      channelPlan: input.channels.map((network) => ({ network, postsPerWeek: 1, focus: `${input.goal}: ${topic}` })),
      drafts,
      confidence: 0.5,
      explanation: `${offlineLabel} The ${input.goal} template filled with the brief's topics (${topics.join(', ') || keywords.join(', ') || 'none found'}) and its own sentences; one draft per channel per week at ${postHourUtc}:00 UTC.`,
    };
  },
  calibrate: (_input, output) =>
    output.drafts.some((draft) => countText(draft.network, draft.text) > networkRules[draft.network].maxText) ? 0.7 : 1,
});
