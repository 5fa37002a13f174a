import type { MediaAsset } from '@omni/contracts/media';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../shared/auth/useAuth';
import { Button, Dialog, EmptyState, Skeleton } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { mediaAccessOf, type MediaFilters } from './mediaApi';
import { MediaFiltersBar, useMediaLibrary } from './MediaLibraryPage';
import { MediaUploader } from './MediaUploader';
import { AssetTile, ImageIcon } from './mediaShared';

/**
 * Choose assets from the library (or upload new ones) for another screen, e.g. the post editor.
 * Only ready assets can be chosen; `max` caps the selection (a network's media count).
 */
export function MediaPicker({
  open,
  onClose,
  onSelect,
  max = 10,
  initial = [],
}: {
  open: boolean;
  onClose: () => void;
  onSelect: (assets: MediaAsset[]) => void;
  max?: number;
  initial?: MediaAsset[];
}) {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = mediaAccessOf(scope);
  const [filters, setFilters] = useState<MediaFilters>({});
  const [selected, setSelected] = useState<MediaAsset[]>(initial);
  const assets = useMediaLibrary(filters, open && access.canRead);

  const toggle = (asset: MediaAsset) =>
    setSelected((current) => (current.some((item) => item.id === asset.id) ? current.filter((item) => item.id !== asset.id) : current.length >= max ? current : [...current, asset]));

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t('media.picker.title')}
      description={t('media.picker.description', { max })}
      className="max-w-4xl"
      footer={
        <div className="flex w-full items-center justify-between gap-2">
          <span className="text-sm text-muted">{t('media.picker.selected', { count: selected.length, max })}</span>
          <Button
            onClick={() => {
              onSelect(selected);
              onClose();
            }}
          >
            {t('media.picker.confirm')}
          </Button>
        </div>
      }
    >
      <div className="flex flex-col gap-4 px-5 py-4">
        {access.canUpload && <MediaUploader compact />}
        <MediaFiltersBar filters={filters} onChange={setFilters} />
        {assets.isPending ? (
          <Skeleton className="h-40" />
        ) : assets.isError ? (
          <ErrorRow error={assets.error} retry={() => void assets.refetch()} />
        ) : assets.items.length === 0 ? (
          <EmptyState icon={<ImageIcon className="size-6" />} title={t('media.empty')} />
        ) : (
          <ul className="grid grid-cols-3 gap-2 sm:grid-cols-5" aria-label={t('media.gridLabel')}>
            {assets.items.map((asset) => (
              <li key={asset.id} className={asset.status === 'ready' ? '' : 'opacity-60'}>
                <AssetTile asset={asset} selected={selected.some((item) => item.id === asset.id)} onClick={() => asset.status === 'ready' && toggle(asset)} />
              </li>
            ))}
          </ul>
        )}
        {assets.hasNextPage && (
          <Button variant="secondary" loading={assets.isFetchingNextPage} onClick={() => void assets.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        )}
      </div>
    </Dialog>
  );
}
