import type { SocialConnection } from '@omni/contracts/social';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../shared/lib/format';
import { publishingApi } from './publishingApi';
import { StatusBadge } from './publishingShared';

/** The latest posts of one connection with their status, and the way to all of them (the connections page). */
export function RecentTargets({ connection, timeZone }: { connection: SocialConnection; timeZone: string }) {
  const { t } = useTranslation();
  // What came due most recently (the list is newest scheduled first; future posts would crowd it out).
  const targets = useQuery({
    queryKey: ['publishing', 'targets', 'recent', connection.id],
    queryFn: () => publishingApi.targets({ connectionId: connection.id, to: new Date().toISOString() }, undefined, 3),
  });
  if (targets.isPending) return <span className="text-xs text-muted">{t('common.loading')}</span>;
  if (targets.isError) return <span className="text-xs text-muted">—</span>;
  if (targets.data.items.length === 0) return <span className="text-xs text-muted">{t('connections.noPostsYet')}</span>;
  return (
    <div className="flex min-w-56 max-w-xs flex-col gap-1.5" data-testid="recent-targets">
      <ul className="flex flex-col gap-1.5">
        {targets.data.items.map((target) => (
          <li key={target.id} className="flex items-center gap-2 text-xs">
            <StatusBadge status={target.status} />
            <span className="truncate" title={target.content.text}>
              {target.content.text || t('publishing.noText')}
            </span>
            <span className="ml-auto whitespace-nowrap text-muted">{formatDateTime(target.scheduledAt, timeZone)}</span>
          </li>
        ))}
      </ul>
      <Link to="/publishing" search={{ connection: connection.id }} className="text-xs font-medium text-primary underline-offset-2 hover:underline">
        {t('connections.allPostsOf', { name: connection.destination.name })}
      </Link>
    </div>
  );
}
