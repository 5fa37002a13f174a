import type { PublishTarget, PublishTargetStatus } from '@omni/contracts/publishing';
import type { SocialConnection } from '@omni/contracts/social';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Button, buttonClasses, EmptyState, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr } from '../../shared/ui';
import { CalendarIcon } from '../../shared/ui/icons';
import { socialApi } from '../social/socialApi';
import { ErrorRow } from '../team/TeamPage';
import { SettingsDialog } from './PublishingDialogs';
import { publishingApi, publishingAccessOf, publishTargetStatuses, type TargetFilters } from './publishingApi';
import { isSettling, StatusBadge, useAccountTimeZone } from './publishingShared';
import { TargetDetailDialog } from './TargetDetailDialog';

/** Filters arriving in the address (e.g. the connections page links to one connection's posts). */
function readFilters(): TargetFilters {
  const search = new URLSearchParams(typeof window === 'undefined' ? '' : window.location.search);
  const status = search.get('status');
  return {
    status: publishTargetStatuses.includes(status as PublishTargetStatus) ? (status as PublishTargetStatus) : undefined,
    network: search.get('network') ?? undefined,
    connectionId: search.get('connection') ?? undefined,
  };
}

export function PublishingPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = publishingAccessOf(scope);
  if (!access.canRead) return <NoAccess />;
  if (!access.hasAccount) {
    return (
      <>
        <PageHeader title={t('publishing.title')} description={t('publishing.description')} />
        <EmptyState icon={<CalendarIcon className="size-6" />} title={t('publishing.chooseAccount')} description={t('publishing.chooseAccountDescription')} />
      </>
    );
  }
  return <TargetsView canPublish={access.canPublish} canManageSettings={access.canManageSettings} />;
}

function TargetsView({ canPublish, canManageSettings }: { canPublish: boolean; canManageSettings: boolean }) {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<TargetFilters>(readFilters);
  const [openId, setOpenId] = useState<string | null>(null);
  const [editingSettings, setEditingSettings] = useState(false);
  const timeZone = useAccountTimeZone();
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections });
  const networks = useQuery({ queryKey: ['social', 'networks'], queryFn: socialApi.networks });
  const targets = usePagedList(['publishing', 'targets', filters], (cursor) => publishingApi.targets(filters, cursor));
  const settling = isSettling(targets.items);
  const { refetch } = targets;
  // A post in flight or about to be due changes by itself: look again every few seconds meanwhile.
  useEffect(() => {
    if (!settling) return;
    const timer = setInterval(() => void refetch(), 3000);
    return () => clearInterval(timer);
  }, [settling, refetch]);

  const connectionById = new Map((connections.data?.items ?? []).map((connection) => [connection.id, connection]));
  const filteredConnection = filters.connectionId ? connectionById.get(filters.connectionId) : undefined;
  const isFiltered = Boolean(filters.status || filters.network || filters.connectionId);
  const setFilter = (change: Partial<TargetFilters>) => setFilters((current) => ({ ...current, ...change }));

  return (
    <>
      <PageHeader
        title={t('publishing.title')}
        description={t('publishing.description')}
        actions={
          canManageSettings && (
            <Button variant="secondary" onClick={() => setEditingSettings(true)}>
              {t('publishing.settings')}
            </Button>
          )
        }
      />
      <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label={t('publishing.filters.label')}>
        <label className="flex flex-col gap-1.5 text-sm font-medium">
          {t('publishing.filters.status')}
          <Select className="w-48" value={filters.status ?? ''} onChange={(event) => setFilter({ status: (event.target.value || undefined) as PublishTargetStatus | undefined })}>
            <option value="">{t('publishing.filters.allStatuses')}</option>
            {publishTargetStatuses.map((status) => (
              <option key={status} value={status}>
                {t(`publishing.statuses.${status}`)}
              </option>
            ))}
          </Select>
        </label>
        <label className="flex flex-col gap-1.5 text-sm font-medium">
          {t('publishing.filters.network')}
          <Select className="w-48" value={filters.network ?? ''} onChange={(event) => setFilter({ network: event.target.value || undefined })}>
            <option value="">{t('publishing.filters.allNetworks')}</option>
            {(networks.data?.items ?? []).map((network) => (
              <option key={network.id} value={network.id}>
                {network.displayName}
              </option>
            ))}
          </Select>
        </label>
        {filters.connectionId && (
          <Button variant="secondary" onClick={() => setFilter({ connectionId: undefined })} aria-label={t('publishing.filters.clearConnection')}>
            {t('publishing.filters.connection', { name: filteredConnection?.destination.name ?? t('publishing.unknownConnection') })} ✕
          </Button>
        )}
        <p className="ml-auto text-xs text-muted">{t('publishing.timesIn', { timeZone })}</p>
      </div>

      {targets.isPending ? (
        <TableSkeleton columns={5} rows={4} />
      ) : targets.isError ? (
        <ErrorRow error={targets.error} retry={() => void targets.refetch()} />
      ) : targets.items.length === 0 ? (
        isFiltered ? (
          <EmptyState icon={<CalendarIcon className="size-6" />} title={t('publishing.emptyFiltered')} />
        ) : (
          <EmptyState
            icon={<CalendarIcon className="size-6" />}
            title={t('publishing.empty')}
            description={t('publishing.emptyDescription')}
            action={
              <Link to="/connections" className={buttonClasses('secondary')}>
                {t('publishing.goToConnections')}
              </Link>
            }
          />
        )
      ) : (
        <>
          <TargetsTable targets={targets.items} connectionById={connectionById} timeZone={timeZone} onOpen={setOpenId} />
          {targets.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button variant="secondary" loading={targets.isFetchingNextPage} onClick={() => void targets.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}

      {openId && (
        <TargetDetailDialog
          targetId={openId}
          connectionById={connectionById}
          timeZone={timeZone}
          canPublish={canPublish}
          onClose={() => setOpenId(null)}
        />
      )}
      {editingSettings && <SettingsDialog onClose={() => setEditingSettings(false)} />}
    </>
  );
}

function TargetsTable({
  targets,
  connectionById,
  timeZone,
  onOpen,
}: {
  targets: PublishTarget[];
  connectionById: Map<string, SocialConnection>;
  timeZone: string;
  onOpen: (id: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Table caption={t('publishing.title')}>
      <THead>
        <tr>
          <Th>{t('publishing.columns.post')}</Th>
          <Th>{t('publishing.columns.connection')}</Th>
          <Th>{t('publishing.columns.scheduled')}</Th>
          <Th>{t('publishing.columns.status')}</Th>
          <Th className="text-right">{t('common.actions')}</Th>
        </tr>
      </THead>
      <TBody>
        {targets.map((target) => {
          const connection = connectionById.get(target.connectionId);
          const when = formatDateTime(target.scheduledAt, timeZone);
          return (
            <Tr key={target.id} data-testid="target-row">
              <Td>
                <div className="line-clamp-2 max-w-md break-words">{target.content.text || t('publishing.noText')}</div>
                {target.lastError && target.status !== 'published' && <div className="mt-1 line-clamp-1 max-w-md text-xs text-muted">{target.lastError}</div>}
              </Td>
              <Td>
                <div>{connection?.destination.name ?? t('publishing.unknownConnection')}</div>
                <div className="text-xs text-muted">{connection?.networkName ?? target.network}</div>
              </Td>
              <Td className="whitespace-nowrap text-muted">{when}</Td>
              <Td>
                <StatusBadge status={target.status} />
              </Td>
              <Td className="text-right">
                <Button size="sm" variant={target.status === 'unconfirmed' ? 'primary' : 'secondary'} onClick={() => onOpen(target.id)}>
                  {target.status === 'unconfirmed' ? t('publishing.actions.resolve') : t('publishing.details')}
                </Button>
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
