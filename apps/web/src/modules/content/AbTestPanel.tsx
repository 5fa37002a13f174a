import type { ContentNetwork } from '@omni/contracts/content';
import type { AbOutcome } from '@omni/contracts/content-recurrence';
import { networkRules } from '@omni/contracts/network-rules';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, Button, Card, CardBody, CardHeader, Checkbox, Field, Input, Select, Skeleton, Textarea, useToast } from '../../shared/ui';
import { recurrenceApi } from './recurrenceApi';

/** The editor's A/B settings: the network tested, minutes between A and B, and B's text (A is the network's text). */
export type AbDraft = { network: ContentNetwork; gapMinutes: string; textB: string };

/** The A/B toggle of the post editor: two versions on one network of the destinations, B `gap` minutes later. */
export function AbTestEditor({
  value,
  onChange,
  networks,
  defaultGapMinutes,
  disabled = false,
  blockedReason = null,
}: {
  value: AbDraft | null;
  onChange: (next: AbDraft | null) => void;
  networks: ContentNetwork[];
  defaultGapMinutes: number;
  disabled?: boolean;
  /** Why there can be no A/B test (a repeating post). */
  blockedReason?: string | null;
}) {
  const { t } = useTranslation();
  const first = networks[0];
  return (
    <fieldset className="flex flex-col gap-3 rounded-lg border border-border p-4" disabled={disabled} data-testid="ab-editor">
      <legend className="px-1 text-sm font-medium">{t('content.ab.title')}</legend>
      <Checkbox
        label={t('content.ab.toggle')}
        checked={value !== null}
        disabled={(blockedReason !== null || !first) && value === null}
        onChange={(event) => onChange(event.target.checked && first ? { network: first, gapMinutes: String(defaultGapMinutes), textB: '' } : null)}
      />
      <p className="text-xs text-muted">{value === null && blockedReason ? blockedReason : t('content.ab.hint')}</p>
      {value && (
        <>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t('content.ab.network')}>
              <Select value={value.network} onChange={(event) => onChange({ ...value, network: event.target.value as ContentNetwork })}>
                {networks.map((network) => (
                  <option key={network} value={network}>
                    {networkRules[network].displayName}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('content.ab.gap')} hint={t('content.ab.gapHint')}>
              <Input type="number" min={1} max={20160} value={value.gapMinutes} onChange={(event) => onChange({ ...value, gapMinutes: event.target.value })} />
            </Field>
          </div>
          <Field label={t('content.ab.textB', { network: networkRules[value.network].displayName })} hint={t('content.ab.textBHint')}>
            <Textarea rows={4} value={value.textB} onChange={(event) => onChange({ ...value, textB: event.target.value })} data-testid="ab-text-b" />
          </Field>
        </>
      )}
    </fieldset>
  );
}

function VariantResult({ outcome, label }: { outcome: AbOutcome; label: 'A' | 'B' }) {
  const { t } = useTranslation();
  const result = outcome.result?.[label];
  return (
    <div className="flex flex-col gap-1 rounded-lg border border-border p-3 text-sm">
      <div className="flex items-center gap-2 font-medium">
        {t('content.ab.version', { label })}
        {outcome.winnerLabel === label && <Badge tone="success">{t('content.ab.winner')}</Badge>}
      </div>
      {result ? (
        <dl className="grid grid-cols-2 gap-x-2 text-xs">
          <dt className="text-muted">{t('content.ab.engagement')}</dt>
          <dd>{result.engagement}</dd>
          <dt className="text-muted">{t('content.ab.impressions')}</dt>
          <dd>{result.impressions ?? '—'}</dd>
          <dt className="text-muted">{t('content.ab.score')}</dt>
          <dd>{outcome.result?.metric === 'engagement_rate' ? `${(result.score * 100).toFixed(2)} %` : result.score}</dd>
        </dl>
      ) : (
        <p className="text-xs text-muted">{t('content.ab.noNumbers')}</p>
      )}
    </div>
  );
}

/** A published A/B post: the comparison (73 h after B), the winner, and "Mark as winner" for editors. */
export function AbResultPanel({ postId, canDecide, timeZone }: { postId: string; canDecide: boolean; timeZone: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const outcome = useQuery({ queryKey: ['content', 'ab', postId], queryFn: () => recurrenceApi.abOutcome(postId) });
  const mark = useMutation({
    mutationFn: (variantId: string) => recurrenceApi.markWinner(postId, variantId),
    onSuccess: async (next) => {
      queryClient.setQueryData(['content', 'ab', postId], next);
      toast.show(t('content.ab.marked', { label: next.winnerLabel }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['content', 'post', postId] });
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });

  return (
    <Card>
      <CardHeader title={t('content.ab.resultTitle')} description={outcome.data?.result ? t(`content.ab.metrics.${outcome.data.result.metric}`) : t('content.ab.pending')} />
      <CardBody className="flex flex-col gap-3">
        {outcome.isPending ? (
          <Skeleton className="h-24" />
        ) : outcome.isError ? (
          <p className="text-sm text-danger" role="alert">
            {describeError(outcome.error)}
          </p>
        ) : (
          <>
            <div className="grid gap-3 sm:grid-cols-2">
              <VariantResult outcome={outcome.data} label="A" />
              <VariantResult outcome={outcome.data} label="B" />
            </div>
            {outcome.data.result?.tie && outcome.data.winnerLabel === null && <p className="text-sm">{t('content.ab.tie')}</p>}
            {outcome.data.decidedAt && outcome.data.winnerLabel && (
              <p className="text-xs text-muted">
                {outcome.data.decidedBy ? t('content.ab.decidedByPerson', { at: formatDateTime(outcome.data.decidedAt, timeZone) }) : t('content.ab.decidedAutomatically', { at: formatDateTime(outcome.data.decidedAt, timeZone) })}
              </p>
            )}
            {canDecide && (
              <div className="flex flex-wrap gap-2">
                {outcome.data.variants
                  .filter((variant) => variant.id !== outcome.data.winnerVariantId)
                  .map((variant) => (
                    <Button key={variant.id} size="sm" variant="secondary" loading={mark.isPending && mark.variables === variant.id} onClick={() => mark.mutate(variant.id)}>
                      {t('content.ab.markWinner', { label: variant.label })}
                    </Button>
                  ))}
              </div>
            )}
          </>
        )}
      </CardBody>
    </Card>
  );
}
