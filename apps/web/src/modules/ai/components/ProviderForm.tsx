import { updateAiProviderSettingsBodySchema, type AiProviderSettings, type AiSettingsTestResult, type UpdateAiProviderSettingsBody } from '@omni/contracts/ai';
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { translateMessage } from '../../../shared/i18n/i18n';
import { useForm } from '../../../shared/forms/useForm';
import { Badge, Button, Checkbox, Field, Input, Select } from '../../../shared/ui';
import { PlusIcon } from '../../../shared/ui/icons';
import { aiProviderKinds, providerBodyOf, providerFormOf, type ProviderFormValues } from '../aiApi';
import { describeAiError, useAgentName } from './aiShared';

type FormValues = ProviderFormValues & { removeKey: boolean };

/** Server and schema paths (provider.baseUrl, models.copywriter) → the form field that shows the message. */
function fieldOf(path: string[]): string {
  const rest = path[0] === 'provider' ? path.slice(1) : path;
  return rest[0] === 'models' ? 'overrides' : (rest[0] ?? '');
}

const placeholders: Record<string, string> = { 'openai-compatible': 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com/v1' };

/**
 * A provider's settings (kind, base URL, key, default model, per-agent models, requests per minute) with
 * "Test connection" — the tenant's own provider and the platform default share it. The stored key is never
 * shown: its last four characters are the hint, and an empty key field keeps it.
 */
export function ProviderForm({
  settings,
  agentIds,
  submitLabel,
  onSave,
  onTest,
  extraFields,
  secondaryAction,
}: {
  settings: AiProviderSettings | null;
  agentIds: string[];
  submitLabel: string;
  onSave: (body: UpdateAiProviderSettingsBody) => Promise<unknown>;
  /** Lists the endpoint's models with the form's settings (a key left empty: the stored one); absent: no test button. */
  onTest?: (body: UpdateAiProviderSettingsBody) => Promise<AiSettingsTestResult>;
  extraFields?: ReactNode;
  secondaryAction?: ReactNode;
}) {
  const { t } = useTranslation();
  const agentName = useAgentName();
  const listId = useId();
  const [test, setTest] = useState<{ busy: boolean; result: AiSettingsTestResult | null; error: string | null }>({ busy: false, result: null, error: null });
  const toBody = (values: FormValues) => {
    const body = providerBodyOf(values);
    return values.removeKey && body.apiKey === undefined && body.kind !== 'offline' ? { ...body, apiKey: null } : body;
  };
  const form = useForm<FormValues, UpdateAiProviderSettingsBody>({
    initialValues: { ...providerFormOf(settings), removeKey: false },
    schema: updateAiProviderSettingsBodySchema,
    toInput: toBody,
    fieldOf,
    onSubmit: async (body) => {
      await onSave(body);
      form.setField('apiKey', '');
      form.setField('removeKey', false);
    },
  });
  const { values, errors, setField } = form;
  const offline = values.kind === 'offline';
  const keyHint = settings && settings.kind !== 'offline' ? settings.keyHint : null;

  async function runTest() {
    if (!onTest) return;
    const parsed = updateAiProviderSettingsBodySchema.safeParse(toBody(values));
    if (!parsed.success) {
      setTest({ busy: false, result: null, error: translateMessage(parsed.error.issues[0]?.message ?? '') });
      return;
    }
    setTest({ busy: true, result: null, error: null });
    try {
      setTest({ busy: false, result: await onTest(parsed.data), error: null });
    } catch (error) {
      setTest({ busy: false, result: null, error: describeAiError(error) });
    }
  }

  const setOverride = (index: number, patch: Partial<FormValues['overrides'][number]>) =>
    setField(
      'overrides',
      values.overrides.map((row, at) => (at === index ? { ...row, ...patch } : row)),
    );

  return (
    <form className="flex flex-col gap-4" onSubmit={(event) => void form.handleSubmit(event)} noValidate data-testid="ai-provider-form">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('ai.provider.kind')} hint={t(`ai.kindHints.${values.kind}`)} error={errors.kind}>
          <Select value={values.kind} onChange={(event) => setField('kind', event.target.value as FormValues['kind'])}>
            {aiProviderKinds.map((kind) => (
              <option key={kind} value={kind}>
                {t(`ai.kinds.${kind}`)}
              </option>
            ))}
          </Select>
        </Field>
        {!offline && (
          <Field label={t('ai.provider.defaultModel')} hint={t('ai.provider.defaultModelHint')} error={errors.defaultModel}>
            <Input value={values.defaultModel} placeholder={values.kind === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4o-mini'} onChange={(event) => setField('defaultModel', event.target.value)} />
          </Field>
        )}
      </div>
      {!offline && (
        <>
          <Field
            label={t('ai.provider.baseUrl')}
            hint={values.kind === 'anthropic' ? t('ai.provider.baseUrlAnthropicHint') : t('ai.provider.baseUrlHint')}
            error={errors.baseUrl}
          >
            <Input type="url" value={values.baseUrl} placeholder={placeholders[values.kind]} onChange={(event) => setField('baseUrl', event.target.value)} />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field
              label={t('ai.provider.apiKey')}
              hint={keyHint ? t('ai.provider.apiKeyKeepHint', { hint: keyHint }) : t('ai.provider.apiKeyHint')}
              error={errors.apiKey}
            >
              <Input
                type="password"
                autoComplete="new-password"
                value={values.apiKey}
                placeholder={keyHint ? `•••• ${keyHint}` : ''}
                disabled={values.removeKey}
                onChange={(event) => setField('apiKey', event.target.value)}
              />
            </Field>
            <Field label={t('ai.provider.requestsPerMinute')} hint={t('ai.provider.requestsPerMinuteHint')} error={errors.requestsPerMinute}>
              <Input type="number" min={1} max={100000} step={1} value={values.requestsPerMinute} onChange={(event) => setField('requestsPerMinute', event.target.value)} />
            </Field>
          </div>
          {keyHint && !values.apiKey && <Checkbox label={t('ai.provider.removeKey')} checked={values.removeKey} onChange={(event) => setField('removeKey', event.target.checked)} />}
          <fieldset className="flex flex-col gap-2">
            <legend className="text-sm font-medium">{t('ai.provider.overrides')}</legend>
            <p className="text-xs text-muted">{t('ai.provider.overridesHint')}</p>
            {values.overrides.map((row, index) => (
              <div key={index} className="flex flex-wrap items-center gap-2" data-testid="model-override">
                <Input className="min-w-0 flex-1" list={listId} value={row.agent} placeholder={t('ai.provider.overrideAgent')} aria-label={t('ai.provider.overrideAgentFor', { number: index + 1 })} onChange={(event) => setOverride(index, { agent: event.target.value })} />
                <Input className="min-w-0 flex-1" value={row.model} placeholder={t('ai.provider.overrideModel')} aria-label={t('ai.provider.overrideModelFor', { number: index + 1 })} onChange={(event) => setOverride(index, { model: event.target.value })} />
                <Button size="sm" variant="ghost-danger" onClick={() => setField('overrides', values.overrides.filter((_, at) => at !== index))} aria-label={t('ai.provider.removeOverrideFor', { number: index + 1 })}>
                  {t('ai.provider.removeOverride')}
                </Button>
              </div>
            ))}
            <datalist id={listId}>
              {agentIds.map((agent) => (
                <option key={agent} value={agent}>
                  {agentName(agent)}
                </option>
              ))}
            </datalist>
            {errors.overrides && <p className="text-xs font-medium text-danger" role="alert">{errors.overrides}</p>}
            <div>
              <Button size="sm" variant="secondary" onClick={() => setField('overrides', [...values.overrides, { agent: '', model: '' }])}>
                <PlusIcon /> {t('ai.provider.addOverride')}
              </Button>
            </div>
          </fieldset>
        </>
      )}
      {extraFields}
      <div className="flex flex-wrap items-center gap-2 border-t border-border pt-4">
        <Button type="submit" loading={form.submitting}>
          {submitLabel}
        </Button>
        {onTest && (
          <Button variant="secondary" loading={test.busy} onClick={() => void runTest()}>
            {t('ai.provider.test')}
          </Button>
        )}
        <span className="flex-1" />
        {secondaryAction}
      </div>
      {(test.result || test.error) && <TestResult result={test.result} error={test.error} />}
    </form>
  );
}

const shownModels = 12;

function TestResult({ result, error }: { result: AiSettingsTestResult | null; error: string | null }) {
  const { t } = useTranslation();
  const ok = result?.ok ?? false;
  return (
    <div className={ok ? 'rounded-lg border border-success/40 bg-success/5 p-3 text-sm' : 'rounded-lg border border-danger/40 bg-danger/5 p-3 text-sm'} role={ok ? 'status' : 'alert'} data-testid="ai-test-result">
      <p className="font-medium">{ok ? t('ai.provider.testOk', { count: result!.models.length }) : t('ai.provider.testFailed')}</p>
      {!ok && <p className="mt-1 text-muted">{error ?? result?.message}</p>}
      {ok && result!.models.length > 0 && (
        <div className="mt-2 flex flex-wrap gap-1.5">
          {result!.models.slice(0, shownModels).map((model) => (
            <Badge key={model}>{model}</Badge>
          ))}
          {result!.models.length > shownModels && <Badge tone="primary">{t('ai.provider.moreModels', { count: result!.models.length - shownModels })}</Badge>}
        </div>
      )}
    </div>
  );
}
