import type { AiSettings, AiWorkflowType, HitlPolicy } from '@omni/contracts/ai';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { Badge, Button, Card, CardBody, CardHeader, Dialog, PageHeader, Skeleton, TableSkeleton, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { aiAccessOf, aiApi } from './aiApi';
import { describeAiError, LockBadge } from './components/aiShared';
import { BudgetCard } from './components/BudgetCard';
import { PolicyTable, type PolicyFields } from './components/PolicyTable';
import { ProviderForm } from './components/ProviderForm';
import { UsageCard } from './components/UsageCard';

/** /settings/ai (tenant admins): the provider (platform's or own key), the budget, usage and the HITL policies. */
export function AiSettingsPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = aiAccessOf(scope);
  if (!access.canManageSettings && !access.canManagePolicies) return <NoAccess />;
  return (
    <>
      <PageHeader title={t('ai.settings.title')} description={t('ai.settings.description')} />
      <div className="flex flex-col gap-6">
        {access.canManageSettings && <ProviderCard />}
        {access.canManageSettings && <BudgetCard canManage />}
        {access.canManageSettings && <UsageCard />}
        {access.canManagePolicies && <PoliciesCard />}
      </div>
    </>
  );
}

function ProviderCard() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['ai', 'settings'], queryFn: aiApi.settings });
  const agents = useQuery({ queryKey: ['ai', 'agents'], queryFn: aiApi.agents });
  return (
    <Card>
      <CardHeader
        title={t('ai.provider.title')}
        description={t('ai.provider.description')}
        action={settings.data && <Badge tone={settings.data.effective === 'own' ? 'primary' : 'neutral'}>{t(`ai.provider.effective.${settings.data.effective}`)}</Badge>}
      />
      <CardBody>
        {settings.isPending ? (
          <Skeleton className="h-40" />
        ) : settings.isError ? (
          <ErrorRow error={settings.error} retry={() => void settings.refetch()} />
        ) : (
          <ProviderSection settings={settings.data} agentIds={(agents.data?.items ?? []).filter((agent) => agent.kind !== 'model').map((agent) => agent.id)} />
        )}
      </CardBody>
    </Card>
  );
}

function ProviderSection({ settings, agentIds }: { settings: AiSettings; agentIds: string[] }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);
  const [resetting, setResetting] = useState(false);
  const showForm = settings.own !== null || editing;
  const apply = (next: AiSettings) => queryClient.setQueryData(['ai', 'settings'], next);

  async function usePlatform() {
    setResetting(true);
    try {
      apply(await aiApi.updateSettings({ provider: null }));
      setEditing(false);
      toast.show(t('ai.provider.resetDone'), 'success');
    } catch (error) {
      toast.show(describeAiError(error), 'error');
    } finally {
      setResetting(false);
      setConfirmReset(false);
    }
  }

  return (
    <div className="flex flex-col gap-5">
      <div className="rounded-lg border border-border bg-surface-2/50 p-4" data-testid="ai-platform-provider">
        <h3 className="text-sm font-medium">{t('ai.provider.platformTitle')}</h3>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-muted">{t('ai.provider.kind')}</dt>
          <dd>{t(`ai.kinds.${settings.platform.kind}`)}</dd>
          <dt className="text-muted">{t('ai.provider.defaultModel')}</dt>
          <dd className="font-mono text-xs leading-5">{settings.platform.defaultModel}</dd>
        </dl>
        {!showForm && (
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <Button variant="secondary" onClick={() => setEditing(true)}>
              {t('ai.provider.useOwn')}
            </Button>
            <span className="text-xs text-muted">{t('ai.provider.useOwnHint')}</span>
          </div>
        )}
      </div>
      {showForm && (
        <section aria-labelledby="ai-own-provider">
          <h3 id="ai-own-provider" className="mb-3 text-sm font-medium">
            {t('ai.provider.ownTitle')}
          </h3>
          <ProviderForm
            key={settings.own?.updatedAt ?? 'new'}
            settings={settings.own}
            agentIds={agentIds}
            submitLabel={t('ai.provider.save')}
            onSave={async (body) => {
              apply(await aiApi.updateSettings({ provider: body }));
              setEditing(false);
              toast.show(t('ai.provider.saved'), 'success');
            }}
            onTest={(body) => aiApi.testSettings({ provider: body })}
            secondaryAction={
              settings.own ? (
                <Button variant="ghost-danger" onClick={() => setConfirmReset(true)}>
                  {t('ai.provider.usePlatform')}
                </Button>
              ) : (
                <Button variant="ghost" onClick={() => setEditing(false)}>
                  {t('common.cancel')}
                </Button>
              )
            }
          />
        </section>
      )}
      <Dialog
        open={confirmReset}
        onClose={() => setConfirmReset(false)}
        title={t('ai.provider.usePlatformTitle')}
        description={t('ai.provider.usePlatformDescription')}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmReset(false)}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" loading={resetting} onClick={() => void usePlatform()}>
              {t('ai.provider.usePlatform')}
            </Button>
          </>
        }
      />
    </div>
  );
}

/** Where a tenant's effective policy comes from, as a badge beside the workflow's name. */
function SourceBadges({ policy }: { policy: HitlPolicy }) {
  const { t } = useTranslation();
  if (policy.locked) return <LockBadge />;
  return <Badge tone={policy.source === 'tenant' ? 'primary' : 'neutral'}>{t(`ai.policies.sources.${policy.source}`)}</Badge>;
}

function PoliciesCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const policies = useQuery({ queryKey: ['ai', 'hitl-policies'], queryFn: aiApi.hitlPolicies });
  async function save(workflowType: AiWorkflowType, fields: PolicyFields) {
    try {
      queryClient.setQueryData(['ai', 'hitl-policies'], await aiApi.updateHitlPolicy({ workflowType, ...fields }));
    } catch (error) {
      // A lock set meanwhile: show the row as the platform set it.
      await queryClient.invalidateQueries({ queryKey: ['ai', 'hitl-policies'] });
      throw error;
    }
  }
  return (
    <Card>
      <CardHeader title={t('ai.policies.title')} description={t('ai.policies.description')} />
      <CardBody>
        {policies.isPending ? (
          <TableSkeleton columns={6} rows={5} />
        ) : policies.isError ? (
          <ErrorRow error={policies.error} retry={() => void policies.refetch()} />
        ) : (
          <PolicyTable
            rows={policies.data.items.map((policy) => ({
              workflowType: policy.workflowType,
              fields: policy,
              locked: policy.locked,
              readOnly: policy.locked,
              badges: <SourceBadges policy={policy} />,
            }))}
            onSave={save}
          />
        )}
        <p className="mt-3 text-xs text-muted">{t('ai.policies.legend')}</p>
      </CardBody>
    </Card>
  );
}
