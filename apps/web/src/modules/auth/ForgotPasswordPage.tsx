import { forgotPasswordBodySchema } from '@omni/contracts/identity';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { authApi } from '../../shared/api/endpoints';
import { useForm } from '../../shared/forms/useForm';
import { Button, Field, Input } from '../../shared/ui';
import { FormAlert } from './FormAlert';

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '' },
    schema: forgotPasswordBodySchema,
    errorsInline: true,
    onSubmit: async ({ email }) => {
      await authApi.forgotPassword(email);
      setSentTo(email);
    },
  });
  return (
    <AuthCard
      title={t('forgot.title')}
      description={t('forgot.description')}
      footer={
        <Link to="/sign-in" className="font-medium text-fg underline-offset-4 hover:underline">
          {t('common.backToSignIn')}
        </Link>
      }
    >
      {sentTo && <FormAlert tone="success">{t('forgot.sent', { email: sentTo })}</FormAlert>}
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.email')} error={form.errors.email}>
          <Input type="email" autoComplete="email" autoFocus value={form.values.email} onChange={(event) => form.setField('email', event.target.value)} />
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          {sentTo ? t('forgot.resend') : t('forgot.submit')}
        </Button>
      </form>
    </AuthCard>
  );
}
