import type { Calendar, CalendarItem, CalendarQuery, CalendarTarget } from '@omni/contracts/content-calendar';
import { calendarMaxRangeDays } from '@omni/contracts/content-calendar';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getAccountTimezone, getTargetStatuses, type TargetStatusSummary } from '../../publishing/index.js';
import { listSchedulableConnections } from '../../social/index.js';
import { selectCalendarRows, selectPlannedPlacements, type CalendarRow } from '../content.calendar.queries.js';
import { contentPermissions } from '../content.permissions.js';
import { selectPostTargets, type PostTargetRow } from '../content.queries.js';
import { requireAccount } from './posts.js';
import { findScheduleConflicts, type Placement, type ScheduleConflict } from './scheduling.js';

/**
 * The content calendar (design §7.1): occurrences and not-yet-scheduled posts in a time range, with each
 * target's publishing status (one getTargetStatuses call for the page), published URLs and the conflicts
 * of what is still to go out.
 */

const dayMs = 24 * 3600_000;

/** 422 for a range that is empty, reversed or longer than the calendar shows. */
function assertRange(from: Date, to: Date): void {
  if (from.getTime() >= to.getTime()) {
    throw new AppError('unprocessable', 'content.calendar_range_invalid', '`from` must be before `to`.', { errors: [{ path: 'querystring.to', message: 'must be after from' }] });
  }
  if (to.getTime() - from.getTime() > calendarMaxRangeDays * dayMs) {
    throw new AppError('unprocessable', 'content.calendar_range_too_long', `The calendar shows at most ${calendarMaxRangeDays} days at a time; ask for a shorter range.`, {
      errors: [{ path: 'querystring.to', message: `must be at most ${calendarMaxRangeDays} days after from` }],
    });
  }
}

/** The accounts to show: the active one by default; other accounts only for tenant owners and admins (403 otherwise). */
function accountsOf(ctx: ServiceContext, requested: string[] | undefined): string[] {
  const wanted = [...new Set((requested ?? []).map((id) => id.toLowerCase()))];
  if (wanted.length === 0) return [requireAccount(ctx)];
  const isTenantAdmin = ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
  if (!isTenantAdmin && wanted.some((id) => id !== ctx.accountId?.toLowerCase())) {
    throw new AppError('forbidden', 'content.calendar_account_forbidden', 'Only tenant owners and admins see the calendars of other accounts; switch to that account instead.');
  }
  return wanted;
}

function excerptOf(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 140 ? `${trimmed.slice(0, 139)}…` : trimmed;
}

/** Where a not-yet-scheduled post would go at its planned time: every variant to every destination of its network (A/B: B later). */
function plannedPlacements(row: CalendarRow, sources: Awaited<ReturnType<typeof selectPlannedPlacements>>): Placement[] {
  const source = sources.get(row.postId);
  if (!source) return [];
  return source.variants.flatMap((variant) =>
    source.destinations
      .filter((destination) => destination.network === variant.network)
      .map((destination) => ({ connectionId: destination.connectionId, network: variant.network, at: new Date(row.at.getTime() + (variant.abLabel === 'B' ? (row.abGapMinutes ?? 0) : 0) * 60_000) })),
  );
}

type PageContext = {
  targetsByOccurrence: Map<string, PostTargetRow[]>;
  statuses: Map<string, TargetStatusSummary>;
  destinationNames: Map<string, string>;
  planned: Awaited<ReturnType<typeof selectPlannedPlacements>>;
  now: number;
};

function targetsOf(row: CalendarRow, page: PageContext): CalendarTarget[] {
  if (!row.occurrenceId) return [];
  return (page.targetsByOccurrence.get(row.occurrenceId) ?? []).flatMap((target) => {
    const status = page.statuses.get(target.targetId);
    if (!status) return [];
    return [{
      targetId: target.targetId,
      connectionId: target.connectionId,
      network: target.network as CalendarTarget['network'],
      destinationName: page.destinationNames.get(target.connectionId) ?? null,
      status: status.status,
      scheduledAt: status.scheduledAt,
      publishedAt: status.publishedAt,
      externalUrl: status.externalUrl,
      lastError: status.lastError,
    }];
  });
}

/** Conflicts only matter for what is still to go out: a scheduled occurrence's still-scheduled targets, or a planned post's placements. */
async function conflictsOf(tx: Tx, ctx: ServiceContext, row: CalendarRow, targets: CalendarTarget[], page: PageContext): Promise<ScheduleConflict[]> {
  const placements: Placement[] = row.occurrenceId
    ? row.status === 'scheduled'
      ? targets.filter((target) => target.status === 'scheduled').map((target) => ({ connectionId: target.connectionId, network: target.network, at: new Date(target.scheduledAt) }))
      : []
    : plannedPlacements(row, page.planned);
  const upcoming = placements.filter((placement) => placement.at.getTime() >= page.now);
  if (upcoming.length === 0) return [];
  return findScheduleConflicts(tx, { accountId: row.accountId, config: ctx.config, placements: upcoming, excludePostId: row.postId });
}

export async function getCalendar(ctx: ServiceContext, query: CalendarQuery): Promise<Calendar> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const from = new Date(query.from);
  const to = new Date(query.to);
  assertRange(from, to);
  const accountIds = accountsOf(ctx, query.accountId);
  return withTenantRead(ctx, async (tx) => {
    const rows = await selectCalendarRows(tx, { accountIds, from, to, networks: query.network, connectionIds: query.connectionId, statuses: query.status, tags: query.tag });
    const occurrenceIds = rows.flatMap((row) => (row.occurrenceId ? [row.occurrenceId] : []));
    const postTargets = occurrenceIds.length > 0 ? await selectPostTargets(tx, { occurrenceIds }) : [];
    const targetsByOccurrence = new Map<string, PostTargetRow[]>();
    for (const target of postTargets) targetsByOccurrence.set(target.occurrenceId, [...(targetsByOccurrence.get(target.occurrenceId) ?? []), target]);
    const statuses = new Map((await getTargetStatuses(tx, postTargets.map((target) => target.targetId))).map((status) => [status.id, status]));
    const destinationNames = new Map<string, string>();
    for (const accountId of new Set(rows.map((row) => row.accountId))) {
      for (const connection of await listSchedulableConnections(tx, accountId)) destinationNames.set(connection.id, connection.destinationName);
    }
    const now = Date.now();
    const planned = await selectPlannedPlacements(tx, rows.filter((row) => !row.occurrenceId && row.at.getTime() >= now).map((row) => row.postId));
    const page: PageContext = { targetsByOccurrence, statuses, destinationNames, planned, now };
    const items: CalendarItem[] = [];
    for (const row of rows) {
      const targets = targetsOf(row, page);
      items.push({
        postId: row.postId,
        accountId: row.accountId,
        occurrenceId: row.occurrenceId,
        at: row.at.toISOString(),
        title: row.title,
        excerpt: excerptOf(row.baseText),
        status: row.status as CalendarItem['status'],
        reviewStage: row.reviewStage,
        tags: row.tags,
        networks: row.networks as CalendarItem['networks'],
        isRecurring: row.isRecurring,
        ab: row.abNetwork ? { network: row.abNetwork as CalendarTarget['network'], winner: row.abWinner } : null,
        targets,
        conflicts: await conflictsOf(tx, ctx, row, targets, page),
      });
    }
    return { items, timeZone: await getAccountTimezone(tx, accountIds[0]!) };
  });
}
