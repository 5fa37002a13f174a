import { z } from 'zod';
import { confidenceFields, defineAgent } from './define.js';

const languageSchema = z.string().trim().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'Use a language code such as en, de or pt-BR.');

export const translatorAgent = defineAgent({
  id: 'translator',
  version: 1,
  workflowType: 'content_generation',
  description: 'Translates a text into another language, keeping hashtags, mentions and links.',
  input: z.object({ text: z.string().trim().min(1).max(10_000), from: languageSchema.nullable().default(null), to: languageSchema }),
  output: z.object({ text: z.string(), detectedLanguage: z.string().nullable(), ...confidenceFields }),
  system:
    'You translate marketing texts faithfully. Keep hashtags, @mentions, links and emojis unchanged; adapt idioms naturally; never add content.',
  buildPrompt: (input) => `Translate from ${input.from ?? 'the detected language'} to ${input.to}:\n${input.text}`,
  offline: null,
  offlineRefusalMessage:
    'Translation needs an AI model: the offline mode has no translation. Configure an AI provider (OpenAI-compatible or Anthropic) in the AI settings.',
});
