import { industrySchema, registerBodySchema, type Industry } from '@omni/contracts/tenancy';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { authApi } from '../../shared/api/endpoints';
import { useForm } from '../../shared/forms/useForm';
import { Button, Field, Input, Select } from '../../shared/ui';
import { FormAlert } from './FormAlert';

/** "Bella Café & Co" → "bella-cafe-co": a suggestion the user may edit. */
export function slugify(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
}

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [slugEdited, setSlugEdited] = useState(false);
  const form = useForm({
    initialValues: { tenantName: '', tenantSlug: '', industry: 'marketing_agency' as Industry, name: '', email: '', password: '' },
    schema: registerBodySchema,
    toInput: (values) => ({ ...values, tenantSlug: values.tenantSlug || undefined }),
    errorsInline: true,
    onSubmit: async (body) => {
      await authApi.register(body);
      await navigate({ to: '/' });
    },
  });

  return (
    <AuthCard
      title={t('register.title')}
      description={t('register.description')}
      footer={
        <>
          {t('register.haveAccount')}{' '}
          <Link to="/sign-in" className="font-medium text-fg underline-offset-4 hover:underline">
            {t('register.signIn')}
          </Link>
        </>
      }
    >
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <fieldset className="flex flex-col gap-4">
          <legend className="mb-3 text-xs font-semibold uppercase tracking-wide text-muted">{t('register.workspace')}</legend>
          <Field label={t('fields.tenantName')} error={form.errors.tenantName}>
            <Input
              autoFocus
              autoComplete="organization"
              value={form.values.tenantName}
              onChange={(event) => {
                form.setField('tenantName', event.target.value);
                if (!slugEdited) form.setField('tenantSlug', slugify(event.target.value));
              }}
            />
          </Field>
          <Field label={t('fields.tenantSlug')} hint={t('register.slugHint', { slug: form.values.tenantSlug || 'your-agency' })} error={form.errors.tenantSlug}>
            <Input
              autoCapitalize="none"
              spellCheck={false}
              value={form.values.tenantSlug}
              onChange={(event) => {
                setSlugEdited(true);
                form.setField('tenantSlug', event.target.value);
              }}
            />
          </Field>
          <Field label={t('fields.industry')} error={form.errors.industry}>
            <Select value={form.values.industry} onChange={(event) => form.setField('industry', event.target.value as Industry)}>
              {industrySchema.options.map((industry) => (
                <option key={industry} value={industry}>
                  {t(`industries.${industry}`)}
                </option>
              ))}
            </Select>
          </Field>
        </fieldset>
        <div className="h-px bg-border" aria-hidden="true" />
        <fieldset className="flex flex-col gap-4">
          <legend className="mb-3 text-xs font-semibold uppercase tracking-wide text-muted">{t('register.you')}</legend>
          <Field label={t('fields.name')} error={form.errors.name}>
            <Input autoComplete="name" value={form.values.name} onChange={(event) => form.setField('name', event.target.value)} />
          </Field>
          <Field label={t('fields.workEmail')} error={form.errors.email}>
            <Input type="email" autoComplete="email" value={form.values.email} onChange={(event) => form.setField('email', event.target.value)} />
          </Field>
          <Field label={t('fields.password')} hint={t('register.passwordHint')} error={form.errors.password}>
            <Input type="password" autoComplete="new-password" value={form.values.password} onChange={(event) => form.setField('password', event.target.value)} />
          </Field>
        </fieldset>
        <Button type="submit" loading={form.submitting} className="mt-1 w-full">
          {t('register.submit')}
        </Button>
      </form>
    </AuthCard>
  );
}
