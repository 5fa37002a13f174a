import type { DefinitionIssue, StepRun, WorkflowRunDetail } from '@omni/contracts/workflows';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Button, buttonClasses, Card, CardBody, CardHeader, Dialog, FactList, PageHeader, Skeleton, Spinner, useToast } from '../../shared/ui';
import { formatDuration } from '../ai/aiApi';
import { JsonBlock } from '../ai/components/aiShared';
import { ErrorRow } from '../team/TeamPage';
import { RunStatusBadge, RunTimeline, stepEntryId, TestBadge } from './components/RunTimeline';
import { WorkflowCanvas } from './components/WorkflowCanvas';
import { isRunOpen, runDurationMs, runPathOf, stepRunsOfNode, workflowRunsApi } from './workflowRunsApi';
import { workflowsAccessOf, workflowsApi } from './workflowsApi';

const pollMs = 2000;
const runKey = (runId: string) => ['workflows', 'run', runId];
/** A run's pinned version was valid when it started: no issues to show (one stable array for the canvas's memo). */
const noIssues: DefinitionIssue[] = [];

/** /workflows/runs/$runId: a run's pinned definition with the path taken, and every step run in order. */
export function WorkflowRunPage() {
  const { t } = useTranslation();
  const { runId } = useParams({ strict: false }) as { runId: string };
  const { scope } = useSession();
  const access = workflowsAccessOf(scope);
  const run = useQuery({
    queryKey: runKey(runId),
    queryFn: () => workflowRunsApi.run(runId),
    enabled: access.canRead && access.hasAccount,
    // An open run is watched until it ends (approvals, waits and retries move it on elsewhere).
    refetchInterval: (query) => (query.state.data && isRunOpen(query.state.data.status) ? pollMs : false),
  });
  if (!access.canRead) return <NoAccess />;
  return (
    <>
      <Link to="/workflows/runs" className="mb-3 inline-block text-sm text-primary hover:underline">
        ← {t('workflowRuns.back')}
      </Link>
      {!access.hasAccount ? (
        <p className="text-sm text-muted">{t('workflowRuns.chooseAccountDescription')}</p>
      ) : run.isPending ? (
        <Skeleton className="h-96" />
      ) : run.isError ? (
        <ErrorRow error={run.error} retry={() => void run.refetch()} />
      ) : (
        <RunView run={run.data} canRun={access.canRun} />
      )}
    </>
  );
}

function RunView({ run, canRun }: { run: WorkflowRunDetail; canRun: boolean }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [selectedNodeId, setSelectedNodeId] = useState<string | null>(null);
  const stepKinds = useQuery({ queryKey: ['workflows', 'step-kinds'], queryFn: workflowsApi.stepKinds, staleTime: 10 * 60_000 });
  const path = useMemo(() => runPathOf(run), [run]);
  const open = isRunOpen(run.status);

  const settle = (detail: WorkflowRunDetail) => {
    queryClient.setQueryData(runKey(run.id), detail);
    void queryClient.invalidateQueries({ queryKey: ['workflows', 'runs'] });
  };
  const cancel = useMutation({
    mutationFn: () => workflowRunsApi.cancel(run.id),
    onSuccess: (detail) => {
      settle(detail);
      setConfirmCancel(false);
      toast.show(t('workflowRuns.cancelled'), 'success');
    },
    onError: (error) => {
      setConfirmCancel(false);
      toast.show(describeError(error), 'error');
      void queryClient.invalidateQueries({ queryKey: runKey(run.id) });
    },
  });
  const retry = useMutation({
    mutationFn: (step: StepRun) => workflowRunsApi.retryStep(run.id, step.id),
    onSuccess: (detail) => {
      settle(detail);
      toast.show(t('workflowRuns.retried'), 'success');
    },
    onError: (error) => {
      toast.show(describeError(error), 'error');
      void queryClient.invalidateQueries({ queryKey: runKey(run.id) });
    },
  });

  const select = (nodeId: string | null) => {
    setSelectedNodeId(nodeId);
    const first = nodeId ? stepRunsOfNode(run.steps, nodeId)[0] : undefined;
    if (first) document.getElementById(stepEntryId(first.id))?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  const selectedDidNotRun = selectedNodeId !== null && selectedNodeId !== 'trigger' && stepRunsOfNode(run.steps, selectedNodeId).length === 0;

  return (
    <>
      <PageHeader
        title={run.workflowName}
        description={`${t('workflowRuns.versionShort', { version: run.version })} · ${t(`workflowRuns.triggers.${run.trigger.kind}`)} · ${t('workflowRuns.startedAt', { when: formatDateTime(run.startedAt, user.timezone) })}`}
        actions={
          <div className="flex flex-wrap items-center gap-3">
            <span data-testid="run-status">
              <RunStatusBadge status={run.status} />
            </span>
            {run.test && <TestBadge />}
            <Link to="/workflows/$workflowId" params={{ workflowId: run.workflowId }} className={buttonClasses('secondary', 'sm')}>
              {t('workflowRuns.openWorkflow')}
            </Link>
            {open && canRun && (
              <Button variant="danger" size="sm" onClick={() => setConfirmCancel(true)}>
                {t('workflowRuns.cancel')}
              </Button>
            )}
          </div>
        }
      />
      {open && (
        <div className="mb-6 flex items-center gap-2 rounded-lg border border-primary/30 bg-primary/5 px-4 py-3 text-sm" role="status">
          <Spinner className="size-4" /> {t(`workflowRuns.open.${run.status as 'running' | 'waiting'}`)}
        </div>
      )}
      {run.error && (
        <div className="mb-6 rounded-lg border border-danger/40 bg-danger/5 px-4 py-3 text-sm" role="alert" data-testid="run-error">
          <p className="font-medium">{t('workflowRuns.runFailed')}</p>
          <p className="mt-1 break-words text-muted">{run.error}</p>
        </div>
      )}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card>
            <CardHeader title={t('workflowRuns.path')} />
            <CardBody>
              {stepKinds.data ? (
                // The canvas fills its parent's height: give it one.
                <div className="h-[28rem]">
                  <WorkflowCanvas definition={run.definition} stepKinds={stepKinds.data.items} readOnly highlight={path} issues={noIssues} onSelect={select} selectedNodeId={selectedNodeId} />
                </div>
              ) : stepKinds.isError ? (
                <ErrorRow error={stepKinds.error} retry={() => void stepKinds.refetch()} />
              ) : (
                <Skeleton className="h-[28rem]" />
              )}
              <p className="mt-2 text-xs text-muted">{selectedDidNotRun ? t('workflowRuns.didNotRun') : t('workflowRuns.pathHint')}</p>
            </CardBody>
          </Card>
          <Card>
            <CardHeader title={t('workflowRuns.details')} />
            <CardBody className="flex flex-col gap-4">
              <FactList
                facts={[
                  [t('workflowRuns.trigger'), t(`workflowRuns.triggers.${run.trigger.kind}`)],
                  [t('workflowRuns.started'), formatDateTime(run.startedAt, user.timezone)],
                  [t('workflowRuns.finished'), run.finishedAt ? formatDateTime(run.finishedAt, user.timezone) : '—'],
                  [t('workflowRuns.duration'), formatDuration(runDurationMs(run))],
                  [t('workflowRuns.version'), String(run.version)],
                ]}
              />
              <JsonBlock label={t('workflowRuns.triggerPayload')} value={run.trigger.payload} />
            </CardBody>
          </Card>
        </div>
        <Card className="min-w-0 self-start">
          <CardHeader title={t('workflowRuns.timeline')} />
          <CardBody>
            <RunTimeline
              steps={run.steps}
              definition={run.definition}
              timeZone={user.timezone}
              selectedNodeId={selectedNodeId}
              canRetry={canRun}
              retryingId={retry.isPending ? (retry.variables?.id ?? null) : null}
              onRetry={(step) => retry.mutate(step)}
            />
          </CardBody>
        </Card>
      </div>
      <Dialog
        open={confirmCancel}
        onClose={() => setConfirmCancel(false)}
        title={t('workflowRuns.cancelTitle')}
        footer={
          <>
            <Button variant="ghost" onClick={() => setConfirmCancel(false)}>
              {t('workflowRuns.keepRunning')}
            </Button>
            <Button variant="danger" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              {t('workflowRuns.confirmCancel')}
            </Button>
          </>
        }
      >
        <p className="text-sm">{t('workflowRuns.cancelDescription')}</p>
      </Dialog>
    </>
  );
}
