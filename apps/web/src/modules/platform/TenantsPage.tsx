import { createPlatformTenantBodySchema, suspendTenantBodySchema, type Industry, type PlatformTenant, industrySchema } from '@omni/contracts/tenancy';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { platformApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { formatDate, formatNumber } from '../../shared/lib/format';
import { usePagedList } from '../../shared/lib/usePagedList';
import { Badge, Button, Dialog, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Textarea, Th, THead, Tr, useToast } from '../../shared/ui';
import { BuildingIcon, PlusIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';
import { slugify } from '../auth/RegisterPage';

export function TenantsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<'' | 'active' | 'suspended'>('');
  const [suspending, setSuspending] = useState<PlatformTenant | null>(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(search.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  const tenants = usePagedList(['platform-tenants', query, status], (cursor) => platformApi.tenants({ cursor, q: query || undefined, status: status || undefined, limit: 50 }), user.isSuperAdmin);
  if (!user.isSuperAdmin) return <NoAccess />;

  const reactivate = async (tenant: PlatformTenant) => {
    try {
      await platformApi.reactivateTenant(tenant.id);
      toast.show(t('tenants.reactivated', { name: tenant.name }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['platform-tenants'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    }
  };

  return (
    <>
      <PageHeader
        title={t('tenants.title')}
        description={t('tenants.description')}
        actions={
          <Button onClick={() => setCreating(true)}>
            <PlusIcon /> {t('tenants.create')}
          </Button>
        }
      />
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <Field label={t('tenants.search')} className="min-w-0 flex-1 sm:max-w-sm">
          <Input type="search" value={search} placeholder={t('tenants.searchPlaceholder')} onChange={(event) => setSearch(event.target.value)} />
        </Field>
        <Field label={t('team.statusFilter')} className="w-44">
          <Select value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
            <option value="">{t('common.all')}</option>
            <option value="active">{t('tenantStatus.active')}</option>
            <option value="suspended">{t('tenantStatus.suspended')}</option>
          </Select>
        </Field>
      </div>
      {tenants.isPending ? (
        <TableSkeleton columns={5} />
      ) : tenants.isError ? (
        <ErrorRow error={tenants.error} retry={() => void tenants.refetch()} />
      ) : tenants.items.length === 0 ? (
        <EmptyState icon={<BuildingIcon className="size-6" />} title={query || status ? t('tenants.emptyFiltered') : t('tenants.empty')} />
      ) : (
        <Table caption={t('tenants.title')}>
          <THead>
            <tr>
              <Th>{t('tenants.tenant')}</Th>
              <Th>{t('team.columns.status')}</Th>
              <Th className="text-right">{t('tenants.members')}</Th>
              <Th className="text-right">{t('tenants.accounts')}</Th>
              <Th>{t('accounts.created')}</Th>
              <Th className="text-right">{t('common.actions')}</Th>
            </tr>
          </THead>
          <TBody>
            {tenants.items.map((tenant) => (
              <Tr key={tenant.id} data-testid="tenant-row">
                <Td>
                  <div className="font-medium">{tenant.name}</div>
                  <div className="font-mono text-xs text-muted">
                    {tenant.slug} · {t(`industries.${tenant.industry}`)} · {tenant.plan}
                  </div>
                </Td>
                <Td>
                  <Badge tone={tenant.status === 'active' ? 'success' : 'danger'}>{t(`tenantStatus.${tenant.status}`)}</Badge>
                  {tenant.suspendedReason && <div className="mt-1 max-w-48 truncate text-xs text-muted" title={tenant.suspendedReason}>{tenant.suspendedReason}</div>}
                </Td>
                <Td className="text-right tabular-nums">{formatNumber(tenant.memberCount)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(tenant.accountCount)}</Td>
                <Td className="text-muted">{formatDate(tenant.createdAt, user.timezone)}</Td>
                <Td className="text-right">
                  {tenant.status === 'active' ? (
                    <Button size="sm" variant="ghost-danger" onClick={() => setSuspending(tenant)} aria-label={t('tenants.suspendFor', { name: tenant.name })}>
                      {t('tenants.suspend')}
                    </Button>
                  ) : (
                    <Button size="sm" variant="ghost" onClick={() => void reactivate(tenant)} aria-label={t('tenants.reactivateFor', { name: tenant.name })}>
                      {t('tenants.reactivate')}
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      {tenants.hasNextPage && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" size="sm" loading={tenants.isFetchingNextPage} onClick={() => void tenants.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
      {suspending && <SuspendDialog tenant={suspending} onClose={() => setSuspending(null)} />}
      {creating && <CreateTenantDialog onClose={() => setCreating(false)} />}
    </>
  );
}

function SuspendDialog({ tenant, onClose }: { tenant: PlatformTenant; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { reason: '' },
    schema: suspendTenantBodySchema,
    onSubmit: async ({ reason }) => {
      await platformApi.suspendTenant(tenant.id, reason);
      toast.show(t('tenants.suspended', { name: tenant.name }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['platform-tenants'] });
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('tenants.suspendTitle', { name: tenant.name })}
      description={t('tenants.suspendDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" type="submit" form="suspend-form" loading={form.submitting}>
            {t('tenants.suspend')}
          </Button>
        </>
      }
    >
      <form id="suspend-form" onSubmit={form.handleSubmit} noValidate>
        <Field label={t('tenants.reason')} hint={t('tenants.reasonHint')} error={form.errors.reason}>
          <Textarea autoFocus value={form.values.reason} onChange={(event) => form.setField('reason', event.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}

function CreateTenantDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [slugEdited, setSlugEdited] = useState(false);
  const form = useForm({
    initialValues: { name: '', slug: '', industry: 'marketing_agency' as Industry, ownerEmail: '' },
    schema: createPlatformTenantBodySchema,
    onSubmit: async (body) => {
      const created = await platformApi.createTenant(body);
      toast.show(t('tenants.created', { name: created.tenant.name, email: created.invitation.email }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['platform-tenants'] });
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('tenants.createTitle')}
      description={t('tenants.createDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="tenant-form" loading={form.submitting}>
            {t('tenants.create')}
          </Button>
        </>
      }
    >
      <form id="tenant-form" onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.tenantName')} error={form.errors.name}>
          <Input
            autoFocus
            value={form.values.name}
            onChange={(event) => {
              form.setField('name', event.target.value);
              if (!slugEdited) form.setField('slug', slugify(event.target.value));
            }}
          />
        </Field>
        <Field label={t('fields.tenantSlug')} error={form.errors.slug}>
          <Input
            value={form.values.slug}
            autoCapitalize="none"
            spellCheck={false}
            onChange={(event) => {
              setSlugEdited(true);
              form.setField('slug', event.target.value);
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
        <Field label={t('tenants.ownerEmail')} hint={t('tenants.ownerEmailHint')} error={form.errors.ownerEmail}>
          <Input type="email" value={form.values.ownerEmail} onChange={(event) => form.setField('ownerEmail', event.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}
