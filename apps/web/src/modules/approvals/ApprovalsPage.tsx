import type { ApprovalListQuery, ApprovalRequest } from '@omni/contracts/approvals';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Badge, Button, buttonClasses, cn, EmptyState, PageHeader, Table, TableSkeleton, TBody, Td, Th, THead, Tr } from '../../shared/ui';
import { CheckIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';
import { approvalsAccessOf, approvalsApi, statusTone } from './approvalsApi';

const tabs: Array<ApprovalListQuery['status']> = ['pending', 'decided', 'all'];

/** /approvals: the inbox of the active account (clients: client reviews only). */
export function ApprovalsPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = approvalsAccessOf(scope);
  const [status, setStatus] = useState<ApprovalListQuery['status']>('pending');
  const list = usePagedList(['approvals', 'list', status], (cursor) => approvalsApi.list(status, cursor), access.canRead && access.hasAccount);
  if (!access.canRead) return <NoAccess />;
  if (!access.hasAccount) {
    return (
      <>
        <PageHeader title={t('approvals.title')} description={t('approvals.description')} />
        <EmptyState icon={<CheckIcon className="size-6" />} title={t('approvals.chooseAccount')} description={t('approvals.chooseAccountDescription')} />
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('approvals.title')} description={t('approvals.description')} />
      <div role="tablist" aria-label={t('approvals.tabs.label')} className="mb-4 inline-flex rounded-lg border border-border bg-surface p-1">
        {tabs.map((tab) => (
          <button
            key={tab}
            type="button"
            role="tab"
            aria-selected={status === tab}
            className={cn('rounded-md px-3 py-1.5 text-sm font-medium', status === tab ? 'bg-primary/10 text-fg' : 'text-muted hover:text-fg')}
            onClick={() => setStatus(tab)}
          >
            {t(`approvals.tabs.${tab}`)}
          </button>
        ))}
      </div>
      {list.isPending ? (
        <TableSkeleton columns={4} rows={3} />
      ) : list.isError ? (
        <ErrorRow error={list.error} retry={() => void list.refetch()} />
      ) : list.items.length === 0 ? (
        <EmptyState icon={<CheckIcon className="size-6" />} title={status === 'pending' ? t('approvals.empty') : t('approvals.emptyOther')} description={t('approvals.emptyDescription')} />
      ) : (
        <>
          <RequestsTable requests={list.items} />
          {list.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button variant="secondary" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </>
  );
}

function RequestsTable({ requests }: { requests: ApprovalRequest[] }) {
  const { t } = useTranslation();
  return (
    <Table caption={t('approvals.title')}>
      <THead>
        <tr>
          <Th>{t('approvals.columns.item')}</Th>
          <Th>{t('approvals.columns.stage')}</Th>
          <Th>{t('approvals.columns.status')}</Th>
          <Th className="text-right">{t('common.actions')}</Th>
        </tr>
      </THead>
      <TBody>
        {requests.map((request) => (
          <Tr key={request.id} data-testid="approval-row">
            <Td>
              <div className="line-clamp-2 max-w-md break-words font-medium">{request.summary}</div>
              <div className="text-xs text-muted">
                {request.requestedBy
                  ? t('approvals.requestedBy', { name: request.requestedBy.name, when: formatDateTime(request.requestedAt) })
                  : t('approvals.requestedBySystem', { when: formatDateTime(request.requestedAt) })}
                {' · '}
                {t('approvals.revision', { number: request.subjectRevision })}
              </div>
            </Td>
            <Td>{t(`approvals.stage.${request.stage}`)}</Td>
            <Td>
              <Badge tone={statusTone(request.status)}>{t(`approvals.status.${request.status}`)}</Badge>
            </Td>
            <Td className="text-right">
              <Link to="/approvals/$requestId" params={{ requestId: request.id }} className={buttonClasses(request.canDecide ? 'primary' : 'secondary', 'sm')}>
                {t('approvals.open')}
              </Link>
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
