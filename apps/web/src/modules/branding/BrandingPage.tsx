import { defaultBranding, updateBrandingBodySchema, type Branding } from '@omni/contracts/tenancy';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { CSSProperties } from 'react';
import { NoAccess } from '../../app/RouteStates';
import { tenancyApi } from '../../shared/api/endpoints';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { bumpThemeVersion } from '../../shared/theme/TenantTheme';
import { readableTextOn } from '../../shared/theme/contrast';
import { Button, Card, CardBody, CardHeader, Field, Input, PageHeader, Skeleton, Textarea, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';

const colorKeys = ['primary', 'secondary', 'accent', 'background', 'foreground'] as const;
type ColorKey = (typeof colorKeys)[number];
type BrandingValues = Record<ColorKey, string> & { heading: string; body: string; logoUrl: string; customCss: string };

function valuesOf(branding: Branding): BrandingValues {
  return {
    ...branding.colors,
    heading: branding.fonts.heading,
    body: branding.fonts.body,
    logoUrl: branding.logoUrl ?? '',
    customCss: branding.customCss ?? '',
  };
}

const isHex = (value: string) => /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value.trim());

export function BrandingPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const branding = useQuery({ queryKey: ['branding'], queryFn: tenancyApi.branding, enabled: access.canManageBranding });
  if (!access.canManageBranding) return <NoAccess />;
  return (
    <>
      <PageHeader title={t('branding.title')} description={t('branding.description')} />
      {branding.isPending ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <Skeleton className="h-96 rounded-xl" />
          <Skeleton className="h-96 rounded-xl" />
        </div>
      ) : branding.isError ? (
        <ErrorRow error={branding.error} retry={() => void branding.refetch()} />
      ) : (
        <BrandingEditor initial={branding.data} />
      )}
    </>
  );
}

function BrandingEditor({ initial }: { initial: Branding }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: valuesOf(initial),
    schema: updateBrandingBodySchema,
    fieldOf: (path) => (path[0] === 'colors' || path[0] === 'fonts' ? (path[1] ?? path[0]) : (path[0] ?? '')),
    toInput: (values) => ({
      logoUrl: values.logoUrl.trim() === '' ? null : values.logoUrl,
      colors: Object.fromEntries(colorKeys.map((key) => [key, values[key]])),
      fonts: { heading: values.heading, body: values.body },
      customCss: values.customCss.trim() === '' ? null : values.customCss,
    }),
    onSubmit: async (body) => {
      const saved = await tenancyApi.updateBranding(body);
      queryClient.setQueryData(['branding'], saved);
      await queryClient.invalidateQueries({ queryKey: ['tenant'] });
      bumpThemeVersion();
      toast.show(t('branding.saved'), 'success');
    },
  });
  const { values } = form;
  // zod reports nested paths (colors.primary); show them next to the matching input.
  const errorFor = (key: keyof BrandingValues) => form.errors[key];
  const changed = JSON.stringify(values) !== JSON.stringify(valuesOf(initial));

  // The preview renders with the edited values before anything is saved.
  const safe = (key: ColorKey) => (isHex(values[key]) ? values[key] : initial.colors[key]);
  const previewStyle = {
    '--omni-color-primary': safe('primary'),
    '--omni-color-on-primary': readableTextOn(safe('primary')),
    '--omni-color-secondary': safe('secondary'),
    '--omni-color-accent': safe('accent'),
    '--omni-color-background': safe('background'),
    '--omni-color-foreground': safe('foreground'),
    '--omni-font-heading': values.heading,
    '--omni-font-body': values.body,
    background: safe('background'),
    color: safe('foreground'),
    fontFamily: values.body,
  } as CSSProperties;

  return (
    <div className="grid items-start gap-6 lg:grid-cols-2">
      <Card>
        <CardHeader title={t('branding.editor')} />
        <CardBody>
          <form onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-5" id="branding-form">
            <fieldset>
              <legend className="mb-3 text-sm font-medium">{t('branding.colors')}</legend>
              <div className="grid gap-3 sm:grid-cols-2">
                {colorKeys.map((key) => (
                  <Field key={key} label={t(`branding.color.${key}`)} error={errorFor(key)}>
                    <ColorInput value={values[key]} onChange={(value) => form.setField(key, value)} label={t(`branding.color.${key}`)} />
                  </Field>
                ))}
              </div>
            </fieldset>
            <div className="grid gap-3 sm:grid-cols-2">
              <Field label={t('branding.headingFont')} error={errorFor('heading')}>
                <Input value={values.heading} onChange={(event) => form.setField('heading', event.target.value)} />
              </Field>
              <Field label={t('branding.bodyFont')} error={errorFor('body')}>
                <Input value={values.body} onChange={(event) => form.setField('body', event.target.value)} />
              </Field>
            </div>
            <Field label={t('branding.logoUrl')} hint={t('branding.logoHint')} error={errorFor('logoUrl')}>
              <Input type="url" placeholder="https://" value={values.logoUrl} onChange={(event) => form.setField('logoUrl', event.target.value)} />
            </Field>
            <Field label={t('branding.customCss')} hint={t('branding.customCssHint')} error={errorFor('customCss')}>
              <Textarea className="min-h-32 font-mono text-xs" spellCheck={false} value={values.customCss} onChange={(event) => form.setField('customCss', event.target.value)} />
            </Field>
            <div className="flex flex-wrap gap-2">
              <Button type="submit" loading={form.submitting} disabled={!changed}>
                {t('branding.save')}
              </Button>
              <Button variant="secondary" disabled={!changed} onClick={() => form.setValues(valuesOf(initial))}>
                {t('branding.discard')}
              </Button>
              <Button variant="ghost" className="ml-auto" onClick={() => form.setValues(valuesOf(defaultBranding))}>
                {t('branding.useDefaults')}
              </Button>
            </div>
          </form>
        </CardBody>
      </Card>
      <div className="lg:sticky lg:top-6">
        <Card>
          <CardHeader title={t('branding.preview')} description={changed ? t('branding.previewUnsaved') : t('branding.previewSaved')} />
          <CardBody>
            <div style={previewStyle} className="overflow-hidden rounded-xl border border-black/10" data-testid="branding-preview">
              <div className="flex items-center gap-2 px-4 py-3" style={{ background: safe('primary'), color: readableTextOn(safe('primary')) }}>
                {values.logoUrl && isHttpsOrPath(values.logoUrl) ? (
                  <img src={values.logoUrl} alt="" className="h-6 max-w-24 object-contain" />
                ) : (
                  <span className="flex size-6 items-center justify-center rounded-md bg-white/20 text-xs font-bold" aria-hidden="true">
                    ★
                  </span>
                )}
                <span className="text-sm font-semibold" style={{ fontFamily: values.heading }}>
                  {t('branding.sampleBrand')}
                </span>
              </div>
              <div className="flex flex-col gap-3 p-4">
                <h3 className="text-lg font-semibold" style={{ fontFamily: values.heading }}>
                  {t('branding.sampleHeading')}
                </h3>
                <p className="text-sm opacity-80">{t('branding.sampleText')}</p>
                <div className="flex flex-wrap gap-2">
                  <span className="rounded-lg px-3 py-1.5 text-sm font-medium" style={{ background: safe('primary'), color: readableTextOn(safe('primary')) }} data-testid="preview-primary">
                    {t('branding.samplePrimary')}
                  </span>
                  <span className="rounded-lg px-3 py-1.5 text-sm font-medium" style={{ background: safe('secondary'), color: readableTextOn(safe('secondary')) }}>
                    {t('branding.sampleSecondary')}
                  </span>
                  <span className="inline-flex items-center rounded-full px-2.5 py-1 text-xs font-semibold" style={{ background: safe('accent'), color: readableTextOn(safe('accent')) }}>
                    {t('branding.sampleAccent')}
                  </span>
                </div>
              </div>
            </div>
          </CardBody>
        </Card>
      </div>
    </div>
  );
}

function isHttpsOrPath(value: string) {
  return /^https:\/\//.test(value) || /^\/(?!\/)/.test(value);
}

function ColorInput({
  value,
  onChange,
  label,
  ...control
}: {
  value: string;
  onChange: (value: string) => void;
  label: string;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const { t } = useTranslation();
  const swatch = isHex(value) ? expand(value) : '#000000';
  return (
    <div className="flex items-center gap-2">
      <input
        type="color"
        value={swatch}
        onChange={(event) => onChange(event.target.value)}
        aria-label={t('branding.pick', { name: label })}
        className="h-10 w-12 shrink-0 cursor-pointer rounded-lg border border-border bg-surface p-1"
      />
      <Input
        value={value}
        onChange={(event) => onChange(event.target.value)}
        spellCheck={false}
        className="font-mono"
        {...control}
      />
    </div>
  );
}

function expand(hex: string) {
  const value = hex.trim().slice(1);
  return `#${value.length === 3 ? [...value].map((character) => character + character).join('') : value}`.toLowerCase();
}
