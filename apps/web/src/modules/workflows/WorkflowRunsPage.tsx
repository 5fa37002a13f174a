import type { WorkflowRunStatus } from '@omni/contracts/workflows';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Button, buttonClasses, EmptyState, Field, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr } from '../../shared/ui';
import { ScrollIcon } from '../../shared/ui/icons';
import { formatDuration } from '../ai/aiApi';
import { ErrorRow } from '../team/TeamPage';
import { RunStatusBadge, TestBadge } from './components/RunTimeline';
import { isRunOpen, nextPageBefore, runDurationMs, workflowRunsApi, workflowRunStatuses, type RunListFilters } from './workflowRunsApi';
import { workflowsAccessOf, workflowsApi } from './workflowsApi';

const pollMs = 3000;

/** The filter a link can start with (/workflows/runs?workflowId=…: a workflow's runs). */
function initialFilters(search: Record<string, unknown>): RunListFilters {
  return typeof search.workflowId === 'string' && /^[0-9a-f-]{36}$/i.test(search.workflowId) ? { workflowId: search.workflowId } : {};
}

/** /workflows/runs: the account's workflow runs, newest first, filtered by workflow and status, paged back. */
export function WorkflowRunsPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = workflowsAccessOf(scope);
  const navigate = useNavigate();
  const search = useSearch({ strict: false }) as Record<string, unknown>;
  const [filters, setFilters] = useState<RunListFilters>(() => initialFilters(search));
  const enabled = access.canRead && access.hasAccount;
  const workflows = useQuery({ queryKey: ['workflows', 'list'], queryFn: workflowsApi.list, enabled });
  const runs = useInfiniteQuery({
    queryKey: ['workflows', 'runs', filters],
    queryFn: ({ pageParam }) => workflowRunsApi.list(filters, { before: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => nextPageBefore(lastPage.items),
    enabled,
    // Runs still going are watched until they end.
    refetchInterval: (query) => (query.state.data?.pages.some((page) => page.items.some((run) => isRunOpen(run.status))) ? pollMs : false),
  });

  if (!access.canRead) return <NoAccess />;
  const filtered = Boolean(filters.workflowId || filters.status);
  const setFilter = (patch: RunListFilters) => setFilters((current) => Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, value]) => value)) as RunListFilters);
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title={t('workflowRuns.title')}
        description={t('workflowRuns.description')}
        actions={
          <Link to="/workflows" className={buttonClasses('secondary')}>
            {t('workflowRuns.toWorkflows')}
          </Link>
        }
      />
      {!access.hasAccount ? (
        <EmptyState icon={<ScrollIcon className="size-6" />} title={t('workflowRuns.chooseAccount')} description={t('workflowRuns.chooseAccountDescription')} />
      ) : (
        <>
          <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label={t('workflowRuns.filters')}>
            <Field label={t('workflowRuns.workflow')} className="w-64">
              <Select value={filters.workflowId ?? ''} onChange={(event) => setFilter({ workflowId: event.target.value || undefined })}>
                <option value="">{t('workflowRuns.allWorkflows')}</option>
                {(workflows.data?.items ?? []).map((workflow) => (
                  <option key={workflow.id} value={workflow.id}>
                    {workflow.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('workflowRuns.status')} className="w-48">
              <Select value={filters.status ?? ''} onChange={(event) => setFilter({ status: (event.target.value || undefined) as WorkflowRunStatus | undefined })}>
                <option value="">{t('workflowRuns.allStatuses')}</option>
                {workflowRunStatuses.map((status) => (
                  <option key={status} value={status}>
                    {t(`workflowRuns.statuses.${status}`)}
                  </option>
                ))}
              </Select>
            </Field>
            {filtered && (
              <Button variant="ghost" onClick={() => setFilters({})}>
                {t('workflowRuns.clearFilters')}
              </Button>
            )}
          </div>
          {runs.isPending ? (
            <TableSkeleton columns={5} />
          ) : runs.isError ? (
            <ErrorRow error={runs.error} retry={() => void runs.refetch()} />
          ) : items.length === 0 ? (
            <EmptyState
              icon={<ScrollIcon className="size-6" />}
              title={filtered ? t('workflowRuns.emptyFiltered') : t('workflowRuns.empty')}
              description={filtered ? t('workflowRuns.emptyFilteredDescription') : t('workflowRuns.emptyDescription')}
            />
          ) : (
            <>
              <Table caption={t('workflowRuns.title')}>
                <THead>
                  <tr>
                    <Th>{t('workflowRuns.workflow')}</Th>
                    <Th>{t('workflowRuns.status')}</Th>
                    <Th>{t('workflowRuns.trigger')}</Th>
                    <Th>{t('workflowRuns.started')}</Th>
                    <Th className="text-right">{t('workflowRuns.duration')}</Th>
                  </tr>
                </THead>
                <TBody>
                  {items.map((run) => (
                    <Tr key={run.id} data-testid="workflow-run-row" className="cursor-pointer" onClick={() => void navigate({ to: '/workflows/runs/$runId', params: { runId: run.id } })}>
                      <Td>
                        <Link to="/workflows/runs/$runId" params={{ runId: run.id }} className="font-medium text-primary hover:underline" onClick={(event) => event.stopPropagation()}>
                          {run.workflowName}
                        </Link>
                        <div className="text-xs text-muted">{t('workflowRuns.versionShort', { version: run.version })}</div>
                      </Td>
                      <Td>
                        <div className="flex flex-wrap items-center gap-1.5">
                          <RunStatusBadge status={run.status} />
                          {run.test && <TestBadge />}
                        </div>
                      </Td>
                      <Td>{t(`workflowRuns.triggers.${run.trigger.kind}`)}</Td>
                      <Td className="text-muted">{formatDateTime(run.startedAt, user.timezone)}</Td>
                      <Td className="text-right tabular-nums">{formatDuration(runDurationMs(run))}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              {runs.hasNextPage && (
                <div className="mt-4 flex justify-center">
                  <Button variant="secondary" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                    {runs.isFetchingNextPage ? t('workflowRuns.loadingOlder') : t('workflowRuns.loadOlder')}
                  </Button>
                </div>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}
