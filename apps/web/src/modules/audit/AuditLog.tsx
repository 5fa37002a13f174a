import type { AuditEntry } from '@omni/contracts/audit';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { auditApi, platformApi, tenancyApi, type AuditFilters } from '../../shared/api/endpoints';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, Button, Dialog, EmptyState, Field, Input, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, type BadgeTone } from '../../shared/ui';
import { ScrollIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';

type Draft = { action: string; actorUserId: string; targetType: string; from: string; to: string; tenantId: string };
const emptyDraft: Draft = { action: '', actorUserId: '', targetType: '', from: '', to: '', tenantId: '' };

/** Filters as the API takes them: dates are whole local days. */
function filtersOf(draft: Draft): AuditFilters & { tenantId?: string } {
  return {
    action: draft.action.trim() || undefined,
    actorUserId: draft.actorUserId || undefined,
    targetType: draft.targetType.trim() || undefined,
    from: draft.from ? new Date(`${draft.from}T00:00:00`).toISOString() : undefined,
    to: draft.to ? new Date(`${draft.to}T23:59:59.999`).toISOString() : undefined,
    tenantId: draft.tenantId || undefined,
  };
}

function statusTone(status: number | null): BadgeTone {
  if (status === null) return 'neutral';
  if (status >= 500) return 'danger';
  if (status >= 400) return 'warning';
  return 'success';
}

export function AuditLog({ platform }: { platform: boolean }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [applied, setApplied] = useState<Draft>(emptyDraft);
  // Cursor paging: the cursors of the pages visited so far, to go back without refetching from the start.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [selected, setSelected] = useState<AuditEntry | null>(null);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];
  const filters = filtersOf(applied);
  const entries = useQuery({
    queryKey: ['audit', platform, filters, cursor],
    queryFn: () => auditApi.list({ ...filters, cursor }, platform),
    placeholderData: keepPreviousData,
  });
  const members = useQuery({ queryKey: ['members', 'actors'], queryFn: () => tenancyApi.members({ limit: 100 }), enabled: !platform });
  const tenants = useQuery({ queryKey: ['platform-tenants', 'picker'], queryFn: () => platformApi.tenants({ limit: 100 }), enabled: platform });
  const actors = [...new Map((members.data?.items ?? []).map((member) => [member.user.id, member.user])).values()];

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setRangeError(t('audit.rangeError'));
      return;
    }
    setRangeError(null);
    setApplied(draft);
    setCursors([undefined]);
  };
  const set = (key: keyof Draft, value: string) => setDraft((current) => ({ ...current, [key]: value }));
  const filtered = JSON.stringify(applied) !== JSON.stringify(emptyDraft);

  return (
    <>
      <form onSubmit={apply} className="mb-4 grid gap-3 rounded-xl border border-border bg-surface p-4 sm:grid-cols-2 lg:grid-cols-6" aria-label={t('audit.filters')}>
        <Field label={t('audit.action')}>
          <Input placeholder="members.update" value={draft.action} onChange={(event) => set('action', event.target.value)} />
        </Field>
        {platform ? (
          <Field label={t('audit.tenant')}>
            <Select value={draft.tenantId} onChange={(event) => set('tenantId', event.target.value)}>
              <option value="">{t('common.all')}</option>
              {tenants.data?.items.map((tenant) => (
                <option key={tenant.id} value={tenant.id}>
                  {tenant.name}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <Field label={t('audit.actor')}>
            <Select value={draft.actorUserId} onChange={(event) => set('actorUserId', event.target.value)}>
              <option value="">{t('common.anyone')}</option>
              {actors.map((actor) => (
                <option key={actor.id} value={actor.id}>
                  {actor.name}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <Field label={t('audit.targetType')}>
          <Input placeholder="member" value={draft.targetType} onChange={(event) => set('targetType', event.target.value)} />
        </Field>
        <Field label={t('audit.from')}>
          <Input type="date" value={draft.from} onChange={(event) => set('from', event.target.value)} />
        </Field>
        <Field label={t('audit.to')} error={rangeError}>
          <Input type="date" value={draft.to} onChange={(event) => set('to', event.target.value)} />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit" className="flex-1">
            {t('audit.apply')}
          </Button>
          {filtered && (
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(emptyDraft);
                setApplied(emptyDraft);
                setCursors([undefined]);
              }}
            >
              {t('audit.clear')}
            </Button>
          )}
        </div>
      </form>
      {entries.isPending ? (
        <TableSkeleton columns={5} rows={8} />
      ) : entries.isError ? (
        <ErrorRow error={entries.error} retry={() => void entries.refetch()} />
      ) : entries.data.items.length === 0 ? (
        <EmptyState icon={<ScrollIcon className="size-6" />} title={filtered ? t('audit.emptyFiltered') : t('audit.empty')} description={t('audit.emptyDescription')} />
      ) : (
        <div aria-busy={entries.isFetching}>
          <Table caption={t('audit.title')}>
            <THead>
              <tr>
                <Th>{t('audit.when')}</Th>
                <Th>{t('audit.action')}</Th>
                <Th>{t('audit.actor')}</Th>
                <Th>{t('audit.target')}</Th>
                <Th>{t('audit.result')}</Th>
                <Th className="text-right">
                  <span className="sr-only">{t('common.actions')}</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {entries.data.items.map((entry) => (
                <Tr key={entry.id} data-testid="audit-row">
                  <Td className="whitespace-nowrap text-muted">{formatDateTime(entry.createdAt, user.timezone)}</Td>
                  <Td className="font-mono text-xs">{entry.action}</Td>
                  <Td>{entry.actor ? entry.actor.name ?? entry.actor.email : entry.apiKeyId ? t('audit.apiKey') : t('audit.system')}</Td>
                  <Td className="text-muted">{entry.targetType ?? '—'}</Td>
                  <Td>
                    <Badge tone={statusTone(entry.statusCode)}>{entry.statusCode ?? '—'}</Badge>
                  </Td>
                  <Td className="text-right">
                    <Button size="sm" variant="ghost" onClick={() => setSelected(entry)} aria-label={t('audit.detailsFor', { action: entry.action })}>
                      {t('audit.details')}
                    </Button>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <nav className="mt-3 flex items-center justify-between" aria-label={t('audit.paging')}>
            <span className="text-sm text-muted">{t('audit.page', { page: cursors.length })}</span>
            <div className="flex gap-2">
              <Button size="sm" variant="secondary" disabled={cursors.length === 1} onClick={() => setCursors((current) => current.slice(0, -1))}>
                {t('audit.newer')}
              </Button>
              <Button
                size="sm"
                variant="secondary"
                disabled={!entries.data.nextCursor}
                onClick={() => entries.data.nextCursor && setCursors((current) => [...current, entries.data.nextCursor ?? undefined])}
              >
                {t('audit.older')}
              </Button>
            </div>
          </nav>
        </div>
      )}
      <Dialog open={selected !== null} onClose={() => setSelected(null)} title={selected?.action ?? ''} description={selected ? formatDateTime(selected.createdAt, user.timezone) : undefined}>
        {selected && (
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-muted">{t('audit.actor')}</dt>
            <dd>{selected.actor ? `${selected.actor.name ?? ''} <${selected.actor.email ?? ''}>` : selected.apiKeyId ? t('audit.apiKey') : t('audit.system')}</dd>
            <dt className="text-muted">{t('audit.target')}</dt>
            <dd className="break-all">{[selected.targetType, selected.targetId].filter(Boolean).join(' · ') || '—'}</dd>
            <dt className="text-muted">{t('audit.result')}</dt>
            <dd>{selected.statusCode ?? '—'}</dd>
            <dt className="text-muted">{t('audit.ip')}</dt>
            <dd className="font-mono text-xs">{selected.ip ?? '—'}</dd>
            <dt className="text-muted">{t('audit.userAgent')}</dt>
            <dd className="break-all text-xs">{selected.userAgent ?? '—'}</dd>
            <dt className="text-muted">{t('audit.requestId')}</dt>
            <dd className="break-all font-mono text-xs">{selected.requestId ?? '—'}</dd>
            <dt className="col-span-2 text-muted">{t('audit.metadata')}</dt>
            <dd className="col-span-2">
              <pre className="max-h-64 overflow-auto rounded-lg bg-surface-2 p-3 font-mono text-xs">{JSON.stringify(selected.metadata, null, 2)}</pre>
            </dd>
          </dl>
        )}
      </Dialog>
    </>
  );
}
