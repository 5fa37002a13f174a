import type { PublishTarget, PublishTargetDetail } from '@omni/contracts/publishing';
import type { SocialConnection } from '@omni/contracts/social';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { formatDateTime, formatNumber } from '../../shared/lib/format';
import { Button, Dialog, Table, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { CancelDialog, ResolveDialog, WhenDialog } from './PublishingDialogs';
import { isSettling, StatusBadge } from './publishingShared';
import { publishingApi } from './publishingApi';

type Pending = 'reschedule' | 'retryLater' | 'cancel' | 'resolve' | null;

/**
 * One post target: what it says, where and when it goes, what happened (attempts, every transition with
 * its reason), its latest engagement, and the actions its status allows.
 */
export function TargetDetailDialog({
  targetId,
  connectionById,
  timeZone,
  canPublish,
  onClose,
}: {
  targetId: string;
  /** The account's connections (the post may leave the filtered list while open: it is looked up by its own). */
  connectionById: Map<string, SocialConnection>;
  timeZone: string;
  canPublish: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ['publishing', 'target', targetId],
    queryFn: () => publishingApi.target(targetId),
    refetchInterval: (query) => (query.state.data && isSettling([query.state.data]) ? 3000 : false),
  });
  const target = detail.data;
  const connection = target ? connectionById.get(target.connectionId) : undefined;
  const connectionName = connection?.destination.name ?? t('publishing.unknownConnection');
  return (
    <Dialog
      open
      onClose={onClose}
      className="sm:max-w-3xl"
      title={target ? t('publishing.detailTitle', { connection: connectionName }) : t('common.loading')}
      description={connection ? `${connection.networkName} · ${t('publishing.timesIn', { timeZone })}` : undefined}
      footer={
        <>
          {target && canPublish && <TargetActions target={target} connection={connection} timeZone={timeZone} />}
          <Button variant="secondary" onClick={onClose}>
            {t('common.close')}
          </Button>
        </>
      }
    >
      {detail.isPending ? (
        <p className="text-sm text-muted">{t('common.loading')}</p>
      ) : detail.isError ? (
        <p role="alert" className="text-sm text-danger">
          {describeError(detail.error)}
        </p>
      ) : (
        <TargetDetailBody target={detail.data} timeZone={timeZone} />
      )}
    </Dialog>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h3 id={id} className="mb-2 text-sm font-semibold">
        {title}
      </h3>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

/** A link the network gave us (absolute) or one inside the console (the Sandbox's posts). */
function PostLink({ href, children }: { href: string; children: ReactNode }) {
  const external = /^https?:\/\//.test(href);
  return (
    <a href={href} className="font-medium text-primary underline-offset-2 hover:underline" {...(external ? { target: '_blank', rel: 'noreferrer noopener' } : {})}>
      {children}
    </a>
  );
}

function TargetDetailBody({ target, timeZone }: { target: PublishTargetDetail; timeZone: string }) {
  const { t } = useTranslation();
  const at = (value: string | null) => formatDateTime(value, timeZone);
  const metrics = target.latestMetrics;
  return (
    <div className="flex flex-col gap-6" data-testid="target-detail">
      <section aria-label={t('publishing.content')} className="flex flex-col gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge status={target.status} />
          {target.status === 'published' && target.externalUrl && <PostLink href={target.externalUrl}>{t('publishing.viewPost')}</PostLink>}
        </div>
        <p className="whitespace-pre-wrap break-words rounded-lg border border-border bg-surface-2 p-3 text-sm">{target.content.text || t('publishing.noText')}</p>
        {target.lastError && target.status !== 'published' && (
          <p className="rounded-lg border border-warning/30 bg-warning/10 p-3 text-sm" role="status">
            <span className="font-medium">{t('publishing.problem')}: </span>
            {target.lastError}
          </p>
        )}
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Fact label={t('publishing.scheduledFor')}>{at(target.scheduledAt)}</Fact>
          <Fact label={t('publishing.nextAttempt')}>{at(target.nextAttemptAt)}</Fact>
          <Fact label={t('publishing.publishedAt')}>{at(target.publishedAt)}</Fact>
          <Fact label={t('publishing.link')}>{target.content.link ? <PostLink href={target.content.link}>{target.content.link}</PostLink> : '—'}</Fact>
        </dl>
      </section>

      <Section id="engagement-title" title={t('publishing.engagement')}>
        {metrics ? (
          <>
            <dl className="grid grid-cols-3 gap-3 sm:grid-cols-5">
              {(['likes', 'comments', 'shares', 'impressions', 'clicks'] as const).map((key) => (
                <Fact key={key} label={t(`publishing.metrics.${key}`)}>
                  <span className="text-base font-semibold">{metrics[key] === null ? '—' : formatNumber(metrics[key])}</span>
                </Fact>
              ))}
            </dl>
            <p className="mt-1 text-xs text-muted">{t('publishing.collectedAt', { time: at(metrics.collectedAt) })}</p>
          </>
        ) : (
          <p className="text-sm text-muted">{t('publishing.noEngagement')}</p>
        )}
      </Section>

      <Section id="attempts-title" title={t('publishing.attempts')}>
        {target.attempts.length === 0 ? (
          <p className="text-sm text-muted">{t('publishing.noAttempts')}</p>
        ) : (
          <Table caption={t('publishing.attempts')}>
            <THead>
              <tr>
                <Th>{t('publishing.attemptColumns.number')}</Th>
                <Th>{t('publishing.attemptColumns.started')}</Th>
                <Th>{t('publishing.attemptColumns.outcome')}</Th>
                <Th>{t('publishing.attemptColumns.error')}</Th>
              </tr>
            </THead>
            <TBody>
              {target.attempts.map((attempt) => (
                <Tr key={attempt.attemptNumber}>
                  <Td>{attempt.attemptNumber}</Td>
                  <Td className="whitespace-nowrap text-muted">{at(attempt.startedAt)}</Td>
                  <Td>{t(`publishing.outcomes.${attempt.outcome ?? 'open'}`)}</Td>
                  <Td className="max-w-xs break-words text-xs text-muted">{attempt.errorMessage ?? '—'}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Section>

      <Section id="history-title" title={t('publishing.history')}>
        <ol className="flex flex-col gap-2" data-testid="target-history">
          {target.transitions.map((transition, index) => (
            <li key={index} className="border-l-2 border-border pl-3 text-sm">
              <div className="flex flex-wrap items-baseline gap-x-3">
                <span className="font-medium">
                  {transition.from ? `${t(`publishing.statuses.${transition.from}`)} → ` : ''}
                  {t(`publishing.statuses.${transition.to}`)}
                </span>
                <span className="whitespace-nowrap text-xs text-muted">{at(transition.at)}</span>
              </div>
              <p className="break-words text-muted">{transition.reason}</p>
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}

/** The buttons a status allows: scheduled (reschedule, publish now, cancel), failed/late (retry), unconfirmed (resolve). */
function TargetActions({ target, connection, timeZone }: { target: PublishTarget; connection: SocialConnection | undefined; timeZone: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await action();
      toast.show(done, 'success');
      setPending(null);
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: ['publishing'] });
    }
  }

  return (
    <>
      {target.status === 'scheduled' && (
        <>
          <Button variant="ghost-danger" onClick={() => setPending('cancel')}>
            {t('publishing.actions.cancel')}
          </Button>
          <Button variant="secondary" onClick={() => setPending('reschedule')}>
            {t('publishing.actions.reschedule')}
          </Button>
          <Button loading={busy} onClick={() => void run(() => publishingApi.publishNow(target.id), t('publishing.toasts.publishing'))}>
            {t('publishing.actions.publishNow')}
          </Button>
        </>
      )}
      {(target.status === 'failed' || target.status === 'late') && (
        <>
          <Button variant="secondary" onClick={() => setPending('retryLater')}>
            {t('publishing.actions.retryLater')}
          </Button>
          <Button loading={busy} onClick={() => void run(() => publishingApi.retry(target.id), t('publishing.toasts.retried'))}>
            {t('publishing.actions.retry')}
          </Button>
        </>
      )}
      {target.status === 'unconfirmed' && <Button onClick={() => setPending('resolve')}>{t('publishing.actions.resolve')}</Button>}

      {(pending === 'reschedule' || pending === 'retryLater') && (
        <WhenDialog
          title={pending === 'reschedule' ? t('publishing.rescheduleTitle') : t('publishing.retryTitle')}
          initial={pending === 'reschedule' ? new Date(target.scheduledAt) : new Date(Date.now() + 3600_000)}
          timeZone={timeZone}
          busy={busy}
          onClose={() => setPending(null)}
          onSubmit={(when) =>
            run(
              () => (pending === 'reschedule' ? publishingApi.reschedule(target.id, when.toISOString()) : publishingApi.retry(target.id, { scheduledAt: when.toISOString() })),
              pending === 'reschedule' ? t('publishing.toasts.rescheduled') : t('publishing.toasts.retried'),
            )
          }
        />
      )}
      {pending === 'cancel' && (
        <CancelDialog busy={busy} onClose={() => setPending(null)} onConfirm={() => run(() => publishingApi.cancel(target.id), t('publishing.toasts.cancelled'))} />
      )}
      {pending === 'resolve' && (
        <ResolveDialog
          target={target}
          connection={connection}
          busy={busy}
          onClose={() => setPending(null)}
          onSubmit={(body) => run(() => publishingApi.resolve(target.id, body), t('publishing.toasts.resolved'))}
        />
      )}
    </>
  );
}
