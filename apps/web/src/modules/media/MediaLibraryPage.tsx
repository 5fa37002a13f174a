import type { MediaAsset, MediaAssetKind } from '@omni/contracts/media';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { ProblemError } from '../../shared/api/problem';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Button, Dialog, EmptyState, Field, Input, PageHeader, Select, Skeleton, Textarea } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { formatBytes, hasProcessing, mediaAccessOf, mediaApi, type MediaFilters } from './mediaApi';
import { MediaUploader } from './MediaUploader';
import { AssetTile, ImageIcon, QuotaMeter } from './mediaShared';

/** The library grid with filters, shared by the page and the picker; polls while anything is processing. */
export function useMediaLibrary(filters: MediaFilters, enabled = true) {
  const assets = usePagedList(['media', 'assets', filters], (cursor) => mediaApi.assets(filters, cursor), enabled);
  const queryClient = useQueryClient();
  const processing = hasProcessing(assets.items);
  // Processing changes the assets and the usage (renditions are counted): refresh both meanwhile.
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => void queryClient.invalidateQueries({ queryKey: ['media'] }), 2000);
    return () => clearInterval(timer);
  }, [processing, queryClient]);
  return assets;
}

export function MediaFiltersBar({ filters, onChange }: { filters: MediaFilters; onChange: (filters: MediaFilters) => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-wrap items-end gap-3" role="search" aria-label={t('media.filters.label')}>
      <label className="flex flex-col gap-1.5 text-sm font-medium">
        {t('media.filters.kind')}
        <Select className="w-40" value={filters.kind ?? ''} onChange={(event) => onChange({ ...filters, kind: (event.target.value || undefined) as MediaAssetKind | undefined })}>
          <option value="">{t('media.filters.allKinds')}</option>
          <option value="image">{t('media.kinds.image')}</option>
          <option value="video">{t('media.kinds.video')}</option>
        </Select>
      </label>
      <label className="flex flex-col gap-1.5 text-sm font-medium">
        {t('media.filters.search')}
        <Input className="w-56" type="search" value={filters.q ?? ''} onChange={(event) => onChange({ ...filters, q: event.target.value || undefined })} />
      </label>
      <label className="flex flex-col gap-1.5 text-sm font-medium">
        {t('media.filters.tag')}
        <Input className="w-40" value={filters.tag ?? ''} onChange={(event) => onChange({ ...filters, tag: event.target.value.trim().toLowerCase() || undefined })} />
      </label>
    </div>
  );
}

export function MediaLibraryPage() {
  const { t } = useTranslation();
  const { scope, user } = useSession();
  const access = mediaAccessOf(scope);
  const [filters, setFilters] = useState<MediaFilters>({});
  const [openId, setOpenId] = useState<string | null>(null);
  const usage = useQuery({ queryKey: ['media', 'usage'], queryFn: mediaApi.usage, enabled: access.canRead });
  const assets = useMediaLibrary(filters, access.canRead);
  if (!access.canRead) return <NoAccess />;
  const isFiltered = Boolean(filters.kind || filters.q || filters.tag);
  const open = assets.items.find((asset) => asset.id === openId) ?? null;

  return (
    <>
      <PageHeader title={t('media.title')} description={t('media.description')} />
      <div className="mb-6 grid gap-4 lg:grid-cols-[2fr_1fr]">
        {access.canUpload ? <MediaUploader /> : <p className="text-sm text-muted">{t('media.upload.notAllowed')}</p>}
        {usage.data ? <QuotaMeter usage={usage.data} /> : usage.isError ? <ErrorRow error={usage.error} retry={() => void usage.refetch()} /> : <Skeleton className="h-24" />}
      </div>
      <div className="mb-4">
        <MediaFiltersBar filters={filters} onChange={setFilters} />
      </div>
      {assets.isPending ? (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6">
          {Array.from({ length: 6 }, (_, index) => (
            <Skeleton key={index} className="aspect-square" />
          ))}
        </div>
      ) : assets.isError ? (
        <ErrorRow error={assets.error} retry={() => void assets.refetch()} />
      ) : assets.items.length === 0 ? (
        <EmptyState icon={<ImageIcon className="size-6" />} title={isFiltered ? t('media.emptyFiltered') : t('media.empty')} description={isFiltered ? undefined : t('media.emptyDescription')} />
      ) : (
        <>
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6" aria-label={t('media.gridLabel')}>
            {assets.items.map((asset) => (
              <li key={asset.id}>
                <AssetTile asset={asset} onClick={() => setOpenId(asset.id)} />
              </li>
            ))}
          </ul>
          {assets.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button variant="secondary" loading={assets.isFetchingNextPage} onClick={() => void assets.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
      {open && <AssetDetailsDialog asset={open} canChange={access.canManage || (access.canUpload && open.createdBy === user.id)} onClose={() => setOpenId(null)} />}
    </>
  );
}

/** Alt text, tags, renditions and whether the asset is in use; delete explains a 409 (in use). */
function AssetDetailsDialog({ asset, canChange, onClose }: { asset: MediaAsset; canChange: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [altText, setAltText] = useState(asset.altText);
  const [tags, setTags] = useState(asset.tags.join(', '));
  const [confirming, setConfirming] = useState(false);
  const save = useMutation({
    mutationFn: () => mediaApi.update(asset.id, { altText, tags: tags.split(',').map((tag) => tag.trim().toLowerCase()).filter(Boolean) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['media'] }),
  });
  const remove = useMutation({
    mutationFn: () => mediaApi.remove(asset.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['media'] });
      onClose();
    },
  });
  const inUseRefusal = remove.error instanceof ProblemError && remove.error.code === 'media.in_use';

  return (
    <Dialog
      open
      onClose={onClose}
      title={asset.originalName}
      description={t('media.details.summary', { kind: t(`media.kinds.${asset.kind}`), size: formatBytes(asset.byteSize, i18n.language), date: formatDateTime(asset.createdAt) })}
      className="max-w-2xl"
      footer={
        canChange && (
          <div className="flex w-full flex-wrap items-center justify-between gap-2">
            {confirming ? (
              <span className="flex items-center gap-2">
                <span className="text-sm">{t('media.details.confirmDelete')}</span>
                <Button variant="danger" size="sm" loading={remove.isPending} onClick={() => remove.mutate()}>
                  {t('media.details.delete')}
                </Button>
                <Button variant="ghost" size="sm" onClick={() => setConfirming(false)}>
                  {t('common.cancel')}
                </Button>
              </span>
            ) : (
              <Button variant="ghost-danger" onClick={() => setConfirming(true)}>
                {t('media.details.delete')}
              </Button>
            )}
            <Button loading={save.isPending} onClick={() => save.mutate()}>
              {t('common.saveChanges')}
            </Button>
          </div>
        )
      }
    >
      <div className="flex flex-col gap-4 px-5 py-4">
        {asset.mediumUrl && asset.kind === 'image' && <img src={asset.mediumUrl} alt={asset.altText || asset.originalName} className="max-h-80 w-full rounded-lg object-contain" />}
        {asset.mediumUrl && asset.kind === 'video' && <video src={asset.mediumUrl} controls className="max-h-80 w-full rounded-lg" />}
        {asset.status === 'failed' && (
          <p className="rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm" role="alert">
            {asset.failureReason}
          </p>
        )}
        {asset.inUse && <p className="text-sm text-muted">{t('media.details.inUseNote')}</p>}
        {(remove.error || save.error) && (
          <p className="rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm" role="alert">
            {inUseRefusal ? t('media.details.inUseRefusal') : describeError(remove.error ?? save.error)}
          </p>
        )}
        <Field label={t('media.details.altText')} hint={t('media.details.altTextHint')}>
          <Textarea value={altText} maxLength={1000} disabled={!canChange} onChange={(event) => setAltText(event.target.value)} />
        </Field>
        <Field label={t('media.details.tags')} hint={t('media.details.tagsHint')}>
          <Input value={tags} disabled={!canChange} onChange={(event) => setTags(event.target.value)} />
        </Field>
        {asset.renditions.length > 0 && (
          <div>
            <h3 className="mb-2 text-sm font-semibold">{t('media.details.renditions')}</h3>
            <ul className="grid grid-cols-2 gap-1 text-xs text-muted sm:grid-cols-3">
              {asset.renditions.map((rendition) => (
                <li key={rendition.name}>
                  <a href={rendition.url} target="_blank" rel="noreferrer" className="underline">
                    {t(`media.renditions.${rendition.name}`)}
                  </a>{' '}
                  {rendition.width && rendition.height ? `${rendition.width}×${rendition.height}` : ''} · {formatBytes(rendition.byteSize, i18n.language)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </Dialog>
  );
}
