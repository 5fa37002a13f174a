import type { MediaAsset, MediaUsage } from '@omni/contracts/media';
import { useTranslation } from 'react-i18next';
import { Badge, cn } from '../../shared/ui';
import { formatBytes } from './mediaApi';

export const ImageIcon = ({ className }: { className?: string }) => (
  <svg viewBox="0 0 24 24" className={className ?? 'size-4'} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" aria-hidden="true">
    <rect x="3" y="4" width="18" height="16" rx="2" />
    <circle cx="9" cy="10" r="2" />
    <path d="m3 18 5-5 4 4 3-3 6 6" strokeLinejoin="round" />
  </svg>
);

const VideoIcon = ({ className }: { className?: string }) => (
  <svg viewBox="0 0 24 24" className={className ?? 'size-5'} fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden="true">
    <rect x="3" y="5" width="13" height="14" rx="2" />
    <path d="m16 10 5-3v10l-5-3z" strokeLinejoin="round" />
  </svg>
);

/** The storage meter: used of the plan's quota, with the per-file limits. */
export function QuotaMeter({ usage }: { usage: MediaUsage }) {
  const { t, i18n } = useTranslation();
  const fraction = usage.quotaBytes > 0 ? Math.min(1, usage.bytesUsed / usage.quotaBytes) : 0;
  const tone = fraction >= 0.95 ? 'bg-danger' : fraction >= 0.8 ? 'bg-warning' : 'bg-primary';
  return (
    <div className="rounded-xl border border-border bg-surface px-4 py-3" data-testid="media-quota">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{t('media.quota.title')}</span>
        <span className="text-muted" data-testid="media-quota-used">
          {t('media.quota.used', { used: formatBytes(usage.bytesUsed, i18n.language), quota: formatBytes(usage.quotaBytes, i18n.language), count: usage.assetCount })}
        </span>
      </div>
      <div
        className="mt-2 h-2 w-full overflow-hidden rounded-full bg-surface-2"
        role="meter"
        aria-label={t('media.quota.title')}
        aria-valuemin={0}
        aria-valuemax={usage.quotaBytes}
        aria-valuenow={usage.bytesUsed}
        aria-valuetext={t('media.quota.percent', { percent: Math.round(fraction * 100) })}
      >
        <div className={cn('h-full rounded-full', tone)} style={{ width: `${Math.max(fraction * 100, usage.bytesUsed > 0 ? 1 : 0)}%` }} />
      </div>
      <p className="mt-2 text-xs text-muted">
        {t('media.quota.limits', { plan: usage.plan, image: formatBytes(usage.maxImageBytes, i18n.language), video: formatBytes(usage.maxVideoBytes, i18n.language) })}
      </p>
    </div>
  );
}

/** One library tile: the thumbnail (or a video/processing placeholder), name and state. */
export function AssetTile({ asset, selected, onClick }: { asset: MediaAsset; selected?: boolean; onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      onClick={onClick}
      aria-pressed={selected}
      className={cn('group flex flex-col overflow-hidden rounded-xl border bg-surface text-left shadow-sm transition hover:border-primary', selected ? 'border-primary ring-2 ring-primary' : 'border-border')}
      data-testid="media-tile"
    >
      <div className="flex aspect-square w-full items-center justify-center bg-surface-2">
        {asset.status === 'ready' && asset.thumbUrl ? (
          <img src={asset.thumbUrl} alt={asset.altText || asset.originalName} className="size-full object-cover" loading="lazy" />
        ) : asset.kind === 'video' && asset.status === 'ready' ? (
          <VideoIcon className="size-10 text-muted" />
        ) : (
          <ImageIcon className="size-10 text-muted" />
        )}
      </div>
      <div className="flex items-center justify-between gap-2 px-2 py-1.5">
        <span className="truncate text-xs font-medium">{asset.originalName}</span>
        {asset.status !== 'ready' && <Badge tone={asset.status === 'failed' ? 'danger' : 'neutral'}>{t(`media.statuses.${asset.status}`)}</Badge>}
        {asset.status === 'ready' && asset.inUse && <Badge tone="primary">{t('media.inUse')}</Badge>}
      </div>
    </button>
  );
}
