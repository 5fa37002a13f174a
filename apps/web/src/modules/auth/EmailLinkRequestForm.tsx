import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { AuthCard } from '../../app/AuthLayout';
import { useForm } from '../../shared/forms/useForm';
import { Button, Field, Input } from '../../shared/ui';
import { FormAlert } from './FormAlert';

/**
 * "Email me a link" (password reset, magic-link sign-in): one email field, a confirmation naming the
 * address, and a resend. The server answers alike whether or not the address has an account.
 */
export function EmailLinkRequestForm(props: {
  /** i18n key prefix with title, description, sent, submit and resend. */
  messages: 'forgot' | 'magic';
  footerLabel: string;
  /** The endpoint's own body schema from @omni/contracts, so the form validates as the server does. */
  schema: z.ZodType<{ email: string }, { email: string }>;
  send: (email: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '' },
    schema: props.schema,
    errorsInline: true,
    onSubmit: async ({ email }) => {
      await props.send(email);
      setSentTo(email);
    },
  });
  return (
    <AuthCard
      title={t(`${props.messages}.title`)}
      description={t(`${props.messages}.description`)}
      footer={
        <Link to="/sign-in" className="font-medium text-fg underline-offset-4 hover:underline">
          {props.footerLabel}
        </Link>
      }
    >
      {sentTo && <FormAlert tone="success">{t(`${props.messages}.sent`, { email: sentTo })}</FormAlert>}
      {form.errors.form && <FormAlert>{form.errors.form}</FormAlert>}
      <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.email')} error={form.errors.email}>
          <Input type="email" autoComplete="email" autoFocus value={form.values.email} onChange={(event) => form.setField('email', event.target.value)} />
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          {sentTo ? t(`${props.messages}.resend`) : t(`${props.messages}.submit`)}
        </Button>
      </form>
    </AuthCard>
  );
}
