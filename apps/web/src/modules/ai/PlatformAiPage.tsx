import type { AiAgent, AiWorkflowType, PlatformAiSettings, PlatformHitlPolicyList } from '@omni/contracts/ai';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime, formatNumber, formatRelative } from '../../shared/lib/format';
import { Badge, Card, CardBody, CardHeader, Checkbox, PageHeader, Skeleton, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { aiApi, aiWorkflowTypes, formatDuration, formatPercent } from './aiApi';
import { LockBadge, useAgentName } from './components/aiShared';
import { PolicyTable, type PolicyFields } from './components/PolicyTable';
import { PricesCard } from './components/PricesCard';
import { ProviderForm } from './components/ProviderForm';

/** The policy a workflow type has when the platform set none (docs/design/ai-agents.md §6). */
const defaultPolicy: PolicyFields = { mode: 'below', threshold: 0.8, deadlineMinutes: 1440, escalationRole: 'admin', onTimeout: 'reject' };

/** /platform/ai (super admins): the platform's provider, model prices, its HITL policies and locks, the agents' health. */
export function PlatformAiPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  if (!user.isSuperAdmin) return <NoAccess />;
  return (
    <>
      <PageHeader title={t('ai.platform.title')} description={t('ai.platform.description')} />
      <div className="flex flex-col gap-6">
        <PlatformProviderCard />
        <PricesCard />
        <PlatformPoliciesCard />
        <AgentsCard />
      </div>
    </>
  );
}

function PlatformProviderCard() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['ai', 'platform', 'settings'], queryFn: aiApi.platformSettings });
  return (
    <Card>
      <CardHeader
        title={t('ai.platform.providerTitle')}
        description={t('ai.platform.providerDescription')}
        action={settings.data && !settings.data.updatedAt && <Badge>{t('ai.platform.fromEnvironment')}</Badge>}
      />
      <CardBody>
        {settings.isPending ? (
          <Skeleton className="h-48" />
        ) : settings.isError ? (
          <ErrorRow error={settings.error} retry={() => void settings.refetch()} />
        ) : (
          <PlatformProviderForm settings={settings.data} />
        )}
      </CardBody>
    </Card>
  );
}

function PlatformProviderForm({ settings }: { settings: PlatformAiSettings }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [allowPrivate, setAllowPrivate] = useState(settings.allowPrivateBaseUrls);
  return (
    <ProviderForm
      key={settings.updatedAt ?? 'configured'}
      settings={settings}
      agentIds={[]}
      submitLabel={t('ai.platform.save')}
      onSave={async (body) => {
        queryClient.setQueryData(['ai', 'platform', 'settings'], await aiApi.updatePlatformSettings({ ...body, allowPrivateBaseUrls: allowPrivate }));
        toast.show(t('ai.platform.saved'), 'success');
      }}
      onTest={(body) => aiApi.testPlatformSettings({ provider: body })}
      extraFields={
        <div>
          <Checkbox label={t('ai.platform.allowPrivate')} checked={allowPrivate} onChange={(event) => setAllowPrivate(event.target.checked)} />
          <p className="mt-1 pl-6 text-xs text-muted">{t('ai.platform.allowPrivateHint')}</p>
        </div>
      }
      secondaryAction={settings.updatedAt && <span className="text-xs text-muted">{t('ai.platform.updatedAt', { when: formatDateTime(settings.updatedAt) })}</span>}
    />
  );
}

function PlatformPoliciesCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const policies = useQuery({ queryKey: ['ai', 'platform', 'hitl-policies'], queryFn: aiApi.platformHitlPolicies });
  async function save(workflowType: AiWorkflowType, fields: PolicyFields, locked: boolean) {
    queryClient.setQueryData<PlatformHitlPolicyList>(['ai', 'platform', 'hitl-policies'], await aiApi.updatePlatformHitlPolicy({ workflowType, ...fields, locked }));
  }
  return (
    <Card>
      <CardHeader title={t('ai.platform.policiesTitle')} description={t('ai.platform.policiesDescription')} />
      <CardBody>
        {policies.isPending ? (
          <TableSkeleton columns={7} rows={5} />
        ) : policies.isError ? (
          <ErrorRow error={policies.error} retry={() => void policies.refetch()} />
        ) : (
          <PolicyTable
            withLock
            rows={aiWorkflowTypes.map((workflowType) => {
              const row = policies.data.items.find((item) => item.workflowType === workflowType);
              return {
                workflowType,
                fields: row ?? defaultPolicy,
                locked: row?.locked ?? false,
                readOnly: false,
                badges: row ? row.locked ? <LockBadge label={t('ai.platform.policyLocked')} /> : <Badge tone="primary">{t('ai.platform.policySet')}</Badge> : <Badge>{t('ai.platform.policyDefault')}</Badge>,
              };
            })}
            onSave={save}
          />
        )}
      </CardBody>
    </Card>
  );
}

function AgentsCard() {
  const { t } = useTranslation();
  const agents = useQuery({ queryKey: ['ai', 'platform', 'agents'], queryFn: aiApi.platformAgents, refetchInterval: 60_000 });
  return (
    <Card>
      <CardHeader title={t('ai.platform.agentsTitle')} description={t('ai.platform.agentsDescription')} />
      <CardBody>
        {agents.isPending ? (
          <TableSkeleton columns={6} rows={6} />
        ) : agents.isError ? (
          <ErrorRow error={agents.error} retry={() => void agents.refetch()} />
        ) : (
          <AgentTable agents={agents.data.items} />
        )}
      </CardBody>
    </Card>
  );
}

function AgentTable({ agents }: { agents: AiAgent[] }) {
  const { t } = useTranslation();
  const agentName = useAgentName();
  return (
    <Table caption={t('ai.platform.agentsTitle')}>
      <THead>
        <tr>
          <Th>{t('ai.platform.agent')}</Th>
          <Th>{t('ai.runs.workflowType')}</Th>
          <Th className="whitespace-nowrap text-right">{t('ai.platform.runs24h')}</Th>
          <Th className="whitespace-nowrap text-right">{t('ai.platform.errorRate')}</Th>
          <Th className="whitespace-nowrap text-right">{t('ai.platform.p95')}</Th>
        </tr>
      </THead>
      <TBody>
        {agents.map((agent) => {
          const rate = agent.health.errorRate;
          return (
            <Tr key={agent.id} data-testid="ai-agent-row">
              <Td className="max-w-md">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{agentName(agent.id)}</span>
                  <span className="font-mono text-xs text-muted">
                    {agent.id} v{agent.version}
                  </span>
                  {agent.kind === 'model' && <Badge tone="primary">{t('ai.platform.statisticalModel')}</Badge>}
                  {!agent.worksOffline && <Badge tone="warning">{t('ai.platform.needsModel')}</Badge>}
                </div>
                <p className="mt-1 text-xs text-muted">{agent.description}</p>
              </Td>
              <Td className="text-muted">{t(`ai.workflowTypes.${agent.workflowType}`)}</Td>
              <Td className="text-right tabular-nums">{formatNumber(agent.health.runs24h)}</Td>
              <Td className="text-right tabular-nums">
                {rate === null ? (
                  '—'
                ) : (
                  <Badge tone={rate >= 0.2 ? 'danger' : rate > 0 ? 'warning' : 'success'}>
                    {formatPercent(rate)}
                    {agent.health.failed24h > 0 ? ` (${formatNumber(agent.health.failed24h)})` : ''}
                  </Badge>
                )}
                {agent.health.lastErrorCode && (
                  <div className="mt-1 text-xs text-muted">
                    {t('ai.platform.lastError', { code: agent.health.lastErrorCode, when: agent.health.lastErrorAt ? formatRelative(agent.health.lastErrorAt) : '—' })}
                  </div>
                )}
              </Td>
              <Td className="text-right tabular-nums">{formatDuration(agent.health.p95DurationMs)}</Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
