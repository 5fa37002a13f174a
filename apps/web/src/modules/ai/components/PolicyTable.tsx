import type { AiWorkflowType, HitlPolicy } from '@omni/contracts/ai';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Checkbox, cn, Input, Select } from '../../../shared/ui';
import { formatMinutes } from '../aiApi';
import { describeAiError, InlineNote, isPolicyLocked } from './aiShared';

export type PolicyFields = Pick<HitlPolicy, 'mode' | 'threshold' | 'deadlineMinutes' | 'escalationRole' | 'onTimeout'>;

export type PolicyRow = {
  workflowType: AiWorkflowType;
  fields: PolicyFields;
  locked: boolean;
  /** Shown under the workflow's name: where the policy comes from, the lock badge… */
  badges: ReactNode;
  readOnly: boolean;
};

type Draft = { mode: PolicyFields['mode']; threshold: string; deadlineMinutes: string; escalationRole: PolicyFields['escalationRole']; onTimeout: PolicyFields['onTimeout']; locked: boolean };

const draftOf = ({ fields, locked }: PolicyRow): Draft => ({
  mode: fields.mode,
  threshold: String(fields.threshold),
  deadlineMinutes: String(fields.deadlineMinutes),
  escalationRole: fields.escalationRole,
  onTimeout: fields.onTimeout,
  locked,
});

/**
 * Human-in-the-loop policies, one row per workflow type, each saved on its own. `withLock` adds the
 * platform's lock toggle (super admins); read-only rows (locked by the platform) show their values only.
 */
export function PolicyTable({ rows, withLock = false, onSave }: { rows: PolicyRow[]; withLock?: boolean; onSave: (workflowType: AiWorkflowType, fields: PolicyFields, locked: boolean) => Promise<void> }) {
  const { t } = useTranslation();
  return (
    <ul className="divide-y divide-border rounded-xl border border-border bg-surface" aria-label={t('ai.policies.title')}>
      {rows.map((row) => (
        <PolicyRowView key={row.workflowType} row={row} withLock={withLock} onSave={onSave} />
      ))}
    </ul>
  );
}

/** A control with its column's name above it (the control's own label names the workflow too). */
function Cell({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <span className="text-xs font-medium text-muted" aria-hidden="true">
        {label}
      </span>
      {children}
      {hint}
    </div>
  );
}

function PolicyRowView({ row, withLock, onSave }: { row: PolicyRow; withLock: boolean; onSave: (workflowType: AiWorkflowType, fields: PolicyFields, locked: boolean) => Promise<void> }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(row));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const original = draftOf(row);
  const rowKey = JSON.stringify(original);
  // A fresh server answer (after any save) becomes the row's starting point again.
  useEffect(() => setDraft(JSON.parse(rowKey) as Draft), [rowKey]);
  const dirty = JSON.stringify(draft) !== rowKey;
  const name = t(`ai.workflowTypes.${row.workflowType}`);
  const threshold = Number(draft.threshold);
  const deadline = Number(draft.deadlineMinutes);
  const thresholdError = draft.mode === 'below' && !(draft.threshold.trim() !== '' && threshold >= 0 && threshold <= 1) ? t('ai.policies.thresholdInvalid') : null;
  const deadlineError = !(Number.isInteger(deadline) && deadline >= 1 && deadline <= 43_200) ? t('ai.policies.deadlineInvalid') : null;
  const set = (patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    setNote(null);
  };

  async function save() {
    if (thresholdError || deadlineError) return;
    setBusy(true);
    setNote(null);
    try {
      await onSave(row.workflowType, { mode: draft.mode, threshold: Number.isFinite(threshold) ? threshold : row.fields.threshold, deadlineMinutes: deadline, escalationRole: draft.escalationRole, onTimeout: draft.onTimeout }, draft.locked);
      setNote({ tone: 'success', text: t('ai.policies.saved') });
    } catch (error) {
      setNote({ tone: 'danger', text: isPolicyLocked(error) ? t('ai.policies.lockedError') : describeAiError(error) });
    } finally {
      setBusy(false);
    }
  }

  const disabled = row.readOnly || busy;
  return (
    <li className={cn('flex flex-wrap items-start gap-x-4 gap-y-3 px-4 py-3', row.readOnly && 'bg-surface-2/40')} data-testid="hitl-policy-row" data-workflow={row.workflowType}>
      <div className="w-full min-w-0 sm:w-44">
        <div className="font-medium break-words hyphens-auto">{name}</div>
        <div className="mt-1 flex flex-wrap gap-1 whitespace-nowrap">{row.badges}</div>
        {withLock && (
          <div className="mt-2">
            <Checkbox
              label={t('ai.policies.lockLabel')}
              aria-label={t('ai.policies.lockFor', { name })}
              checked={draft.locked}
              disabled={disabled}
              onChange={(event) => set({ locked: event.target.checked })}
            />
          </div>
        )}
        {!row.readOnly && (
          <div className="mt-2">
            <Button size="sm" disabled={!dirty || Boolean(thresholdError || deadlineError)} loading={busy} onClick={() => void save()} aria-label={t('ai.policies.saveFor', { name })}>
              {t('common.save')}
            </Button>
          </div>
        )}
        {note && (
          <div className="mt-1">
            <InlineNote tone={note.tone}>{note.text}</InlineNote>
          </div>
        )}
      </div>
      <Cell label={t('ai.policies.mode')}>
        <Select className="w-44" value={draft.mode} disabled={disabled} aria-label={t('ai.policies.modeFor', { name })} onChange={(event) => set({ mode: event.target.value as Draft['mode'] })}>
          {(['off', 'always', 'below'] as const).map((mode) => (
            <option key={mode} value={mode}>
              {t(`ai.policies.modes.${mode}`)}
            </option>
          ))}
        </Select>
      </Cell>
      <Cell label={t('ai.policies.threshold')} hint={thresholdError && <span className="text-xs text-danger">{thresholdError}</span>}>
        <Input
          className="w-20"
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={draft.threshold}
          disabled={disabled || draft.mode !== 'below'}
          aria-label={t('ai.policies.thresholdFor', { name })}
          aria-invalid={thresholdError ? true : undefined}
          onChange={(event) => set({ threshold: event.target.value })}
        />
      </Cell>
      <Cell label={t('ai.policies.deadline')} hint={<span className={cn('text-xs', deadlineError ? 'text-danger' : 'text-muted')}>{deadlineError ?? formatMinutes(deadline)}</span>}>
        <Input
          className="w-24"
          type="number"
          min={1}
          max={43200}
          step={1}
          value={draft.deadlineMinutes}
          disabled={disabled}
          aria-label={t('ai.policies.deadlineFor', { name })}
          aria-invalid={deadlineError ? true : undefined}
          onChange={(event) => set({ deadlineMinutes: event.target.value })}
        />
      </Cell>
      <Cell label={t('ai.policies.escalationRole')}>
        <Select className="w-28" value={draft.escalationRole} disabled={disabled} aria-label={t('ai.policies.escalationRoleFor', { name })} onChange={(event) => set({ escalationRole: event.target.value as Draft['escalationRole'] })}>
          <option value="editor">{t('ai.policies.roles.editor')}</option>
          <option value="admin">{t('ai.policies.roles.admin')}</option>
        </Select>
      </Cell>
      <Cell label={t('ai.policies.onTimeout')}>
        <Select className="w-32" value={draft.onTimeout} disabled={disabled} aria-label={t('ai.policies.onTimeoutFor', { name })} onChange={(event) => set({ onTimeout: event.target.value as Draft['onTimeout'] })}>
          {(['reject', 'approve', 'escalate'] as const).map((action) => (
            <option key={action} value={action}>
              {t(`ai.policies.timeouts.${action}`)}
            </option>
          ))}
        </Select>
      </Cell>
    </li>
  );
}
