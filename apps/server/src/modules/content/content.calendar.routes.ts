import { bestTimesQuerySchema, bestTimesSchema, calendarQuerySchema, calendarSchema } from '@omni/contracts/content-calendar';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getBestTimes } from './use-cases/best-times.js';
import { getCalendar } from './use-cases/calendar.js';

/** The calendar and best-time routes (design §7.1, §7.3): read only, content:read. */
export async function contentCalendarRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];

  r.get('/api/content/calendar', {
    schema: {
      tags,
      summary: 'Occurrences and planned posts in a range (at most 62 days), with target statuses, published URLs and conflicts',
      description: 'Repeat `accountId`, `network`, `connectionId`, `status` and `tag` (or separate values with commas). Accounts other than the active one: tenant owners and admins only.',
      querystring: calendarQuerySchema,
      response: { 200: calendarSchema },
    },
  }, async (request) => getCalendar(request.ctx, request.query));

  r.get('/api/content/best-times', {
    schema: {
      tags,
      summary: 'Up to 5 upcoming times to post on a network (learned from engagement, or industry defaults), skipping conflicts',
      querystring: bestTimesQuerySchema,
      response: { 200: bestTimesSchema },
    },
  }, async (request) => getBestTimes(request.ctx, request.query));
}
