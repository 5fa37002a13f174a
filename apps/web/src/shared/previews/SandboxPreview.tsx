import type { VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { LinkCard, MediaGrid, PreviewHeader, PreviewText } from './PreviewParts';

/** The Sandbox feed: exactly what is stored, unfolded. */
export function SandboxPreview({ preview }: { preview: VariantPreview }) {
  const { t } = useTranslation();
  return (
    <article className="overflow-hidden rounded-lg border border-dashed border-border bg-surface">
      <PreviewHeader preview={preview} meta={t('previews.sandbox')} />
      <PreviewText text={preview.text} className="px-3 pb-2" />
      <MediaGrid media={preview.media} />
      <LinkCard link={preview.link} />
    </article>
  );
}
