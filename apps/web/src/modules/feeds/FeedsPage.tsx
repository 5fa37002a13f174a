import type { FeedEntry, FeedSubscription } from '@omni/contracts/feeds';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, Button, Card, CardBody, CardHeader, EmptyState, PageHeader, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast, type BadgeTone } from '../../shared/ui';
import { GlobeIcon, PlusIcon, ScrollIcon } from '../../shared/ui/icons';
import { socialApi } from '../social/socialApi';
import { ErrorRow } from '../team/TeamPage';
import { feedsAccessOf, feedsApi } from './feedsApi';
import { ConfirmRemoveDialog, QueryStates } from './feedsShared';
import { SubscriptionDialog } from './SubscriptionDialog';
import { WebhooksSection } from './WebhooksSection';

const statusTone: Record<FeedSubscription['status'], BadgeTone> = { active: 'success', paused: 'neutral', failing: 'danger' };
const entryTone: Record<FeedEntry['status'], BadgeTone> = { pending: 'warning', skipped: 'neutral', drafted: 'success', failed: 'danger' };

/** Settings → Feeds: blog feeds Omni follows, inbound webhook endpoints, and the articles received. */
export function FeedsPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = feedsAccessOf(scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const enabled = access.canRead && access.hasAccount;
  const subscriptions = useQuery({ queryKey: ['feeds', 'subscriptions'], queryFn: feedsApi.subscriptions, enabled });
  const entries = useQuery({ queryKey: ['feeds', 'entries'], queryFn: () => feedsApi.entries(20), enabled });
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections, enabled: enabled && access.canManage });
  const [editing, setEditing] = useState<FeedSubscription | 'new' | null>(null);
  const [removing, setRemoving] = useState<FeedSubscription | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const timeZone = user.timezone;

  if (!access.canRead) return <NoAccess />;
  const activeConnections = (connections.data?.items ?? []).filter((connection) => connection.status === 'active');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['feeds'] });

  async function act(subscription: FeedSubscription, run: () => Promise<unknown>, done: (result: unknown) => string | null) {
    setBusyId(subscription.id);
    try {
      const message = done(await run());
      if (message) toast.show(message, 'success');
      await refresh();
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusyId(null);
    }
  }

  const addButton = access.canManage && access.hasAccount && (
    <Button onClick={() => setEditing('new')}>
      <PlusIcon /> {t('feeds.add')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('feeds.title')} description={t('feeds.description')} actions={addButton} />
      {!access.hasAccount ? (
        <EmptyState icon={<GlobeIcon className="size-6" />} title={t('feeds.chooseAccount')} description={t('feeds.chooseAccountDescription')} />
      ) : subscriptions.isPending ? (
        <TableSkeleton columns={5} rows={3} />
      ) : subscriptions.isError ? (
        <ErrorRow error={subscriptions.error} retry={() => void subscriptions.refetch()} />
      ) : subscriptions.data.items.length === 0 ? (
        <EmptyState icon={<GlobeIcon className="size-6" />} title={t('feeds.empty')} description={t('feeds.emptyDescription')} action={addButton || undefined} />
      ) : (
        <Table caption={t('feeds.title')}>
          <THead>
            <tr>
              <Th>{t('feeds.feed')}</Th>
              <Th>{t('feeds.status')}</Th>
              <Th>{t('feeds.lastPolled')}</Th>
              <Th>{t('feeds.nextPoll')}</Th>
              {access.canManage && <Th className="text-right">{t('common.actions')}</Th>}
            </tr>
          </THead>
          <TBody>
            {subscriptions.data.items.map((subscription) => {
              const name = subscription.title ?? subscription.url;
              return (
                <Tr key={subscription.id} data-testid="feed-row">
                  <Td>
                    <div className="font-medium">{name}</div>
                    <div className="max-w-md truncate text-xs text-muted">{subscription.url}</div>
                  </Td>
                  <Td>
                    <Badge tone={statusTone[subscription.status]}>{t(`feeds.statuses.${subscription.status}`)}</Badge>
                    {subscription.lastError && (
                      <div className="mt-1 max-w-xs text-xs text-danger" data-testid="feed-error">
                        {t('feeds.lastError', { count: subscription.consecutiveFailures, error: subscription.lastError })}
                      </div>
                    )}
                  </Td>
                  <Td className="text-muted">{subscription.lastPolledAt ? formatDateTime(subscription.lastPolledAt, timeZone) : t('feeds.never')}</Td>
                  <Td className="text-muted">{subscription.status === 'paused' ? '—' : formatDateTime(subscription.nextPollAt, timeZone)}</Td>
                  {access.canManage && (
                    <Td className="text-right">
                      <div className="flex flex-wrap justify-end gap-2">
                        <Button
                          size="sm"
                          variant="secondary"
                          loading={busyId === subscription.id}
                          aria-label={t('feeds.pollNowFor', { name })}
                          onClick={() =>
                            void act(subscription, () => feedsApi.pollNow(subscription.id), (result) => {
                              const poll = result as Awaited<ReturnType<typeof feedsApi.pollNow>>;
                              return poll.outcome === 'failed' ? null : t(`feeds.pollOutcomes.${poll.outcome}`, { count: poll.newEntries });
                            })
                          }
                        >
                          {t('feeds.pollNow')}
                        </Button>
                        <Button size="sm" variant="ghost" onClick={() => setEditing(subscription)} aria-label={t('feeds.editFor', { name })}>
                          {t('feeds.edit')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t(subscription.status === 'paused' ? 'feeds.resumeFor' : 'feeds.pauseFor', { name })}
                          onClick={() => void act(subscription, () => feedsApi.updateSubscription(subscription.id, { status: subscription.status === 'paused' ? 'active' : 'paused' }), () => null)}
                        >
                          {subscription.status === 'paused' ? t('feeds.resume') : t('feeds.pause')}
                        </Button>
                        <Button size="sm" variant="ghost-danger" onClick={() => setRemoving(subscription)} aria-label={t('feeds.removeFor', { name })}>
                          {t('feeds.remove')}
                        </Button>
                      </div>
                    </Td>
                  )}
                </Tr>
              );
            })}
          </TBody>
        </Table>
      )}

      {access.hasAccount && <WebhooksSection canManage={access.canManage} connections={activeConnections} timeZone={timeZone} />}

      {access.hasAccount && (
        <Card className="mt-6">
          <CardHeader title={t('feeds.entriesTitle')} description={t('feeds.entriesDescription')} />
          <CardBody>
            <QueryStates query={entries} columns={4} empty={<EmptyState icon={<ScrollIcon className="size-6" />} title={t('feeds.entriesEmpty')} description={t('feeds.entriesEmptyDescription')} />}>
              {(data) => (
                <Table caption={t('feeds.entriesTitle')}>
                  <THead>
                    <tr>
                      <Th>{t('feeds.article')}</Th>
                      <Th>{t('feeds.source')}</Th>
                      <Th>{t('feeds.received')}</Th>
                      <Th>{t('feeds.status')}</Th>
                    </tr>
                  </THead>
                  <TBody>
                    {data.items.map((entry) => (
                      <Tr key={entry.id} data-testid="entry-row">
                        <Td>
                          {entry.url ? (
                            <a href={entry.url} target="_blank" rel="noreferrer noopener" className="font-medium text-primary hover:underline">
                              {entry.title}
                            </a>
                          ) : (
                            <span className="font-medium">{entry.title}</span>
                        )}
                      </Td>
                      <Td className="text-muted">{t(`feeds.sources.${entry.sourceType}`)}</Td>
                      <Td className="text-muted">{formatDateTime(entry.receivedAt, timeZone)}</Td>
                      <Td>
                        <Badge tone={entryTone[entry.status]}>{t(`feeds.entryStatuses.${entry.status}`)}</Badge>
                        {entry.error && <div className="mt-1 max-w-xs text-xs text-muted">{entry.error}</div>}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              )}
            </QueryStates>
          </CardBody>
        </Card>
      )}

      {editing && (
        <SubscriptionDialog
          subscription={editing === 'new' ? null : editing}
          connections={activeConnections}
          timeZone={timeZone}
          onClose={() => setEditing(null)}
          onSaved={async (saved) => {
            setEditing(null);
            toast.show(t(editing === 'new' ? 'feeds.addedToast' : 'feeds.savedToast', { name: saved.title ?? saved.url }), 'success');
            await refresh();
          }}
        />
      )}
      <ConfirmRemoveDialog
        open={removing !== null}
        title={t('feeds.removeTitle')}
        description={removing ? t('feeds.removeDescription', { name: removing.title ?? removing.url }) : undefined}
        busy={busyId === removing?.id}
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          const name = removing.title ?? removing.url;
          await act(removing, () => feedsApi.removeSubscription(removing.id), () => t('feeds.removedToast', { name }));
          setRemoving(null);
        }}
      />
    </>
  );
}
