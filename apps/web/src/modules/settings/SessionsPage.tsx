import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Session } from '@omni/contracts/identity';
import { authApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime, formatRelative } from '../../shared/lib/format';
import { describeUserAgent } from '../../shared/lib/userAgent';
import { Badge, Button, Dialog, EmptyState, PageHeader, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { MonitorIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';

export function SessionsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: authApi.sessions });
  const [confirmOthers, setConfirmOthers] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  const revoke = async (session: Session) => {
    setBusy(session.id);
    try {
      await authApi.revokeSession(session.id);
      toast.show(t('sessions.revoked'), 'success');
      await queryClient.invalidateQueries({ queryKey: ['sessions'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(null);
    }
  };

  const others = sessions.data?.items.filter((session) => !session.current).length ?? 0;

  return (
    <>
      <PageHeader
        title={t('sessions.title')}
        description={t('sessions.description')}
        actions={
          <Button variant="secondary" disabled={others === 0} onClick={() => setConfirmOthers(true)}>
            {t('sessions.revokeOthers')}
          </Button>
        }
      />
      {sessions.isPending ? (
        <TableSkeleton columns={4} rows={3} />
      ) : sessions.isError ? (
        <ErrorRow error={sessions.error} retry={() => void sessions.refetch()} />
      ) : sessions.data.items.length === 0 ? (
        <EmptyState icon={<MonitorIcon className="size-6" />} title={t('sessions.empty')} />
      ) : (
        <Table caption={t('sessions.title')}>
          <THead>
            <tr>
              <Th>{t('sessions.device')}</Th>
              <Th>{t('sessions.ip')}</Th>
              <Th>{t('sessions.lastActive')}</Th>
              <Th>{t('sessions.signedIn')}</Th>
              <Th className="text-right">{t('common.actions')}</Th>
            </tr>
          </THead>
          <TBody>
            {sessions.data.items.map((session) => (
              <Tr key={session.id} data-testid="session-row">
                <Td>
                  <div className="flex items-center gap-2 font-medium">
                    {describeUserAgent(session.userAgent, t('sessions.unknownDevice'))}
                    {session.current && <Badge tone="success">{t('sessions.thisDevice')}</Badge>}
                  </div>
                </Td>
                <Td className="font-mono text-xs text-muted">{session.ip ?? '—'}</Td>
                <Td className="text-muted" title={formatDateTime(session.lastUsedAt, user.timezone)}>
                  {formatRelative(session.lastUsedAt)}
                </Td>
                <Td className="text-muted">{formatDateTime(session.createdAt, user.timezone)}</Td>
                <Td className="text-right">
                  {!session.current && (
                    <Button size="sm" variant="ghost-danger" loading={busy === session.id} onClick={() => void revoke(session)}>
                      {t('sessions.revoke')}
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      <Dialog
        open={confirmOthers}
        onClose={() => setConfirmOthers(false)}
        title={t('sessions.revokeOthersTitle')}
        description={t('sessions.revokeOthersDescription', { count: others })}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmOthers(false)}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              loading={busy === 'others'}
              onClick={async () => {
                setBusy('others');
                try {
                  const { revoked } = await authApi.revokeOtherSessions();
                  toast.show(t('sessions.revokedOthers', { count: revoked }), 'success');
                  setConfirmOthers(false);
                  await queryClient.invalidateQueries({ queryKey: ['sessions'] });
                } catch (error) {
                  toast.show(describeError(error), 'error');
                } finally {
                  setBusy(null);
                }
              }}
            >
              {t('sessions.revokeOthers')}
            </Button>
          </>
        }
      />
    </>
  );
}
