import { useTranslation } from 'react-i18next';
import { cn } from './cn';

export function Skeleton({ className }: { className?: string }) {
  return <div className={cn('omni-skeleton rounded-md', className)} aria-hidden="true" />;
}

/** Placeholder rows while a table loads; announced once as "Loading…". */
export function TableSkeleton({ rows = 5, columns = 4 }: { rows?: number; columns?: number }) {
  const { t } = useTranslation();
  return (
    <div className="rounded-xl border border-border bg-surface p-4" role="status" aria-label={t('common.loading')}>
      <div className="flex flex-col gap-4">
        {Array.from({ length: rows }, (_, row) => (
          <div key={row} className="flex gap-4">
            {Array.from({ length: columns }, (_, column) => (
              <Skeleton key={column} className={cn('h-4', column === 0 ? 'w-1/3' : 'flex-1')} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
