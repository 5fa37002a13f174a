import type { VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { ActionBar, MediaCarousel, PreviewHeader, PreviewText } from './PreviewParts';

/** An Instagram post: square-ish media first (a carousel shows its count), then the caption, folded after 125 characters. */
export function InstagramPreview({ preview }: { preview: VariantPreview }) {
  const { t } = useTranslation();
  const first = preview.media[0];
  // Instagram shows the first item between 4:5 and 1.91:1; outside that range the validator has already said so.
  const aspect = first?.width && first.height ? `${first.width} / ${first.height}` : '1 / 1';
  return (
    <article className="overflow-hidden rounded-lg border border-border bg-surface">
      <PreviewHeader preview={preview} compact />
      <MediaCarousel media={preview.media} aspect={aspect} />
      <ActionBar labels={[t('previews.like'), t('previews.comment'), t('previews.share'), t('previews.save')]} />
      <div className="px-3 pb-3">
        <span className="text-sm font-semibold">{preview.destinationName} </span>
        <PreviewText text={preview.text} visible={125} className="inline" />
      </div>
    </article>
  );
}
