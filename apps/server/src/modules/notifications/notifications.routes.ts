import {
  notificationIdParamsSchema,
  notificationListQuerySchema,
  notificationListSchema,
  notificationPreferenceListSchema,
  notificationSchema,
  readAllResultSchema,
  unreadCountSchema,
  updateNotificationPreferencesBodySchema,
} from '@omni/contracts/notifications';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as service from './notifications.service.js';

/** Thin routes: validate with the contract, call one use case, return its DTO. Always the caller's own. */
export async function notificationsRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];

  r.get('/api/notifications', {
    schema: { tags, summary: 'My notifications in the active tenant, newest first', querystring: notificationListQuerySchema, response: { 200: notificationListSchema } },
  }, async (request) => service.listNotifications(request.ctx, request.query));

  r.get('/api/notifications/unread-count', {
    schema: { tags, summary: 'How many of my notifications are unread (the bell polls this)', response: { 200: unreadCountSchema } },
  }, async (request) => service.getUnreadCount(request.ctx));

  r.post('/api/notifications/:id/read', {
    schema: { tags, summary: 'Mark one of my notifications read', params: notificationIdParamsSchema, response: { 200: notificationSchema } },
    config: { audit: false },
  }, async (request) => service.readNotification(request.ctx, request.params.id));

  r.post('/api/notifications/read-all', {
    schema: { tags, summary: 'Mark all my notifications read', response: { 200: readAllResultSchema } },
    config: { audit: false },
  }, async (request) => service.readAllNotifications(request.ctx));

  r.get('/api/notifications/preferences', {
    schema: { tags, summary: 'Which notification kinds also reach me by email', response: { 200: notificationPreferenceListSchema } },
  }, async (request) => service.getPreferences(request.ctx));

  r.put('/api/notifications/preferences', {
    schema: { tags, summary: 'Turn email on or off per notification kind', body: updateNotificationPreferencesBodySchema, response: { 200: notificationPreferenceListSchema } },
    config: { audit: 'notifications.preferences_updated' },
  }, async (request) => service.updatePreferences(request.ctx, request.body));
}
