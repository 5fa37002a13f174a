import type { AiBudget } from '@omni/contracts/ai';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Card, CardBody, CardHeader, Checkbox, Field, Input, Skeleton, cn, useToast } from '../../../shared/ui';
import { ErrorRow } from '../../team/TeamPage';
import { aiApi, budgetProgress, formatUsd, parseUsd, usdInputOf } from '../aiApi';
import { describeAiError } from './aiShared';

/** The monthly budget: limit in USD (empty: no cap), alert line, hard stop, and the month's spend so far. */
export function BudgetCard({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const budget = useQuery({ queryKey: ['ai', 'budget'], queryFn: aiApi.budget });
  return (
    <Card>
      <CardHeader title={t('ai.budget.title')} description={t('ai.budget.description')} />
      <CardBody>
        {budget.isPending ? (
          <Skeleton className="h-32" />
        ) : budget.isError ? (
          <ErrorRow error={budget.error} retry={() => void budget.refetch()} />
        ) : (
          <BudgetForm budget={budget.data} canManage={canManage} />
        )}
      </CardBody>
    </Card>
  );
}

function BudgetForm({ budget, canManage }: { budget: AiBudget; canManage: boolean }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [limit, setLimit] = useState(usdInputOf(budget.monthlyLimitMicros));
  const [alertAt, setAlertAt] = useState(String(budget.alertAtPercent));
  const [hardStop, setHardStop] = useState(budget.hardStop);
  const [errors, setErrors] = useState<{ limit?: string; alertAt?: string }>({});
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    setLimit(usdInputOf(budget.monthlyLimitMicros));
    setAlertAt(String(budget.alertAtPercent));
    setHardStop(budget.hardStop);
  }, [budget.monthlyLimitMicros, budget.alertAtPercent, budget.hardStop]);

  const progress = budgetProgress(budget);
  const bar = { none: 'bg-primary', ok: 'bg-success', alert: 'bg-warning', exceeded: 'bg-danger' }[progress.state];

  async function save() {
    const monthlyLimitMicros = parseUsd(limit);
    const percent = Number(alertAt);
    const next = {
      limit: monthlyLimitMicros === undefined ? t('ai.budget.limitInvalid') : undefined,
      alertAt: Number.isInteger(percent) && percent >= 1 && percent <= 100 ? undefined : t('ai.budget.alertInvalid'),
    };
    setErrors(next);
    if (next.limit || next.alertAt || monthlyLimitMicros === undefined) return;
    setSaving(true);
    try {
      const saved = await aiApi.updateBudget({ monthlyLimitMicros, alertAtPercent: percent, hardStop });
      queryClient.setQueryData(['ai', 'budget'], saved);
      toast.show(t('ai.budget.saved'), 'success');
    } catch (error) {
      toast.show(describeAiError(error), 'error');
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="flex flex-col gap-5">
      <div data-testid="ai-budget-progress">
        <div className="mb-1.5 flex flex-wrap items-baseline justify-between gap-2 text-sm">
          <span>
            <span className="text-lg font-semibold tabular-nums">{formatUsd(budget.monthToDateCostMicros)}</span>{' '}
            <span className="text-muted">
              {budget.monthlyLimitMicros === null ? t('ai.budget.spentNoCap') : t('ai.budget.spentOf', { limit: formatUsd(budget.monthlyLimitMicros) })}
            </span>
          </span>
          {progress.percent !== null && (
            <span className={cn('font-medium tabular-nums', progress.state === 'exceeded' ? 'text-danger' : progress.state === 'alert' ? 'text-warning' : 'text-muted')}>
              {t(`ai.budget.states.${progress.state}`, { percent: Math.round(progress.percent) })}
            </span>
          )}
        </div>
        {progress.percent !== null && (
          <div
            className="relative h-2.5 rounded-full bg-surface-2"
            role="progressbar"
            aria-label={t('ai.budget.progressLabel')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.min(100, Math.round(progress.percent))}
          >
            <div className={cn('h-full rounded-full', bar)} style={{ width: `${Math.min(100, Math.max(progress.percent > 0 ? 1 : 0, progress.percent))}%` }} />
            <div className="absolute -top-1 -bottom-1 w-0.5 bg-fg/60" style={{ left: `${budget.alertAtPercent}%` }} title={t('ai.budget.alertMark', { percent: budget.alertAtPercent })} />
          </div>
        )}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('ai.budget.limit')} hint={t('ai.budget.limitHint')} error={errors.limit}>
          <Input inputMode="decimal" value={limit} placeholder={t('ai.budget.noCap')} disabled={!canManage} onChange={(event) => setLimit(event.target.value)} />
        </Field>
        <Field label={t('ai.budget.alertAt')} hint={t('ai.budget.alertAtHint')} error={errors.alertAt}>
          <Input type="number" min={1} max={100} value={alertAt} disabled={!canManage} onChange={(event) => setAlertAt(event.target.value)} />
        </Field>
      </div>
      <div>
        <Checkbox label={t('ai.budget.hardStop')} checked={hardStop} disabled={!canManage} onChange={(event) => setHardStop(event.target.checked)} />
        <p className="mt-1 pl-6 text-xs text-muted">{hardStop ? t('ai.budget.hardStopOn') : t('ai.budget.hardStopOff')}</p>
      </div>
      {canManage && (
        <div>
          <Button loading={saving} onClick={() => void save()}>
            {t('ai.budget.save')}
          </Button>
        </div>
      )}
    </div>
  );
}
