import type { ApprovalPreview, ApprovalPreviewVariant } from '@omni/contracts/approvals';
import { networkIds, type VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { PostPreview } from '../../shared/previews/PostPreview';
import { AiRunApprovalPreview, isAiRunVariant } from '../ai/AiRunApprovalPreview';

/** A subject module's preview variant that carries everything the network previews need. */
export function asVariantPreview(variant: ApprovalPreviewVariant): VariantPreview | null {
  const candidate = variant as Partial<VariantPreview> & ApprovalPreviewVariant;
  const complete =
    (networkIds as string[]).includes(variant.network) &&
    typeof candidate.destinationName === 'string' &&
    Array.isArray(candidate.issues) &&
    typeof candidate.options === 'object' &&
    candidate.options !== null;
  if (!complete) return null;
  return {
    ...(candidate as VariantPreview),
    link: candidate.link ?? null,
    media: (candidate.media ?? []).map((item) => {
      const sized = item as { width?: number | null; height?: number | null };
      return { ...item, width: sized.width ?? null, height: sized.height ?? null, altText: item.altText ?? null };
    }) as VariantPreview['media'],
  };
}

/** How the item under review will look: each variant as its network shows it (or plainly, for other subjects). */
export function ApprovalPreviewView({ preview }: { preview: ApprovalPreview | null }) {
  const { t } = useTranslation();
  if (!preview) return <p className="text-sm text-muted">{t('approvals.noPreview')}</p>;
  return (
    <div className="grid gap-6 md:grid-cols-2" data-testid="approval-preview">
      {preview.variants.map((variant, index) => {
        if (isAiRunVariant(variant)) return <AiRunApprovalPreview key={index} variant={variant} />;
        const full = asVariantPreview(variant);
        return full ? <PostPreview key={index} preview={full} /> : <PlainVariant key={index} variant={variant} />;
      })}
    </div>
  );
}

function PlainVariant({ variant }: { variant: ApprovalPreviewVariant }) {
  return (
    <section className="flex flex-col gap-2 rounded-xl border border-border p-4" aria-label={variant.label ? `${variant.network} · ${variant.label}` : variant.network}>
      <h3 className="text-xs font-semibold uppercase tracking-wide text-muted">
        {variant.network}
        {variant.label ? ` · ${variant.label}` : ''}
      </h3>
      <p className="whitespace-pre-wrap break-words text-sm">{variant.text}</p>
      {variant.media.length > 0 && (
        <div className="grid grid-cols-2 gap-2">
          {variant.media.map((item, index) =>
            item.kind === 'image' ? (
              <img key={index} src={item.url} alt={item.altText ?? ''} className="aspect-square w-full rounded-lg object-cover" loading="lazy" />
            ) : (
              <video key={index} src={item.url} controls className="w-full rounded-lg" aria-label={item.altText ?? undefined} />
            ),
          )}
        </div>
      )}
      {variant.link && (
        <a href={variant.link} className="break-all text-sm text-primary underline" rel="noopener noreferrer nofollow" target="_blank">
          {variant.link}
        </a>
      )}
    </section>
  );
}
