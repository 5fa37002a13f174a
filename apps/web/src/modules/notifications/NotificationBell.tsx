import type { Notification } from '@omni/contracts/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRelative } from '../../shared/lib/format';
import { cn, Spinner } from '../../shared/ui';
import { notificationKeys, notificationsApi, safeLinkPath, unreadBadge, useUnreadCount } from './notificationsApi';

export function BellIcon({ className = 'size-5' }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" className={className} fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15zM10 20a2 2 0 0 0 4 0" />
    </svg>
  );
}

/**
 * The shell's notification bell: the unread count (polled every 30 s) and a panel with the latest
 * notifications; opening one marks it read. Escape or a click outside closes the panel.
 */
export function NotificationBell({ className, align = 'end' }: { className?: string; align?: 'start' | 'end' }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const unread = useUnreadCount(true);
  const badge = unreadBadge(unread.data?.count);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!panelRef.current?.contains(event.target as Node) && !buttonRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className={cn('relative', className)}>
      <button
        ref={buttonRef}
        type="button"
        className="relative rounded-md p-1.5 text-muted hover:bg-surface-2 hover:text-fg"
        aria-label={badge ? t('notifications.bellUnread', { count: unread.data?.count ?? 0 }) : t('notifications.bell')}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((value) => !value)}
        data-testid="notification-bell"
      >
        <BellIcon />
        {badge && (
          <span className="absolute -right-1 -top-1 min-w-5 rounded-full bg-danger px-1 text-center text-[11px] font-semibold leading-5 text-white" data-testid="notification-count" aria-hidden="true">
            {badge}
          </span>
        )}
      </button>
      {open && (
        <div
          ref={panelRef}
          id={panelId}
          role="region"
          aria-label={t('notifications.recent')}
          className={cn('absolute z-50 mt-2 w-[min(22rem,calc(100vw-2rem))] rounded-xl border border-border bg-surface shadow-2xl', align === 'start' ? 'left-0' : 'right-0')}
        >
          <RecentNotifications onNavigate={() => setOpen(false)} />
        </div>
      )}
    </div>
  );
}

function RecentNotifications({ onNavigate }: { onNavigate: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const recent = useQuery({ queryKey: [...notificationKeys.all, 'recent'], queryFn: () => notificationsApi.list({ limit: 8 }) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: notificationKeys.all });
  const markAll = async () => {
    await notificationsApi.markAllRead();
    await refresh();
  };
  return (
    <div className="flex max-h-[70vh] flex-col">
      <div className="flex items-center justify-between gap-2 border-b border-border px-4 py-2.5">
        <h2 className="text-sm font-semibold">{t('notifications.title')}</h2>
        <button type="button" className="text-xs font-medium text-primary hover:underline" onClick={() => void markAll()}>
          {t('notifications.markAllRead')}
        </button>
      </div>
      <div className="overflow-y-auto">
        {recent.isPending ? (
          <div className="flex justify-center p-6">
            <Spinner />
          </div>
        ) : (recent.data?.items.length ?? 0) === 0 ? (
          <p className="px-4 py-6 text-center text-sm text-muted">{t('notifications.empty')}</p>
        ) : (
          <ul>
            {recent.data!.items.map((notification) => (
              <li key={notification.id}>
                <NotificationLink notification={notification} onOpened={onNavigate} compact />
              </li>
            ))}
          </ul>
        )}
      </div>
      <Link to="/notifications" onClick={onNavigate} className="border-t border-border px-4 py-2.5 text-center text-sm font-medium text-primary hover:bg-surface-2">
        {t('notifications.viewAll')}
      </Link>
    </div>
  );
}

/** One notification as a link: opening it marks it read, then goes to its page. */
export function NotificationLink({ notification, onOpened, compact = false }: { notification: Notification; onOpened?: () => void; compact?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const unread = notification.readAt === null;
  const open = async () => {
    if (unread) {
      await notificationsApi.markRead(notification.id).catch(() => undefined);
      await queryClient.invalidateQueries({ queryKey: notificationKeys.all });
    }
    onOpened?.();
    await navigate({ to: safeLinkPath(notification.linkPath) as '/' });
  };
  return (
    <a
      href={safeLinkPath(notification.linkPath)}
      onClick={(event) => {
        event.preventDefault();
        void open();
      }}
      className={cn('flex gap-3 px-4 py-3 hover:bg-surface-2', unread && 'bg-primary/5')}
      data-testid="notification-item"
    >
      <span className={cn('mt-1.5 size-2 shrink-0 rounded-full', unread ? 'bg-primary' : 'bg-transparent')} aria-hidden="true" />
      <span className="min-w-0 flex-1">
        <span className={cn('block text-sm', unread && 'font-semibold')}>
          {unread && <span className="sr-only">{t('notifications.unread')}: </span>}
          {notification.title}
        </span>
        {notification.body && <span className={cn('mt-0.5 block text-sm text-muted', compact ? 'line-clamp-2' : 'whitespace-pre-line')}>{notification.body}</span>}
        <span className="mt-1 block text-xs text-muted">{formatRelative(notification.createdAt)}</span>
      </span>
    </a>
  );
}
