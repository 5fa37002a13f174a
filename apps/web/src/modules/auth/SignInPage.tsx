import { loginBodySchema } from '@omni/contracts/identity';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { authApi } from '../../shared/api/endpoints';
import { useAuth } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { Button, Field, Input } from '../../shared/ui';
import { FormAlert } from './FormAlert';

export function SignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const search = useSearch({ from: '/public/sign-in' });
  const auth = useAuth();
  const form = useForm({
    initialValues: { email: '', password: '' },
    schema: loginBodySchema,
    errorsInline: true,
    onSubmit: async (body) => {
      await authApi.login(body);
      await navigate({ to: search.redirect ?? '/' });
    },
  });
  const sessionEnded = auth.status === 'signed-out' && auth.reason === 'expired';

  return (
    <AuthCard
      title={t('signIn.title')}
      description={t('signIn.description')}
      footer={
        <>
          {t('signIn.noAccount')}{' '}
          <Link to="/register" className="font-medium text-fg underline-offset-4 hover:underline">
            {t('signIn.register')}
          </Link>
        </>
      }
    >
      {sessionEnded && !form.errors.form && <FormAlert tone="info">{t('signIn.sessionEnded')}</FormAlert>}
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.email')} error={form.errors.email}>
          <Input type="email" autoComplete="email" autoFocus value={form.values.email} onChange={(event) => form.setField('email', event.target.value)} />
        </Field>
        <Field
          label={t('fields.password')}
          error={form.errors.password}
          labelAside={
            <Link to="/forgot-password" className="text-xs font-medium text-muted hover:text-fg">
              {t('signIn.forgot')}
            </Link>
          }
        >
          <Input type="password" autoComplete="current-password" value={form.values.password} onChange={(event) => form.setField('password', event.target.value)} />
        </Field>
        <Button type="submit" loading={form.submitting} className="mt-1 w-full">
          {t('signIn.submit')}
        </Button>
      </form>
      <div className="my-5 flex items-center gap-3 text-xs text-muted">
        <span className="h-px flex-1 bg-border" />
        {t('common.or')}
        <span className="h-px flex-1 bg-border" />
      </div>
      <Link to="/magic-link" search={{}} className="flex h-10 w-full items-center justify-center rounded-lg border border-border text-sm font-medium hover:bg-surface-2">
        {t('signIn.magicLink')}
      </Link>
    </AuthCard>
  );
}
