import type { ContentNetwork } from '@omni/contracts/content';
import { networkRules } from '@omni/contracts/network-rules';
import { keepPreviousData, useQueries } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { Card, CardBody, CardHeader, Skeleton } from '../../shared/ui';
import { predictionsApi } from '../campaigns/campaignsApi';
import { NetworkIcon } from '../campaigns/campaignsShared';
import { PredictionBadge } from './PredictionBadge';

/** The value as it was `delay` ms after its last change (typing does not ask the server per key). */
function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export type PredictionDraft = { network: ContentNetwork; text: string };

/**
 * The editor's "Predicted performance": per network of the post, the engagement the account's model (or
 * history, or the industry default) expects for this text at the planned time, refreshed shortly after the
 * text, time or media change.
 */
export function PredictionPanel({ drafts, plannedAt, mediaCount, hasLink }: { drafts: PredictionDraft[]; plannedAt: string | null; mediaCount: number; hasLink: boolean }) {
  const { t } = useTranslation();
  const settled = useDebounced(JSON.stringify({ drafts, plannedAt, mediaCount, hasLink }), 700);
  const input = JSON.parse(settled) as { drafts: PredictionDraft[]; plannedAt: string | null; mediaCount: number; hasLink: boolean };
  const predictions = useQueries({
    queries: input.drafts.map((draft) => ({
      queryKey: ['ai', 'prediction', draft.network, draft.text, input.plannedAt, input.mediaCount, input.hasLink],
      queryFn: () =>
        predictionsApi.predict({ network: draft.network, text: draft.text, ...(input.plannedAt ? { at: input.plannedAt } : {}), mediaCount: input.mediaCount, hasLink: input.hasLink }),
      placeholderData: keepPreviousData,
      staleTime: 60_000,
      retry: false,
    })),
  });
  if (drafts.length === 0) return null;
  return (
    <Card>
      <CardHeader title={t('aiStudio.prediction.title')} description={input.plannedAt ? t('aiStudio.prediction.descriptionAt') : t('aiStudio.prediction.descriptionNow')} />
      <CardBody>
        <ul className="flex flex-col gap-3" data-testid="prediction-panel">
          {input.drafts.map((draft, index) => {
            const query = predictions[index];
            return (
              <li key={draft.network} className="flex items-start gap-3 text-sm">
                <NetworkIcon network={draft.network} />
                <div className="min-w-0 flex-1">
                  <div className="mb-1 font-medium">{networkRules[draft.network].displayName}</div>
                  {!query || query.isPending ? (
                    <Skeleton className="h-5 w-40" />
                  ) : query.isError ? (
                    <p className="text-xs text-danger">{describeError(query.error)}</p>
                  ) : (
                    <PredictionBadge prediction={query.data} showExplanation />
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      </CardBody>
    </Card>
  );
}
