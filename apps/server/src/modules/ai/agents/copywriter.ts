import { countText, networkRules } from '@omni/contracts/network-rules';
import { socialNetworkIdSchema } from '@omni/contracts/social';
import { z } from 'zod';
import { confidenceFields, defineAgent, offlineLabel } from './define.js';

const toneSchema = z.enum(['neutral', 'friendly', 'professional', 'playful', 'bold']);
type Tone = z.infer<typeof toneSchema>;

/** Openers and closers per tone (offline): a light, predictable touch on the author's words. */
const toneWords: Record<Tone, { opener: string | null; closer: string | null }> = {
  neutral: { opener: null, closer: null },
  friendly: { opener: 'Hi there!', closer: 'We would love to hear what you think.' },
  professional: { opener: null, closer: 'Learn more.' },
  playful: { opener: 'Guess what?', closer: 'Ready? Let’s go!' },
  bold: { opener: 'Big news:', closer: 'Don’t miss it.' },
};

const defaultHashtags = 3;

function truncateToLimit(network: z.infer<typeof socialNetworkIdSchema>, text: string, limit: number): string {
  if (countText(network, text) <= limit) return text;
  const words = text.split(/\s+/);
  while (words.length > 1 && countText(network, `${words.join(' ')}…`) > limit) words.pop();
  return `${words.join(' ')}…`;
}

export const copywriterAgent = defineAgent({
  id: 'copywriter',
  version: 1,
  workflowType: 'content_generation',
  description: 'Rewrites a post for one network and tone, within the network’s length and hashtag limits, and suggests hashtags.',
  input: z.object({
    text: z.string().trim().min(1).max(10_000),
    network: socialNetworkIdSchema,
    tone: toneSchema.default('neutral'),
  }),
  output: z.object({
    text: z.string().describe('The rewritten post text, hashtags not included.'),
    hashtags: z.array(z.string()).describe('Hashtags without the # sign.'),
    ...confidenceFields,
  }),
  system:
    'You are a social media copywriter. Rewrite the given post for the named network and tone. Keep the facts, stay within the network’s limits, never invent offers or numbers. Suggest a few relevant hashtags (without #).',
  buildPrompt: (input) => {
    const rules = networkRules[input.network];
    return [
      `Network: ${rules.displayName} (at most ${rules.maxText} characters${rules.maxHashtags ? `, at most ${rules.maxHashtags} hashtags` : ''}).`,
      `Tone: ${input.tone}.`,
      'Post:',
      input.text,
    ].join('\n');
  },
  offline: (input, nlp) => {
    const rules = networkRules[input.network];
    const maxHashtags = Math.min(rules.maxHashtags ?? defaultHashtags, defaultHashtags);
    const hashtags = nlp
      .keywords(input.text, maxHashtags)
      .map((keyword) => keyword.term.replace(/[^\p{L}\p{N}]/gu, ''))
      .filter((term) => term.length > 1)
      .slice(0, maxHashtags);
    const { opener, closer } = toneWords[input.tone];
    const body = [opener, input.text.trim(), closer].filter((part): part is string => part !== null).join(' ');
    const tagText = hashtags.map((tag) => `#${tag}`).join(' ');
    const room = rules.maxText - (tagText ? countText(input.network, ` ${tagText}`) : 0);
    const text = truncateToLimit(input.network, body, Math.max(1, room));
    return {
      text,
      hashtags,
      confidence: 0.5,
      explanation: `${offlineLabel} Applied the ${input.tone} tone template, kept the text within ${rules.displayName}'s ${rules.maxText}-character limit and took hashtags from the text's most frequent keywords.`,
    };
  },
  calibrate: (input, output) => {
    const rules = networkRules[input.network];
    const full = [output.text, ...output.hashtags.map((tag) => `#${tag}`)].join(' ');
    const tooLong = countText(input.network, full) > rules.maxText;
    const tooManyTags = rules.maxHashtags !== null && output.hashtags.length > rules.maxHashtags;
    return tooLong || tooManyTags ? 0.7 : 1;
  },
});
