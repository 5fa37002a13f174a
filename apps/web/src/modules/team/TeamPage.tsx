import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Invitation, Member, MemberRole } from '@omni/contracts/tenancy';
import { NoAccess } from '../../app/RouteStates';
import { tenancyApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { formatDate } from '../../shared/lib/format';
import { grantableRoles } from '../../shared/lib/roles';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Avatar, Badge, Button, cn, Dialog, EmptyState, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast, type BadgeTone } from '../../shared/ui';
import { MailIcon, PlusIcon, UsersIcon } from '../../shared/ui/icons';
import { InviteDialog } from './InviteDialog';

export function TeamPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const [tab, setTab] = useState<'members' | 'invitations'>('members');
  const [inviting, setInviting] = useState(false);
  if (!access.canReadMembers) return <NoAccess />;

  return (
    <>
      <PageHeader
        title={access.tier === 'tenant-admin' ? t('team.title') : t('team.accountTitle')}
        description={t('team.description')}
        actions={
          access.canManageMembers && (
            <Button onClick={() => setInviting(true)}>
              <PlusIcon /> {t('team.invite')}
            </Button>
          )
        }
      />
      {access.canManageMembers && (
        <div role="tablist" aria-label={t('team.title')} className="mb-4 inline-flex rounded-lg border border-border bg-surface p-1">
          {(['members', 'invitations'] as const).map((value) => (
            <button
              key={value}
              role="tab"
              type="button"
              id={`tab-${value}`}
              aria-selected={tab === value}
              aria-controls={`panel-${value}`}
              onClick={() => setTab(value)}
              className={cn('rounded-md px-3 py-1.5 text-sm font-medium', tab === value ? 'bg-surface-2 text-fg shadow-sm' : 'text-muted hover:text-fg')}
            >
              {t(`team.tabs.${value}`)}
            </button>
          ))}
        </div>
      )}
      <div role={access.canManageMembers ? 'tabpanel' : undefined} id={`panel-${tab}`} aria-labelledby={access.canManageMembers ? `tab-${tab}` : undefined}>
        {tab === 'members' ? <MembersTable /> : <InvitationsTable onInvite={() => setInviting(true)} />}
      </div>
      {inviting && (
        <InviteDialog
          onClose={() => setInviting(false)}
          onInvited={() => {
            setInviting(false);
            setTab('invitations');
          }}
        />
      )}
    </>
  );
}

function MembersTable() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const members = usePagedList(['members'], (cursor) => tenancyApi.members({ cursor, limit: 50 }));
  const [removing, setRemoving] = useState<Member | null>(null);
  const [busy, setBusy] = useState(false);

  if (members.isPending) return <TableSkeleton columns={4} />;
  if (members.isError) return <ErrorRow error={members.error} retry={() => void members.refetch()} />;
  if (members.items.length === 0) return <EmptyState icon={<UsersIcon className="size-6" />} title={t('team.emptyMembers')} />;

  const changeRole = async (member: Member, role: MemberRole) => {
    try {
      await tenancyApi.updateMember(member.id, { role });
      toast.show(t('team.roleChanged', { name: member.user.name, role: t(`roles.${member.accountId ? 'account' : 'tenant'}.${role}`) }), 'success');
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['members'] });
    }
  };

  return (
    <>
      <Table caption={t('team.tabs.members')}>
        <THead>
          <tr>
            <Th>{t('team.columns.person')}</Th>
            <Th>{t('team.columns.role')}</Th>
            <Th>{t('team.columns.scope')}</Th>
            <Th>{t('team.columns.joined')}</Th>
            {access.canManageMembers && <Th className="text-right">{t('common.actions')}</Th>}
          </tr>
        </THead>
        <TBody>
          {members.items.map((member) => {
            const roles = grantableRoles(access, member.accountId ? 'account' : 'tenant');
            const editable = access.canManageMembers && roles.includes(member.role) && member.user.id !== user.id;
            return (
              <Tr key={member.id} data-testid="member-row">
                <Td>
                  <div className="flex items-center gap-3">
                    <Avatar name={member.user.name} size="sm" />
                    <div className="min-w-0">
                      <div className="truncate font-medium">
                        {member.user.name}
                        {member.user.id === user.id && <span className="ml-1.5 text-xs text-muted">({t('team.you')})</span>}
                      </div>
                      <div className="truncate text-xs text-muted">{member.user.email}</div>
                    </div>
                  </div>
                </Td>
                <Td>
                  {editable ? (
                    <Select
                      aria-label={t('team.roleFor', { name: member.user.name })}
                      className="h-8 w-44"
                      value={member.role}
                      onChange={(event) => void changeRole(member, event.target.value as MemberRole)}
                    >
                      {roles.map((role) => (
                        <option key={role} value={role}>
                          {t(`roles.${member.accountId ? 'account' : 'tenant'}.${role}`)}
                        </option>
                      ))}
                    </Select>
                  ) : (
                    <Badge tone={member.accountId === null ? 'primary' : 'neutral'}>{t(`roles.${member.accountId ? 'account' : 'tenant'}.${member.role}`)}</Badge>
                  )}
                </Td>
                <Td className="text-muted">{member.accountName ?? t('team.wholeWorkspace')}</Td>
                <Td className="text-muted">{formatDate(member.createdAt, user.timezone)}</Td>
                {access.canManageMembers && (
                  <Td className="text-right">
                    {member.user.id !== user.id && (
                      <Button size="sm" variant="ghost-danger" onClick={() => setRemoving(member)} aria-label={t('team.removeFor', { name: member.user.name })}>
                        {t('team.remove')}
                      </Button>
                    )}
                  </Td>
                )}
              </Tr>
            );
          })}
        </TBody>
      </Table>
      {members.hasNextPage && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" size="sm" loading={members.isFetchingNextPage} onClick={() => void members.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
      <Dialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={t('team.removeTitle')}
        description={removing ? t('team.removeDescription', { name: removing.user.name, where: removing.accountName ?? t('team.wholeWorkspace') }) : undefined}
        footer={
          <>
            <Button variant="secondary" onClick={() => setRemoving(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              loading={busy}
              onClick={async () => {
                if (!removing) return;
                setBusy(true);
                try {
                  await tenancyApi.removeMember(removing.id);
                  toast.show(t('team.removed', { name: removing.user.name }), 'success');
                  setRemoving(null);
                  await queryClient.invalidateQueries({ queryKey: ['members'] });
                  await queryClient.invalidateQueries({ queryKey: ['overview'] });
                } catch (error) {
                  toast.show(describeError(error), 'error');
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('team.remove')}
            </Button>
          </>
        }
      />
    </>
  );
}

const statusTone: Record<Invitation['status'], BadgeTone> = { pending: 'warning', accepted: 'success', revoked: 'neutral', expired: 'danger' };

function InvitationsTable({ onInvite }: { onInvite: () => void }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<'' | Invitation['status']>('pending');
  const invitations = usePagedList(['invitations', status], (cursor) => tenancyApi.invitations({ cursor, limit: 50, status: status || undefined }));
  const [pending, setPending] = useState<string | null>(null);

  const act = async (invitation: Invitation, action: 'resend' | 'revoke') => {
    setPending(invitation.id);
    try {
      if (action === 'resend') await tenancyApi.resendInvitation(invitation.id);
      else await tenancyApi.revokeInvitation(invitation.id);
      toast.show(t(action === 'resend' ? 'team.resent' : 'team.revoked', { email: invitation.email }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['invitations'] });
      await queryClient.invalidateQueries({ queryKey: ['overview'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <div className="mb-3 flex items-center gap-2">
        <label htmlFor="invitation-status" className="text-sm text-muted">
          {t('team.statusFilter')}
        </label>
        <Select id="invitation-status" className="h-8 w-40" value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
          <option value="">{t('common.all')}</option>
          {(['pending', 'accepted', 'revoked', 'expired'] as const).map((value) => (
            <option key={value} value={value}>
              {t(`invitationStatus.${value}`)}
            </option>
          ))}
        </Select>
      </div>
      {invitations.isPending ? (
        <TableSkeleton columns={4} />
      ) : invitations.isError ? (
        <ErrorRow error={invitations.error} retry={() => void invitations.refetch()} />
      ) : invitations.items.length === 0 ? (
        <EmptyState
          icon={<MailIcon className="size-6" />}
          title={t('team.emptyInvitations')}
          description={t('team.emptyInvitationsDescription')}
          action={<Button onClick={onInvite}>{t('team.invite')}</Button>}
        />
      ) : (
        <Table caption={t('team.tabs.invitations')}>
          <THead>
            <tr>
              <Th>{t('fields.email')}</Th>
              <Th>{t('team.columns.role')}</Th>
              <Th>{t('team.columns.status')}</Th>
              <Th>{t('team.columns.expires')}</Th>
              <Th className="text-right">{t('common.actions')}</Th>
            </tr>
          </THead>
          <TBody>
            {invitations.items.map((invitation) => (
              <Tr key={invitation.id} data-testid="invitation-row">
                <Td>
                  <div className="font-medium">{invitation.email}</div>
                  <div className="text-xs text-muted">
                    {invitation.invitedBy ? t('team.invitedBy', { name: invitation.invitedBy.name }) : null}
                  </div>
                </Td>
                <Td>
                  {t(`roles.${invitation.accountId ? 'account' : 'tenant'}.${invitation.role}`)}
                  <div className="text-xs text-muted">{invitation.accountName ?? t('team.wholeWorkspace')}</div>
                </Td>
                <Td>
                  <Badge tone={statusTone[invitation.status]}>{t(`invitationStatus.${invitation.status}`)}</Badge>
                </Td>
                <Td className="text-muted">{formatDate(invitation.expiresAt, user.timezone)}</Td>
                <Td className="whitespace-nowrap text-right">
                  {(invitation.status === 'pending' || invitation.status === 'expired') && (
                    <>
                      <Button size="sm" variant="ghost" disabled={pending === invitation.id} onClick={() => void act(invitation, 'resend')}>
                        {t('team.resend')}
                      </Button>
                      <Button size="sm" variant="ghost-danger" disabled={pending === invitation.id} onClick={() => void act(invitation, 'revoke')}>
                        {t('team.revoke')}
                      </Button>
                    </>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      {invitations.hasNextPage && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" size="sm" loading={invitations.isFetchingNextPage} onClick={() => void invitations.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
    </>
  );
}

export function ErrorRow({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-danger/40 bg-danger/5 px-4 py-3 text-sm" role="alert">
      <span>{describeError(error)}</span>
      <Button size="sm" variant="secondary" onClick={retry}>
        {t('common.retry')}
      </Button>
    </div>
  );
}

// Keep the accounts query warm for the invite dialog's account picker.
export function useAccountsForPicker(enabled: boolean) {
  return useQuery({ queryKey: ['accounts', 'active'], queryFn: () => tenancyApi.accounts({ status: 'active', limit: 100 }), enabled });
}
