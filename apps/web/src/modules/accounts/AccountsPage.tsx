import { createAccountBodySchema, updateAccountBodySchema, type Account } from '@omni/contracts/tenancy';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ZodType } from 'zod';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { tenancyApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { formatDate } from '../../shared/lib/format';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Badge, Button, Dialog, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { BriefcaseIcon, PlusIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';

type StatusFilter = 'active' | 'archived' | 'all';

export function AccountsPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StatusFilter>('active');
  const [editing, setEditing] = useState<Account | 'new' | null>(null);
  const accounts = usePagedList(['accounts', 'list', status], (cursor) => tenancyApi.accounts({ cursor, status, limit: 50 }), access.canReadAccounts);
  if (!access.canReadAccounts) return <NoAccess />;

  const setArchived = async (account: Account, archived: boolean) => {
    try {
      await tenancyApi.updateAccount(account.id, { status: archived ? 'archived' : 'active' });
      toast.show(t(archived ? 'accounts.archived' : 'accounts.restored', { name: account.name }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['accounts'] });
      await queryClient.invalidateQueries({ queryKey: ['memberships'] });
      await queryClient.invalidateQueries({ queryKey: ['overview'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    }
  };

  return (
    <>
      <PageHeader
        title={t('accounts.title')}
        description={t('accounts.description')}
        actions={
          access.canManageAccounts && (
            <Button onClick={() => setEditing('new')}>
              <PlusIcon /> {t('accounts.create')}
            </Button>
          )
        }
      />
      <div className="mb-3 flex items-center gap-2">
        <label htmlFor="account-status" className="text-sm text-muted">
          {t('team.statusFilter')}
        </label>
        <Select id="account-status" className="h-8 w-40" value={status} onChange={(event) => setStatus(event.target.value as StatusFilter)}>
          <option value="active">{t('accountStatus.active')}</option>
          <option value="archived">{t('accountStatus.archived')}</option>
          <option value="all">{t('common.all')}</option>
        </Select>
      </div>
      {accounts.isPending ? (
        <TableSkeleton columns={4} />
      ) : accounts.isError ? (
        <ErrorRow error={accounts.error} retry={() => void accounts.refetch()} />
      ) : accounts.items.length === 0 ? (
        <EmptyState
          icon={<BriefcaseIcon className="size-6" />}
          title={status === 'archived' ? t('accounts.emptyArchived') : t('accounts.empty')}
          description={status === 'archived' ? undefined : t('accounts.emptyDescription')}
          action={access.canManageAccounts && status !== 'archived' ? <Button onClick={() => setEditing('new')}>{t('accounts.create')}</Button> : undefined}
        />
      ) : (
        <Table caption={t('accounts.title')}>
          <THead>
            <tr>
              <Th>{t('fields.name')}</Th>
              <Th>{t('fields.slug')}</Th>
              <Th>{t('team.columns.status')}</Th>
              <Th>{t('accounts.created')}</Th>
              {access.canManageAccounts && <Th className="text-right">{t('common.actions')}</Th>}
            </tr>
          </THead>
          <TBody>
            {accounts.items.map((account) => (
              <Tr key={account.id} data-testid="account-row">
                <Td className="font-medium">{account.name}</Td>
                <Td className="font-mono text-xs text-muted">{account.slug}</Td>
                <Td>
                  <Badge tone={account.status === 'active' ? 'success' : 'neutral'}>{t(`accountStatus.${account.status}`)}</Badge>
                </Td>
                <Td className="text-muted">{formatDate(account.createdAt, user.timezone)}</Td>
                {access.canManageAccounts && (
                  <Td className="whitespace-nowrap text-right">
                    <Button size="sm" variant="ghost" onClick={() => setEditing(account)} aria-label={t('accounts.renameFor', { name: account.name })}>
                      {t('accounts.rename')}
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      className={account.status === 'active' ? 'text-danger' : undefined}
                      onClick={() => void setArchived(account, account.status === 'active')}
                      aria-label={t(account.status === 'active' ? 'accounts.archiveFor' : 'accounts.restoreFor', { name: account.name })}
                    >
                      {account.status === 'active' ? t('accounts.archive') : t('accounts.restore')}
                    </Button>
                  </Td>
                )}
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      {accounts.hasNextPage && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" size="sm" loading={accounts.isFetchingNextPage} onClick={() => void accounts.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
      {editing && <AccountDialog account={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function AccountDialog({ account, onClose }: { account: Account | null; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: account?.name ?? '', slug: account?.slug ?? '' },
    schema: (account ? updateAccountBodySchema : createAccountBodySchema) as ZodType<{ name?: string; slug?: string }>,
    toInput: (values) => ({ name: values.name, slug: values.slug || undefined }),
    onSubmit: async (body) => {
      const saved = account ? await tenancyApi.updateAccount(account.id, body) : await tenancyApi.createAccount({ name: body.name ?? '', slug: body.slug });
      toast.show(t(account ? 'accounts.saved' : 'accounts.createdToast', { name: saved.name }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['accounts'] });
      await queryClient.invalidateQueries({ queryKey: ['memberships'] });
      await queryClient.invalidateQueries({ queryKey: ['overview'] });
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={account ? t('accounts.renameTitle') : t('accounts.createTitle')}
      description={account ? undefined : t('accounts.createDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="account-form" loading={form.submitting}>
            {account ? t('common.save') : t('accounts.create')}
          </Button>
        </>
      }
    >
      <form id="account-form" onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.name')} error={form.errors.name}>
          <Input autoFocus value={form.values.name} onChange={(event) => form.setField('name', event.target.value)} />
        </Field>
        <Field label={t('fields.slug')} hint={t('accounts.slugHint')} error={form.errors.slug}>
          <Input autoCapitalize="none" spellCheck={false} value={form.values.slug} onChange={(event) => form.setField('slug', event.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}
