import { postIdParamsSchema } from '@omni/contracts/content';
import { abOutcomeSchema, abWinnerBodySchema, recurrencePreviewBodySchema, recurrencePreviewSchema } from '@omni/contracts/content-recurrence';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getAbOutcome, markAbWinner } from './use-cases/ab-compare.js';
import { previewRecurrence } from './use-cases/recurrence.js';

/** Recurrence preview and A/B outcome routes (design §6.2, §7.4): validate, call one use case, return its DTO. */
export async function contentRecurrenceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];

  r.post('/api/content/recurrence/preview', {
    schema: {
      tags,
      summary: 'The next occurrences of a recurrence rule in a time zone (422 content.recurrence_invalid with the reason)',
      body: recurrencePreviewBodySchema,
      response: { 200: recurrencePreviewSchema },
    },
  }, async (request) => previewRecurrence(request.ctx, request.body));

  r.get('/api/content/posts/:id/ab', {
    schema: { tags, summary: "An A/B test's outcome: the comparison and the winner", params: postIdParamsSchema, response: { 200: abOutcomeSchema } },
  }, async (request) => getAbOutcome(request.ctx, request.params.id));

  r.post('/api/content/posts/:id/ab/winner', {
    schema: { tags, summary: 'Mark the winner of an A/B test (editors; overrides the comparison)', params: postIdParamsSchema, body: abWinnerBodySchema, response: { 200: abOutcomeSchema } },
    config: { audit: 'content.ab_winner_marked' },
  }, async (request) => markAbWinner(request.ctx, request.params.id, request.body));
}
