import type { VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { ActionBar, LinkCard, MediaGrid, PreviewHeader, PreviewText } from './PreviewParts';

/** A Facebook Page post: text folded after about 480 characters, photos in a grid or one video, a link card. */
export function FacebookPreview({ preview }: { preview: VariantPreview }) {
  const { t } = useTranslation();
  return (
    <article className="overflow-hidden rounded-lg border border-border bg-surface">
      <PreviewHeader preview={preview} meta={t('previews.justNow')} />
      <PreviewText text={preview.text} visible={480} className="px-3 pb-2" />
      <MediaGrid media={preview.media} />
      {preview.media.length === 0 && <LinkCard link={preview.link} />}
      <ActionBar labels={[t('previews.like'), t('previews.comment'), t('previews.share')]} />
    </article>
  );
}
