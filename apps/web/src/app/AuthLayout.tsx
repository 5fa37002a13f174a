import { Link, Outlet } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { LogoMark } from '../shared/ui/Logo';
import { OfflineBanner } from './OfflineBanner';
import { PreferenceControls } from './PreferenceControls';

/** The frame of the signed-out pages: brand, preferences, and one centred card. */
export function AuthLayout() {
  const { t } = useTranslation();
  return (
    <div className="flex min-h-dvh flex-col">
      <OfflineBanner />
      <header className="flex items-center justify-between px-4 py-4 sm:px-8">
        <Link to="/sign-in" className="flex items-center gap-2 rounded-lg font-semibold tracking-tight">
          <LogoMark />
          <span>Omni</span>
        </Link>
        <PreferenceControls />
      </header>
      <main id="main" className="flex flex-1 items-start justify-center px-4 pb-16 pt-4 sm:items-center sm:pt-0">
        <div className="w-full max-w-md">
          <Outlet />
        </div>
      </main>
      <footer className="px-4 py-6 text-center text-xs text-muted">{t('auth.footer')}</footer>
    </div>
  );
}

/** The card each auth page renders into. */
export function AuthCard({ title, description, children, footer }: { title: string; description?: string; children: React.ReactNode; footer?: React.ReactNode }) {
  return (
    <div>
      <div className="rounded-2xl border border-border bg-surface p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="mt-1.5 text-sm text-muted">{description}</p>}
        <div className="mt-6">{children}</div>
      </div>
      {footer && <div className="mt-6 text-center text-sm text-muted">{footer}</div>}
    </div>
  );
}
