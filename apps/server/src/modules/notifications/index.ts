import type { OmniModule } from '../../kernel/module.js';
import { notificationsRoutes } from './notifications.routes.js';

/**
 * The notifications module: the in-app notification centre (one row per recipient) with per-kind email
 * preferences; email goes through the kernel mail outbox. Other modules call notifyUsers in the
 * transaction of the change that causes it, for kinds they declared with defineNotificationKind.
 */
export function notificationsModule(): OmniModule {
  return { name: 'notifications', routes: async (app) => notificationsRoutes(app) };
}

export {
  /**
   * In the caller's transaction: one notification per recipient and, unless they turned the kind's email
   * off, one email through the outbox (link = PUBLIC_URL + linkPath). Returns how many were notified/emailed.
   */
  notifyUsers,
  /** PUBLIC_URL without a trailing slash (default http://localhost:PORT): the base of links in emails. */
  publicBaseUrl,
  type NotifyInput,
} from './notifications.service.js';

export {
  /** Declare a notification kind once, at import time: `defineNotificationKind('feeds.drafts_created', {emailByDefault: false, description})`. */
  defineNotificationKind,
  type NotificationKind,
} from './notifications.kinds.js';
