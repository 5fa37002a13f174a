import { z } from 'zod';
import { listQuerySchema } from './tenancy.js';

/**
 * Notifications (/api/notifications): the signed-in person's in-app notifications in the active tenant,
 * the unread count the console's bell polls, and per-kind email preferences.
 */

const timestampSchema = z.iso.datetime();

/** A notification kind: dotted, lower-case, e.g. "approvals.review_requested". */
export const notificationKindSchema = z
  .string()
  .max(100, 'Kind must be at most 100 characters.')
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'Use a notification kind such as approvals.review_requested.');

export const notificationSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  /** A console path (always starts with "/"). */
  linkPath: z.string(),
  accountId: z.uuid().nullable(),
  subject: z.object({ type: z.string(), id: z.uuid() }).nullable(),
  actor: z.object({ userId: z.uuid(), name: z.string() }).nullable(),
  createdAt: timestampSchema,
  readAt: timestampSchema.nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListSchema = z.object({ items: z.array(notificationSchema), nextCursor: z.string().nullable() });
export type NotificationList = z.infer<typeof notificationListSchema>;

export const notificationListQuerySchema = listQuerySchema.extend({
  /** true: unread only. */
  unread: z.enum(['true', 'false'], 'Use unread=true or unread=false.').transform((value) => value === 'true').optional(),
});
export type NotificationListQuery = z.infer<typeof notificationListQuerySchema>;

export const unreadCountSchema = z.object({ count: z.number().int().min(0) });
export type UnreadCount = z.infer<typeof unreadCountSchema>;

export const readAllResultSchema = z.object({ updated: z.number().int().min(0) });
export type ReadAllResult = z.infer<typeof readAllResultSchema>;

export const notificationIdParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });

export const notificationPreferenceSchema = z.object({
  kind: z.string(),
  /** English description of when it is sent (the console translates by kind). */
  description: z.string(),
  emailEnabled: z.boolean(),
  emailByDefault: z.boolean(),
});
export type NotificationPreference = z.infer<typeof notificationPreferenceSchema>;

export const notificationPreferenceListSchema = z.object({ items: z.array(notificationPreferenceSchema) });
export type NotificationPreferenceList = z.infer<typeof notificationPreferenceListSchema>;

export const updateNotificationPreferencesBodySchema = z.object({
  items: z
    .array(z.object({ kind: notificationKindSchema, emailEnabled: z.boolean('Use true or false.') }))
    .min(1, 'Change at least one preference.')
    .max(100, 'At most 100 preferences at once.'),
});
export type UpdateNotificationPreferencesBody = z.infer<typeof updateNotificationPreferencesBodySchema>;

/** How often the console asks for the unread count (there is no push yet). */
export const NOTIFICATION_POLL_SECONDS = 30;
