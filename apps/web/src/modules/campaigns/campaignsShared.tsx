import type { AiRun } from '@omni/contracts/ai';
import type { CampaignStatus } from '@omni/contracts/campaigns';
import { networkRules } from '@omni/contracts/network-rules';
import type { SocialNetworkId } from '@omni/contracts/social';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { Badge, cn, Spinner, type BadgeTone } from '../../shared/ui';
import { aiApi } from '../ai/aiApi';
import { RunStatusBadge } from '../ai/components/aiShared';
import { isOfflineResult, runPhaseOf, runPollInterval } from './campaignsApi';

/** What the campaign screens, the AI studio and the editor panels share: badges, icons, run status. */

export { MegaphoneIcon } from '../../shared/ui/icons';

const campaignStatusTone: Record<CampaignStatus, BadgeTone> = { draft: 'neutral', planned: 'primary', active: 'success', completed: 'neutral', archived: 'warning' };

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  const { t } = useTranslation();
  return <Badge tone={campaignStatusTone[status]}>{t(`campaigns.statuses.${status}`)}</Badge>;
}

/** Brand-ish colour and short mark of each network (no logos: their trademarks stay theirs). */
const networkMarks: Record<SocialNetworkId, { mark: string; className: string }> = {
  facebook: { mark: 'f', className: 'bg-[#1877f2] text-white' },
  instagram: { mark: 'IG', className: 'bg-[#c13584] text-white' },
  pinterest: { mark: 'P', className: 'bg-[#bd081c] text-white' },
  x: { mark: 'X', className: 'bg-black text-white dark:bg-white dark:text-black' },
  linkedin: { mark: 'in', className: 'bg-[#0a66c2] text-white' },
  sandbox: { mark: 'S', className: 'bg-slate-600 text-white' },
};

/** One round network mark with the network's name for assistive technology and as a tooltip. */
export function NetworkIcon({ network, className }: { network: SocialNetworkId; className?: string }) {
  const { mark, className: colours } = networkMarks[network];
  const name = networkRules[network].displayName;
  return (
    <span role="img" aria-label={name} title={name} className={cn('inline-grid size-6 shrink-0 place-items-center rounded-full text-[0.65rem] font-bold leading-none', colours, className)}>
      {mark}
    </span>
  );
}

/** The networks as marks; `withNames` writes each name beside its mark (where there is room). */
export function NetworkIcons({ networks, withNames = false }: { networks: SocialNetworkId[]; withNames?: boolean }) {
  if (networks.length === 0) return <span className="text-muted">—</span>;
  return (
    <span className={cn('flex flex-wrap', withNames ? 'gap-3' : 'gap-1')}>
      {networks.map((network) =>
        withNames ? (
          <span key={network} className="inline-flex items-center gap-1.5">
            <NetworkIcon network={network} className="size-5" />
            <span aria-hidden="true">{networkRules[network].displayName}</span>
          </span>
        ) : (
          <NetworkIcon key={network} network={network} />
        ),
      )}
    </span>
  );
}

/** "Offline result" for results of the rule-based provider (their explanation says so first). */
export function OfflineBadge({ explanation }: { explanation: string | null | undefined }) {
  const { t } = useTranslation();
  if (!isOfflineResult(explanation)) return null;
  return (
    <Badge tone="warning" className="gap-1">
      <span title={t('aiStudio.offlineHint')}>{t('aiStudio.offline')}</span>
    </Badge>
  );
}

/** A run, polled while it works (fast) or waits for review (slowly); the first answer may be given. */
export function useAiRun(runId: string | null, initial?: AiRun | null) {
  return useQuery({
    queryKey: ['ai', 'run', runId],
    queryFn: () => aiApi.run(runId!),
    enabled: runId !== null,
    initialData: initial && initial.id === runId ? initial : undefined,
    refetchInterval: (query) => runPollInterval(query.state.data?.status),
  });
}

/**
 * A run's state in a sentence: a spinner while queued or running, "waiting for review" with the approvals
 * request, the decision, or why it stopped; with a link to the run's details.
 */
export function RunStatus({ run, className, showOffline = true }: { run: AiRun; className?: string; showOffline?: boolean }) {
  const { t } = useTranslation();
  const phase = runPhaseOf(run.status);
  return (
    <div className={cn('flex flex-col gap-2 text-sm', className)} data-testid="run-status" data-status={run.status}>
      <div className="flex flex-wrap items-center gap-2" role="status">
        {phase === 'working' && <Spinner className="size-4 text-primary" />}
        <RunStatusBadge status={run.status} />
        <span>{t(`aiStudio.runMessages.${run.status}`)}</span>
        {showOffline && <OfflineBadge explanation={run.explanation} />}
      </div>
      {run.status === 'awaiting_review' && run.approvalRequestId && (
        <Link to="/approvals/$requestId" params={{ requestId: run.approvalRequestId }} className="text-primary hover:underline">
          {t('aiStudio.openReview')}
        </Link>
      )}
      {run.decisionNote && ['approved', 'rejected', 'expired'].includes(run.status) && <p className="text-muted">{run.decisionNote}</p>}
      {run.status === 'failed' && run.errorMessage && (
        <p className="text-danger" role="alert">
          {run.errorMessage}
        </p>
      )}
      <p className="flex flex-wrap gap-x-3 text-xs text-muted">
        {run.confidence !== null && <span>{t('aiStudio.confidence', { value: Math.round(run.confidence * 100) })}</span>}
        <span>{run.provider === run.model ? run.provider : t('aiStudio.providerLine', { provider: run.provider, model: run.model })}</span>
        <Link to="/ai/runs/$runId" params={{ runId: run.id }} className="text-primary hover:underline">
          {t('aiStudio.runDetails')}
        </Link>
      </p>
    </div>
  );
}

/** A thin progress bar (0–100) labelled for assistive technology. */
export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  return (
    <div className="h-2 w-full overflow-hidden rounded-full bg-surface-2" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className={cn('h-full rounded-full', percent >= 100 ? 'bg-success' : 'bg-primary')} style={{ width: `${percent}%` }} />
    </div>
  );
}
