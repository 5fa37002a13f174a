import type { PerformancePredictionDto } from '@omni/contracts/ai';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, cn, type BadgeTone } from '../../shared/ui';
import { formatPredictionValue } from '../campaigns/campaignsApi';

const basisTone: Record<PerformancePredictionDto['basis'], BadgeTone> = { model: 'success', history: 'primary', default: 'neutral' };

/**
 * A predicted engagement: the rate with its interval and what it rests on (the account's model, its own
 * history, or industry defaults). The explanation is the tooltip and is read with the value.
 */
export function PredictionBadge({ prediction, className, showExplanation = false }: { prediction: PerformancePredictionDto; className?: string; showExplanation?: boolean }) {
  const { t, i18n } = useTranslation();
  const explanationId = useId();
  const value = (number: number) => formatPredictionValue(number, prediction.scoreKind, i18n.language);
  return (
    <span className={cn('inline-flex flex-col gap-1', className)} data-testid="prediction" data-basis={prediction.basis}>
      <span className="inline-flex flex-wrap items-center gap-1.5" title={prediction.explanation} aria-describedby={explanationId}>
        <strong className="tabular-nums">{value(prediction.rate)}</strong>
        <span className="whitespace-nowrap text-xs text-muted tabular-nums">{t('aiStudio.prediction.interval', { low: value(prediction.low), high: value(prediction.high) })}</span>
        <Badge tone={basisTone[prediction.basis]} className="whitespace-nowrap">{t(`aiStudio.prediction.basis.${prediction.basis}`)}</Badge>
      </span>
      <span id={explanationId} className={showExplanation ? 'text-xs text-muted' : 'sr-only'}>
        {prediction.scoreKind === 'count' ? t('aiStudio.prediction.perPost') : t('aiStudio.prediction.perImpression')} {prediction.explanation}
      </span>
    </span>
  );
}
