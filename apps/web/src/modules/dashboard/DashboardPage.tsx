import { defaultBranding, type Branding, type TenantOverview } from '@omni/contracts/tenancy';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { tenancyApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { formatNumber } from '../../shared/lib/format';
import { Button, Card, CardBody, CardHeader, EmptyState, PageHeader, Skeleton } from '../../shared/ui';
import { ActivityIcon, BriefcaseIcon, CheckIcon, IdCardIcon, LinkIcon, MailIcon, UsersIcon } from '../../shared/ui/icons';

export function DashboardPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const overview = useQuery({ queryKey: ['overview'], queryFn: tenancyApi.overview, enabled: access.hasTenant });
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: tenancyApi.tenant, enabled: access.hasTenant, staleTime: 60_000 });

  if (!access.hasTenant) {
    if (access.isSuperAdmin) return <Navigate to="/platform/tenants" />;
    return <EmptyState title={t('dashboard.noWorkspaceTitle')} description={t('dashboard.noWorkspaceDescription')} />;
  }

  const firstName = user.name.split(' ')[0] ?? user.name;
  const figures: Array<{ key: string; icon: ReactNode; value: number | undefined; to?: string }> = [
    { key: 'accounts', icon: <BriefcaseIcon />, value: overview.data?.accounts, to: access.tier === 'tenant-admin' || access.canManageApiKeys ? '/accounts' : undefined },
    { key: 'members', icon: <UsersIcon />, value: overview.data?.members, to: access.canReadMembers ? '/team' : undefined },
    { key: 'pendingInvitations', icon: <MailIcon />, value: overview.data?.pendingInvitations, to: access.canManageMembers ? '/team' : undefined },
    { key: 'auditEvents7d', icon: <ActivityIcon />, value: overview.data?.auditEvents7d, to: access.canReadAudit ? '/audit' : undefined },
    { key: 'profiles', icon: <IdCardIcon />, value: overview.data?.profiles },
    { key: 'customDomains', icon: <LinkIcon />, value: overview.data?.customDomains },
  ];

  return (
    <>
      <PageHeader title={t('dashboard.greeting', { name: firstName })} description={tenant.data ? t('dashboard.subtitle', { tenant: tenant.data.name }) : undefined} />
      {overview.isError ? (
        <Card>
          <CardBody className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm" role="alert">{describeError(overview.error)}</p>
            <Button variant="secondary" size="sm" onClick={() => void overview.refetch()}>
              {t('common.retry')}
            </Button>
          </CardBody>
        </Card>
      ) : (
        <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label={t('dashboard.figures')}>
          {figures.map((figure) => {
            const body = (
              <>
                <div className="flex items-center justify-between text-muted">
                  <span className="text-sm">{t(`dashboard.stats.${figure.key}`)}</span>
                  <span className="rounded-md bg-primary/10 p-1.5 text-primary">{figure.icon}</span>
                </div>
                {figure.value === undefined ? (
                  <Skeleton className="mt-3 h-8 w-16" />
                ) : (
                  <p className="mt-2 text-3xl font-semibold tabular-nums tracking-tight" data-testid={`stat-${figure.key}`}>
                    {formatNumber(figure.value)}
                  </p>
                )}
              </>
            );
            const box = 'block rounded-xl border border-border bg-surface p-4 shadow-sm';
            return (
              <li key={figure.key}>
                {figure.to ? (
                  <Link to={figure.to} className={`${box} transition hover:border-primary/50`}>
                    {body}
                  </Link>
                ) : (
                  <div className={box}>{body}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {access.tier === 'tenant-admin' && overview.data && tenant.data && <SetupChecklist steps={setupSteps(user.emailVerified, overview.data, tenant.data.branding)} />}
    </>
  );
}

type Step = { key: string; done: boolean; to?: string };

/** The first steps of a new workspace, from real data; the card disappears once all are done. */
function setupSteps(emailVerified: boolean, overview: TenantOverview, branding: Branding): Step[] {
  return [
    { key: 'verify', done: emailVerified },
    { key: 'invite', done: overview.members > 1 || overview.pendingInvitations > 0, to: '/team' },
    { key: 'account', done: overview.accounts > 0, to: '/accounts' },
    { key: 'branding', done: branding.logoUrl !== null || branding.colors.primary.toLowerCase() !== defaultBranding.colors.primary, to: '/branding' },
  ];
}

function SetupChecklist({ steps }: { steps: Step[] }) {
  const { t } = useTranslation();
  if (steps.every((step) => step.done)) return null;
  return (
    <Card className="mt-6">
      <CardHeader title={t('dashboard.setup.title')} description={t('dashboard.setup.description')} />
      <CardBody>
        <ul className="flex flex-col gap-2">
          {steps.map((step) => (
            <SetupStep key={step.key} done={step.done} label={t(`dashboard.setup.${step.key}`)} to={step.to} />
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}

function SetupStep({ done, label, to }: { done: boolean; label: string; to?: string }) {
  const { t } = useTranslation();
  return (
    <li className="flex items-center gap-3 text-sm">
      <span
        className={done ? 'flex size-5 items-center justify-center rounded-full bg-success text-white' : 'size-5 rounded-full border-2 border-border'}
        aria-hidden="true"
      >
        {done && <CheckIcon className="size-3.5" />}
      </span>
      <span className={done ? 'text-muted line-through' : ''}>{label}</span>
      <span className="sr-only">{done ? t('dashboard.setup.done') : t('dashboard.setup.todo')}</span>
      {!done && to && (
        <Link to={to} className="ml-auto text-sm font-medium text-primary hover:underline">
          {t('dashboard.setup.go')}
        </Link>
      )}
    </li>
  );
}
