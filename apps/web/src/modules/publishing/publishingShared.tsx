import type { PublishTarget, PublishTargetStatus } from '@omni/contracts/publishing';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { browserTimeZone } from '../../shared/lib/timezone';
import { Badge, type BadgeTone } from '../../shared/ui';
import { publishingApi } from './publishingApi';

/** What the publishing screens (and the connections page) share: status badges, polling, the account's zone. */

export const statusTone: Record<PublishTargetStatus, BadgeTone> = {
  scheduled: 'primary',
  publishing: 'primary',
  published: 'success',
  failed: 'danger',
  unconfirmed: 'warning',
  late: 'warning',
  cancelled: 'neutral',
};

export function StatusBadge({ status }: { status: PublishTargetStatus }) {
  const { t } = useTranslation();
  return <Badge tone={statusTone[status]}>{t(`publishing.statuses.${status}`)}</Badge>;
}

/** Poll while something is about to change on its own: a post in flight, or one due within a minute. */
export function isSettling(targets: Array<Pick<PublishTarget, 'status' | 'nextAttemptAt'>>): boolean {
  const soon = Date.now() + 60_000;
  return targets.some((target) => target.status === 'publishing' || (target.status === 'scheduled' && target.nextAttemptAt !== null && new Date(target.nextAttemptAt).getTime() <= soon));
}

/** The zone the account plans in (its publishing settings), else this browser's. */
export function useAccountTimeZone(enabled = true): string {
  const settings = useQuery({ queryKey: ['publishing', 'settings'], queryFn: publishingApi.settings, enabled, staleTime: 60_000 });
  return settings.data?.timezone ?? browserTimeZone();
}
