import { countText, networkRules, type VariantIssue, type VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../ui/Avatar';
import { cn } from '../ui/cn';
import { foldText, linkHost, segmentText } from './previewText';

/** Building blocks shared by the per-network previews. */

type PreviewMedia = VariantPreview['media'][number];

const segmentStyles = { text: '', link: 'text-primary', hashtag: 'text-primary', mention: 'text-primary font-medium' } as const;

/** The post text with links, hashtags and mentions highlighted, folded after `visible` code points. */
export function PreviewText({ text, visible = null, moreLabel, className }: { text: string; visible?: number | null; moreLabel?: string; className?: string }) {
  const { t } = useTranslation();
  if (!text.trim()) return <p className={cn('text-sm italic text-muted', className)}>{t('previews.noText')}</p>;
  const { shown, folded } = foldText(text, visible);
  return (
    <p className={cn('whitespace-pre-wrap break-words text-sm', className)} data-testid="preview-text">
      {segmentText(shown).map((segment, index) => (
        <span key={index} className={segmentStyles[segment.kind] || undefined}>
          {segment.value}
        </span>
      ))}
      {folded && <span className="text-muted">{moreLabel ?? `… ${t('previews.more')}`}</span>}
    </p>
  );
}

function MediaItem({ item, className }: { item: PreviewMedia; className?: string }) {
  const { t } = useTranslation();
  if (item.kind === 'video') {
    return <video src={item.url} className={cn('h-full w-full bg-black object-cover', className)} muted controls preload="metadata" aria-label={item.altText ?? t('previews.video')} />;
  }
  return <img src={item.url} alt={item.altText ?? ''} className={cn('h-full w-full object-cover', className)} loading="lazy" />;
}

/** Up to four tiles (the fourth says how many more), or one item at its own proportions. */
export function MediaGrid({ media, className }: { media: PreviewMedia[]; className?: string }) {
  const { t } = useTranslation();
  if (media.length === 0) return null;
  if (media.length === 1) {
    const item = media[0]!;
    const ratio = item.width && item.height ? `${item.width} / ${item.height}` : undefined;
    return (
      <div className={cn('overflow-hidden bg-surface-2', className)} style={{ aspectRatio: ratio }}>
        <MediaItem item={item} />
      </div>
    );
  }
  const tiles = media.slice(0, 4);
  const hidden = media.length - tiles.length;
  return (
    <div className={cn('grid grid-cols-2 gap-0.5 overflow-hidden bg-surface-2', className)}>
      {tiles.map((item, index) => (
        <div key={index} className="relative aspect-square">
          <MediaItem item={item} />
          {hidden > 0 && index === tiles.length - 1 && (
            <span className="absolute inset-0 flex items-center justify-center bg-black/50 text-lg font-semibold text-white">{t('previews.moreMedia', { count: hidden })}</span>
          )}
        </div>
      ))}
    </div>
  );
}

/** One item at a time with its position ("1 of 3"), as carousels show. */
export function MediaCarousel({ media, aspect = '1 / 1', className }: { media: PreviewMedia[]; aspect?: string; className?: string }) {
  const { t } = useTranslation();
  if (media.length === 0) {
    return (
      <div className={cn('flex items-center justify-center bg-surface-2 text-sm text-muted', className)} style={{ aspectRatio: aspect }}>
        {t('previews.noMedia')}
      </div>
    );
  }
  return (
    <div className={cn('relative overflow-hidden bg-surface-2', className)} style={{ aspectRatio: aspect }}>
      <MediaItem item={media[0]!} />
      {media.length > 1 && (
        <span className="absolute right-2 top-2 rounded-full bg-black/60 px-2 py-0.5 text-xs text-white">{t('previews.mediaPosition', { index: 1, total: media.length })}</span>
      )}
    </div>
  );
}

export function LinkCard({ link }: { link: string | null }) {
  if (!link) return null;
  return (
    <div className="border-t border-border bg-surface-2 px-3 py-2 text-xs">
      <span className="uppercase text-muted">{linkHost(link)}</span>
      <p className="truncate text-sm">{link}</p>
    </div>
  );
}

export function PreviewHeader({ preview, meta, compact }: { preview: VariantPreview; meta?: string; compact?: boolean }) {
  return (
    <div className="flex items-center gap-2 px-3 py-2">
      <Avatar name={preview.destinationName} src={preview.pictureUrl} size={compact ? 'sm' : 'md'} />
      <div className="min-w-0">
        <p className="truncate text-sm font-semibold">{preview.destinationName}</p>
        {meta && <p className="text-xs text-muted">{meta}</p>}
      </div>
    </div>
  );
}

export function ActionBar({ labels }: { labels: string[] }) {
  return (
    <div className="flex justify-around border-t border-border px-2 py-1.5 text-xs font-medium text-muted" aria-hidden="true">
      {labels.map((label) => (
        <span key={label}>{label}</span>
      ))}
    </div>
  );
}

/** "212 of 280 characters", red when over (X counts as X does: links 23, emoji 2). */
export function CharacterCount({ network, text }: { network: VariantPreview['network']; text: string }) {
  const { t } = useTranslation();
  const count = countText(network, text);
  const max = networkRules[network].maxText;
  return (
    <span className={cn('text-xs tabular-nums', count > max ? 'font-semibold text-danger' : 'text-muted')} data-testid="character-count">
      {t('previews.characters', { count, max })}
    </span>
  );
}

/** The validator's findings, errors first; or a line saying the variant is ready. */
export function IssueList({ issues, network }: { issues: VariantIssue[]; network: VariantPreview['network'] }) {
  const { t } = useTranslation();
  if (issues.length === 0) {
    return (
      <p className="text-xs text-success" data-testid="preview-ready">
        {t('previews.ready', { network: networkRules[network].displayName })}
      </p>
    );
  }
  const sorted = [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return (
    <ul className="flex flex-col gap-1" aria-label={t('previews.issues')} data-testid="preview-issues">
      {sorted.map((issue, index) => (
        <li key={`${issue.path}-${issue.code}-${index}`} data-severity={issue.severity} className={cn('rounded-md border px-2 py-1 text-xs', issue.severity === 'error' ? 'border-danger/30 bg-danger/10 text-danger' : 'border-warning/30 bg-warning/10 text-warning')}>
          <span className="font-semibold">{issue.severity === 'error' ? t('previews.error') : t('previews.warning')}: </span>
          {issue.message}
        </li>
      ))}
    </ul>
  );
}
