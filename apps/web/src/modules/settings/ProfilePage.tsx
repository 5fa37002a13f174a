import { changePasswordBodySchema, updateUserProfileBodySchema } from '@omni/contracts/identity';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { authApi } from '../../shared/api/endpoints';
import { useSession } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { changeLanguage, consoleLanguageOf } from '../../shared/i18n/i18n';
import { Avatar, Button, Card, CardBody, CardHeader, Field, Input, PageHeader, Select, useToast } from '../../shared/ui';

const localeChoices = ['en', 'en-GB', 'de', 'de-AT', 'de-CH', 'fr', 'es', 'it', 'nl', 'pt-BR'];

export function ProfilePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const timeZones = useMemo(() => ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')], []);
  const languageNames = useMemo(() => new Intl.DisplayNames([t('meta.locale')], { type: 'language' }), [t]);
  const locales = localeChoices.includes(user.locale) ? localeChoices : [user.locale, ...localeChoices];

  const profile = useForm({
    initialValues: { name: user.name, locale: user.locale, timezone: user.timezone, avatarUrl: user.avatarUrl ?? '' },
    schema: updateUserProfileBodySchema,
    toInput: (values) => ({ ...values, avatarUrl: values.avatarUrl.trim() === '' ? null : values.avatarUrl }),
    onSubmit: async (body) => {
      const updated = await authApi.updateProfile(body);
      api.updateUser(updated);
      const language = consoleLanguageOf(updated.locale);
      if (language) changeLanguage(language);
      toast.show(t('profile.saved'), 'success');
    },
  });

  const password = useForm({
    initialValues: { currentPassword: '', newPassword: '' },
    schema: changePasswordBodySchema,
    onSubmit: async (body) => {
      await authApi.changePassword(body);
      password.setValues({ currentPassword: '', newPassword: '' });
      toast.show(t('profile.passwordChanged'), 'success');
    },
  });

  return (
    <>
      <PageHeader title={t('profile.title')} description={t('profile.description')} />
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader title={t('profile.personal')} description={user.email} action={<Avatar name={profile.values.name || user.name} src={user.avatarUrl} size="lg" />} />
          <CardBody>
            <form onSubmit={profile.handleSubmit} noValidate className="grid gap-4 sm:grid-cols-2">
              <Field label={t('fields.name')} error={profile.errors.name} className="sm:col-span-2">
                <Input autoComplete="name" value={profile.values.name} onChange={(event) => profile.setField('name', event.target.value)} />
              </Field>
              <Field label={t('fields.locale')} hint={t('profile.localeHint')} error={profile.errors.locale}>
                <Select value={profile.values.locale} onChange={(event) => profile.setField('locale', event.target.value)}>
                  {locales.map((locale) => (
                    <option key={locale} value={locale}>
                      {languageNames.of(locale) ?? locale} ({locale})
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label={t('fields.timezone')} error={profile.errors.timezone}>
                <Select value={profile.values.timezone} onChange={(event) => profile.setField('timezone', event.target.value)}>
                  {(timeZones.includes(profile.values.timezone) ? timeZones : [profile.values.timezone, ...timeZones]).map((zone) => (
                    <option key={zone} value={zone}>
                      {zone.replaceAll('_', ' ')}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label={t('fields.avatarUrl')} hint={t('profile.avatarHint')} error={profile.errors.avatarUrl} className="sm:col-span-2">
                <Input type="url" inputMode="url" placeholder="https://" value={profile.values.avatarUrl} onChange={(event) => profile.setField('avatarUrl', event.target.value)} />
              </Field>
              <div className="sm:col-span-2">
                <Button type="submit" loading={profile.submitting}>
                  {t('common.saveChanges')}
                </Button>
              </div>
            </form>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title={t('profile.passwordTitle')} description={t('profile.passwordDescription')} />
          <CardBody>
            <form onSubmit={password.handleSubmit} noValidate className="grid gap-4 sm:grid-cols-2">
              <input type="email" autoComplete="username" value={user.email} readOnly hidden />
              <Field label={t('fields.currentPassword')} error={password.errors.currentPassword}>
                <Input type="password" autoComplete="current-password" value={password.values.currentPassword} onChange={(event) => password.setField('currentPassword', event.target.value)} />
              </Field>
              <Field label={t('fields.newPassword')} hint={t('register.passwordHint')} error={password.errors.newPassword}>
                <Input type="password" autoComplete="new-password" value={password.values.newPassword} onChange={(event) => password.setField('newPassword', event.target.value)} />
              </Field>
              <div className="sm:col-span-2">
                <Button type="submit" variant="secondary" loading={password.submitting}>
                  {t('profile.changePassword')}
                </Button>
              </div>
            </form>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
