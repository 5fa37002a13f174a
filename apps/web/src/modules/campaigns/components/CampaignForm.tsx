import { campaignGoalSchema, campaignKpiMetricSchema, type CampaignGoal, type CampaignKpiMetric, type CreateCampaignBody } from '@omni/contracts/campaigns';
import { networkRules } from '@omni/contracts/network-rules';
import { socialNetworkIdSchema } from '@omni/contracts/social';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useForm } from '../../../shared/forms/useForm';
import { Button, Dialog, Field, Input, Select, Textarea } from '../../../shared/ui';
import { FormFooter } from '../../feeds/feedsShared';
import { socialApi } from '../../social/socialApi';
import { campaignBodyOf, campaignFormSchema, type CampaignFormValues } from '../campaignsApi';
import { NetworkIcon } from '../campaignsShared';

/**
 * A campaign's fields, validated with the contract's schema before sending; the server's field errors land
 * next to their fields. `compact` leaves out budget and KPIs (the AI studio's brief step).
 */
export function CampaignForm({
  formId,
  initial,
  compact = false,
  onSubmit,
  footer,
}: {
  formId: string;
  initial: CampaignFormValues;
  compact?: boolean;
  onSubmit: (body: CreateCampaignBody) => Promise<unknown>;
  footer?: (submitting: boolean) => ReactNode;
}) {
  const { t } = useTranslation();
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections });
  const connected = new Set((connections.data?.items ?? []).filter((connection) => connection.status !== 'disconnected').map((connection) => connection.network));
  const { values, setField, errors, submitting, handleSubmit } = useForm<CampaignFormValues, CreateCampaignBody>({
    initialValues: initial,
    schema: campaignFormSchema,
    toInput: campaignBodyOf,
    onSubmit: (body) => onSubmit(body),
    fieldOf: (path) => (path[0] === 'budgetMicros' ? 'budget' : (path[0] ?? '')),
  });
  const setKpi = (index: number, next: Partial<CampaignFormValues['kpis'][number]>) =>
    setField(
      'kpis',
      values.kpis.map((kpi, position) => (position === index ? { ...kpi, ...next } : kpi)),
    );

  return (
    <form id={formId} className="flex flex-col gap-4" noValidate onSubmit={(event) => void handleSubmit(event)}>
      <Field label={t('campaigns.form.name')} error={errors.name}>
        <Input value={values.name} maxLength={200} onChange={(event) => setField('name', event.target.value)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('campaigns.form.goal')} error={errors.goal}>
          <Select value={values.goal} onChange={(event) => setField('goal', event.target.value as CampaignGoal)}>
            {campaignGoalSchema.options.map((goal) => (
              <option key={goal} value={goal}>
                {t(`campaigns.goals.${goal}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('campaigns.form.audience')} hint={t('campaigns.form.audienceHint')} error={errors.audience}>
          <Input value={values.audience} maxLength={1000} onChange={(event) => setField('audience', event.target.value)} />
        </Field>
      </div>
      <fieldset className="flex flex-col gap-2" aria-describedby={errors.channels ? `${formId}-channels-error` : undefined}>
        <legend className="mb-1 text-sm font-medium">{t('campaigns.form.channels')}</legend>
        <div className="grid gap-2 sm:grid-cols-3">
          {socialNetworkIdSchema.options.map((network) => (
            <label key={network} className="flex cursor-pointer items-center gap-2 rounded-lg border border-border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5">
              <input
                type="checkbox"
                className="size-4 accent-[var(--ui-primary)]"
                checked={values.channels.includes(network)}
                onChange={(event) => setField('channels', event.target.checked ? [...values.channels, network] : values.channels.filter((value) => value !== network))}
              />
              <NetworkIcon network={network} className="size-5" />
              <span className="flex flex-col leading-tight">
                <span>{networkRules[network].displayName}</span>
                {connected.has(network) && <span className="text-xs text-success">{t('campaigns.form.connected')}</span>}
              </span>
            </label>
          ))}
        </div>
        {errors.channels && (
          <p id={`${formId}-channels-error`} className="text-xs font-medium text-danger" role="alert">
            {errors.channels}
          </p>
        )}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('campaigns.form.startsOn')} error={errors.startsOn}>
          <Input type="date" value={values.startsOn} onChange={(event) => setField('startsOn', event.target.value)} />
        </Field>
        <Field label={t('campaigns.form.endsOn')} error={errors.endsOn}>
          <Input type="date" value={values.endsOn} onChange={(event) => setField('endsOn', event.target.value)} />
        </Field>
      </div>
      {!compact && (
        <>
          <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
            <Field label={t('campaigns.form.budget')} hint={t('campaigns.form.budgetHint')} error={errors.budget}>
              <Input inputMode="decimal" value={values.budget} onChange={(event) => setField('budget', event.target.value)} />
            </Field>
            <Field label={t('campaigns.form.currency')} error={errors.currency}>
              <Input value={values.currency} maxLength={3} className="w-full uppercase" onChange={(event) => setField('currency', event.target.value)} />
            </Field>
          </div>
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">{t('campaigns.form.kpis')}</legend>
            {values.kpis.length === 0 && <p className="text-xs text-muted">{t('campaigns.form.noKpis')}</p>}
            {values.kpis.map((kpi, index) => (
              <div key={index} className="grid grid-cols-[1fr_1fr_auto] items-end gap-2" data-testid="kpi-row">
                <Field label={t('campaigns.form.kpiMetric')}>
                  <Select value={kpi.metric} onChange={(event) => setKpi(index, { metric: event.target.value as CampaignKpiMetric })}>
                    {campaignKpiMetricSchema.options.map((metric) => (
                      <option key={metric} value={metric}>
                        {t(`campaigns.metrics.${metric}`)}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label={kpi.metric === 'engagement_rate' ? t('campaigns.form.kpiTargetPercent') : t('campaigns.form.kpiTarget')}>
                  <Input inputMode="decimal" value={kpi.target} onChange={(event) => setKpi(index, { target: event.target.value })} />
                </Field>
                <Button
                  variant="ghost-danger"
                  aria-label={t('campaigns.form.removeKpi', { metric: t(`campaigns.metrics.${kpi.metric}`) })}
                  onClick={() => setField('kpis', values.kpis.filter((_, position) => position !== index))}
                >
                  ×
                </Button>
              </div>
            ))}
            {errors.kpis && (
              <p className="text-xs font-medium text-danger" role="alert">
                {errors.kpis}
              </p>
            )}
            {values.kpis.length < 10 && (
              <div>
                <Button size="sm" variant="secondary" onClick={() => setField('kpis', [...values.kpis, { metric: 'impressions', target: '' }])}>
                  {t('campaigns.form.addKpi')}
                </Button>
              </div>
            )}
          </fieldset>
        </>
      )}
      <Field label={t('campaigns.form.brief')} hint={t('campaigns.form.briefHint')} error={errors.brief}>
        <Textarea rows={compact ? 5 : 4} maxLength={5000} value={values.brief} onChange={(event) => setField('brief', event.target.value)} />
      </Field>
      {errors.form && (
        <p className="text-sm text-danger" role="alert">
          {errors.form}
        </p>
      )}
      {footer?.(submitting)}
    </form>
  );
}

/** The campaign form in a dialog (new campaign, edit): Cancel and the submit button spinning while it saves. */
export function CampaignFormDialog({
  open,
  onClose,
  formId,
  title,
  description,
  submitLabel,
  initial,
  onSubmit,
}: {
  open: boolean;
  onClose: () => void;
  formId: string;
  title: string;
  description?: string;
  submitLabel: string;
  initial: CampaignFormValues;
  onSubmit: (body: CreateCampaignBody) => Promise<unknown>;
}) {
  const [saving, setSaving] = useState(false);
  return (
    <Dialog open={open} onClose={onClose} title={title} description={description} className="sm:max-w-2xl" footer={<FormFooter formId={formId} submitLabel={submitLabel} busy={saving} onCancel={onClose} />}>
      <CampaignForm
        formId={formId}
        initial={initial}
        onSubmit={async (body) => {
          setSaving(true);
          try {
            await onSubmit(body);
          } finally {
            setSaving(false);
          }
        }}
      />
    </Dialog>
  );
}
