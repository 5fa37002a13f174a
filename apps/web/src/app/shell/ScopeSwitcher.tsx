import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { tenancyApi, authApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { DropdownMenu, Skeleton, useToast, type MenuItem } from '../../shared/ui';
import { ChevronUpDownIcon } from '../../shared/ui/icons';

/** The tenant/account switcher: lists the user's memberships and switches the session's scope. */
export function ScopeSwitcher({ onSwitched }: { onSwitched?: () => void }) {
  const { t } = useTranslation();
  const { scope, user } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const memberships = useQuery({ queryKey: ['memberships'], queryFn: tenancyApi.memberships, staleTime: 60_000 });

  if (memberships.isPending) return <Skeleton className="h-12 w-full rounded-xl" />;
  const items = memberships.data?.items ?? [];
  const currentTenant = items.find((item) => item.tenant.id === scope?.tenantId);
  const currentAccount = currentTenant?.accounts.find((account) => account.id === scope?.accountId);

  const switchTo = async (tenantId: string, accountId: string | null) => {
    try {
      await authApi.switchScope({ tenantId, accountId });
      // Everything cached belongs to the previous scope.
      queryClient.clear();
      onSwitched?.();
      await navigate({ to: '/' });
    } catch (error) {
      toast.show(describeError(error), 'error');
    }
  };

  const menu: MenuItem[] = [];
  for (const membership of items) {
    menu.push({ type: 'label', label: membership.tenant.name });
    if (membership.role) {
      menu.push({
        label: t('switcher.allAccounts'),
        checked: scope?.tenantId === membership.tenant.id && !scope?.accountId,
        onSelect: () => void switchTo(membership.tenant.id, null),
      });
    }
    for (const account of membership.accounts) {
      menu.push({
        label: account.name,
        checked: scope?.tenantId === membership.tenant.id && scope?.accountId === account.id,
        onSelect: () => void switchTo(membership.tenant.id, account.id),
      });
    }
  }

  const title = currentTenant?.tenant.name ?? (user.isSuperAdmin ? t('switcher.platform') : t('switcher.noWorkspace'));
  const subtitle = currentAccount?.name ?? (currentTenant ? t('switcher.allAccounts') : t('switcher.choose'));

  if (menu.length === 0) {
    return (
      <div className="rounded-xl border border-border px-3 py-2">
        <div className="truncate text-sm font-semibold">{title}</div>
        <div className="truncate text-xs text-muted">{t('switcher.noMemberships')}</div>
      </div>
    );
  }

  return (
    <DropdownMenu
      align="start"
      triggerLabel={t('switcher.label', { current: `${title} · ${subtitle}` })}
      triggerClassName="flex w-full items-center gap-3 rounded-xl border border-border bg-surface px-3 py-2 text-left hover:bg-surface-2"
      trigger={
        <>
          <span className="flex size-8 shrink-0 items-center justify-center rounded-lg bg-primary text-sm font-semibold text-on-primary" aria-hidden="true">
            {title.slice(0, 1).toUpperCase()}
          </span>
          <span className="min-w-0 flex-1">
            <span className="block truncate text-sm font-semibold" data-testid="switcher-tenant">{title}</span>
            <span className="block truncate text-xs text-muted" data-testid="switcher-account">{subtitle}</span>
          </span>
          <ChevronUpDownIcon className="size-4 text-muted" />
        </>
      }
      items={menu}
    />
  );
}
