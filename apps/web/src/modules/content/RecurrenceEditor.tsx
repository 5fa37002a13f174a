import type { Recurrence } from '@omni/contracts/content-recurrence';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { formatDateTime } from '../../shared/lib/format';
import { Button, Checkbox, Field, Input, Select, Skeleton } from '../../shared/ui';
import { recurrenceApi } from './recurrenceApi';
import { buildRecurrenceRule, defaultRecurrenceForm, frequencies, parseRecurrenceRule, weekdays, type Frequency, type RecurrenceForm, type Weekday } from './recurrenceRule';

/** Wait this long after the last change before asking the server for the preview. */
const previewDelayMs = 300;

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/**
 * The recurrence builder of the post editor: frequency, interval, weekdays, end (never / after N / until a
 * date), and the next occurrences computed by the server in the account zone, live. A stored rule the
 * builder does not offer is shown as text and kept unless replaced.
 */
export function RecurrenceEditor({
  value,
  onChange,
  timeZone,
  startsAt,
  disabled = false,
  blockedReason = null,
}: {
  value: Recurrence | null;
  onChange: (next: Recurrence | null) => void;
  timeZone: string;
  /** The planned time (the first occurrence), ISO; null when not set yet. */
  startsAt: string | null;
  disabled?: boolean;
  /** Why the post cannot repeat (an A/B test); shown instead of the toggle's effect. */
  blockedReason?: string | null;
}) {
  const { t } = useTranslation();
  const groupId = useId();
  const parsed = value ? parseRecurrenceRule(value.rule) : null;
  const [form, setForm] = useState<RecurrenceForm>(parsed ?? defaultRecurrenceForm);
  const custom = value !== null && parsed === null;

  const update = (next: RecurrenceForm) => {
    setForm(next);
    onChange({ rule: buildRecurrenceRule(next), timeZone: value?.timeZone ?? timeZone });
  };

  const rule = useDebounced(value?.rule ?? null, previewDelayMs);
  // A stored series keeps the zone it was planned in; a new one takes the account's.
  const seriesZone = value?.timeZone ?? timeZone;
  const preview = useQuery({
    queryKey: ['content', 'recurrence-preview', rule, seriesZone, startsAt],
    queryFn: () => recurrenceApi.preview({ rule: rule!, timeZone: seriesZone, startsAt: startsAt!, limit: 5 }),
    enabled: rule !== null && startsAt !== null,
    retry: false,
  });

  const unit = t(`content.recurrence.units.${form.frequency}`);
  return (
    <fieldset className="flex flex-col gap-3 rounded-lg border border-border p-4" disabled={disabled} data-testid="recurrence-editor">
      <legend className="px-1 text-sm font-medium">{t('content.recurrence.title')}</legend>
      <Checkbox
        label={t('content.recurrence.toggle')}
        checked={value !== null}
        disabled={blockedReason !== null && value === null}
        onChange={(event) => (event.target.checked ? update(form) : onChange(null))}
      />
      {blockedReason && value === null && <p className="text-xs text-muted">{blockedReason}</p>}
      {custom && value && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span>{t('content.recurrence.customRule', { rule: value.rule })}</span>
          <Button size="sm" variant="ghost" onClick={() => update(defaultRecurrenceForm)}>
            {t('content.recurrence.useBuilder')}
          </Button>
        </div>
      )}
      {value && !custom && (
        <>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t('content.recurrence.frequency')}>
              <Select value={form.frequency} onChange={(event) => update({ ...form, frequency: event.target.value as Frequency })}>
                {frequencies.map((frequency) => (
                  <option key={frequency} value={frequency}>
                    {t(`content.recurrence.frequencies.${frequency}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('content.recurrence.interval', { unit })}>
              <Input type="number" min={1} max={999} value={form.interval} onChange={(event) => update({ ...form, interval: Number(event.target.value) })} />
            </Field>
          </div>
          {form.frequency === 'WEEKLY' && (
            <fieldset className="flex flex-col gap-1">
              <legend className="mb-1 text-sm font-medium">{t('content.recurrence.weekdays')}</legend>
              <div className="flex flex-wrap gap-3">
                {weekdays.map((day) => (
                  <Checkbox
                    key={day}
                    label={t(`content.recurrence.weekdayNames.${day}`)}
                    checked={form.weekdays.includes(day)}
                    onChange={(event) => update({ ...form, weekdays: event.target.checked ? [...form.weekdays, day] : form.weekdays.filter((item: Weekday) => item !== day) })}
                  />
                ))}
              </div>
              <p className="text-xs text-muted">{t('content.recurrence.weekdaysHint')}</p>
            </fieldset>
          )}
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">{t('content.recurrence.ends')}</legend>
            <label className="inline-flex items-center gap-2 text-sm">
              <input type="radio" name={`${groupId}-end`} checked={form.end.kind === 'never'} onChange={() => update({ ...form, end: { kind: 'never' } })} />
              {t('content.recurrence.endNever')}
            </label>
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <label className="inline-flex items-center gap-2">
                <input type="radio" name={`${groupId}-end`} checked={form.end.kind === 'count'} onChange={() => update({ ...form, end: { kind: 'count', count: 10 } })} />
                {t('content.recurrence.endCount')}
              </label>
              <Input
                type="number"
                min={1}
                max={500}
                className="w-24"
                aria-label={t('content.recurrence.endCountLabel')}
                disabled={form.end.kind !== 'count'}
                value={form.end.kind === 'count' ? form.end.count : 10}
                onChange={(event) => update({ ...form, end: { kind: 'count', count: Number(event.target.value) } })}
              />
              <span>{t('content.recurrence.occurrencesUnit')}</span>
            </div>
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <label className="inline-flex items-center gap-2">
                <input type="radio" name={`${groupId}-end`} checked={form.end.kind === 'until'} onChange={() => update({ ...form, end: { kind: 'until', date: startsAt ? startsAt.slice(0, 10) : '' } })} />
                {t('content.recurrence.endUntil')}
              </label>
              <Input
                type="date"
                className="w-44"
                aria-label={t('content.recurrence.endUntilLabel')}
                disabled={form.end.kind !== 'until'}
                value={form.end.kind === 'until' ? form.end.date : ''}
                onChange={(event) => update({ ...form, end: { kind: 'until', date: event.target.value } })}
              />
            </div>
          </fieldset>
        </>
      )}
      {value && (
        <section aria-live="polite" aria-label={t('content.recurrence.previewTitle', { zone: seriesZone })} className="flex flex-col gap-1 text-sm" data-testid="recurrence-preview">
          <h3 className="font-medium">{t('content.recurrence.previewTitle', { zone: seriesZone })}</h3>
          {startsAt === null ? (
            <p className="text-muted">{t('content.recurrence.needsTime')}</p>
          ) : preview.isPending ? (
            <Skeleton className="h-16" />
          ) : preview.isError ? (
            <p className="text-danger" role="alert">
              {describeError(preview.error)}
            </p>
          ) : (
            <>
              <ol className="list-inside list-decimal">
                {preview.data.occurrences.map((occurrence) => (
                  <li key={occurrence.at}>{formatDateTime(occurrence.at, seriesZone)}</li>
                ))}
              </ol>
              <p className="text-xs text-muted">
                {preview.data.total === null
                  ? t('content.recurrence.openEnded')
                  : t('content.recurrence.total', { count: preview.data.total, at: formatDateTime(preview.data.endsAt, seriesZone) })}
              </p>
            </>
          )}
        </section>
      )}
    </fieldset>
  );
}
