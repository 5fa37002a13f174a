import { z } from 'zod';
import { labelSentiment } from '../../../kernel/ai/index.js';
import { confidenceFields, defineAgent, offlineLabel, round } from './define.js';

const labelSchema = z.enum(['positive', 'neutral', 'negative']);

export const sentimentAnalystAgent = defineAgent({
  id: 'sentiment-analyst',
  version: 1,
  workflowType: 'moderation',
  description: 'Labels the sentiment of texts (comments, messages, reviews): per text and overall, with a score in [-1, 1].',
  input: z.object({ texts: z.array(z.string().trim().min(1).max(5000)).min(1).max(100) }),
  output: z.object({
    items: z.array(z.object({ index: z.number().int(), label: labelSchema, score: z.number().min(-1).max(1) })),
    overall: z.object({ label: labelSchema, score: z.number().min(-1).max(1) }),
    ...confidenceFields,
  }),
  system:
    'You analyse the sentiment of short texts. For each text (by its index) give a label (positive, neutral, negative) and a score from -1 (very negative) to 1 (very positive), then the overall sentiment.',
  buildPrompt: (input) => input.texts.map((text, index) => `[${index}] ${text}`).join('\n'),
  offline: (input, nlp) => {
    const items = input.texts.map((text, index) => ({ index, ...nlp.sentiment(text) }));
    const mean = round(items.reduce((sum, item) => sum + item.score, 0) / items.length);
    return {
      items,
      overall: { label: labelSentiment(mean), score: mean },
      confidence: 0.55,
      explanation: `${offlineLabel} Word-list sentiment (wink-nlp) of ${items.length} text(s); sarcasm and context are not understood.`,
    };
  },
});
