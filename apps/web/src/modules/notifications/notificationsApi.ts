import type { Notification, NotificationList, NotificationPreferenceList, ReadAllResult, UnreadCount, UpdateNotificationPreferencesBody } from '@omni/contracts/notifications';
import { NOTIFICATION_POLL_SECONDS } from '@omni/contracts/notifications';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api';

/** Typed calls to /api/notifications (packages/contracts/src/notifications.ts). Always the signed-in person's own. */
export const notificationsApi = {
  list: (options: { unread?: boolean; cursor?: string; limit?: number } = {}) =>
    api.get<NotificationList>('/api/notifications', { query: { unread: options.unread ? 'true' : undefined, cursor: options.cursor, limit: options.limit ?? 25 } }),
  unreadCount: () => api.get<UnreadCount>('/api/notifications/unread-count'),
  markRead: (id: string) => api.post<Notification>(`/api/notifications/${encodeURIComponent(id)}/read`),
  markAllRead: () => api.post<ReadAllResult>('/api/notifications/read-all'),
  preferences: () => api.get<NotificationPreferenceList>('/api/notifications/preferences'),
  updatePreferences: (body: UpdateNotificationPreferencesBody) => api.put<NotificationPreferenceList>('/api/notifications/preferences', body),
};

export const notificationKeys = {
  all: ['notifications'] as const,
  unreadCount: ['notifications', 'unread-count'] as const,
};

/** The bell's count, polled every 30 s (no push yet), only while the tab is visible. */
export function useUnreadCount(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.unreadCount,
    queryFn: notificationsApi.unreadCount,
    enabled,
    refetchInterval: NOTIFICATION_POLL_SECONDS * 1000,
    refetchIntervalInBackground: false,
  });
}

/** What the bell's badge shows: nothing for 0, the number up to 99, then "99+". */
export function unreadBadge(count: number | undefined): string | null {
  if (!count || count <= 0) return null;
  return count > 99 ? '99+' : String(count);
}

/**
 * Where a notification leads: its console path, but only a same-site path (never another origin), so a
 * notification can never send anyone off-site.
 */
export function safeLinkPath(linkPath: string): string {
  return linkPath.startsWith('/') && !linkPath.startsWith('//') && !linkPath.startsWith('/\\') ? linkPath : '/notifications';
}
