import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, TableSkeleton } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';

/** A list's four states: loading (skeleton), failed (retry), empty, and the table. */
export function QueryStates<T extends { items: unknown[] }>({ query, columns, empty, children }: { query: UseQueryResult<T>; columns: number; empty: ReactNode; children: (data: T) => ReactNode }) {
  if (query.isPending) return <TableSkeleton columns={columns} rows={3} />;
  if (query.isError) return <ErrorRow error={query.error} retry={() => void query.refetch()} />;
  return <>{query.data.items.length === 0 ? empty : children(query.data)}</>;
}

/** Cancel + a submit button for the form with this id. */
export function FormFooter({ formId, submitLabel, busy, onCancel }: { formId: string; submitLabel: string; busy: boolean; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <Button variant="secondary" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" form={formId} loading={busy}>
        {submitLabel}
      </Button>
    </>
  );
}

/** "Remove X?" with Cancel and a danger button. */
export function ConfirmRemoveDialog({ open, title, description, busy, onCancel, onConfirm }: { open: boolean; title: string; description?: string; busy: boolean; onCancel: () => void; onConfirm: () => Promise<void> }) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={open}
      onClose={onCancel}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" loading={busy} onClick={() => void onConfirm()}>
            {t('feeds.remove')}
          </Button>
        </>
      }
    />
  );
}
