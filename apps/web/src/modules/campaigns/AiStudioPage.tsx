import type { AiRun } from '@omni/contracts/ai';
import type { ApprovalOutcome } from '@omni/contracts/approvals';
import type { CampaignDetail, SubmitCampaignDraftsResult } from '@omni/contracts/campaigns';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDate } from '../../shared/lib/format';
import { Button, buttonClasses, Card, CardBody, CardHeader, cn, EmptyState, Field, PageHeader, Select, Skeleton, Spinner, Textarea, useToast } from '../../shared/ui';
import { CheckIcon } from '../../shared/ui/icons';
import { approvalsApi } from '../approvals/approvalsApi';
import { DecisionButtons } from '../approvals/DecisionButtons';
import { useAccountTimeZone } from '../publishing/publishingShared';
import { ErrorRow } from '../team/TeamPage';
import { campaignFormValues, campaignPollInterval, campaignsAccessOf, campaignsApi, runPhaseOf, strategistOutputOf } from './campaignsApi';
import { SparkleIcon } from '../ai/components/aiShared';
import { CampaignStatusBadge, NetworkIcons, OfflineBadge, RunStatus, useAiRun } from './campaignsShared';
import { CampaignForm } from './components/CampaignForm';
import { CampaignPostsTable, DraftsPreview, StrategyView, SubmitResultView } from './components/CampaignParts';

type Step = 1 | 2 | 3 | 4;

/** Which step the studio is at, from what exists: no run yet, a working run, a review, or drafts to send. */
function stepOf(campaign: CampaignDetail | undefined, run: AiRun | null): Step {
  if (!campaign || !run) return 1;
  const phase = runPhaseOf(run.status);
  if (phase === 'working') return 2;
  if (phase === 'done' && campaign.strategy?.runId === run.id && campaign.posts.length > 0) return 4;
  return 3;
}

function Stepper({ step }: { step: Step }) {
  const { t } = useTranslation();
  const steps: Step[] = [1, 2, 3, 4];
  return (
    <ol className="mb-6 grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label={t('aiStudio.steps.label')}>
      {steps.map((number) => (
        <li
          key={number}
          aria-current={number === step ? 'step' : undefined}
          className={cn(
            'flex items-center gap-2 rounded-lg border px-3 py-2 text-sm',
            number === step ? 'border-primary bg-primary/5 font-semibold' : number < step ? 'border-border text-fg' : 'border-border text-muted',
          )}
        >
          <span className={cn('grid size-6 shrink-0 place-items-center rounded-full text-xs', number < step ? 'bg-success text-white' : number === step ? 'bg-primary text-on-primary' : 'bg-surface-2')}>
            {number < step ? <CheckIcon className="size-3.5" /> : number}
          </span>
          {t(`aiStudio.steps.${number}`)}
        </li>
      ))}
    </ol>
  );
}

/**
 * /ai/studio: the guided way from a brief to drafts in review. 1 brief (a new campaign or an existing one)
 * → 2 the strategist's run, live, with its output as soon as there is one → 3 the review (decided here by
 * someone allowed to, else sent to reviewers) and the drafts with predicted performance → 4 the drafts sent
 * to approval, with the way to the approvals inbox and the calendar.
 */
export function AiStudioPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = campaignsAccessOf(scope);
  const search = useSearch({ strict: false }) as { campaignId?: string };
  const navigate = useNavigate();
  const campaignId = search.campaignId ?? null;
  // The run just started here (202): shown at once, before the campaign's own latestRun catches up.
  const [started, setStarted] = useState<{ campaignId: string; run: AiRun } | null>(null);
  const campaign = useQuery({
    queryKey: ['campaigns', 'detail', campaignId],
    queryFn: () => campaignsApi.campaign(campaignId!),
    enabled: access.canGenerate && access.hasAccount && campaignId !== null,
    refetchInterval: (query) => campaignPollInterval(query.state.data),
  });
  const startedRun = started && started.campaignId === campaignId ? started.run : null;
  const runId = startedRun?.id ?? campaign.data?.latestRun?.id ?? null;
  const run = useAiRun(runId, startedRun ?? campaign.data?.latestRun ?? null);

  if (!access.canGenerate) return <NoAccess />;
  const header = <PageHeader title={t('aiStudio.title')} description={t('aiStudio.description')} />;
  if (!access.hasAccount) {
    return (
      <>
        {header}
        <EmptyState title={t('campaigns.chooseAccount')} description={t('campaigns.chooseAccountDescription')} />
      </>
    );
  }

  const open = async (id: string | null, firstRun: AiRun | null) => {
    setStarted(id && firstRun ? { campaignId: id, run: firstRun } : null);
    await navigate({ to: '/ai/studio', search: id ? { campaignId: id } : {} });
  };
  const restarted = (next: AiRun) => campaignId && setStarted({ campaignId, run: next });

  const current = run.data ?? null;
  const step = stepOf(campaign.data, current);
  return (
    <>
      {header}
      <Stepper step={step} />
      {campaignId === null ? (
        <BriefStep onStarted={(id, firstRun) => open(id, firstRun)} />
      ) : campaign.isPending ? (
        <Skeleton className="h-64" />
      ) : campaign.isError ? (
        <ErrorRow error={campaign.error} retry={() => void campaign.refetch()} />
      ) : (
        <div className="flex flex-col gap-6">
          <CampaignSummary campaign={campaign.data} onStartOver={() => void open(null, null)} />
          {current ? (
            <RunSteps campaign={campaign.data} run={current} onRestarted={restarted} />
          ) : (
            <GenerateCard campaign={campaign.data} onStarted={restarted} />
          )}
        </div>
      )}
    </>
  );
}

/** Step 1: a brief for a new campaign (created inline), or an existing campaign with its brief. */
function BriefStep({ onStarted }: { onStarted: (campaignId: string, run: AiRun | null) => Promise<void> }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [existingId, setExistingId] = useState('');
  const [brief, setBrief] = useState('');
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const campaigns = useQuery({ queryKey: ['campaigns', 'list', 'studio'], queryFn: () => campaignsApi.list({ limit: 200 }) });
  const usable = (campaigns.data?.items ?? []).filter((item) => item.status !== 'archived');
  const chosen = usable.find((item) => item.id === existingId) ?? null;
  const generateFor = async (campaignId: string, body: { brief?: string }) => {
    const { run } = await campaignsApi.generate(campaignId, body);
    await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    await onStarted(campaignId, run);
  };
  const startExisting = async () => {
    setBusy(true);
    try {
      await generateFor(existingId, brief.trim() ? { brief: brief.trim() } : {});
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader title={t('aiStudio.brief.title')} description={t('aiStudio.brief.description')} />
      <CardBody className="flex flex-col gap-4">
        <div role="radiogroup" aria-label={t('aiStudio.brief.which')} className="flex flex-wrap gap-2">
          {(['new', 'existing'] as const).map((option) => (
            <Button key={option} role="radio" aria-checked={mode === option} variant={mode === option ? 'primary' : 'secondary'} size="sm" onClick={() => setMode(option)}>
              {t(`aiStudio.brief.${option}`)}
            </Button>
          ))}
        </div>
        {mode === 'new' ? (
          <CampaignForm
            formId="studio-brief"
            compact
            initial={campaignFormValues()}
            onSubmit={async (body) => {
              const created = await campaignsApi.create(body);
              try {
                await generateFor(created.id, {});
              } catch (error) {
                // The campaign exists: continue there, where "Generate" can be tried again.
                toast.show(describeError(error), 'error');
                await onStarted(created.id, null);
              }
            }}
            footer={(submitting) => (
              <div>
                <Button type="submit" loading={submitting}>
                  <SparkleIcon /> {t('aiStudio.brief.generate')}
                </Button>
              </div>
            )}
          />
        ) : campaigns.isPending ? (
          <Skeleton className="h-24" />
        ) : campaigns.isError ? (
          <ErrorRow error={campaigns.error} retry={() => void campaigns.refetch()} />
        ) : usable.length === 0 ? (
          <p className="text-sm text-muted">{t('aiStudio.brief.noCampaigns')}</p>
        ) : (
          <div className="flex flex-col gap-4">
            <Field label={t('aiStudio.brief.campaign')}>
              <Select
                value={existingId}
                onChange={(event) => {
                  setExistingId(event.target.value);
                  setBrief(usable.find((item) => item.id === event.target.value)?.brief ?? '');
                }}
              >
                <option value="">{t('aiStudio.brief.pick')}</option>
                {usable.map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('campaigns.form.brief')} hint={t('campaigns.form.briefHint')}>
              <Textarea rows={5} maxLength={5000} value={brief} disabled={!existingId} onChange={(event) => setBrief(event.target.value)} />
            </Field>
            <div className="flex flex-wrap gap-2">
              <Button disabled={!existingId || brief.trim().length < 10} loading={busy} onClick={() => void startExisting()}>
                <SparkleIcon /> {t('aiStudio.brief.generate')}
              </Button>
              {chosen?.latestRun && (
                <Button variant="secondary" onClick={() => void onStarted(chosen.id, null)}>
                  {t('aiStudio.brief.continue')}
                </Button>
              )}
            </div>
          </div>
        )}
      </CardBody>
    </Card>
  );
}

function CampaignSummary({ campaign, onStartOver }: { campaign: CampaignDetail; onStartOver: () => void }) {
  const { t } = useTranslation();
  return (
    <Card>
      <CardHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <Link to="/campaigns/$campaignId" params={{ campaignId: campaign.id }} className="text-primary hover:underline">
              {campaign.name}
            </Link>
            <CampaignStatusBadge status={campaign.status} />
          </span>
        }
        description={`${t(`campaigns.goals.${campaign.goal}`)} · ${t('campaigns.dateRange', { from: formatDate(campaign.startsOn, 'UTC'), to: formatDate(campaign.endsOn, 'UTC') })}`}
        action={
          <Button size="sm" variant="ghost" onClick={onStartOver}>
            {t('aiStudio.startOver')}
          </Button>
        }
      />
      <CardBody className="flex flex-col gap-2 text-sm">
        <NetworkIcons networks={campaign.channels} withNames />
        {campaign.brief ? <p className="whitespace-pre-wrap text-muted">{campaign.brief}</p> : <p className="text-muted">{t('aiStudio.noBrief')}</p>}
      </CardBody>
    </Card>
  );
}

/** A campaign without a run yet (opened from its page): generate from its brief. */
function GenerateCard({ campaign, onStarted }: { campaign: CampaignDetail; onStarted: (run: AiRun) => void }) {
  const { t } = useTranslation();
  const [brief, setBrief] = useState(campaign.brief);
  const generate = useGenerate(campaign.id, onStarted);
  return (
    <Card>
      <CardHeader title={t('aiStudio.generate.title')} description={t('aiStudio.generate.description')} />
      <CardBody className="flex flex-col gap-3">
        <Field label={t('campaigns.form.brief')} hint={t('campaigns.form.briefHint')}>
          <Textarea rows={5} maxLength={5000} value={brief} onChange={(event) => setBrief(event.target.value)} />
        </Field>
        <div>
          <Button disabled={brief.trim().length < 10} loading={generate.isPending} onClick={() => generate.mutate(brief.trim())}>
            <SparkleIcon /> {t('aiStudio.brief.generate')}
          </Button>
        </div>
      </CardBody>
    </Card>
  );
}

function useGenerate(campaignId: string, onStarted: (run: AiRun) => void) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (brief?: string) => campaignsApi.generate(campaignId, brief ? { brief } : {}),
    onSuccess: async ({ run }) => {
      onStarted(run);
      await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });
}

/** Steps 2–4 for the campaign's latest run. */
function RunSteps({ campaign, run, onRestarted }: { campaign: CampaignDetail; run: AiRun; onRestarted: (run: AiRun) => void }) {
  const { t } = useTranslation();
  const timeZone = useAccountTimeZone();
  const output = strategistOutputOf(run);
  const phase = runPhaseOf(run.status);
  const again = useGenerate(campaign.id, onRestarted);
  const draftsReady = phase === 'done' && campaign.strategy?.runId === run.id;
  return (
    <>
      <Card>
        <CardHeader title={t('aiStudio.generate.title')} description={t('aiStudio.generate.live')} />
        <CardBody className="flex flex-col gap-4">
          <RunStatus run={run} showOffline={!output} />
          {phase === 'stopped' && (
            <div>
              <Button loading={again.isPending} onClick={() => again.mutate(undefined)}>
                <SparkleIcon /> {t('campaigns.generation.again')}
              </Button>
            </div>
          )}
          {output && (
            <section className="flex flex-col gap-4 border-t border-border pt-4" aria-label={t('aiStudio.preview')} data-testid="strategist-output">
              <div className="flex flex-wrap items-center gap-2">
                <h2 className="text-sm font-semibold">{t('aiStudio.preview')}</h2>
                <OfflineBadge explanation={run.explanation} />
              </div>
              {run.explanation && <p className="text-xs text-muted">{run.explanation}</p>}
              <StrategyView strategy={{ ...output.strategy, channelPlan: output.channelPlan }} />
              <h3 className="text-sm font-semibold">{t('aiStudio.draftsTitle', { count: output.drafts.length })}</h3>
              <DraftsPreview drafts={output.drafts} timeZone={timeZone} />
            </section>
          )}
        </CardBody>
      </Card>
      {phase === 'review' && run.approvalRequestId && <ReviewCard requestId={run.approvalRequestId} />}
      {phase === 'done' && (
        <Card>
          <CardHeader title={t('aiStudio.drafts.title')} description={t('aiStudio.drafts.description')} />
          <CardBody className="flex flex-col gap-3">
            {!draftsReady ? (
              <p className="flex items-center gap-2 text-sm text-muted" role="status">
                <Spinner className="size-4" /> {t('campaigns.generation.creatingDrafts')}
              </p>
            ) : campaign.posts.length === 0 ? (
              <p className="text-sm text-muted">{t('campaigns.noPosts')}</p>
            ) : (
              <CampaignPostsTable posts={campaign.posts} timeZone={timeZone} />
            )}
          </CardBody>
        </Card>
      )}
      {draftsReady && campaign.posts.length > 0 && <SendStep campaign={campaign} />}
    </>
  );
}

/**
 * Step 3 while the plan waits for review: decide it here when allowed (editors, not one's own request),
 * else say who has it. The decision is applied by a job; the run's polling shows the outcome.
 */
function ReviewCard({ requestId }: { requestId: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const request = useQuery({ queryKey: ['approvals', 'detail', requestId], queryFn: () => approvalsApi.detail(requestId) });
  const decide = useMutation({
    mutationFn: (outcome: ApprovalOutcome) => approvalsApi.decide(requestId, { outcome }),
    onSuccess: async (decided) => {
      toast.show(t(`aiStudio.review.decided.${decided.status === 'approved' ? 'approved' : 'rejected'}`), 'success');
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
      await queryClient.invalidateQueries({ queryKey: ['ai', 'run'] });
      await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });
  return (
    <Card>
      <CardHeader title={t('aiStudio.review.title')} description={t('aiStudio.review.description')} />
      <CardBody>
        <div className="flex flex-col gap-3 text-sm" data-testid="studio-review">
          {request.isPending ? (
            <Skeleton className="h-10" />
          ) : request.isError ? (
            <ErrorRow error={request.error} retry={() => void request.refetch()} />
          ) : request.data.status !== 'pending' || decide.isSuccess ? (
            <p className="flex items-center gap-2" role="status">
              <Spinner className="size-4" /> {t('aiStudio.review.applying')}
            </p>
          ) : request.data.canDecide ? (
            <>
              <p>{t('aiStudio.review.youDecide')}</p>
              <DecisionButtons busy={decide.isPending ? (decide.variables ?? null) : null} onDecide={(outcome) => decide.mutate(outcome)} />
            </>
          ) : (
            <>
              <p>{t('aiStudio.review.sentToReviewers')}</p>
              <Link to="/approvals/$requestId" params={{ requestId }} className="text-primary hover:underline">
                {t('aiStudio.openReview')}
              </Link>
            </>
          )}
        </div>
      </CardBody>
    </Card>
  );
}

/** Step 4: send the drafts to approval, then the way to the inbox, the calendar and the campaign. */
function SendStep({ campaign }: { campaign: CampaignDetail }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<SubmitCampaignDraftsResult | null>(null);
  const drafts = campaign.posts.filter((post) => ['draft', 'changes_requested', 'rejected'].includes(post.status));
  const submit = useMutation({
    mutationFn: () => campaignsApi.submit(campaign.id),
    onSuccess: async (next) => {
      setResult(next);
      await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });
  return (
    <Card>
      <CardHeader title={t('aiStudio.send.title')} description={t('aiStudio.send.description')} />
      <CardBody className="flex flex-col gap-3">
        {drafts.length > 0 && (
          <div>
            <Button loading={submit.isPending} onClick={() => submit.mutate()}>
              {t('aiStudio.send.button', { count: drafts.length })}
            </Button>
          </div>
        )}
        {result && <SubmitResultView result={result} posts={campaign.posts} />}
        {drafts.length === 0 && !result && <p className="text-sm text-muted">{t('aiStudio.send.nothingLeft')}</p>}
        <div className="flex flex-wrap gap-2">
          <Link to="/approvals" className={buttonClasses('secondary', 'sm')}>
            {t('aiStudio.send.toApprovals')}
          </Link>
          <Link to="/content/calendar" className={buttonClasses('secondary', 'sm')}>
            {t('aiStudio.send.toCalendar')}
          </Link>
          <Link to="/campaigns/$campaignId" params={{ campaignId: campaign.id }} className={buttonClasses('ghost', 'sm')}>
            {t('aiStudio.send.toCampaign')}
          </Link>
        </div>
      </CardBody>
    </Card>
  );
}
