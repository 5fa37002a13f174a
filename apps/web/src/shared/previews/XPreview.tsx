import type { VariantPreview } from '@omni/contracts/network-rules';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../ui/Avatar';
import { CharacterCount, IssueList, LinkCard, MediaGrid, PreviewText } from './PreviewParts';
import { issuesAt } from './previewText';

/** An X post, and its thread: each follow-up as a reply below, joined by a line, each with its own count and issues. */
export function XPreview({ preview }: { preview: VariantPreview }) {
  const { t } = useTranslation();
  const followUps = preview.options.thread ?? [];
  const total = followUps.length + 1;
  const parts = [{ text: preview.text, withMedia: true }, ...followUps.map((text) => ({ text, withMedia: false }))];
  return (
    <article className="overflow-hidden rounded-lg border border-border bg-surface" aria-label={total > 1 ? t('previews.thread', { count: total }) : undefined}>
      <ol>
        {parts.map((part, index) => {
          const partIssues = index === 0 ? [] : issuesAt(preview.issues, `options.thread.${index - 1}`);
          return (
            <li key={index} className="flex gap-2 px-3 py-2" data-testid="x-post">
              <div className="flex flex-col items-center">
                <Avatar name={preview.destinationName} src={preview.pictureUrl} size="sm" />
                {index < parts.length - 1 && <span className="mt-1 w-0.5 flex-1 bg-border" aria-hidden="true" />}
              </div>
              <div className="min-w-0 flex-1">
                <p className="text-sm">
                  <span className="font-semibold">{preview.destinationName}</span>
                  <span className="text-muted"> · {t('previews.justNow')}</span>
                </p>
                <PreviewText text={part.text} />
                {part.withMedia && <MediaGrid media={preview.media} className="mt-2 rounded-xl" />}
                {part.withMedia && preview.media.length === 0 && preview.link && (
                  <div className="mt-2 overflow-hidden rounded-xl border border-border">
                    <LinkCard link={preview.link} />
                  </div>
                )}
                <div className="mt-1 flex items-center justify-between gap-2">
                  {total > 1 && <span className="text-xs text-muted">{t('previews.threadPost', { index: index + 1, total })}</span>}
                  <CharacterCount network="x" text={part.text} />
                </div>
                {partIssues.length > 0 && <IssueList issues={partIssues} network="x" />}
              </div>
            </li>
          );
        })}
      </ol>
    </article>
  );
}
