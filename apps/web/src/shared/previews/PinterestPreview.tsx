import type { VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { MediaCarousel, PreviewText } from './PreviewParts';
import { linkHost } from './previewText';

/** A Pin: the image at its own proportions (2:3 shows best), title, description, link and the board it goes to. */
export function PinterestPreview({ preview }: { preview: VariantPreview }) {
  const { t } = useTranslation();
  const first = preview.media[0];
  const aspect = first?.width && first.height ? `${first.width} / ${first.height}` : '2 / 3';
  const board = preview.destinationKind === 'board' ? preview.destinationName : preview.options.boardId;
  return (
    <article className="mx-auto w-64 overflow-hidden rounded-2xl border border-border bg-surface">
      <MediaCarousel media={preview.media} aspect={aspect} className="rounded-2xl" />
      <div className="flex flex-col gap-1 px-3 py-2">
        {preview.options.title && <h3 className="text-sm font-semibold">{preview.options.title}</h3>}
        <PreviewText text={preview.text} visible={100} className="text-xs" />
        {preview.link && <span className="truncate text-xs text-muted">{linkHost(preview.link)}</span>}
        <span className="text-xs text-muted" data-testid="pinterest-board">
          {board ? t('previews.board', { name: board }) : t('previews.noBoard')}
        </span>
      </div>
    </article>
  );
}
