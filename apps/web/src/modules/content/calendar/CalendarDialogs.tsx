import type { CalendarItem } from '@omni/contracts/content-calendar';
import type { ScheduleConflict } from '@omni/contracts/content';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { i18next } from '../../../shared/i18n/i18n';
import { formatDateTime } from '../../../shared/lib/format';
import { fromZonedInputValue, toZonedInputValue } from '../../../shared/lib/timezone';
import { Button, Dialog, Field, Input } from '../../../shared/ui';

/**
 * "Move…": the keyboard way to reschedule an item (drag and drop alone is not accessible). The time is
 * typed on the account's clock; the move is checked for conflicts before it happens.
 */
export function MoveDialog({ item, timeZone, busy, onClose, onMove }: { item: CalendarItem | null; timeZone: string; busy: boolean; onClose: () => void; onMove: (item: CalendarItem, at: Date) => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (item) {
      setValue(toZonedInputValue(new Date(item.at), timeZone));
      setError(null);
    }
  }, [item, timeZone]);
  const submit = () => {
    if (!item) return;
    const at = fromZonedInputValue(value, timeZone);
    if (!at) return setError(t('contentCalendar.invalidTime'));
    if (at.getTime() <= Date.now()) return setError(t('contentCalendar.pastTime'));
    onMove(item, at);
  };
  return (
    <Dialog
      open={item !== null}
      onClose={onClose}
      title={t('contentCalendar.moveTitle', { title: item?.title ?? item?.excerpt ?? '' })}
      description={item ? t('contentCalendar.moveDescription', { at: formatDateTime(item.at, timeZone) }) : undefined}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="move-form" loading={busy}>
            {t('contentCalendar.moveConfirm')}
          </Button>
        </>
      }
    >
      <form
        id="move-form"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Field label={t('contentCalendar.newTime', { timeZone })} error={error}>
          <Input type="datetime-local" value={value} required onChange={(event) => setValue(event.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}

/** English: the server's own sentence is the most precise; other languages: ours, by kind. */
function conflictText(conflict: ScheduleConflict): string {
  if (i18next.resolvedLanguage === 'en') return conflict.message;
  const network = i18next.t(`contentCalendar.networks.${conflict.network}`, { defaultValue: conflict.network });
  return i18next.t(`contentCalendar.conflictKinds.${conflict.kind}`, { network, limit: conflict.limit ?? '—' });
}

/** The conflicts a move would meet; the person decides whether to move anyway. */
export function ConflictDialog({
  pending,
  timeZone,
  busy,
  onCancel,
  onConfirm,
}: {
  pending: { item: CalendarItem; at: Date; conflicts: ScheduleConflict[]; note: string | null } | null;
  timeZone: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={pending !== null}
      onClose={onCancel}
      title={t('contentCalendar.conflictTitle')}
      description={pending ? t('contentCalendar.conflictDescription', { title: pending.item.title ?? pending.item.excerpt, at: formatDateTime(pending.at, timeZone) }) : undefined}
      footer={
        <>
          <Button variant="secondary" onClick={onCancel}>
            {t('contentCalendar.keepTime')}
          </Button>
          <Button variant="danger" loading={busy} onClick={onConfirm}>
            {t('contentCalendar.moveAnyway')}
          </Button>
        </>
      }
    >
      {pending && (
        <ul className="flex list-disc flex-col gap-2 pl-5 text-sm" data-testid="conflicts">
          {pending.conflicts.map((conflict, index) => (
            <li key={`${conflict.kind}:${conflict.connectionId}:${index}`}>{conflictText(conflict)}</li>
          ))}
          {pending.conflicts.length === 0 && pending.note && <li>{pending.note}</li>}
        </ul>
      )}
    </Dialog>
  );
}
