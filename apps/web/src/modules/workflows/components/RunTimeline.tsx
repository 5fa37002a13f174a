import type { StepRun, StepRunStatus, WorkflowDefinition, WorkflowRunStatus } from '@omni/contracts/workflows';
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../shared/lib/format';
import { Badge, Button, cn, FactList } from '../../../shared/ui';
import { formatDuration } from '../../ai/aiApi';
import { JsonBlock } from '../../ai/components/aiShared';
import { renderedMessageOf } from '../workflowRunsApi';
import { runStatusTone } from '../workflowsApi';

export function RunStatusBadge({ status }: { status: WorkflowRunStatus | StepRunStatus }) {
  const { t } = useTranslation();
  return <Badge tone={runStatusTone(status)}>{t(`workflowRuns.statuses.${status}`)}</Badge>;
}

/** A test run: side-effect steps ran dry. */
export function TestBadge() {
  const { t } = useTranslation();
  return (
    <Badge tone="warning" className="uppercase tracking-wide">
      {t('workflowRuns.test')}
    </Badge>
  );
}

/** The DOM id of a step run's entry (the canvas scrolls to it). */
export const stepEntryId = (stepRunId: string) => `step-run-${stepRunId}`;

/**
 * Every step run of a run in order: what ran, how it went (status, attempt, port taken, timing), what it
 * waits for, its input and output (the rendered message for notify/send_email) and its error with Retry.
 */
export function RunTimeline({
  steps,
  definition,
  timeZone,
  selectedNodeId,
  canRetry,
  retryingId,
  onRetry,
}: {
  steps: StepRun[];
  definition: WorkflowDefinition;
  timeZone: string;
  selectedNodeId: string | null;
  canRetry: boolean;
  retryingId: string | null;
  onRetry: (step: StepRun) => void;
}) {
  const { t } = useTranslation();
  if (steps.length === 0) return <p className="text-sm text-muted">{t('workflowRuns.noSteps')}</p>;
  const labelOf = (nodeId: string) => definition.nodes.find((node) => node.id === nodeId)?.label || nodeId;
  return (
    <ol className="flex flex-col gap-3" aria-label={t('workflowRuns.timeline')}>
      {steps.map((step) => (
        <li
          key={step.id}
          id={stepEntryId(step.id)}
          data-testid="step-run"
          data-node-id={step.nodeId}
          data-status={step.status}
          className={cn(
            'scroll-mt-20 rounded-lg border bg-surface p-3 transition-shadow',
            step.status === 'failed' ? 'border-danger/40' : step.status === 'waiting' ? 'border-warning/40' : 'border-border',
            selectedNodeId === step.nodeId && 'ring-2 ring-primary',
          )}
        >
          <StepEntry step={step} label={labelOf(step.nodeId)} timeZone={timeZone} canRetry={canRetry} retrying={retryingId === step.id} onRetry={() => onRetry(step)} />
        </li>
      ))}
    </ol>
  );
}

function StepEntry({ step, label, timeZone, canRetry, retrying, onRetry }: { step: StepRun; label: string; timeZone: string; canRetry: boolean; retrying: boolean; onRetry: () => void }) {
  const { t } = useTranslation();
  const message = renderedMessageOf(step);
  const facts: Array<[string, ReactNode]> = [];
  if (step.attempt > 1) facts.push([t('workflowRuns.attempt'), String(step.attempt)]);
  if (step.iteration > 0) facts.push([t('workflowRuns.iteration'), String(step.iteration + 1)]);
  if (step.port) facts.push([t('workflowRuns.port'), <code key="port" className="rounded bg-surface-2 px-1 text-xs">{t(`workflows.ports.${step.port}`, { defaultValue: step.port })}</code>]);
  if (step.startedAt) facts.push([t('workflowRuns.started'), formatDateTime(step.startedAt, timeZone)]);
  if (step.finishedAt) facts.push([t('workflowRuns.finished'), formatDateTime(step.finishedAt, timeZone)]);
  if (step.durationMs !== null) facts.push([t('workflowRuns.duration'), formatDuration(step.durationMs)]);
  if (step.nextAttemptAt) facts.push([t('workflowRuns.nextAttempt'), formatDateTime(step.nextAttemptAt, timeZone)]);
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{label}</span>
        <span className="text-xs text-muted">{t(`workflows.kinds.${step.kind}`)}</span>
        <span className="ml-auto">
          <RunStatusBadge status={step.status} />
        </span>
      </div>
      {facts.length > 0 && <FactList facts={facts} dense />}
      {step.wait && step.status === 'waiting' && <WaitFor wait={step.wait} timeZone={timeZone} />}
      {step.error && (
        <div className="rounded-md border border-danger/40 bg-danger/5 px-3 py-2 text-sm" role="alert" data-testid="step-error">
          <div className="flex flex-wrap items-center gap-2">
            <code className="text-xs text-danger">{step.error.code}</code>
            <Badge tone={step.error.retryable ? 'warning' : 'neutral'}>{step.error.retryable ? t('workflowRuns.retryable') : t('workflowRuns.notRetryable')}</Badge>
          </div>
          <p className="mt-1 break-words">{step.error.message}</p>
          {step.status === 'failed' && canRetry && (
            <Button size="sm" variant="secondary" className="mt-2" onClick={onRetry} loading={retrying}>
              {t('workflowRuns.retry')}
            </Button>
          )}
        </div>
      )}
      {message && (
        <div className="rounded-md border border-border bg-surface-2/50 px-3 py-2 text-sm" data-testid="step-message">
          {message.to && <p className="text-xs text-muted">{t('workflowRuns.messageTo', { to: message.to })}</p>}
          <p className="font-medium">{message.title}</p>
          {message.body && <p className="mt-1 whitespace-pre-wrap break-words text-muted">{message.body}</p>}
        </div>
      )}
      {step.input !== null && <JsonBlock label={t('workflowRuns.input')} value={step.input} />}
      {step.output !== null && <JsonBlock label={t('workflowRuns.output')} value={step.output} />}
    </div>
  );
}

function WaitFor({ wait, timeZone }: { wait: NonNullable<StepRun['wait']>; timeZone: string }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col gap-1 rounded-md border border-warning/40 bg-warning/5 px-3 py-2 text-sm" data-testid="step-wait">
      {wait.approvalRequestId && (
        <p>
          {t('workflowRuns.waitsForApproval')}{' '}
          <Link to="/approvals/$requestId" params={{ requestId: wait.approvalRequestId }} className="font-medium text-primary hover:underline">
            {t('workflowRuns.openApproval')} →
          </Link>
        </p>
      )}
      {wait.aiRunId && (
        <p>
          {t('workflowRuns.waitsForAi')}{' '}
          <Link to="/ai/runs/$runId" params={{ runId: wait.aiRunId }} className="font-medium text-primary hover:underline">
            {t('workflowRuns.openAiRun')} →
          </Link>
        </p>
      )}
      {wait.eventType && <p>{t('workflowRuns.waitsForEvent', { event: wait.eventType })}</p>}
      {wait.until && <p>{t('workflowRuns.waitsUntil', { when: formatDateTime(wait.until, timeZone) })}</p>}
      {wait.timeoutAt && <p className="text-xs text-muted">{t('workflowRuns.timeoutAt', { when: formatDateTime(wait.timeoutAt, timeZone) })}</p>}
    </div>
  );
}

/** Label–value pairs in two columns (dense: the timeline's small print). */
