import type { AiRun } from '@omni/contracts/ai';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime, formatNumber } from '../../shared/lib/format';
import { buttonClasses, Card, CardBody, CardHeader, FactList, PageHeader, Skeleton, Spinner } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { aiAccessOf, aiApi, formatConfidence, formatDuration, formatMinutes, formatUsd, isRunSettling } from './aiApi';
import { ConfidenceMeter, JsonBlock, OutputSummary, RunStatusBadge, useAgentName } from './components/aiShared';

const pollMs = 2000;

/** /ai/runs/$runId: input and output, confidence and explanation, cost, the policy used and the decision. */
export function AiRunDetailPage() {
  const { t } = useTranslation();
  const { runId } = useParams({ strict: false }) as { runId: string };
  const { scope } = useSession();
  const access = aiAccessOf(scope);
  const run = useQuery({
    queryKey: ['ai', 'run', runId],
    queryFn: () => aiApi.run(runId),
    enabled: access.canRead && access.hasAccount,
    refetchInterval: (query) => (query.state.data && isRunSettling(query.state.data.status) ? pollMs : false),
  });
  if (!access.canRead) return <NoAccess />;
  return (
    <>
      <Link to="/ai/runs" className="mb-3 inline-block text-sm text-primary hover:underline">
        ← {t('ai.runs.back')}
      </Link>
      {run.isPending && access.hasAccount ? (
        <Skeleton className="h-64" />
      ) : run.isError ? (
        <ErrorRow error={run.error} retry={() => void run.refetch()} />
      ) : run.data ? (
        <RunView run={run.data} />
      ) : (
        <p className="text-sm text-muted">{t('ai.runs.chooseAccountDescription')}</p>
      )}
    </>
  );
}

function RunView({ run }: { run: AiRun }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const agentName = useAgentName();
  const settling = isRunSettling(run.status);
  const threshold = run.policy && run.policy.mode === 'below' && typeof run.policy.threshold === 'number' ? run.policy.threshold : null;
  return (
    <>
      <PageHeader
        title={t('ai.runs.detailTitle', { agent: agentName(run.agent) })}
        description={`${t(`ai.workflowTypes.${run.workflowType}`, { defaultValue: run.workflowType })} · ${t('ai.runs.startedAt', { when: formatDateTime(run.startedAt, user.timezone) })}`}
        actions={
          <div className="flex flex-wrap items-center gap-3">
            <RunStatusBadge status={run.status} />
            {run.approvalRequestId && (
              <Link to="/approvals/$requestId" params={{ requestId: run.approvalRequestId }} className={buttonClasses(run.status === 'awaiting_review' ? 'primary' : 'secondary', 'sm')}>
                {run.status === 'awaiting_review' ? t('ai.runs.review') : t('ai.runs.openReview')}
              </Link>
            )}
          </div>
        }
      />
      {settling && (
        <div className="mb-6 flex items-center gap-2 rounded-lg border border-primary/30 bg-primary/5 px-4 py-3 text-sm" role="status" data-testid="ai-run-settling">
          <Spinner className="size-4" /> {t(`ai.runs.settling.${run.status as 'queued' | 'running'}`)}
        </div>
      )}
      {run.status === 'failed' && (
        <div className="mb-6 rounded-lg border border-danger/40 bg-danger/5 px-4 py-3 text-sm" role="alert" data-testid="ai-run-error">
          <p className="font-medium">{t(`ai.runErrors.${(run.errorCode ?? '').replace(/^ai\./, '')}`, { defaultValue: t('ai.runErrors.other') })}</p>
          {run.errorMessage && <p className="mt-1 text-muted">{run.errorMessage}</p>}
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card>
            <CardHeader title={t('ai.runs.result')} />
            <CardBody className="flex flex-col gap-4">
              {run.explanation && (
                <div>
                  <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t('ai.runs.explanation')}</h3>
                  <p className="text-sm" data-testid="ai-run-explanation">
                    {run.explanation}
                  </p>
                </div>
              )}
              {run.output === null ? <p className="text-sm text-muted">{settling ? t('ai.runs.noOutputYet') : t('ai.runs.noOutput')}</p> : <OutputSummary output={run.output} timeZone={user.timezone} />}
              {run.output !== null && <JsonBlock label={t('ai.runs.outputJson')} value={run.output} />}
              <JsonBlock label={t('ai.runs.inputJson')} value={run.input} />
            </CardBody>
          </Card>
        </div>
        <div className="flex flex-col gap-6">
          <Card>
            <CardHeader title={t('ai.runs.confidence')} />
            <CardBody className="flex flex-col gap-2">
              <ConfidenceMeter value={run.confidence} threshold={threshold} />
              {threshold !== null && run.confidence !== null && (
                <p className="text-xs text-muted">{t(run.confidence < threshold ? 'ai.runs.belowThreshold' : 'ai.runs.aboveThreshold', { threshold: formatConfidence(threshold) })}</p>
              )}
            </CardBody>
          </Card>
          <DecisionCard run={run} />
          <Card>
            <CardHeader title={t('ai.runs.details')} />
            <CardBody>
              <FactList
                facts={[
                  [t('ai.runs.provider'), run.model === run.provider ? t(`ai.kindNames.${run.provider}`, { defaultValue: run.provider }) : `${t(`ai.kindNames.${run.provider}`, { defaultValue: run.provider })} · ${run.model}`],
                  [t('ai.runs.tokens'), t('ai.runs.tokensValue', { input: formatNumber(run.inputTokens), output: formatNumber(run.outputTokens) })],
                  [t('ai.runs.cost'), formatUsd(run.costMicros)],
                  [t('ai.runs.duration'), formatDuration(run.durationMs)],
                  [t('ai.runs.finished'), formatDateTime(run.finishedAt, user.timezone)],
                  [t('ai.runs.version'), String(run.agentVersion)],
                  ...(run.subject ? [[t('ai.runs.subject'), <SubjectLink key="subject" subject={run.subject} />] as [string, ReactNode]] : []),
                ]}
              />
            </CardBody>
          </Card>
          <PolicyCard policy={run.policy} />
        </div>
      </div>
    </>
  );
}


function SubjectLink({ subject }: { subject: NonNullable<AiRun['subject']> }) {
  const { t } = useTranslation();
  if (subject.type === 'post') {
    return (
      <Link to="/content/posts/$postId" params={{ postId: subject.id }} className="text-primary hover:underline">
        {t('ai.runs.subjectPost')}
      </Link>
    );
  }
  return (
    <span>
      {subject.type} · <span className="font-mono text-xs">{subject.id.slice(0, 8)}</span>
    </span>
  );
}

function DecisionCard({ run }: { run: AiRun }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const who = run.decidedBy === null ? t('ai.runs.decidedByRule') : run.decidedBy === user.id ? t('ai.runs.decidedByYou') : t('ai.runs.decidedByPerson');
  return (
    <Card>
      <CardHeader title={t('ai.runs.decision')} />
      <CardBody className="text-sm">
        <div data-testid="ai-run-decision">
        {run.decidedAt ? (
          <div className="flex flex-col gap-1">
            <p className="font-medium">{t('ai.runs.decidedLine', { outcome: t(`ai.statuses.${run.status}`), who })}</p>
            <p className="text-muted">{formatDateTime(run.decidedAt, user.timezone)}</p>
            {run.decisionNote && <p className="mt-1 rounded-md bg-surface-2 px-2 py-1.5 text-xs">{run.decisionNote}</p>}
          </div>
        ) : run.status === 'awaiting_review' ? (
          <div className="flex flex-col gap-2">
            <p>{t('ai.runs.awaitingReview')}</p>
            {run.approvalRequestId && (
              <Link to="/approvals/$requestId" params={{ requestId: run.approvalRequestId }} className="text-primary hover:underline">
                {t('ai.runs.review')} →
              </Link>
            )}
          </div>
        ) : (
          <p className="text-muted">{t('ai.runs.noDecision')}</p>
        )}
        </div>
      </CardBody>
    </Card>
  );
}

/** The policy snapshot the result was routed by. */
function PolicyCard({ policy }: { policy: AiRun['policy'] }) {
  const { t } = useTranslation();
  if (!policy) return null;
  const text = (key: string) => (typeof policy[key] === 'string' ? (policy[key] as string) : null);
  const mode = text('mode');
  const source = text('source');
  const threshold = typeof policy.threshold === 'number' ? policy.threshold : null;
  const deadline = typeof policy.deadlineMinutes === 'number' ? policy.deadlineMinutes : null;
  const onTimeout = text('onTimeout');
  const escalationRole = text('escalationRole');
  return (
    <Card>
      <CardHeader title={t('ai.runs.policy')} />
      <CardBody>
        <FactList
          facts={[
            ...(mode ? [[t('ai.policies.mode'), mode === 'below' && threshold !== null ? t('ai.policies.belowValue', { threshold: formatConfidence(threshold) }) : t(`ai.policies.modes.${mode}`, { defaultValue: mode })] as [string, ReactNode]] : []),
            ...(source ? [[t('ai.runs.policySource'), t(`ai.policies.sources.${source}`, { defaultValue: source })] as [string, ReactNode]] : []),
            ...(deadline !== null ? [[t('ai.runs.deadline'), formatMinutes(deadline)] as [string, ReactNode]] : []),
            ...(onTimeout ? [[t('ai.policies.onTimeout'), t(`ai.policies.timeouts.${onTimeout}`, { defaultValue: onTimeout })] as [string, ReactNode]] : []),
            ...(escalationRole ? [[t('ai.policies.escalationRole'), t(`ai.policies.roles.${escalationRole}`, { defaultValue: escalationRole })] as [string, ReactNode]] : []),
          ]}
        />
      </CardBody>
    </Card>
  );
}
