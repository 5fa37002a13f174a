import { lateAfterSecondsBounds, type PublishTarget, type ResolvePublishTargetBody } from '@omni/contracts/publishing';
import type { SocialConnection } from '@omni/contracts/social';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { fromZonedInputValue, isKnownTimeZone, toZonedInputValue } from '../../shared/lib/timezone';
import { Button, Dialog, Field, Input, Select, Textarea, useToast } from '../../shared/ui';
import { publishingApi, whereToCheck } from './publishingApi';

/** Pick a date and time in the account's zone (reschedule, retry later). */
export function WhenDialog({
  title,
  initial,
  timeZone,
  busy,
  onClose,
  onSubmit,
}: {
  title: string;
  initial: Date;
  timeZone: string;
  busy: boolean;
  onClose: () => void;
  onSubmit: (when: Date) => Promise<void>;
}) {
  const { t } = useTranslation();
  const formId = useId();
  const [value, setValue] = useState(() => toZonedInputValue(initial.getTime() > Date.now() ? initial : new Date(Date.now() + 3600_000), timeZone));
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={busy}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const when = fromZonedInputValue(value, timeZone);
          if (!when) return setError(t('publishing.whenInvalid'));
          setError(null);
          void onSubmit(when);
        }}
      >
        <Field label={t('publishing.when', { timeZone })} error={error}>
          <Input type="datetime-local" value={value} onChange={(event) => setValue(event.target.value)} required />
        </Field>
      </form>
    </Dialog>
  );
}

export function CancelDialog({ busy, onClose, onConfirm }: { busy: boolean; onClose: () => void; onConfirm: () => Promise<void> }) {
  const { t } = useTranslation();
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('publishing.cancelTitle')}
      description={t('publishing.cancelDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('publishing.keep')}
          </Button>
          <Button variant="danger" loading={busy} onClick={() => void onConfirm()}>
            {t('publishing.actions.cancel')}
          </Button>
        </>
      }
    />
  );
}

function Choice({ name, value, checked, onChange, children }: { name: string; value: string; checked: boolean; onChange: (value: string) => void; children: ReactNode }) {
  return (
    <label className="flex cursor-pointer items-center gap-2 rounded-lg border border-border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5">
      <input type="radio" name={name} value={value} checked={checked} onChange={() => onChange(value)} className="size-4 accent-[var(--ui-primary)]" />
      <span>{children}</span>
    </label>
  );
}

/**
 * "Was this post published?" for an unconfirmed target: where to look, then either "it is there" (with
 * the post's address and id when the person has them) or "it is not there" (publish again, or give up).
 */
export function ResolveDialog({
  target,
  connection,
  busy,
  onClose,
  onSubmit,
}: {
  target: PublishTarget;
  connection: SocialConnection | undefined;
  busy: boolean;
  onClose: () => void;
  onSubmit: (body: ResolvePublishTargetBody) => Promise<void>;
}) {
  const { t } = useTranslation();
  const formId = useId();
  const [found, setFound] = useState<'published' | 'not_published'>('published');
  const [action, setAction] = useState<'retry' | 'fail'>('retry');
  const [url, setUrl] = useState('');
  const [externalId, setExternalId] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const network = connection?.networkName ?? target.network;
  const destination = connection?.destination.name ?? t('publishing.unknownConnection');
  const checkUrl = target.externalUrl ?? whereToCheck(connection);
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('publishing.resolveTitle')}
      description={t('publishing.resolveDescription', { network, connection: destination })}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={busy}>
            {t('publishing.confirm')}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        noValidate
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          const trimmedUrl = url.trim();
          if (found === 'published' && trimmedUrl && !/^https?:\/\/\S+$/i.test(trimmedUrl)) return setError(t('publishing.postUrlInvalid'));
          setError(null);
          const extra = note.trim() ? { note: note.trim() } : {};
          void onSubmit(
            found === 'published'
              ? { outcome: 'published', ...(trimmedUrl ? { url: trimmedUrl } : {}), ...(externalId.trim() ? { externalId: externalId.trim() } : {}), ...extra }
              : { outcome: 'not_published', action, ...extra },
          );
        }}
      >
        <blockquote className="line-clamp-3 rounded-lg border border-border bg-surface-2 p-3 text-sm">{target.content.text || t('publishing.noText')}</blockquote>
        {target.lastError && <p className="text-xs text-muted">{target.lastError}</p>}
        <p className="text-sm">
          {checkUrl ? (
            <a href={checkUrl} target="_blank" rel="noreferrer noopener" className="font-medium text-primary underline-offset-2 hover:underline">
              {t('publishing.checkOn', { connection: destination })}
            </a>
          ) : (
            t('publishing.checkManually', { network, connection: destination })
          )}
        </p>
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm font-medium">{t('publishing.outcome')}</legend>
          <Choice name={`${formId}-found`} value="published" checked={found === 'published'} onChange={() => setFound('published')}>
            {t('publishing.foundIt')}
          </Choice>
          <Choice name={`${formId}-found`} value="not_published" checked={found === 'not_published'} onChange={() => setFound('not_published')}>
            {t('publishing.notThere')}
          </Choice>
        </fieldset>
        {found === 'published' ? (
          <>
            <Field label={t('publishing.postUrl')} hint={t('publishing.postUrlHint')} error={error}>
              <Input type="url" inputMode="url" value={url} onChange={(event) => setUrl(event.target.value)} maxLength={2048} placeholder="https://" />
            </Field>
            <Field label={t('publishing.postId')} hint={t('publishing.postIdHint')}>
              <Input value={externalId} onChange={(event) => setExternalId(event.target.value)} maxLength={500} />
            </Field>
          </>
        ) : (
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">{t('publishing.nextStep')}</legend>
            <Choice name={`${formId}-action`} value="retry" checked={action === 'retry'} onChange={() => setAction('retry')}>
              {t('publishing.retryNow')}
            </Choice>
            <Choice name={`${formId}-action`} value="fail" checked={action === 'fail'} onChange={() => setAction('fail')}>
              {t('publishing.giveUp')}
            </Choice>
          </fieldset>
        )}
        <Field label={t('publishing.note')}>
          <Textarea value={note} onChange={(event) => setNote(event.target.value)} maxLength={500} className="min-h-16" />
        </Field>
      </form>
    </Dialog>
  );
}

/** Allowances offered for missed posts (seconds); the account's current one is added when it is another. */
const allowanceChoices = [900, 3600, 6 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600];

function useDuration() {
  const { t } = useTranslation();
  return (seconds: number) => {
    if (seconds % 86_400 === 0) return t('publishing.duration.days', { count: seconds / 86_400 });
    if (seconds % 3600 === 0) return t('publishing.duration.hours', { count: seconds / 3600 });
    return t('publishing.duration.minutes', { count: Math.round(seconds / 60) });
  };
}

/** The account's publishing settings (account admins): its time zone and missed-post allowance. */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const formId = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const duration = useDuration();
  const settings = useQuery({ queryKey: ['publishing', 'settings'], queryFn: publishingApi.settings });
  const [timezone, setTimezone] = useState<string | null>(null);
  const [allowance, setAllowance] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const data = settings.data;
  const zoneValue = timezone ?? data?.timezone ?? '';
  const allowanceValue = allowance ?? (data && !data.lateAfterSecondsIsDefault ? String(data.lateAfterSeconds) : '');
  const choices = data && !data.lateAfterSecondsIsDefault && !allowanceChoices.includes(data.lateAfterSeconds) ? [...allowanceChoices, data.lateAfterSeconds].sort((a, b) => a - b) : allowanceChoices;
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('publishing.settingsTitle')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={busy} disabled={!data}>
            {t('common.saveChanges')}
          </Button>
        </>
      }
    >
      {settings.isError ? (
        <p role="alert" className="text-sm text-danger">
          {describeError(settings.error)}
        </p>
      ) : (
        <form
          id={formId}
          noValidate
          className="flex flex-col gap-4"
          onSubmit={async (event) => {
            event.preventDefault();
            const zone = zoneValue.trim();
            if (zone && !isKnownTimeZone(zone)) return setError(t('publishing.timezoneInvalid'));
            setError(null);
            setBusy(true);
            try {
              await publishingApi.updateSettings({ timezone: zone || null, lateAfterSeconds: allowanceValue ? Number(allowanceValue) : null });
              await queryClient.invalidateQueries({ queryKey: ['publishing'] });
              toast.show(t('publishing.toasts.settingsSaved'), 'success');
              onClose();
            } catch (caught) {
              toast.show(describeError(caught), 'error');
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field label={t('publishing.timezone')} hint={t('publishing.timezoneHint')} error={error}>
            <Input value={zoneValue} onChange={(event) => setTimezone(event.target.value)} list={`${formId}-zones`} placeholder="Europe/Rome" maxLength={64} />
          </Field>
          <datalist id={`${formId}-zones`}>
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <Field label={t('publishing.lateAfter')} hint={t('publishing.lateAfterHint')}>
            <Select value={allowanceValue} onChange={(event) => setAllowance(event.target.value)}>
              <option value="">{t('publishing.lateAfterDefault', { duration: duration(data?.defaultLateAfterSeconds ?? 86_400) })}</option>
              {choices
                .filter((seconds) => seconds >= lateAfterSecondsBounds.min && seconds <= lateAfterSecondsBounds.max)
                .map((seconds) => (
                  <option key={seconds} value={String(seconds)}>
                    {duration(seconds)}
                  </option>
                ))}
            </Select>
          </Field>
        </form>
      )}
    </Dialog>
  );
}
