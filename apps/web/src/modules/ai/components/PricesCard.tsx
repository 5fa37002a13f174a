import { upsertAiPriceBodySchema, type AiModelUsage, type AiPrice, type AiPriceList, type AiProviderKindName, type UpsertAiPriceBody } from '@omni/contracts/ai';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useForm } from '../../../shared/forms/useForm';
import { translateMessage } from '../../../shared/i18n/i18n';
import { formatNumber } from '../../../shared/lib/format';
import { Badge, Button, Card, cn, CardBody, CardHeader, Dialog, EmptyState, Field, Input, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../../shared/ui';
import { PlusIcon } from '../../../shared/ui/icons';
import { ErrorRow } from '../../team/TeamPage';
import { aiApi, formatUsd, priceBodyOf, priceDraftOf, type PriceDraft } from '../aiApi';
import { describeAiError, InlineNote } from './aiShared';

const queryKey = ['ai', 'platform', 'prices'];
/** Offline runs are free by definition: the server refuses a price for them. */
const pricedKinds: AiProviderKindName[] = ['openai-compatible', 'anthropic'];
const isPricedKind = (provider: string): provider is AiProviderKindName => (pricedKinds as string[]).includes(provider);
const keyOf = (price: { provider: string; model: string }) => `${price.provider}/${price.model}`;

/** Which editor is open: a new price (maybe prefilled from an unpriced model), or an existing one by key. */
type Editing = { kind: 'new'; draft: PriceDraft } | { kind: 'edit'; key: string } | null;

/**
 * The model prices (super admins): what runs cost per million tokens on every workspace, edited inline,
 * with each price's calls and tokens over 30 days, and the models run without a price (recorded as free).
 */
export function PricesCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const prices = useQuery({ queryKey, queryFn: aiApi.platformPrices });
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<AiPrice | null>(null);
  const apply = (list: AiPriceList) => queryClient.setQueryData(queryKey, list);
  const startNew = (draft: Partial<PriceDraft> = {}) => setEditing({ kind: 'new', draft: { ...priceDraftOf({ provider: 'openai-compatible', model: '' }), ...draft } });
  const items = prices.data?.items.filter((price) => isPricedKind(price.provider)) ?? [];

  return (
    <Card>
      <CardHeader
        title={t('ai.platform.prices.title')}
        description={t('ai.platform.prices.description')}
        action={
          prices.data && (
            <Button size="sm" variant="secondary" onClick={() => startNew()} disabled={editing?.kind === 'new'}>
              <PlusIcon /> {t('ai.platform.prices.add')}
            </Button>
          )
        }
      />
      <CardBody className="flex flex-col gap-4">
        {editing?.kind === 'new' && (
          <div className="rounded-xl border border-border bg-surface-2/40 p-4">
            <PriceEditor key={keyOf(editing.draft)} draft={editing.draft} isNew onSaved={apply} onClose={() => setEditing(null)} />
          </div>
        )}
        {prices.isPending ? (
          <TableSkeleton columns={6} rows={5} />
        ) : prices.isError ? (
          <ErrorRow error={prices.error} retry={() => void prices.refetch()} />
        ) : editing?.kind === 'new' && items.length === 0 ? null : items.length === 0 ? (
          <EmptyState
            title={t('ai.platform.prices.empty')}
            description={t('ai.platform.prices.emptyDescription')}
            action={
              <Button onClick={() => startNew()}>
                <PlusIcon /> {t('ai.platform.prices.add')}
              </Button>
            }
          />
        ) : (
          <Table caption={t('ai.platform.prices.title')}>
            <THead>
              <tr>
                <Th>{t('ai.platform.prices.provider')}</Th>
                <Th>{t('ai.platform.prices.model')}</Th>
                <Th className="min-w-28 text-right">{t('ai.platform.prices.inputColumn')}</Th>
                <Th className="min-w-28 text-right">{t('ai.platform.prices.outputColumn')}</Th>
                <Th className="text-right">{t('ai.platform.prices.usage')}</Th>
                <Th>
                  <span className="sr-only">{t('common.actions')}</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {items.map((price) =>
                editing?.kind === 'edit' && editing.key === keyOf(price) ? (
                  <tr key={keyOf(price)} className="bg-surface-2/40">
                    <td colSpan={6} className="px-4 py-3">
                      <PriceEditor draft={priceDraftOf(price)} isNew={false} onSaved={apply} onClose={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <Tr key={keyOf(price)} data-testid="ai-price-row" data-model={price.model}>
                    <Td className="text-muted">{t(`ai.kinds.${price.provider}`)}</Td>
                    <Td className="min-w-40 font-mono text-xs [overflow-wrap:anywhere]">{price.model}</Td>
                    <Td className="text-right tabular-nums">{formatUsd(price.inputMicrosPerMillion)}</Td>
                    <Td className="text-right tabular-nums">{formatUsd(price.outputMicrosPerMillion)}</Td>
                    <Td className="text-right">
                      <UsageSummary usage={price.usage30d} />
                    </Td>
                    <Td className="whitespace-nowrap text-right">
                      <Button size="sm" variant="ghost" onClick={() => setEditing({ kind: 'edit', key: keyOf(price) })} aria-label={t('ai.platform.prices.editFor', { model: price.model })}>
                        {t('ai.platform.prices.edit')}
                      </Button>
                      <Button size="sm" variant="ghost-danger" onClick={() => setRemoving(price)} aria-label={t('ai.platform.prices.removeFor', { model: price.model })}>
                        {t('ai.platform.prices.remove')}
                      </Button>
                    </Td>
                  </Tr>
                ),
              )}
            </TBody>
          </Table>
        )}
        {prices.data && <p className="text-xs text-muted">{t('ai.platform.prices.offlineFree')}</p>}
        {prices.data && prices.data.unpriced.length > 0 && <UnpricedModels models={prices.data.unpriced} onPrice={(provider, model) => startNew({ provider, model })} />}
      </CardBody>
      <RemovePriceDialog price={removing} onClose={() => setRemoving(null)} onRemoved={apply} />
    </Card>
  );
}

function UsageSummary({ usage }: { usage: AiModelUsage }) {
  const { t } = useTranslation();
  if (usage.calls === 0) return <span className="text-xs text-muted">{t('ai.platform.prices.noUsage')}</span>;
  return (
    <span className="inline-flex flex-col text-xs tabular-nums">
      <span className="whitespace-nowrap">{t('ai.platform.prices.calls', { count: usage.calls, calls: formatNumber(usage.calls) })}</span>
      <span className="whitespace-nowrap text-muted">{t('ai.platform.prices.tokens', { tokens: formatNumber(usage.inputTokens + usage.outputTokens) })}</span>
    </span>
  );
}

const fieldOfPath = (path: string[]) => ({ inputMicrosPerMillion: 'input', outputMicrosPerMillion: 'output' })[path[0] ?? ''] ?? path[0] ?? '';

/** A price being added (above the table) or changed (in its row): Enter saves, errors (the form's and the server's) sit by their field. */
function PriceEditor({ draft, isNew, onSaved, onClose }: { draft: PriceDraft; isNew: boolean; onSaved: (list: AiPriceList) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const form = useForm<PriceDraft, UpsertAiPriceBody>({
    initialValues: draft,
    schema: upsertAiPriceBodySchema,
    toInput: (values) => priceBodyOf(values).body,
    fieldOf: fieldOfPath,
    errorsInline: true,
    onSubmit: async (body) => {
      onSaved(await aiApi.upsertPlatformPrice(body));
      toast.show(t('ai.platform.prices.saved', { model: body.model }), 'success');
      onClose();
    },
  });
  const { values, errors, setField } = form;

  function submit() {
    const { problems } = priceBodyOf(values);
    if (!problems) return void form.handleSubmit();
    const amountError = (problem: string | undefined) => (problem ? t(`ai.platform.prices.amount.${problem}`) : undefined);
    form.setErrors({ model: values.model.trim() ? undefined : translateMessage('Enter a model name.'), input: amountError(problems.input), output: amountError(problems.output) });
  }

  return (
    <form
      className="flex flex-col gap-3"
      data-testid="ai-price-editor"
      aria-label={isNew ? t('ai.platform.prices.newLabel') : t('ai.platform.prices.editFor', { model: draft.model })}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="flex flex-wrap items-start gap-3">
        {isNew ? (
          <Field className="w-full sm:w-52" label={t('ai.platform.prices.provider')} error={errors.provider}>
            <Select value={values.provider} onChange={(event) => setField('provider', event.target.value as AiProviderKindName)}>
              {pricedKinds.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`ai.kinds.${kind}`)}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <ReadOnlyValue className="w-full sm:w-52" label={t('ai.platform.prices.provider')} value={t(`ai.kinds.${draft.provider}`)} />
        )}
        {isNew ? (
          <Field className="min-w-56 flex-1" label={t('ai.platform.prices.model')} hint={t('ai.platform.prices.modelHint')} error={errors.model}>
            <Input value={values.model} placeholder="gpt-4o-mini" autoFocus={!values.model} onChange={(event) => setField('model', event.target.value)} />
          </Field>
        ) : (
          <ReadOnlyValue className="min-w-56 flex-1" label={t('ai.platform.prices.model')} value={draft.model} mono />
        )}
        <Field className="w-full sm:w-40" label={t('ai.platform.prices.input')} hint={t('ai.platform.prices.amountHint')} error={errors.input}>
          <Input inputMode="decimal" value={values.input} autoFocus={Boolean(values.model) || !isNew} onChange={(event) => setField('input', event.target.value)} />
        </Field>
        <Field className="w-full sm:w-40" label={t('ai.platform.prices.output')} hint={t('ai.platform.prices.amountHint')} error={errors.output}>
          <Input inputMode="decimal" value={values.output} onChange={(event) => setField('output', event.target.value)} />
        </Field>
      </div>
      {errors.form && <InlineNote tone="danger">{errors.form}</InlineNote>}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" size="sm" loading={form.submitting}>
          {t('ai.platform.prices.save')}
        </Button>
        <Button size="sm" variant="ghost" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <span className="text-xs text-muted">{t('ai.platform.prices.appliesLater')}</span>
      </div>
    </form>
  );
}

function ReadOnlyValue({ label, value, mono = false, className }: { label: string; value: string; mono?: boolean; className?: string }) {
  return (
    <div className={cn('flex flex-col gap-1.5', className)}>
      <span className="text-sm font-medium">{label}</span>
      <span className={mono ? 'flex min-h-10 items-center font-mono text-xs [overflow-wrap:anywhere]' : 'flex min-h-10 items-center text-sm'}>{value}</span>
    </div>
  );
}

/** Models run lately without a price of their own: each can be priced from here. */
function UnpricedModels({ models, onPrice }: { models: AiPriceList['unpriced']; onPrice: (provider: AiProviderKindName, model: string) => void }) {
  const { t } = useTranslation();
  return (
    <section className="rounded-lg border border-warning/40 bg-warning/5 p-3" aria-labelledby="ai-unpriced-title" data-testid="ai-unpriced">
      <h3 id="ai-unpriced-title" className="text-sm font-medium">
        {t('ai.platform.prices.unpricedTitle')}
      </h3>
      <p className="mt-0.5 text-xs text-muted">{t('ai.platform.prices.unpricedDescription')}</p>
      <ul className="mt-2 divide-y divide-border">
        {models.map((model) => {
          const kind = isPricedKind(model.provider) ? model.provider : null;
          return (
            <li key={keyOf(model)} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2" data-testid="ai-unpriced-row">
              <Badge>{kind ? t(`ai.kinds.${kind}`) : model.provider}</Badge>
              <span className="min-w-0 flex-1 font-mono text-xs [overflow-wrap:anywhere]">{model.model}</span>
              <UsageSummary usage={model.usage30d} />
              {kind && (
                <Button size="sm" variant="secondary" onClick={() => onPrice(kind, model.model)} aria-label={t('ai.platform.prices.setPriceFor', { model: model.model })}>
                  {t('ai.platform.prices.setPrice')}
                </Button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function RemovePriceDialog({ price, onClose, onRemoved }: { price: AiPrice | null; onClose: () => void; onRemoved: (list: AiPriceList) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  async function remove() {
    if (!price) return;
    setBusy(true);
    setError(null);
    try {
      onRemoved(await aiApi.deletePlatformPrice(price.provider, price.model));
      toast.show(t('ai.platform.prices.removed', { model: price.model }), 'success');
      onClose();
    } catch (caught) {
      setError(describeAiError(caught));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open={price !== null}
      onClose={close}
      title={t('ai.platform.prices.removeTitle', { model: price?.model ?? '' })}
      description={t('ai.platform.prices.removeDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" loading={busy} onClick={() => void remove()}>
            {t('ai.platform.prices.remove')}
          </Button>
        </>
      }
    >
      {error && <InlineNote tone="danger">{error}</InlineNote>}
    </Dialog>
  );
}
