import { resetPasswordBodySchema } from '@omni/contracts/identity';
import { Link, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { authApi } from '../../shared/api/endpoints';
import { useForm } from '../../shared/forms/useForm';
import { Button, buttonClasses, Field, Input } from '../../shared/ui';
import { FormAlert } from './FormAlert';
import { MissingToken } from './MissingToken';

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const token = useSearch({ from: '/public/reset-password' }).token ?? '';
  const [done, setDone] = useState(false);
  const form = useForm({
    initialValues: { newPassword: '', confirmPassword: '' },
    schema: resetPasswordBodySchema,
    toInput: (values) => ({ token, newPassword: values.newPassword }),
    errorsInline: true,
    onSubmit: async (body, values) => {
      if (values.newPassword !== values.confirmPassword) {
        form.setErrors({ confirmPassword: t('reset.mismatch') });
        return;
      }
      await authApi.resetPassword(body.token, body.newPassword);
      setDone(true);
    },
  });
  if (!token) return <MissingToken />;
  if (done) {
    return (
      <AuthCard title={t('reset.doneTitle')} description={t('reset.doneDescription')}>
        <Link to="/sign-in" className={buttonClasses('primary', 'md', 'w-full')}>
          {t('reset.signIn')}
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={t('reset.title')} description={t('reset.description')}>
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.newPassword')} hint={t('register.passwordHint')} error={form.errors.newPassword}>
          <Input type="password" autoComplete="new-password" autoFocus value={form.values.newPassword} onChange={(event) => form.setField('newPassword', event.target.value)} />
        </Field>
        <Field label={t('fields.confirmPassword')} error={form.errors.confirmPassword}>
          <Input type="password" autoComplete="new-password" value={form.values.confirmPassword} onChange={(event) => form.setField('confirmPassword', event.target.value)} />
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          {t('reset.submit')}
        </Button>
      </form>
    </AuthCard>
  );
}
