import { createInvitationBodySchema, type MemberRole } from '@omni/contracts/tenancy';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { tenancyApi } from '../../shared/api/endpoints';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { grantableRoles } from '../../shared/lib/roles';
import { Button, Dialog, Field, Input, Select, useToast } from '../../shared/ui';
import { useAccountsForPicker } from './TeamPage';

/**
 * Invite someone: tenant admins choose a tenant role (whole workspace) or an account role in any
 * account; account admins invite into their own account.
 */
export function InviteDialog({ onClose, onInvited }: { onClose: () => void; onInvited: () => void }) {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const accounts = useAccountsForPicker(access.tenantAdmin);
  const tenantChoices = grantableRoles(access, 'tenant');
  const accountChoices = grantableRoles(access, 'account');
  const fixedAccountId = access.tenantAdmin ? null : (scope?.accountId ?? null);

  const form = useForm({
    initialValues: {
      email: '',
      // "tenant:admin" and "account:admin" are different grants with the same role name.
      grant: access.tenantAdmin ? 'tenant:member' : 'account:editor',
      accountId: fixedAccountId ?? '',
    },
    schema: createInvitationBodySchema,
    toInput: (values) => {
      const [kind, role] = values.grant.split(':') as ['tenant' | 'account', MemberRole];
      return { email: values.email, role, accountId: kind === 'tenant' ? null : values.accountId || fixedAccountId };
    },
    onSubmit: async (body, values) => {
      if (values.grant.startsWith('account:') && !body.accountId) {
        form.setErrors({ accountId: t('team.inviteDialog.chooseAccount') });
        return;
      }
      const invitation = await tenancyApi.createInvitation(body);
      toast.show(t('team.inviteDialog.sent', { email: invitation.email }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['invitations'] });
      await queryClient.invalidateQueries({ queryKey: ['overview'] });
      onInvited();
    },
  });
  const [grantKind, grantRole] = form.values.grant.split(':') as ['tenant' | 'account', MemberRole];
  const needsAccount = grantKind === 'account';

  return (
    <Dialog
      open
      onClose={onClose}
      title={t('team.inviteDialog.title')}
      description={t('team.inviteDialog.description')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="invite-form" loading={form.submitting}>
            {t('team.inviteDialog.submit')}
          </Button>
        </>
      }
    >
      <form id="invite-form" onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.email')} error={form.errors.email}>
          <Input type="email" autoFocus autoComplete="off" value={form.values.email} onChange={(event) => form.setField('email', event.target.value)} />
        </Field>
        <Field label={t('fields.role')} hint={t(`roleDescriptions.${grantKind}.${grantRole}`)} error={form.errors.grant}>
          <Select value={form.values.grant} onChange={(event) => form.setField('grant', event.target.value)}>
            {tenantChoices.length > 0 && (
              <optgroup label={t('team.inviteDialog.workspaceRoles')}>
                {tenantChoices.map((role) => (
                  <option key={`tenant-${role}`} value={`tenant:${role}`}>
                    {t(`roles.tenant.${role}`)}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label={t('team.inviteDialog.accountRoles')}>
              {accountChoices.map((role) => (
                <option key={`account-${role}`} value={`account:${role}`}>
                  {t(`roles.account.${role}`)}
                </option>
              ))}
            </optgroup>
          </Select>
        </Field>
        {needsAccount && access.tenantAdmin && (
          <Field label={t('fields.account')} error={form.errors.accountId}>
            <Select value={form.values.accountId} onChange={(event) => form.setField('accountId', event.target.value)}>
              <option value="">{t('team.inviteDialog.pickAccount')}</option>
              {accounts.data?.items.map((account) => (
                <option key={account.id} value={account.id}>
                  {account.name}
                </option>
              ))}
            </Select>
          </Field>
        )}
      </form>
    </Dialog>
  );
}
