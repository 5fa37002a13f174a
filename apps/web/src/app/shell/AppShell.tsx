import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { TenantTheme } from '../../shared/theme/TenantTheme';
import { Badge, cn } from '../../shared/ui';
import { CloseIcon, MenuIcon } from '../../shared/ui/icons';
import { LogoMark } from '../../shared/ui/Logo';
import { OfflineBanner } from '../OfflineBanner';
import { NotificationBell } from '../../modules/notifications/NotificationBell';
import { navigationFor } from './navigation';
import { ScopeSwitcher } from './ScopeSwitcher';
import { UserMenu } from './UserMenu';
import { EmailVerificationBanner } from './EmailVerificationBanner';

/**
 * The signed-in frame: a sidebar for the user's tier (a drawer below 768 px), the scope switcher, the
 * user menu, and the page.
 */
export function AppShell() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const drawerRef = useRef<HTMLDivElement>(null);
  const menuButtonRef = useRef<HTMLButtonElement>(null);

  // Close the drawer on navigation; while open, Escape closes it and focus stays inside.
  useEffect(() => setDrawerOpen(false), [pathname]);
  useEffect(() => {
    if (!drawerOpen) return;
    drawerRef.current?.querySelector<HTMLElement>('a,button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setDrawerOpen(false);
        menuButtonRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const sidebar = (inDrawer: boolean) => (
    <div className="flex h-full flex-col gap-4 p-3">
      <div className="flex items-center gap-2 px-2 pt-1">
        <LogoMark className="size-6" />
        <span className="font-semibold tracking-tight">Omni</span>
        <Badge tone="primary" className="ml-auto">
          <span data-testid="tier-badge">{t(`tiers.${access.tier}`)}</span>
        </Badge>
        {!inDrawer && access.hasTenant && <NotificationBell align="start" />}
        {inDrawer && (
          <button
            type="button"
            onClick={() => {
              setDrawerOpen(false);
              menuButtonRef.current?.focus();
            }}
            className="rounded-md p-1.5 text-muted hover:bg-surface-2"
            aria-label={t('nav.closeMenu')}
          >
            <CloseIcon className="size-5" />
          </button>
        )}
      </div>
      <ScopeSwitcher onSwitched={() => setDrawerOpen(false)} />
      <nav aria-label={t('nav.label')} className="flex-1 overflow-y-auto">
        {navigationFor(access, scope).map((section) => (
          <div key={section.titleKey} className="mb-5">
            <h2 className="px-2 pb-1.5 text-xs font-medium uppercase tracking-wide text-muted">{t(section.titleKey)}</h2>
            <ul className="flex flex-col gap-0.5">
              {section.items.map((item) => (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    activeOptions={{ exact: item.exact ?? false }}
                    className="flex items-center gap-2.5 rounded-lg px-2 py-1.5 text-sm text-muted transition hover:bg-surface-2 hover:text-fg"
                    activeProps={{ className: '!bg-primary/10 !text-fg font-medium', 'aria-current': 'page' }}
                  >
                    {item.icon}
                    {t(item.labelKey)}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className="border-t border-border pt-2">
        <UserMenu canManageApiKeys={access.canManageApiKeys} />
      </div>
    </div>
  );

  return (
    <div className="min-h-dvh">
      <a href="#main" className="sr-only z-50 rounded-md bg-surface px-3 py-2 focus:not-sr-only focus:fixed focus:left-3 focus:top-3">
        {t('common.skipToContent')}
      </a>
      <TenantTheme enabled={access.hasTenant} />
      <aside className="fixed inset-y-0 left-0 z-30 hidden w-64 border-r border-border bg-surface md:block" aria-label={t('nav.sidebar')}>
        {sidebar(false)}
      </aside>
      {drawerOpen && (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-modal="true" aria-label={t('nav.sidebar')}>
          <div className="absolute inset-0 bg-slate-950/50" onClick={() => setDrawerOpen(false)} aria-hidden="true" />
          <div ref={drawerRef} className="absolute inset-y-0 left-0 w-[min(18rem,85vw)] border-r border-border bg-surface shadow-2xl">
            {sidebar(true)}
          </div>
        </div>
      )}
      <div className="md:pl-64">
        <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-border bg-surface/90 px-4 backdrop-blur md:hidden">
          <button
            ref={menuButtonRef}
            type="button"
            onClick={() => setDrawerOpen(true)}
            className="rounded-md p-1.5 hover:bg-surface-2"
            aria-label={t('nav.openMenu')}
            aria-expanded={drawerOpen}
          >
            <MenuIcon className="size-5" />
          </button>
          <LogoMark className="size-6" />
          <span className="font-semibold">Omni</span>
          <div className="ml-auto flex items-center gap-1">
            {access.hasTenant && <NotificationBell />}
            <UserMenu compact canManageApiKeys={access.canManageApiKeys} />
          </div>
        </header>
        <OfflineBanner />
        {!user.emailVerified && <EmailVerificationBanner />}
        <main id="main" tabIndex={-1} className={cn('mx-auto w-full max-w-6xl px-4 py-6 outline-none sm:px-6 lg:px-8 lg:py-8')}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
