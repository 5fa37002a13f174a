import { acceptInvitationBodySchema, type InvitationLookup } from '@omni/contracts/tenancy';
import { loginBodySchema } from '@omni/contracts/identity';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { api } from '../../shared/api';
import { authApi, tenancyApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useAuth } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { Button, buttonClasses, Field, Input, Skeleton } from '../../shared/ui';
import { FormAlert } from './FormAlert';
import { MissingToken } from './MissingToken';

export function AcceptInvitationPage() {
  const { t } = useTranslation();
  const token = useSearch({ from: '/public/accept-invitation' }).token ?? '';
  const lookup = useQuery({ queryKey: ['invitation-lookup', token], queryFn: () => tenancyApi.lookupInvitation(token), enabled: Boolean(token), retry: false });
  if (!token) return <MissingToken />;
  if (lookup.isPending) {
    return (
      <AuthCard title={t('invite.loading')}>
        <div className="flex flex-col gap-3" role="status" aria-label={t('common.loading')}>
          <Skeleton className="h-4 w-3/4" />
          <Skeleton className="h-4 w-1/2" />
          <Skeleton className="mt-3 h-10 w-full" />
        </div>
      </AuthCard>
    );
  }
  if (lookup.isError) {
    return (
      <AuthCard title={t('invite.unusableTitle')}>
        <FormAlert>{describeError(lookup.error)}</FormAlert>
        <Link to="/sign-in" className={buttonClasses('secondary', 'md', 'w-full')}>
          {t('common.backToSignIn')}
        </Link>
      </AuthCard>
    );
  }
  return <InvitationCard token={token} invitation={lookup.data} />;
}

function InvitationCard({ token, invitation }: { token: string; invitation: InvitationLookup }) {
  const { t } = useTranslation();
  const auth = useAuth();
  const where = invitation.accountName ? t('invite.whereAccount', { account: invitation.accountName, tenant: invitation.tenantName }) : invitation.tenantName;
  const description = t('invite.description', { where, role: t(`roles.${invitation.accountName ? 'account' : 'tenant'}.${invitation.role}`) });
  const signedInAs = auth.status === 'signed-in' ? auth.user.email : null;

  return (
    <AuthCard title={t('invite.title', { tenant: invitation.tenantName })} description={description}>
      <p className="mb-4 rounded-lg bg-surface-2 px-3 py-2 text-sm">
        {t('invite.for')} <strong className="font-medium">{invitation.email}</strong>
      </p>
      {signedInAs ? (
        signedInAs.toLowerCase() === invitation.email.toLowerCase() ? (
          <AcceptAsSignedIn token={token} />
        ) : (
          <WrongAccount signedInAs={signedInAs} invitedEmail={invitation.email} />
        )
      ) : invitation.existingUser ? (
        <SignInAndAccept token={token} email={invitation.email} />
      ) : (
        <CreateAndAccept token={token} />
      )}
    </AuthCard>
  );
}

function useFinish() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return async () => {
    queryClient.clear();
    await navigate({ to: '/' });
  };
}

function AcceptAsSignedIn({ token }: { token: string }) {
  const { t } = useTranslation();
  const finish = useFinish();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      {error && <FormAlert>{error}</FormAlert>}
      <Button
        className="w-full"
        loading={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await tenancyApi.acceptInvitation({ token }, true);
            await finish();
          } catch (caught) {
            setError(describeError(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('invite.accept')}
      </Button>
    </>
  );
}

function WrongAccount({ signedInAs, invitedEmail }: { signedInAs: string; invitedEmail: string }) {
  const { t } = useTranslation();
  return (
    <>
      <FormAlert tone="info">{t('invite.wrongAccount', { current: signedInAs, invited: invitedEmail })}</FormAlert>
      <Button variant="secondary" className="w-full" onClick={() => void api.signOut()}>
        {t('invite.signOutFirst')}
      </Button>
    </>
  );
}

function SignInAndAccept({ token, email }: { token: string; email: string }) {
  const { t } = useTranslation();
  const finish = useFinish();
  const form = useForm({
    initialValues: { password: '' },
    schema: loginBodySchema,
    toInput: (values) => ({ email, password: values.password }),
    errorsInline: true,
    onSubmit: async (body) => {
      await authApi.login(body);
      await tenancyApi.acceptInvitation({ token }, true);
      await finish();
    },
  });
  return (
    <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
      <p className="text-sm text-muted">{t('invite.existingUser')}</p>
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <Field label={t('fields.password')} error={form.errors.password}>
        <Input type="password" autoComplete="current-password" autoFocus value={form.values.password} onChange={(event) => form.setField('password', event.target.value)} />
      </Field>
      <Button type="submit" loading={form.submitting} className="w-full">
        {t('invite.signInAndAccept')}
      </Button>
      <Link to="/forgot-password" className="text-center text-xs font-medium text-muted hover:text-fg">
        {t('signIn.forgot')}
      </Link>
    </form>
  );
}

function CreateAndAccept({ token }: { token: string }) {
  const { t } = useTranslation();
  const finish = useFinish();
  const form = useForm({
    initialValues: { name: '', password: '' },
    schema: acceptInvitationBodySchema.required({ name: true, password: true }),
    toInput: (values) => ({ token, name: values.name, password: values.password }),
    errorsInline: true,
    onSubmit: async (body) => {
      await tenancyApi.acceptInvitation(body, false);
      await finish();
    },
  });
  return (
    <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
      <p className="text-sm text-muted">{t('invite.newUser')}</p>
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <Field label={t('fields.name')} error={form.errors.name}>
        <Input autoComplete="name" autoFocus value={form.values.name} onChange={(event) => form.setField('name', event.target.value)} />
      </Field>
      <Field label={t('fields.password')} hint={t('register.passwordHint')} error={form.errors.password}>
        <Input type="password" autoComplete="new-password" value={form.values.password} onChange={(event) => form.setField('password', event.target.value)} />
      </Field>
      <Button type="submit" loading={form.submitting} className="w-full">
        {t('invite.createAndAccept')}
      </Button>
    </form>
  );
}
