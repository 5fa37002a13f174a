import { Link, type ErrorComponentProps } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { describeError } from '../shared/api/errors';
import { Button, buttonClasses, EmptyState } from '../shared/ui';
import { ShieldIcon } from '../shared/ui/icons';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <main id="main" className="mx-auto flex min-h-[60dvh] max-w-md flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-primary">404</p>
      <h1 className="text-2xl font-semibold">{t('notFound.title')}</h1>
      <p className="text-sm text-muted">{t('notFound.description')}</p>
      <Link to="/" className={buttonClasses('secondary', 'md', 'mt-2')}>
        {t('notFound.home')}
      </Link>
    </main>
  );
}

export function RouteErrorPage({ error, reset }: ErrorComponentProps) {
  const { t } = useTranslation();
  return (
    <div className="mx-auto flex max-w-md flex-col items-center gap-3 px-4 py-16 text-center" role="alert">
      <h1 className="text-xl font-semibold">{t('errors.pageTitle')}</h1>
      <p className="text-sm text-muted">{describeError(error)}</p>
      <Button variant="secondary" onClick={() => (isStaleChunk(error) ? window.location.reload() : reset())}>
        {t('common.retry')}
      </Button>
    </div>
  );
}

/** Shown in place of a screen the current role may not use. */
export function NoAccess() {
  const { t } = useTranslation();
  return (
    <div className="py-10" data-testid="no-access">
      <EmptyState
        icon={<ShieldIcon className="size-6" />}
        title={t('noAccess.title')}
        description={t('noAccess.description')}
        action={
          <Link to="/" className={buttonClasses('secondary')}>
            {t('notFound.home')}
          </Link>
        }
      />
    </div>
  );
}

/** After a deploy, an open tab may ask for a chunk that no longer exists: reloading fixes it. */
function isStaleChunk(error: unknown) {
  return error instanceof Error && (error.name === 'ChunkLoadError' || /dynamically imported module|Failed to fetch/.test(error.message));
}
