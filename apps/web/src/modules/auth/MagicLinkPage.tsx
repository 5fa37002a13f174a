import { magicLinkBodySchema } from '@omni/contracts/identity';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { authApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useForm } from '../../shared/forms/useForm';
import { Button, buttonClasses, Field, Input, Spinner } from '../../shared/ui';
import { FormAlert } from './FormAlert';

/** /magic-link: ask for a sign-in link; /magic-link?token=…: the link from the email signs in. */
export function MagicLinkPage() {
  const token = useSearch({ from: '/public/magic-link' }).token ?? '';
  return token ? <MagicLinkLanding token={token} /> : <MagicLinkRequest />;
}

function MagicLinkRequest() {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '' },
    schema: magicLinkBodySchema,
    errorsInline: true,
    onSubmit: async ({ email }) => {
      await authApi.requestMagicLink(email);
      setSentTo(email);
    },
  });
  return (
    <AuthCard
      title={t('magic.title')}
      description={t('magic.description')}
      footer={
        <Link to="/sign-in" className="font-medium text-fg underline-offset-4 hover:underline">
          {t('magic.usePassword')}
        </Link>
      }
    >
      {sentTo && <FormAlert tone="success">{t('magic.sent', { email: sentTo })}</FormAlert>}
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.email')} error={form.errors.email}>
          <Input type="email" autoComplete="email" autoFocus value={form.values.email} onChange={(event) => form.setField('email', event.target.value)} />
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          {sentTo ? t('magic.resend') : t('magic.submit')}
        </Button>
      </form>
    </AuthCard>
  );
}

function MagicLinkLanding({ token }: { token: string }) {
  const { t } = useTranslation();
  const signIn = useQuery({
    queryKey: ['magic-link', token],
    queryFn: () => authApi.verifyMagicLink(token),
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  if (signIn.isSuccess) return <Navigate to="/" />;
  if (signIn.isError) {
    return (
      <AuthCard title={t('magic.failedTitle')}>
        <FormAlert>{describeError(signIn.error)}</FormAlert>
        <Link to="/magic-link" search={{}} className={buttonClasses('secondary', 'md', 'w-full')}>
          {t('magic.again')}
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={t('magic.signingIn')}>
      <p className="flex items-center gap-2 text-sm text-muted" role="status">
        <Spinner className="size-4" /> {t('magic.checking')}
      </p>
    </AuthCard>
  );
}
