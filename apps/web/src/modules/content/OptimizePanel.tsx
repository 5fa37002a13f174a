import type { AiRun } from '@omni/contracts/ai';
import type { ContentNetwork } from '@omni/contracts/content';
import { networkRules } from '@omni/contracts/network-rules';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Field, Select } from '../../shared/ui';
import { aiApi } from '../ai/aiApi';
import { copywriterSuggestionOf, runPhaseOf, wordDiff, type WordChange } from '../campaigns/campaignsApi';
import { describeAiError, SparkleIcon } from '../ai/components/aiShared';
import { OfflineBadge, RunStatus, useAiRun } from '../campaigns/campaignsShared';

const tones = ['neutral', 'friendly', 'professional', 'playful', 'bold'] as const;
type Tone = (typeof tones)[number];

/** Inserted words green, removed ones struck through red, the rest as they are. */
export function WordDiffView({ changes, className }: { changes: WordChange[]; className?: string }) {
  return (
    <p className={className ?? 'whitespace-pre-wrap break-words rounded-lg border border-border bg-surface-2/50 p-3 text-sm'} data-testid="optimize-diff">
      {changes.map((change, index) =>
        change.op === 'insert' ? (
          <ins key={index} className="bg-success/15 no-underline">
            {change.text}
          </ins>
        ) : change.op === 'delete' ? (
          <del key={index} className="bg-danger/15">
            {change.text}
          </del>
        ) : (
          <span key={index}>{change.text}</span>
        ),
      )}
    </p>
  );
}

/**
 * "Optimize with AI" for one network's text: the copywriter rewrites it in a tone, under the
 * campaign-optimization review policy. The suggestion is shown as a word diff against the text as it is now;
 * "Apply" puts it into the network's text (saving makes the new revision). A suggestion waiting for review
 * can be applied once a reviewer approves it.
 */
export function OptimizePanel({ postId, network, text, disabled, onApply }: { postId: string | null; network: ContentNetwork; text: string; disabled: boolean; onApply: (text: string) => void }) {
  const { t } = useTranslation();
  const [tone, setTone] = useState<Tone>('neutral');
  const [first, setFirst] = useState<AiRun | null>(null);
  const run = useAiRun(first?.id ?? null, first);
  const start = useMutation({
    mutationFn: () =>
      aiApi.runAgent('copywriter', {
        input: { text, network, tone },
        workflowType: 'campaign_optimization',
        subject: postId ? { type: 'post', id: postId } : null,
      }),
    onSuccess: (created) => setFirst(created),
  });
  const current = run.data ?? null;
  const suggestion = copywriterSuggestionOf(current);
  const changes = useMemo(() => (suggestion === null ? [] : wordDiff(text, suggestion)), [text, suggestion]);
  const phase = current ? runPhaseOf(current.status) : null;
  const applied = suggestion !== null && suggestion === text;

  return (
    <section className="flex flex-col gap-3 rounded-lg border border-border p-4" aria-label={t('aiStudio.optimize.title', { network: networkRules[network].displayName })} data-testid="optimize-panel">
      <div className="flex flex-wrap items-end gap-3">
        <h3 className="flex w-full items-center gap-1.5 text-sm font-semibold">
          <SparkleIcon className="size-4 text-primary" /> {t('aiStudio.optimize.title', { network: networkRules[network].displayName })}
        </h3>
        <Field label={t('aiStudio.optimize.tone')} className="min-w-40">
          <Select value={tone} disabled={disabled} onChange={(event) => setTone(event.target.value as Tone)}>
            {tones.map((option) => (
              <option key={option} value={option}>
                {t(`aiStudio.optimize.tones.${option}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Button variant="secondary" disabled={disabled || !text.trim()} loading={start.isPending} onClick={() => start.mutate()}>
          {t('aiStudio.optimize.run')}
        </Button>
      </div>
      {!text.trim() && <p className="text-xs text-muted">{t('aiStudio.optimize.needsText')}</p>}
      {start.isError && (
        <p className="text-sm text-danger" role="alert">
          {describeAiError(start.error)}
        </p>
      )}
      {current && (
        <div className="flex flex-col gap-3">
          {phase !== 'done' && <RunStatus run={current} />}
          {suggestion !== null && phase !== 'stopped' && (
            <>
              <div className="flex flex-wrap items-center gap-2 text-xs text-muted">
                <span>{t('aiStudio.optimize.diffLegend')}</span>
                {phase === 'done' && <OfflineBadge explanation={current.explanation} />}
              </div>
              <WordDiffView changes={changes} />
              {current.explanation && <p className="text-xs text-muted">{current.explanation}</p>}
              {phase === 'done' ? (
                <div className="flex flex-wrap items-center gap-2">
                  <Button size="sm" disabled={disabled || applied} onClick={() => onApply(suggestion)}>
                    {t('aiStudio.optimize.apply')}
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setFirst(null)}>
                    {t('aiStudio.optimize.discard')}
                  </Button>
                  {applied && (
                    <span className="text-xs text-success" role="status">
                      {t('aiStudio.optimize.applied')}
                    </span>
                  )}
                </div>
              ) : (
                <p className="text-xs text-muted">{t('aiStudio.optimize.waitingForReview')}</p>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
