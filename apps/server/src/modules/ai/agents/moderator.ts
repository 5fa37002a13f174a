import { z } from 'zod';
import { confidenceFields, defineAgent, offlineLabel } from './define.js';

const categorySchema = z.enum(['profanity', 'harassment', 'spam', 'personal_data', 'self_harm', 'violence']);
type Category = z.infer<typeof categorySchema>;

/** Small English word lists: the offline moderator flags for review, it does not judge. */
const wordLists: Array<[Category, RegExp]> = [
  ['profanity', /\b(fuck\w*|shit\w*|bitch\w*|bastard\w*|asshole\w*|damn)\b/i],
  ['harassment', /\b(idiot|stupid|loser|moron|shut up|kill yourself|nobody likes you)\b/i],
  ['self_harm', /\b(suicide|self[- ]harm|cut myself|end my life)\b/i],
  ['violence', /\b(kill|murder|shoot|bomb|stab)\b/i],
  ['spam', /\b(buy now|free money|click here|limited time offer|winner|crypto giveaway|dm me for)\b/i],
];
const emailPattern = /[\w.+-]+@[\w-]+\.[\w.-]+/;
const phonePattern = /(?:\+?\d[\s-]?){9,14}\d/;
const linkPattern = /https?:\/\/\S+/gi;

export const moderatorAgent = defineAgent({
  id: 'moderator',
  version: 1,
  workflowType: 'moderation',
  description: 'Checks a text (a comment, a reply, a draft) for profanity, harassment, spam, personal data, self-harm and violence.',
  input: z.object({ text: z.string().trim().min(1).max(10_000) }),
  output: z.object({ allowed: z.boolean(), categories: z.array(categorySchema), reasons: z.array(z.string()), ...confidenceFields }),
  system:
    'You moderate user-generated and outgoing social media texts. Decide whether the text may be published as is; name the categories it breaks (profanity, harassment, spam, personal_data, self_harm, violence) and why. When in doubt, do not allow it.',
  buildPrompt: (input) => `Text to moderate:\n${input.text}`,
  offline: (input) => {
    const categories: Category[] = [];
    const reasons: string[] = [];
    for (const [category, pattern] of wordLists) {
      const match = pattern.exec(input.text);
      if (match) {
        categories.push(category);
        reasons.push(`${category}: contains “${match[0]}”`);
      }
    }
    const links = input.text.match(linkPattern)?.length ?? 0;
    const letters = input.text.replace(/[^\p{L}]/gu, '');
    const shouting = letters.length >= 20 && letters === letters.toUpperCase();
    if ((links >= 3 || shouting || /(.)\1{7,}/u.test(input.text)) && !categories.includes('spam')) {
      categories.push('spam');
      reasons.push(`spam: ${links >= 3 ? `${links} links` : shouting ? 'written in capitals' : 'long repeated characters'}`);
    }
    if (emailPattern.test(input.text) || phonePattern.test(input.text)) {
      categories.push('personal_data');
      reasons.push('personal_data: contains an email address or phone number');
    }
    return {
      allowed: categories.length === 0,
      categories,
      reasons,
      // Word lists miss context both ways: low confidence by design, so people look.
      confidence: categories.length === 0 ? 0.45 : 0.4,
      explanation: `${offlineLabel} Word lists and heuristics (links, capitals, repeated characters, contact details): ${categories.length === 0 ? 'nothing found' : `found ${categories.join(', ')}`}.`,
    };
  },
});
