import type { CampaignPerformance, CampaignPost, SubmitCampaignDraftsResult } from '@omni/contracts/campaigns';
import { networkRules } from '@omni/contracts/network-rules';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../shared/lib/format';
import { Badge, Button, Table, TBody, Td, Th, THead, Tr } from '../../../shared/ui';
import { statusTone } from '../../content/contentShared';
import { PredictionBadge } from '../../content/PredictionBadge';
import { formatPredictionValue, type StrategistOutput } from '../campaignsApi';
import { NetworkIcon, NetworkIcons } from '../campaignsShared';

type StrategyParts = StrategistOutput['strategy'] & { channelPlan: StrategistOutput['channelPlan'] };

/** The strategist's strategy: summary, key messages, tone and the plan per channel. */
export function StrategyView({ strategy }: { strategy: StrategyParts }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col gap-4 text-sm" data-testid="strategy">
      <p className="text-base">{strategy.summary}</p>
      <div className="grid gap-4 md:grid-cols-2">
        <div>
          <h3 className="mb-1 font-medium">{t('campaigns.strategy.keyMessages')}</h3>
          <ul className="list-disc pl-5">
            {strategy.keyMessages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="mb-1 font-medium">{t('campaigns.strategy.tone')}</h3>
          <p>{strategy.tone}</p>
        </div>
      </div>
      <div>
        <h3 className="mb-2 font-medium">{t('campaigns.strategy.channelPlan')}</h3>
        <ul className="flex flex-col gap-2">
          {strategy.channelPlan.map((plan) => (
            <li key={plan.network} className="flex items-start gap-2">
              <NetworkIcon network={plan.network} />
              <span>
                <strong>{networkRules[plan.network].displayName}</strong> · {t('campaigns.strategy.perWeek', { count: plan.postsPerWeek })} · {plan.focus}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** The strategist's drafts as it wrote them (before they become posts): network, text, suggested time. */
export function DraftsPreview({ drafts, timeZone }: { drafts: StrategistOutput['drafts']; timeZone: string }) {
  const { t } = useTranslation();
  if (drafts.length === 0) return <p className="text-sm text-muted">{t('aiStudio.noDrafts')}</p>;
  return (
    <ol className="grid gap-3 md:grid-cols-2" data-testid="draft-previews">
      {drafts.map((draft, index) => (
        <li key={index} className="flex flex-col gap-2 rounded-lg border border-border p-3 text-sm" data-testid="draft-preview">
          <div className="flex items-center gap-2 text-xs text-muted">
            <NetworkIcon network={draft.network} className="size-5" />
            <span className="font-medium text-fg">{networkRules[draft.network].displayName}</span>
            <span>· {t('aiStudio.suggestedAt', { at: formatDateTime(draft.suggestedAt, timeZone) })}</span>
          </div>
          <p className="whitespace-pre-wrap break-words">{draft.text}</p>
        </li>
      ))}
    </ol>
  );
}

/**
 * The campaign's posts: title or excerpt (to the editor), networks, status, planned time, the predicted
 * engagement per network with its interval and basis, and the actual rate once published.
 */
export function CampaignPostsTable({
  posts,
  performance,
  timeZone,
  onUnlink,
  unlinking,
}: {
  posts: CampaignPost[];
  performance?: CampaignPerformance | null;
  timeZone: string;
  onUnlink?: (post: CampaignPost) => void;
  unlinking?: string | null;
}) {
  const { t, i18n } = useTranslation();
  const actualOf = (postId: string) => performance?.posts.filter((item) => item.postId === postId && item.actualRate !== null) ?? [];
  return (
    <Table caption={t('campaigns.postsTitle')}>
      <THead>
        <tr>
          <Th>{t('campaigns.postsTable.post')}</Th>
          <Th>{t('campaigns.postsTable.networks')}</Th>
          <Th>{t('campaigns.postsTable.status')}</Th>
          <Th>{t('campaigns.postsTable.planned')}</Th>
          <Th>{t('campaigns.postsTable.predicted')}</Th>
          <Th>{t('campaigns.postsTable.actual')}</Th>
          {onUnlink && <Th className="sr-only">{t('common.actions')}</Th>}
        </tr>
      </THead>
      <TBody>
        {posts.map((post) => {
          const actual = actualOf(post.postId);
          return (
            <Tr key={post.postId} data-testid="campaign-post-row" data-post-id={post.postId}>
              <Td className="max-w-[16rem]">
                <Link to="/content/posts/$postId" params={{ postId: post.postId }} className="font-medium text-primary hover:underline">
                  {post.title ?? (post.excerpt || t('content.editor.untitled'))}
                </Link>
                {post.title && <div className="truncate text-xs text-muted">{post.excerpt}</div>}
                {post.role === 'linked' && <div className="text-xs text-muted">{t('campaigns.postsTable.linked')}</div>}
              </Td>
              <Td>
                <NetworkIcons networks={post.networks} />
              </Td>
              <Td>
                <Badge tone={statusTone[post.status]}>{t(`content.statuses.${post.status}`)}</Badge>
              </Td>
              <Td className="text-muted">{post.plannedAt ? formatDateTime(post.plannedAt, timeZone) : '—'}</Td>
              <Td>
                {post.predicted.length === 0 ? (
                  <span className="text-muted">—</span>
                ) : (
                  <ul className="flex flex-col gap-1">
                    {post.predicted.map((prediction) => (
                      <li key={prediction.network} className="flex items-center gap-2">
                        {post.predicted.length > 1 && <NetworkIcon network={prediction.network} className="size-5" />}
                        <PredictionBadge prediction={prediction} />
                      </li>
                    ))}
                  </ul>
                )}
              </Td>
              <Td className="whitespace-nowrap tabular-nums">
                {actual.length === 0 ? (
                  <span className="text-muted">{t('campaigns.postsTable.notYet')}</span>
                ) : (
                  <ul className="flex flex-col gap-1">
                    {actual.map((item) => (
                      <li key={item.network}>
                        {formatPredictionValue(item.actualRate!, 'per_impression', i18n.language)}
                        <span className="text-xs text-muted"> · {t('campaigns.postsTable.impressions', { count: item.impressions })}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </Td>
              {onUnlink && (
                <Td className="text-right">
                  <Button size="sm" variant="ghost-danger" loading={unlinking === post.postId} onClick={() => onUnlink(post)}>
                    {t('campaigns.unlink')}
                  </Button>
                </Td>
              )}
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}

/** What "Submit drafts for approval" did: how many went to review, and each one skipped with why. */
export function SubmitResultView({ result, posts }: { result: SubmitCampaignDraftsResult; posts: CampaignPost[] }) {
  const { t } = useTranslation();
  const nameOf = (postId: string) => {
    const post = posts.find((item) => item.postId === postId);
    return post ? (post.title ?? (post.excerpt || t('content.editor.untitled'))) : postId;
  };
  return (
    <div className="flex flex-col gap-2 rounded-lg border border-border bg-surface-2/40 p-3 text-sm" role="status" data-testid="submit-result">
      <p className="font-medium">{t('campaigns.submit.submitted', { count: result.submitted.length })}</p>
      {result.skipped.length > 0 && (
        <>
          <p>{t('campaigns.submit.skipped', { count: result.skipped.length })}</p>
          <ul className="list-disc pl-5">
            {result.skipped.map((item) => (
              <li key={item.postId}>
                <Link to="/content/posts/$postId" params={{ postId: item.postId }} className="text-primary hover:underline">
                  {nameOf(item.postId)}
                </Link>
                : {item.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
