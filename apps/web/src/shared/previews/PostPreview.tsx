import { networkRules, type VariantPreview } from '@omni/contracts/network-rules';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { FacebookPreview } from './FacebookPreview';
import { InstagramPreview } from './InstagramPreview';
import { LinkedInPreview } from './LinkedInPreview';
import { PinterestPreview } from './PinterestPreview';
import { CharacterCount, IssueList } from './PreviewParts';
import { SandboxPreview } from './SandboxPreview';
import { XPreview } from './XPreview';

const previews: Record<VariantPreview['network'], ComponentType<{ preview: VariantPreview }>> = {
  facebook: FacebookPreview,
  instagram: InstagramPreview,
  x: XPreview,
  linkedin: LinkedInPreview,
  pinterest: PinterestPreview,
  sandbox: SandboxPreview,
};

/**
 * How a variant will look on its network (editor, approvals, client links), with its character count and
 * the validator's issues (network-rules' validateVariant) below. Thread issues of X show on their post.
 */
export function PostPreview({ preview }: { preview: VariantPreview }) {
  const { t } = useTranslation();
  const Preview = previews[preview.network];
  const name = networkRules[preview.network].displayName;
  const issues = preview.network === 'x' ? preview.issues.filter((issue) => !issue.path.startsWith('options.thread.')) : preview.issues;
  return (
    <section className="flex flex-col gap-2" aria-label={t('previews.label', { network: name })} data-network={preview.network}>
      <header className="flex items-center justify-between">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-muted">{name}</h3>
        {preview.network !== 'x' && <CharacterCount network={preview.network} text={preview.text} />}
      </header>
      <Preview preview={preview} />
      {(issues.length > 0 || preview.issues.length === 0) && <IssueList issues={issues} network={preview.network} />}
    </section>
  );
}
