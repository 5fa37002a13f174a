import type { ContentNetwork, Post, VariantOptions } from '@omni/contracts/content';
import type { MediaAsset } from '@omni/contracts/media';
import { networkRules, validateVariant, type VariantPreview } from '@omni/contracts/network-rules';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { ProblemError } from '../../shared/api';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { browserTimeZone, fromZonedInputValue, toZonedInputValue } from '../../shared/lib/timezone';
import { PostPreview } from '../../shared/previews/PostPreview';
import { Badge, Button, Card, CardBody, CardHeader, Checkbox, Dialog, EmptyState, Field, Input, PageHeader, Skeleton, Textarea, useToast } from '../../shared/ui';
import { mediaApi } from '../media/mediaApi';
import { MediaPicker } from '../media/MediaPicker';
import { socialApi } from '../social/socialApi';
import { contentAccessOf, contentApi } from './contentApi';
import { RevisionsPanel } from './RevisionsPanel';
import type { Recurrence } from '@omni/contracts/content-recurrence';
import { AbResultPanel, AbTestEditor, type AbDraft } from './AbTestPanel';
import { RecurrenceEditor } from './RecurrenceEditor';
import { statusTone } from './contentShared';
import { campaignsAccessOf } from '../campaigns/campaignsApi';
import { OptimizePanel } from './OptimizePanel';
import { PredictionPanel } from './PredictionPanel';

type Draft = {
  title: string;
  baseText: string;
  baseLink: string;
  tags: string;
  plannedAt: string;
  destinations: string[];
  /** Per network: null = inherit the base text. */
  variantTexts: Partial<Record<ContentNetwork, string | null>>;
  /** Pinterest title and board; X thread follow-ups (one per block, separated by a line ---). */
  options: { pinterestTitle: string; pinterestBoardId: string; xThread: string };
  /** null: a one-off post. */
  recurrence: Recurrence | null;
  /** null: no A/B test; A is the network's text, B this one. */
  ab: AbDraft | null;
};

const emptyOptions: Draft['options'] = { pinterestTitle: '', pinterestBoardId: '', xThread: '' };

function optionsFor(network: ContentNetwork, options: Draft['options']): VariantOptions {
  if (network === 'pinterest') return { ...(options.pinterestTitle.trim() ? { title: options.pinterestTitle.trim() } : {}), ...(options.pinterestBoardId.trim() ? { boardId: options.pinterestBoardId.trim() } : {}) };
  if (network === 'x') {
    const thread = options.xThread.split(/\n---\n/).map((item) => item.trim()).filter(Boolean);
    return thread.length > 0 ? { thread } : {};
  }
  return {};
}

const emptyDraft: Draft = { title: '', baseText: '', baseLink: '', tags: '', plannedAt: '', destinations: [], variantTexts: {}, options: emptyOptions, recurrence: null, ab: null };

function optionOf(post: Post, network: ContentNetwork, name: string): unknown {
  return post.variants.find((variant) => variant.network === network && variant.abLabel === null)?.options[name];
}

function draftOf(post: Post, timeZone: string): Draft {
  return {
    title: post.title ?? '',
    baseText: post.baseText,
    baseLink: post.baseLink ?? '',
    tags: post.tags.join(', '),
    plannedAt: post.plannedAt ? toZonedInputValue(new Date(post.plannedAt), timeZone) : '',
    destinations: post.destinations.map((destination) => destination.connectionId),
    variantTexts: Object.fromEntries(post.variants.filter((variant) => variant.abLabel !== 'B').map((variant) => [variant.network, variant.text])),
    options: {
      pinterestTitle: String(optionOf(post, 'pinterest', 'title') ?? ''),
      pinterestBoardId: String(optionOf(post, 'pinterest', 'boardId') ?? ''),
      xThread: ((optionOf(post, 'x', 'thread') as string[] | undefined) ?? []).join('\n---\n'),
    },
    recurrence: post.recurrence,
    ab: post.ab ? { network: post.ab.network, gapMinutes: String(post.ab.gapMinutes), textB: post.variants.find((variant) => variant.abLabel === 'B')?.text ?? '' } : null,
  };
}

/** /content/posts/new and /content/posts/$postId: base text, per-network variants, live checks and previews. */
export function PostEditorPage() {
  const { t } = useTranslation();
  const params = useParams({ strict: false }) as { postId?: string };
  const postId = params.postId ?? null;
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { user, scope } = useSession();
  const access = contentAccessOf(scope);
  const aiAccess = campaignsAccessOf(scope);
  const enabled = access.canRead && access.hasAccount;
  const post = useQuery({ queryKey: ['content', 'post', postId], queryFn: () => contentApi.post(postId!), enabled: enabled && postId !== null });
  const settings = useQuery({ queryKey: ['content', 'settings'], queryFn: contentApi.settings, enabled });
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections, enabled });
  const timeZone = settings.data?.timeZone ?? user.timezone ?? browserTimeZone();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [activeNetwork, setActiveNetwork] = useState<ContentNetwork | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [loadedRevision, setLoadedRevision] = useState<number | null>(null);
  const [media, setMedia] = useState<MediaAsset[]>([]);
  const [picking, setPicking] = useState(false);
  const savedMediaIds = post.data?.baseMedia.map((item) => item.assetId) ?? [];
  const savedMedia = useQuery({
    queryKey: ['content', 'post-media', savedMediaIds.join(',')],
    queryFn: () => Promise.all(savedMediaIds.map((assetId) => mediaApi.asset(assetId).catch(() => null))),
    enabled: savedMediaIds.length > 0,
  });
  useEffect(() => {
    if (savedMedia.data) setMedia(savedMedia.data.filter((asset): asset is MediaAsset => asset !== null));
  }, [savedMedia.data]);

  // A new post opened from the calendar starts at the chosen time, once the account's zone is known.
  const search = useSearch({ strict: false }) as { plannedAt?: string };
  const [startApplied, setStartApplied] = useState(false);
  useEffect(() => {
    if (postId !== null || startApplied || !search.plannedAt || settings.isPending) return;
    setStartApplied(true);
    setDraft((current) => (current.plannedAt ? current : { ...current, plannedAt: toZonedInputValue(new Date(search.plannedAt!), timeZone) }));
  }, [postId, startApplied, search.plannedAt, settings.isPending, timeZone]);

  useEffect(() => {
    if (post.data && post.data.currentRevision !== loadedRevision) {
      setDraft(draftOf(post.data, timeZone));
      setLoadedRevision(post.data.currentRevision);
    }
  }, [post.data, loadedRevision, timeZone]);

  const usable = (connections.data?.items ?? []).filter((connection) => connection.status !== 'disconnected');
  const networks = useMemo(
    () => [...new Set(usable.filter((connection) => draft.destinations.includes(connection.id)).map((connection) => connection.network as ContentNetwork))],
    [usable, draft.destinations],
  );
  const currentNetwork = activeNetwork && networks.includes(activeNetwork) ? activeNetwork : (networks[0] ?? null);

  const previews: VariantPreview[] = networks.map((network) => {
    const text = draft.variantTexts[network] ?? draft.baseText;
    const link = draft.baseLink.trim() || null;
    const destination = usable.find((connection) => connection.network === network && draft.destinations.includes(connection.id));
    return {
      network,
      destinationName: destination?.destination.name ?? networkRules[network].displayName,
      text,
      link,
      media: media.map((asset) => ({ url: asset.mediumUrl ?? asset.thumbUrl ?? '', kind: asset.kind, altText: asset.altText || null, width: asset.width, height: asset.height })),
      options: optionsFor(network, draft.options),
      issues: validateVariant({
        network,
        text,
        media: media.map((asset) => ({ assetId: asset.id, kind: asset.kind, mimeType: asset.mimeType, width: asset.width, height: asset.height, durationMs: asset.durationMs, byteSize: asset.byteSize, altText: asset.altText || null })),
        link,
        options: optionsFor(network, draft.options),
        destinationKinds: destination ? [destination.destination.kind] : undefined,
      }),
    };
  });

  if (!access.canRead) return <NoAccess />;
  if (!access.hasAccount) return <EmptyState title={t('content.chooseAccount')} description={t('content.chooseAccountDescription')} />;
  if (postId && post.isPending) return <Skeleton className="h-96" />;
  if (postId && post.isError) return <EmptyState title={t('content.notFound')} description={describeError(post.error)} />;

  const saved = post.data ?? null;
  const readOnly = !access.canWrite || (saved !== null && ['published', 'partially_published', 'failed'].includes(saved.status));

  function body() {
    return {
      title: draft.title.trim() || null,
      baseText: draft.baseText,
      baseLink: draft.baseLink.trim() || null,
      tags: draft.tags.split(',').map((tag) => tag.trim()).filter(Boolean),
      plannedAt: draft.plannedAt ? (fromZonedInputValue(draft.plannedAt, timeZone)?.toISOString() ?? null) : null,
      destinations: draft.destinations,
      baseMedia: media.map((asset) => ({ assetId: asset.id, altText: asset.altText || null })),
      variants: networks.flatMap((network) => {
        const own = { network, text: draft.variantTexts[network] ?? null, options: optionsFor(network, draft.options) };
        return draft.ab?.network === network ? [{ ...own, abLabel: 'A' as const }, { ...own, abLabel: 'B' as const, text: draft.ab.textB.trim() ? draft.ab.textB : null }] : [own];
      }),
      ab: draft.ab && networks.includes(draft.ab.network) ? { network: draft.ab.network, gapMinutes: Number(draft.ab.gapMinutes) || undefined } : null,
      recurrence: draft.recurrence,
    };
  }

  async function run<T>(label: string, action: () => Promise<T>, done: (result: T) => Promise<void> | void) {
    setBusy(label);
    try {
      await done(await action());
    } catch (error) {
      if (error instanceof ProblemError && error.code === 'content.schedule_conflict') setConflict(error.message);
      else toast.show(describeError(error), 'error');
    } finally {
      setBusy(null);
    }
  }

  const refresh = async (next: Post) => {
    queryClient.setQueryData(['content', 'post', next.id], next);
    await queryClient.invalidateQueries({ queryKey: ['content'] });
  };

  const save = () =>
    run('save', () => (saved ? contentApi.update(saved.id, { ...body(), expectedRevision: saved.currentRevision }) : contentApi.create(body())), async (result) => {
      toast.show(t('content.editor.saved', { revision: result.currentRevision }), 'success');
      if ('unscheduled' in result && result.unscheduled) toast.show(t('content.editor.unscheduled'), 'info');
      await refresh(result);
      if (!saved) await navigate({ to: '/content/posts/$postId', params: { postId: result.id } });
    });

  const issuesCount = previews.reduce((count, preview) => count + preview.issues.filter((issue) => issue.severity === 'error').length, 0);

  return (
    <>
      <PageHeader
        title={saved ? (saved.title ?? t('content.editor.untitled')) : t('content.editor.newTitle')}
        description={saved ? t('content.editor.revisionLine', { revision: saved.currentRevision, zone: timeZone }) : t('content.editor.description')}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            {saved && <Badge tone={statusTone[saved.status]}>{t(`content.statuses.${saved.status}`)}</Badge>}
            {!readOnly && (
              <Button loading={busy === 'save'} onClick={() => void save()} data-testid="save-post">
                {t('content.editor.save')}
              </Button>
            )}
            {saved && !readOnly && ['draft', 'changes_requested', 'rejected'].includes(saved.status) && (
              <Button variant="secondary" loading={busy === 'submit'} onClick={() => void run('submit', () => contentApi.submit(saved.id), async (result) => {
                toast.show(t('content.editor.submitted'), 'success');
                await refresh(result);
              })}>
                {t('content.editor.submit')}
              </Button>
            )}
            {saved && access.canSchedule && !['scheduled', 'published', 'partially_published', 'failed'].includes(saved.status) && (
              <Button variant="secondary" disabled={!saved.plannedAt} loading={busy === 'schedule'} onClick={() => void run('schedule', () => contentApi.schedule(saved.id, {}), async (result) => {
                toast.show(t('content.editor.scheduledToast', { at: formatDateTime(result.plannedAt, timeZone) }), 'success');
                await refresh(result);
              })}>
                {t('content.editor.schedule')}
              </Button>
            )}
            {saved && access.canSchedule && saved.status === 'scheduled' && (
              <Button variant="ghost" loading={busy === 'unschedule'} onClick={() => void run('unschedule', () => contentApi.unschedule(saved.id), refresh)}>
                {t('content.editor.unschedule')}
              </Button>
            )}
          </div>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex flex-col gap-6">
          <Card>
            <CardBody className="flex flex-col gap-4">
              <Field label={t('content.editor.titleLabel')} hint={t('content.editor.titleHint')}>
                <Input value={draft.title} maxLength={200} disabled={readOnly} onChange={(event) => setDraft({ ...draft, title: event.target.value })} />
              </Field>
              <fieldset className="flex flex-col gap-2" disabled={readOnly}>
                <legend className="mb-1 text-sm font-medium">{t('content.editor.destinations')}</legend>
                {usable.length === 0 && <p className="text-sm text-muted">{t('content.editor.noConnections')}</p>}
                {usable.map((connection) => (
                  <Checkbox
                    key={connection.id}
                    label={`${connection.destination.name} · ${connection.networkName}${connection.status === 'needs_reconnect' ? ` (${t('content.editor.needsReconnect')})` : ''}`}
                    checked={draft.destinations.includes(connection.id)}
                    onChange={(event) =>
                      setDraft({ ...draft, destinations: event.target.checked ? [...draft.destinations, connection.id] : draft.destinations.filter((value) => value !== connection.id) })
                    }
                  />
                ))}
              </fieldset>
              <Field label={t('content.editor.baseText')} hint={t('content.editor.baseTextHint')}>
                <Textarea rows={6} value={draft.baseText} disabled={readOnly} onChange={(event) => setDraft({ ...draft, baseText: event.target.value })} data-testid="base-text" />
              </Field>
              <div className="flex flex-col gap-2">
                <span className="text-sm font-medium">{t('content.editor.media')}</span>
                <div className="flex flex-wrap gap-2">
                  {media.map((asset) => (
                    <figure key={asset.id} className="relative">
                      {asset.thumbUrl ? <img src={asset.thumbUrl} alt={asset.altText || asset.originalName} className="size-20 rounded object-cover" /> : <div className="grid size-20 place-items-center rounded bg-surface-2 text-xs">{asset.kind}</div>}
                      {!readOnly && (
                        <Button size="sm" variant="ghost-danger" aria-label={t('content.editor.removeMedia', { name: asset.originalName })} onClick={() => setMedia(media.filter((item) => item.id !== asset.id))}>
                          ×
                        </Button>
                      )}
                    </figure>
                  ))}
                </div>
                {!readOnly && (
                  <div>
                    <Button size="sm" variant="secondary" onClick={() => setPicking(true)}>
                      {t('content.editor.addMedia')}
                    </Button>
                  </div>
                )}
              </div>
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label={t('content.editor.link')}>
                  <Input type="url" value={draft.baseLink} disabled={readOnly} onChange={(event) => setDraft({ ...draft, baseLink: event.target.value })} />
                </Field>
                <Field label={t('content.editor.tags')} hint={t('content.editor.tagsHint')}>
                  <Input value={draft.tags} disabled={readOnly} onChange={(event) => setDraft({ ...draft, tags: event.target.value })} />
                </Field>
              </div>
              <Field label={t('content.editor.plannedAt', { zone: timeZone })}>
                <Input type="datetime-local" value={draft.plannedAt} disabled={readOnly || saved?.status === 'scheduled'} onChange={(event) => setDraft({ ...draft, plannedAt: event.target.value })} />
              </Field>
              {(!readOnly || draft.recurrence) && (
                <RecurrenceEditor
                  key={`recurrence-${loadedRevision ?? 'new'}`}
                  value={draft.recurrence}
                  onChange={(recurrence) => setDraft((current) => ({ ...current, recurrence }))}
                  timeZone={timeZone}
                  startsAt={body().plannedAt}
                  disabled={readOnly}
                  blockedReason={draft.ab ? t('content.recurrence.abBlocked') : null}
                />
              )}
              {(!readOnly || draft.ab) && (
                <AbTestEditor
                  value={draft.ab}
                  onChange={(ab) => setDraft((current) => ({ ...current, ab }))}
                  networks={networks}
                  defaultGapMinutes={settings.data?.abDefaultGapMinutes ?? 1440}
                  disabled={readOnly}
                  blockedReason={draft.recurrence ? t('content.ab.recurringBlocked') : networks.length === 0 ? t('content.ab.needsDestination') : null}
                />
              )}
            </CardBody>
          </Card>

          {networks.length > 0 && currentNetwork && (
            <Card>
              <CardHeader title={t('content.editor.variants')} description={t('content.editor.variantsDescription')} />
              <CardBody className="flex flex-col gap-4">
                <div role="tablist" aria-label={t('content.editor.variants')} className="flex flex-wrap gap-2">
                  {networks.map((network) => (
                    <Button key={network} role="tab" size="sm" variant={network === currentNetwork ? 'primary' : 'ghost'} aria-selected={network === currentNetwork} onClick={() => setActiveNetwork(network)}>
                      {networkRules[network].displayName}
                    </Button>
                  ))}
                </div>
                <div role="tabpanel" className="flex flex-col gap-3">
                  <Checkbox
                    label={t('content.editor.customize', { network: networkRules[currentNetwork].displayName })}
                    checked={draft.variantTexts[currentNetwork] != null}
                    disabled={readOnly}
                    onChange={(event) => setDraft({ ...draft, variantTexts: { ...draft.variantTexts, [currentNetwork]: event.target.checked ? draft.baseText : null } })}
                  />
                  {currentNetwork === 'pinterest' && (
                    <div className="grid gap-3 sm:grid-cols-2">
                      <Field label={t('content.editor.pinTitle')}>
                        <Input value={draft.options.pinterestTitle} maxLength={100} disabled={readOnly} onChange={(event) => setDraft({ ...draft, options: { ...draft.options, pinterestTitle: event.target.value } })} />
                      </Field>
                      <Field label={t('content.editor.boardId')} hint={t('content.editor.boardIdHint')}>
                        <Input value={draft.options.pinterestBoardId} disabled={readOnly} onChange={(event) => setDraft({ ...draft, options: { ...draft.options, pinterestBoardId: event.target.value } })} />
                      </Field>
                    </div>
                  )}
                  {currentNetwork === 'x' && (
                    <Field label={t('content.editor.thread')} hint={t('content.editor.threadHint')}>
                      <Textarea rows={4} value={draft.options.xThread} disabled={readOnly} onChange={(event) => setDraft({ ...draft, options: { ...draft.options, xThread: event.target.value } })} />
                    </Field>
                  )}
                  {draft.variantTexts[currentNetwork] != null && (
                    <Field label={t('content.editor.variantText', { network: networkRules[currentNetwork].displayName })}>
                      <Textarea rows={5} value={draft.variantTexts[currentNetwork] ?? ''} disabled={readOnly} onChange={(event) => setDraft({ ...draft, variantTexts: { ...draft.variantTexts, [currentNetwork]: event.target.value } })} />
                    </Field>
                  )}
                  {aiAccess.canRunAgents && !readOnly && (
                    <OptimizePanel
                      key={currentNetwork}
                      postId={saved?.id ?? null}
                      network={currentNetwork}
                      text={draft.variantTexts[currentNetwork] ?? draft.baseText}
                      disabled={readOnly}
                      onApply={(text) => setDraft((current) => ({ ...current, variantTexts: { ...current.variantTexts, [currentNetwork]: text } }))}
                    />
                  )}
                </div>
              </CardBody>
            </Card>
          )}
          {saved?.ab && ['published', 'partially_published', 'failed'].includes(saved.status) && <AbResultPanel postId={saved.id} canDecide={access.canSchedule} timeZone={timeZone} />}
          {saved && <RevisionsPanel post={saved} canRestore={!readOnly} onRestored={refresh} />}
        </div>

        <aside className="flex flex-col gap-4" aria-label={t('content.editor.previews')}>
          <h2 className="text-sm font-semibold">
            {t('content.editor.previews')} {issuesCount > 0 && <Badge tone="danger">{t('content.editor.problems', { count: issuesCount })}</Badge>}
          </h2>
          {previews.length === 0 ? <p className="text-sm text-muted">{t('content.editor.noPreview')}</p> : previews.map((preview) => <PostPreview key={preview.network} preview={preview} />)}
          {aiAccess.canRead && (
            <PredictionPanel drafts={previews.map((preview) => ({ network: preview.network, text: preview.text }))} plannedAt={body().plannedAt} mediaCount={media.length} hasLink={Boolean(draft.baseLink.trim())} />
          )}
          {saved && saved.issues.some((issue) => issue.code === 'content.media_missing' || issue.code === 'content.no_destination') && (
            <ul className="text-sm text-danger">
              {saved.issues.filter((issue) => issue.code.startsWith('content.')).map((issue) => <li key={`${issue.variantId}-${issue.path}`}>{issue.message}</li>)}
            </ul>
          )}
        </aside>
      </div>
      <MediaPicker
        open={picking}
        initial={media}
        max={20}
        onClose={() => setPicking(false)}
        onSelect={(assets) => {
          setMedia(assets);
          setPicking(false);
        }}
      />
      <Dialog
        open={conflict !== null}
        onClose={() => setConflict(null)}
        title={t('content.editor.conflictTitle')}
        description={conflict ?? undefined}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConflict(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              loading={busy === 'schedule'}
              onClick={() => {
                setConflict(null);
                if (saved) void run('schedule', () => contentApi.schedule(saved.id, { acknowledgeConflicts: true }), refresh);
              }}
            >
              {t('content.editor.scheduleAnyway')}
            </Button>
          </>
        }
      />
    </>
  );
}
