import type { NotificationPreference } from '@omni/contracts/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Button, Card, CardBody, CardHeader, Checkbox, EmptyState, PageHeader, Skeleton, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { BellIcon, NotificationLink } from './NotificationBell';
import { notificationKeys, notificationsApi } from './notificationsApi';

/** /notifications: every notification of the signed-in person in this workspace, and email preferences. */
export function NotificationsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = usePagedList([...notificationKeys.all, 'list', unreadOnly], (cursor) => notificationsApi.list({ unread: unreadOnly, cursor }));
  const markAll = async () => {
    try {
      await notificationsApi.markAllRead();
      toast.show(t('notifications.markedAllRead'), 'success');
    } catch (error) {
      toast.show(describeError(error), 'error');
    }
    await queryClient.invalidateQueries({ queryKey: notificationKeys.all });
  };
  return (
    <>
      <PageHeader
        title={t('notifications.title')}
        description={t('notifications.description')}
        actions={
          <Button variant="secondary" onClick={() => void markAll()}>
            {t('notifications.markAllRead')}
          </Button>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Card>
          <CardHeader
            title={t('notifications.title')}
            action={<Checkbox label={t('notifications.unreadOnly')} checked={unreadOnly} onChange={(event) => setUnreadOnly(event.target.checked)} />}
          />
          {list.isPending ? (
            <CardBody>
              <Skeleton className="h-16" />
            </CardBody>
          ) : list.isError ? (
            <CardBody>
              <ErrorRow error={list.error} retry={() => void list.refetch()} />
            </CardBody>
          ) : list.items.length === 0 ? (
            <CardBody>
              <EmptyState icon={<BellIcon className="size-6" />} title={unreadOnly ? t('notifications.emptyUnread') : t('notifications.empty')} description={t('notifications.emptyDescription')} />
            </CardBody>
          ) : (
            <>
              <ul className="divide-y divide-border" aria-label={t('notifications.title')}>
                {list.items.map((notification) => (
                  <li key={notification.id}>
                    <NotificationLink notification={notification} />
                  </li>
                ))}
              </ul>
              {list.hasNextPage && (
                <div className="flex justify-center p-4">
                  <Button variant="secondary" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                    {t('common.loadMore')}
                  </Button>
                </div>
              )}
            </>
          )}
        </Card>
        <EmailPreferences />
      </div>
    </>
  );
}

function EmailPreferences() {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const preferences = useQuery({ queryKey: [...notificationKeys.all, 'preferences'], queryFn: notificationsApi.preferences });
  const toggle = async (preference: NotificationPreference, emailEnabled: boolean) => {
    try {
      const updated = await notificationsApi.updatePreferences({ items: [{ kind: preference.kind, emailEnabled }] });
      queryClient.setQueryData([...notificationKeys.all, 'preferences'], updated);
      toast.show(t('notifications.saved'), 'success');
    } catch (error) {
      toast.show(describeError(error), 'error');
    }
  };
  return (
    <Card>
      <CardHeader title={t('notifications.preferences')} description={t('notifications.preferencesDescription')} />
      <CardBody>
        {preferences.isPending ? (
          <Skeleton className="h-24" />
        ) : preferences.isError ? (
          <ErrorRow error={preferences.error} retry={() => void preferences.refetch()} />
        ) : (
          <ul className="flex flex-col gap-3">
            {preferences.data.items.map((preference) => (
              <li key={preference.kind}>
                <label className="flex cursor-pointer items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5 size-4 shrink-0 rounded border-border accent-[var(--ui-primary)]"
                    checked={preference.emailEnabled}
                    onChange={(event) => void toggle(preference, event.target.checked)}
                  />
                  <span>{t(`notifications.kinds.${preference.kind.replace(/\./g, '_')}`, { defaultValue: preference.description })}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
