import type { CampaignDetail, CampaignPost, SubmitCampaignDraftsResult } from '@omni/contracts/campaigns';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDate, formatDateTime } from '../../shared/lib/format';
import { Button, buttonClasses, Card, CardBody, CardHeader, Dialog, EmptyState, Field, Input, PageHeader, Skeleton, Spinner, useToast } from '../../shared/ui';
import { contentApi } from '../content/contentApi';
import { useAccountTimeZone } from '../publishing/publishingShared';
import { ErrorRow } from '../team/TeamPage';
import { campaignFormValues, campaignPollInterval, campaignsAccessOf, campaignsApi, formatBudget, formatKpiValue, progressPercent, runPhaseOf } from './campaignsApi';
import { SparkleIcon } from '../ai/components/aiShared';
import { CampaignStatusBadge, NetworkIcons, ProgressBar, RunStatus } from './campaignsShared';
import { CampaignFormDialog } from './components/CampaignForm';
import { CampaignPostsTable, StrategyView, SubmitResultView } from './components/CampaignParts';

/** /campaigns/$campaignId: status, KPIs, the AI plan and its run, the strategy, and the campaign's posts. */
export function CampaignDetailPage() {
  const { t } = useTranslation();
  const { campaignId } = useParams({ strict: false }) as { campaignId: string };
  const { scope } = useSession();
  const access = campaignsAccessOf(scope);
  const campaign = useQuery({
    queryKey: ['campaigns', 'detail', campaignId],
    queryFn: () => campaignsApi.campaign(campaignId),
    enabled: access.canRead && access.hasAccount,
    refetchInterval: (query) => campaignPollInterval(query.state.data),
  });
  if (!access.canRead) return <NoAccess />;
  return (
    <>
      <Link to="/campaigns" className="mb-3 inline-block text-sm text-primary hover:underline">
        ← {t('campaigns.back')}
      </Link>
      {!access.hasAccount ? (
        <EmptyState title={t('campaigns.chooseAccount')} description={t('campaigns.chooseAccountDescription')} />
      ) : campaign.isPending ? (
        <Skeleton className="h-96" />
      ) : campaign.isError ? (
        <ErrorRow error={campaign.error} retry={() => void campaign.refetch()} />
      ) : (
        <CampaignView campaign={campaign.data} />
      )}
    </>
  );
}

function CampaignView({ campaign }: { campaign: CampaignDetail }) {
  const { t, i18n } = useTranslation();
  const { scope } = useSession();
  const access = campaignsAccessOf(scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const timeZone = useAccountTimeZone();
  const [editing, setEditing] = useState(false);
  const [linking, setLinking] = useState(false);
  const [submitResult, setSubmitResult] = useState<SubmitCampaignDraftsResult | null>(null);
  const performance = useQuery({ queryKey: ['campaigns', 'performance', campaign.id, campaign.postCount], queryFn: () => campaignsApi.performance(campaign.id) });
  const archived = campaign.status === 'archived';
  const canEdit = access.canWrite && !archived;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['campaigns'] });
  const fail = (error: unknown) => toast.show(describeError(error), 'error');

  const setStatus = useMutation({
    mutationFn: (status: CampaignDetail['status']) => campaignsApi.update(campaign.id, { status }),
    onSuccess: async (updated) => {
      toast.show(t(updated.status === 'archived' ? 'campaigns.archived' : 'campaigns.unarchived'), 'success');
      await refresh();
    },
    onError: fail,
  });
  const generate = useMutation({
    mutationFn: () => campaignsApi.generate(campaign.id),
    onSuccess: async () => {
      toast.show(t('campaigns.generation.started'), 'success');
      await refresh();
    },
    onError: fail,
  });
  const submit = useMutation({
    mutationFn: () => campaignsApi.submit(campaign.id),
    onSuccess: async (result) => {
      setSubmitResult(result);
      await refresh();
    },
    onError: fail,
  });
  const unlink = useMutation({
    mutationFn: (post: CampaignPost) => campaignsApi.unlink(campaign.id, post.postId),
    onSuccess: async () => {
      toast.show(t('campaigns.unlinked'), 'success');
      await refresh();
    },
    onError: fail,
  });

  const run = campaign.latestRun;
  const phase = run ? runPhaseOf(run.status) : null;
  const drafts = campaign.posts.filter((post) => ['draft', 'changes_requested', 'rejected'].includes(post.status));
  const briefReady = campaign.brief.trim().length >= 10;

  return (
    <>
      <PageHeader
        title={campaign.name}
        description={[
          t(`campaigns.goals.${campaign.goal}`),
          t('campaigns.dateRange', { from: formatDate(campaign.startsOn, 'UTC'), to: formatDate(campaign.endsOn, 'UTC') }),
          campaign.budgetMicros !== null ? t('campaigns.budgetLine', { amount: formatBudget(campaign.budgetMicros, campaign.currency, i18n.language) }) : null,
        ]
          .filter(Boolean)
          .join(' · ')}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={campaign.status} />
            {access.canGenerate && !archived && (
              <Link to="/ai/studio" search={{ campaignId: campaign.id }} className={buttonClasses('secondary')}>
                <SparkleIcon /> {t('campaigns.openInStudio')}
              </Link>
            )}
            {canEdit && (
              <Button variant="secondary" onClick={() => setEditing(true)}>
                {t('campaigns.edit')}
              </Button>
            )}
            {access.canWrite && (
              <Button
                variant={archived ? 'secondary' : 'ghost-danger'}
                loading={setStatus.isPending}
                onClick={() => setStatus.mutate(archived ? (campaign.strategy ? 'planned' : 'draft') : 'archived')}
              >
                {archived ? t('campaigns.unarchive') : t('campaigns.archive')}
              </Button>
            )}
          </div>
        }
      />
      <div className="mb-6 flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <span className="flex items-center gap-2">
          <span className="text-muted">{t('campaigns.channels')}:</span> <NetworkIcons networks={campaign.channels} withNames />
        </span>
        {campaign.audience && (
          <span>
            <span className="text-muted">{t('campaigns.form.audience')}:</span> {campaign.audience}
          </span>
        )}
      </div>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card>
            <CardHeader
              title={t('campaigns.strategy.title')}
              description={campaign.strategy ? t('campaigns.strategy.approvedAt', { at: formatDateTime(campaign.strategy.approvedAt, timeZone) }) : undefined}
            />
            <CardBody>{campaign.strategy ? <StrategyView strategy={campaign.strategy} /> : <p className="text-sm text-muted">{t('campaigns.strategy.none')}</p>}</CardBody>
          </Card>
          <Card>
            <CardHeader title={t('campaigns.form.brief')} />
            <CardBody>
              <p className={campaign.brief ? 'whitespace-pre-wrap text-sm' : 'text-sm text-muted'}>{campaign.brief || t('campaigns.noBrief')}</p>
            </CardBody>
          </Card>
        </div>

        <div className="flex min-w-0 flex-col gap-6">
          <Card>
            <CardHeader title={t('campaigns.generation.title')} description={t('campaigns.generation.description')} />
            <CardBody className="flex flex-col gap-3">
              {run ? <RunStatus run={run} /> : <p className="text-sm text-muted">{t('campaigns.generation.none')}</p>}
              {run && phase === 'done' && campaign.strategy?.runId !== run.id && (
                <p className="flex items-center gap-2 text-sm text-muted" role="status">
                  <Spinner className="size-4" /> {t('campaigns.generation.creatingDrafts')}
                </p>
              )}
              {access.canGenerate && !archived && (phase === null || phase === 'stopped' || phase === 'done') && (
                <div className="flex flex-col gap-1">
                  <div>
                    <Button variant={run ? 'secondary' : 'primary'} disabled={!briefReady} loading={generate.isPending} onClick={() => generate.mutate()}>
                      <SparkleIcon /> {run ? t('campaigns.generation.again') : t('campaigns.generation.generate')}
                    </Button>
                  </div>
                  {!briefReady && <p className="text-xs text-muted">{t('campaigns.generation.needsBrief')}</p>}
                </div>
              )}
            </CardBody>
          </Card>
          <Card>
            <CardHeader title={t('campaigns.kpis.title')} />
            <CardBody className="flex flex-col gap-4 text-sm">
              {performance.isPending ? (
                <Skeleton className="h-24" />
              ) : performance.isError ? (
                <ErrorRow error={performance.error} retry={() => void performance.refetch()} />
              ) : (
                <>
                  {performance.data.kpis.length === 0 ? (
                    <p className="text-muted">{t('campaigns.kpis.none')}</p>
                  ) : (
                    <ul className="flex flex-col gap-3" data-testid="kpis">
                      {performance.data.kpis.map((kpi) => {
                        const label = t(`campaigns.metrics.${kpi.metric}`);
                        return (
                          <li key={kpi.metric} className="flex flex-col gap-1">
                            <div className="flex justify-between gap-2">
                              <span className="font-medium">{label}</span>
                              <span className="tabular-nums text-muted">
                                {t('campaigns.kpis.ofTarget', { actual: formatKpiValue(kpi.metric, kpi.actual, i18n.language), target: formatKpiValue(kpi.metric, kpi.target, i18n.language) })}
                              </span>
                            </div>
                            <ProgressBar percent={progressPercent(kpi.progress)} label={t('campaigns.kpis.progress', { metric: label, percent: progressPercent(kpi.progress) })} />
                          </li>
                        );
                      })}
                    </ul>
                  )}
                  <dl className="grid grid-cols-2 gap-x-3 gap-y-1 border-t border-border pt-3 text-xs">
                    <dt className="text-muted">{t('campaigns.kpis.published')}</dt>
                    <dd className="tabular-nums">{performance.data.totals.postsPublished}</dd>
                    <dt className="text-muted">{t('campaigns.metrics.impressions')}</dt>
                    <dd className="tabular-nums">{formatKpiValue('impressions', performance.data.totals.impressions, i18n.language)}</dd>
                    <dt className="text-muted">{t('campaigns.kpis.actualRate')}</dt>
                    <dd className="tabular-nums">{performance.data.totals.engagementRate === null ? '—' : formatKpiValue('engagement_rate', performance.data.totals.engagementRate, i18n.language)}</dd>
                    <dt className="text-muted">{t('campaigns.kpis.predictedRate')}</dt>
                    <dd className="tabular-nums">
                      {performance.data.totals.predictedEngagementRate === null ? '—' : formatKpiValue('engagement_rate', performance.data.totals.predictedEngagementRate, i18n.language)}
                    </dd>
                  </dl>
                </>
              )}
            </CardBody>
          </Card>
        </div>
      </div>

      <Card className="mt-6">
        <CardHeader
          title={t('campaigns.postsTitle')}
          description={t('campaigns.postsDescription')}
          action={
            <div className="flex flex-wrap gap-2">
              {access.canWrite && !archived && (
                <Button size="sm" variant="secondary" onClick={() => setLinking(true)}>
                  {t('campaigns.link')}
                </Button>
              )}
              {access.canWrite && !archived && drafts.length > 0 && (
                <Button size="sm" loading={submit.isPending} onClick={() => submit.mutate()}>
                  {t('campaigns.submit.button', { count: drafts.length })}
                </Button>
              )}
            </div>
          }
        />
        <CardBody className="flex flex-col gap-3">
          {submitResult && <SubmitResultView result={submitResult} posts={campaign.posts} />}
          {campaign.posts.length === 0 ? (
            <p className="text-sm text-muted">{t('campaigns.noPosts')}</p>
          ) : (
            <CampaignPostsTable
              posts={campaign.posts}
              performance={performance.data}
              timeZone={timeZone}
              onUnlink={access.canWrite && !archived ? (post) => unlink.mutate(post) : undefined}
              unlinking={unlink.isPending ? (unlink.variables?.postId ?? null) : null}
            />
          )}
        </CardBody>
      </Card>

      <CampaignFormDialog
        open={editing}
        onClose={() => setEditing(false)}
        formId="edit-campaign"
        title={t('campaigns.editTitle')}
        submitLabel={t('common.saveChanges')}
        initial={campaignFormValues(campaign)}
        onSubmit={async (body) => {
          await campaignsApi.update(campaign.id, body);
          setEditing(false);
          toast.show(t('campaigns.saved'), 'success');
          await refresh();
        }}
      />
      <LinkPostDialog open={linking} campaign={campaign} onClose={() => setLinking(false)} onLinked={refresh} />
    </>
  );
}

/** Link existing posts of the account: search by text, then "Link" per post. */
function LinkPostDialog({ open, campaign, onClose, onLinked }: { open: boolean; campaign: CampaignDetail; onClose: () => void; onLinked: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [search, setSearch] = useState('');
  const posts = useQuery({ queryKey: ['content', 'posts', '', search.trim()], queryFn: () => contentApi.posts({ q: search.trim() }), enabled: open });
  const link = useMutation({
    mutationFn: (postId: string) => campaignsApi.link(campaign.id, postId),
    onSuccess: async () => {
      toast.show(t('campaigns.linked'), 'success');
      await onLinked();
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });
  const linked = new Set(campaign.posts.map((post) => post.postId));
  const candidates = (posts.data?.items ?? []).filter((post) => !linked.has(post.id));
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t('campaigns.linkTitle')}
      description={t('campaigns.linkDescription')}
      footer={
        <Button variant="secondary" onClick={onClose}>
          {t('common.close')}
        </Button>
      }
    >
      <div className="flex flex-col gap-3">
        <Field label={t('campaigns.search')}>
          <Input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </Field>
        {posts.isPending ? (
          <Skeleton className="h-24" />
        ) : posts.isError ? (
          <ErrorRow error={posts.error} retry={() => void posts.refetch()} />
        ) : candidates.length === 0 ? (
          <p className="text-sm text-muted">{t('campaigns.linkEmpty')}</p>
        ) : (
          <ul className="flex flex-col divide-y divide-border">
            {candidates.map((post) => (
              <li key={post.id} className="flex items-center justify-between gap-3 py-2 text-sm">
                <span className="min-w-0">
                  <span className="block truncate font-medium">{post.title ?? (post.excerpt || t('content.editor.untitled'))}</span>
                  <span className="text-xs text-muted">{t(`content.statuses.${post.status}`)}</span>
                </span>
                <Button size="sm" variant="secondary" loading={link.isPending && link.variables === post.id} onClick={() => link.mutate(post.id)}>
                  {t('campaigns.linkOne')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}
