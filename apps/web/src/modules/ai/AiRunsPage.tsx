import type { AiRunStatus, AiWorkflowType } from '@omni/contracts/ai';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Button, EmptyState, Field, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { aiAccessOf, aiApi, aiRunStatuses, aiWorkflowTypes, formatDuration, formatUsd, isRunSettling, type RunFilters } from './aiApi';
import { ConfidenceMeter, RunStatusBadge, SparkleIcon, useAgentName } from './components/aiShared';

const pollMs = 3000;

/** /ai/runs: the active account's agent runs, newest first, filtered by agent, status and workflow type. */
export function AiRunsPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = aiAccessOf(scope);
  const navigate = useNavigate();
  const agentName = useAgentName();
  const [filters, setFilters] = useState<RunFilters>({});
  const enabled = access.canRead && access.hasAccount;
  const agents = useQuery({ queryKey: ['ai', 'agents'], queryFn: aiApi.agents, enabled });
  const runs = useQuery({
    queryKey: ['ai', 'runs', filters],
    queryFn: () => aiApi.runs(filters),
    enabled,
    // Runs still queued or running are watched until they finish.
    refetchInterval: (query) => (query.state.data?.items.some((run) => isRunSettling(run.status)) ? pollMs : false),
  });

  if (!access.canRead) return <NoAccess />;
  const filtered = Boolean(filters.agent || filters.status || filters.workflowType);
  const setFilter = (patch: RunFilters) => setFilters((current) => Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, value]) => value)) as RunFilters);
  const agentIds = agents.data?.items.map((agent) => agent.id) ?? [];

  return (
    <>
      <PageHeader title={t('ai.runs.title')} description={t('ai.runs.description')} />
      {!access.hasAccount ? (
        <EmptyState icon={<SparkleIcon className="size-6" />} title={t('ai.runs.chooseAccount')} description={t('ai.runs.chooseAccountDescription')} />
      ) : (
        <>
          <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label={t('ai.runs.filters')}>
            <Field label={t('ai.runs.agent')} className="w-52">
              <Select value={filters.agent ?? ''} onChange={(event) => setFilter({ agent: event.target.value || undefined })}>
                <option value="">{t('ai.runs.allAgents')}</option>
                {agentIds.map((agent) => (
                  <option key={agent} value={agent}>
                    {agentName(agent)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('ai.runs.status')} className="w-48">
              <Select value={filters.status ?? ''} onChange={(event) => setFilter({ status: (event.target.value || undefined) as AiRunStatus | undefined })}>
                <option value="">{t('ai.runs.allStatuses')}</option>
                {aiRunStatuses.map((status) => (
                  <option key={status} value={status}>
                    {t(`ai.statuses.${status}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('ai.runs.workflowType')} className="w-56">
              <Select value={filters.workflowType ?? ''} onChange={(event) => setFilter({ workflowType: (event.target.value || undefined) as AiWorkflowType | undefined })}>
                <option value="">{t('ai.runs.allWorkflows')}</option>
                {aiWorkflowTypes.map((workflowType) => (
                  <option key={workflowType} value={workflowType}>
                    {t(`ai.workflowTypes.${workflowType}`)}
                  </option>
                ))}
              </Select>
            </Field>
            {filtered && (
              <Button variant="ghost" onClick={() => setFilters({})}>
                {t('ai.runs.clearFilters')}
              </Button>
            )}
          </div>
          {runs.isPending ? (
            <TableSkeleton columns={6} />
          ) : runs.isError ? (
            <ErrorRow error={runs.error} retry={() => void runs.refetch()} />
          ) : runs.data.items.length === 0 ? (
            <EmptyState
              icon={<SparkleIcon className="size-6" />}
              title={filtered ? t('ai.runs.emptyFiltered') : t('ai.runs.empty')}
              description={filtered ? t('ai.runs.emptyFilteredDescription') : t('ai.runs.emptyDescription')}
            />
          ) : (
            <Table caption={t('ai.runs.title')}>
              <THead>
                <tr>
                  <Th>{t('ai.runs.agent')}</Th>
                  <Th>{t('ai.runs.status')}</Th>
                  <Th>{t('ai.runs.confidence')}</Th>
                  <Th className="text-right">{t('ai.runs.cost')}</Th>
                  <Th className="text-right">{t('ai.runs.duration')}</Th>
                  <Th>{t('ai.runs.started')}</Th>
                </tr>
              </THead>
              <TBody>
                {runs.data.items.map((run) => (
                  <Tr key={run.id} data-testid="ai-run-row" className="cursor-pointer" onClick={() => void navigate({ to: '/ai/runs/$runId', params: { runId: run.id } })}>
                    <Td>
                      <Link to="/ai/runs/$runId" params={{ runId: run.id }} className="font-medium text-primary hover:underline" onClick={(event) => event.stopPropagation()}>
                        {agentName(run.agent)}
                      </Link>
                      <div className="text-xs text-muted">{t(`ai.workflowTypes.${run.workflowType}`, { defaultValue: run.workflowType })}</div>
                    </Td>
                    <Td>
                      <RunStatusBadge status={run.status} />
                    </Td>
                    <Td>
                      <ConfidenceMeter value={run.confidence} compact />
                    </Td>
                    <Td className="text-right tabular-nums">{formatUsd(run.costMicros)}</Td>
                    <Td className="text-right tabular-nums">{formatDuration(run.durationMs)}</Td>
                    <Td className="text-muted">{formatDateTime(run.startedAt, user.timezone)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </>
      )}
    </>
  );
}
