import type { EventContentArg, EventDropArg, EventInput, DatesSetArg, DayCellContentArg, DayHeaderContentArg } from '@fullcalendar/core';
import deLocale from '@fullcalendar/core/locales/de';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin from '@fullcalendar/interaction';
import luxonPlugin from '@fullcalendar/luxon3';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import type { CalendarItem, CalendarItemStatus } from '@omni/contracts/content-calendar';
import { calendarItemStatusSchema } from '@omni/contracts/content-calendar';
import { contentNetworkSchema, type ContentNetwork, type ScheduleConflict } from '@omni/contracts/content';
import { keepPreviousData, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../../app/RouteStates';
import { ProblemError } from '../../../shared/api';
import { tenancyApi } from '../../../shared/api/endpoints';
import { describeError } from '../../../shared/api/errors';
import { useSession } from '../../../shared/auth/useAuth';
import { i18next } from '../../../shared/i18n/i18n';
import { formatDateTime } from '../../../shared/lib/format';
import { browserTimeZone, zonedDateKey } from '../../../shared/lib/timezone';
import { Badge, buttonClasses, EmptyState, Field, Input, PageHeader, Select, Skeleton, useToast } from '../../../shared/ui';
import { PlusIcon } from '../../../shared/ui/icons';
import { StatusBadge } from '../../publishing/publishingShared';
import { socialApi } from '../../social/socialApi';
import { ErrorRow } from '../../team/TeamPage';
import { contentAccessOf, contentApi } from '../contentApi';
import { statusTone } from '../contentShared';
import { calendarApi } from './calendarApi';
import { ConflictDialog, MoveDialog } from './CalendarDialogs';
import { calendarSearch, eventIdOf, isMovable, movedPlacements, newPostHref, newPostTimeOn, type CalendarFilters } from './calendarModel';

/** FullCalendar's own colours, taken from the console theme (light and dark). */
const calendarTheme = [
  'omni-calendar relative rounded-xl border border-border bg-surface p-2 text-fg sm:p-3',
  '[--fc-border-color:var(--color-border)] [--fc-page-bg-color:var(--color-surface)] [--fc-neutral-bg-color:var(--color-surface-2)]',
  '[--fc-today-bg-color:color-mix(in_srgb,var(--color-primary)_8%,transparent)] [--fc-bg-event-color:var(--color-primary)] [--fc-bg-event-opacity:0.3]',
  '[--fc-button-bg-color:var(--color-surface)] [--fc-button-border-color:var(--color-border)] [--fc-button-text-color:var(--color-fg)]',
  '[--fc-button-hover-bg-color:var(--color-surface-2)] [--fc-button-hover-border-color:var(--color-border)]',
  '[--fc-button-active-bg-color:var(--color-surface-2)] [--fc-button-active-border-color:var(--color-primary)]',
].join(' ');

type PendingMove = { item: CalendarItem; at: Date; conflicts: ScheduleConflict[]; note: string | null; revert?: () => void };

const itemStatusTone: Record<CalendarItemStatus, Parameters<typeof Badge>[0]['tone']> = { ...statusTone, needs_attention: 'warning' };

/** An item's status in words: a post's, or an occurrence's "needs attention". */
function statusLabel(status: CalendarItemStatus): string {
  return status === 'needs_attention' ? i18next.t('contentCalendar.needsAttention') : i18next.t(`content.statuses.${status}`);
}

/**
 * /content/calendar: the account's posts in month and week views, in the account's time zone. Scheduled
 * items move by drag and drop or with the "Move…" dialog (keyboard); either way the move is checked for
 * conflicts first and a warning asks before going ahead. Week view shows best-time suggestions.
 */
export function CalendarPage() {
  const { t, i18n } = useTranslation();
  const { user, scope } = useSession();
  const access = contentAccessOf(scope);
  const isTenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [range, setRange] = useState<{ from: Date; to: Date } | null>(null);
  const [view, setView] = useState<'dayGridMonth' | 'timeGridWeek'>('dayGridMonth');
  const [filters, setFilters] = useState<CalendarFilters>({ accountId: null, network: '', status: '', tag: '' });
  const [moving, setMoving] = useState<CalendarItem | null>(null);
  const [pending, setPending] = useState<PendingMove | null>(null);
  const [busy, setBusy] = useState(false);

  const enabled = access.canRead && (access.hasAccount || (isTenantAdmin && filters.accountId !== null));
  const settings = useQuery({ queryKey: ['content', 'settings'], queryFn: contentApi.settings, enabled: access.canRead && access.hasAccount });
  const accounts = useQuery({ queryKey: ['accounts', 'calendar-filter'], queryFn: () => tenancyApi.accounts({ limit: 100 }), enabled: isTenantAdmin });
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections, enabled: enabled && filters.accountId === null });
  const search = range ? calendarSearch(range, filters) : null;
  const calendar = useQuery({
    queryKey: ['content', 'calendar', search],
    queryFn: () => calendarApi.calendar(search!),
    enabled: enabled && search !== null,
    placeholderData: keepPreviousData,
  });
  const timeZone = calendar.data?.timeZone ?? settings.data?.timeZone ?? user.timezone ?? browserTimeZone();

  const bestTimeNetworks: ContentNetwork[] = filters.network
    ? [filters.network]
    : [...new Set((connections.data?.items ?? []).filter((connection) => connection.status === 'active').map((connection) => connection.network as ContentNetwork))].slice(0, 3);
  const bestTimes = useQueries({
    queries: bestTimeNetworks.map((network) => ({
      queryKey: ['content', 'best-times', network, range?.from.toISOString(), timeZone],
      queryFn: () => calendarApi.bestTimes({ network, from: range!.from.toISOString(), days: 7, timeZone }),
      enabled: enabled && view === 'timeGridWeek' && range !== null && filters.accountId === null,
    })),
  });
  const bestSlots = bestTimes.flatMap((query) => (query.data ? query.data.slots.map((slot) => ({ ...slot, network: query.data.network })) : []));

  // Rescheduling acts in the active account: items of another account (tenant admins) are read only here.
  const canMove = (item: CalendarItem) => access.canSchedule && isMovable(item) && item.accountId === scope?.accountId;

  // The slots are rebuilt every render; their content is what matters to the memo.
  const bestSlotsKey = JSON.stringify(bestSlots);
  const events = useMemo<EventInput[]>(() => {
    const items = (calendar.data?.items ?? []).map((item) => ({
      id: eventIdOf(item),
      start: item.at,
      title: item.title ?? item.excerpt,
      editable: canMove(item),
      extendedProps: { item },
    }));
    const chips =
      view === 'timeGridWeek'
        ? (JSON.parse(bestSlotsKey) as typeof bestSlots).map((slot) => ({ id: `best:${slot.network}:${slot.at}`, start: slot.at, end: new Date(new Date(slot.at).getTime() + 30 * 60_000).toISOString(), display: 'background', classNames: ['omni-best-time'] }))
        : [];
    return [...items, ...chips];
  }, [calendar.data, access.canSchedule, scope?.accountId, view, bestSlotsKey]);

  if (!access.canRead) return <NoAccess />;

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['content', 'calendar'] });

  async function reschedule(move: Omit<PendingMove, 'conflicts' | 'note'>, acknowledgeConflicts: boolean) {
    setBusy(true);
    try {
      await calendarApi.reschedule(move.item.postId, { occurrenceId: move.item.occurrenceId, at: move.at.toISOString(), acknowledgeConflicts });
      toast.show(t('contentCalendar.moved', { title: move.item.title ?? move.item.excerpt, at: formatDateTime(move.at, timeZone) }), 'success');
      setPending(null);
      setMoving(null);
      await refresh();
    } catch (error) {
      if (error instanceof ProblemError && error.code === 'content.schedule_conflict' && !acknowledgeConflicts) {
        // Someone planned something meanwhile: show what, and ask again.
        setPending({ ...move, conflicts: await liveConflicts(move.item, move.at), note: error.message });
        return;
      }
      move.revert?.();
      setPending(null);
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(false);
    }
  }

  async function liveConflicts(item: CalendarItem, at: Date): Promise<ScheduleConflict[]> {
    const lists = await Promise.all(movedPlacements(item, at).map((placement) => calendarApi.conflicts({ connectionId: placement.connectionId, at: placement.at.toISOString(), postId: item.postId })));
    return lists.flatMap((list) => list.conflicts);
  }

  /** Check first; move at once when nothing conflicts, else ask. */
  async function requestMove(item: CalendarItem, at: Date, revert?: () => void) {
    setBusy(true);
    let conflicts: ScheduleConflict[];
    try {
      conflicts = await liveConflicts(item, at);
    } catch (error) {
      setBusy(false);
      revert?.();
      toast.show(describeError(error), 'error');
      return;
    }
    setBusy(false);
    if (conflicts.length > 0) {
      setMoving(null);
      setPending({ item, at, conflicts, note: null, revert });
      return;
    }
    await reschedule({ item, at, revert }, false);
  }

  const onEventDrop = (info: EventDropArg) => {
    const item = info.event.extendedProps.item as CalendarItem;
    // With a named zone (luxon plugin) startStr carries the zone's offset: the real instant.
    void requestMove(item, new Date(info.event.startStr), info.revert);
  };

  const onDatesSet = (info: DatesSetArg) => {
    const from = new Date(info.startStr);
    const to = new Date(info.endStr);
    setView(info.view.type === 'timeGridWeek' ? 'timeGridWeek' : 'dayGridMonth');
    setRange((current) => (current && current.from.getTime() === from.getTime() && current.to.getTime() === to.getTime() ? current : { from, to }));
  };

  const today = zonedDateKey(new Date(), timeZone);
  const newPostLink = (day: Date, label: string) =>
    access.canWrite && access.hasAccount && filters.accountId === null && zonedDateKey(day, timeZone) >= today ? (
      <a
        href={newPostHref(newPostTimeOn(day, timeZone))}
        onClick={(event) => {
          event.preventDefault();
          void navigate({ href: newPostHref(newPostTimeOn(day, timeZone)) });
        }}
        className="inline-flex size-6 items-center justify-center rounded text-muted hover:bg-surface-2 hover:text-fg focus-visible:outline-2 focus-visible:outline-ring"
        aria-label={t('contentCalendar.newPostOn', { day: label })}
        title={t('contentCalendar.newPostOn', { day: label })}
      >
        <PlusIcon className="size-4" />
      </a>
    ) : null;

  const dayLabel = (date: Date) => new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'full', timeZone }).format(date);

  // Month cells carry the "New post" link; in the week view it sits in the day header.
  const renderDayCell = (arg: DayCellContentArg) =>
    arg.view.type === 'dayGridMonth' ? (
      <span className="flex w-full items-center justify-between gap-1">
        {newPostLink(arg.date, dayLabel(arg.date))}
        <span>{arg.dayNumberText}</span>
      </span>
    ) : null;
  const renderDayHeader = (arg: DayHeaderContentArg) => (
    <span className="flex items-center justify-center gap-1">
      <span>{arg.text}</span>
      {arg.view.type === 'timeGridWeek' && newPostLink(arg.date, dayLabel(arg.date))}
    </span>
  );

  const renderEvent = (arg: EventContentArg) => {
    const item = arg.event.extendedProps.item as CalendarItem | undefined;
    if (!item) return null;
    return <CalendarEvent item={item} timeText={arg.timeText} canMove={canMove(item)} onMove={() => setMoving(item)} />;
  };

  const pageActions = access.canWrite && access.hasAccount && (
    <Link to="/content/posts/new" className={buttonClasses('primary')}>
      <PlusIcon /> {t('content.posts.new')}
    </Link>
  );

  return (
    <>
      <PageHeader title={t('contentCalendar.title')} description={t('contentCalendar.description')} actions={pageActions} />
      {!access.hasAccount && !isTenantAdmin ? (
        <EmptyState title={t('content.chooseAccount')} description={t('content.chooseAccountDescription')} />
      ) : (
        <>
          <form className="mb-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4" aria-label={t('contentCalendar.filters')} onSubmit={(event) => event.preventDefault()}>
            {isTenantAdmin && (
              <Field label={t('contentCalendar.account')}>
                <Select value={filters.accountId ?? ''} onChange={(event) => setFilters({ ...filters, accountId: event.target.value || null })}>
                  {access.hasAccount && <option value="">{t('contentCalendar.activeAccount')}</option>}
                  {!access.hasAccount && <option value="">{t('contentCalendar.pickAccount')}</option>}
                  {(accounts.data?.items ?? []).filter((account) => account.id !== scope?.accountId).map((account) => (
                    <option key={account.id} value={account.id}>
                      {account.name}
                    </option>
                  ))}
                </Select>
              </Field>
            )}
            <Field label={t('contentCalendar.network')}>
              <Select value={filters.network} onChange={(event) => setFilters({ ...filters, network: event.target.value as ContentNetwork | '' })}>
                <option value="">{t('contentCalendar.allNetworks')}</option>
                {contentNetworkSchema.options.map((network) => (
                  <option key={network} value={network}>
                    {t(`contentCalendar.networks.${network}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('contentCalendar.status')}>
              <Select value={filters.status} onChange={(event) => setFilters({ ...filters, status: event.target.value as CalendarItemStatus | '' })}>
                <option value="">{t('contentCalendar.allStatuses')}</option>
                {calendarItemStatusSchema.options.map((status) => (
                  <option key={status} value={status}>
                    {statusLabel(status)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('contentCalendar.tag')}>
              <Input type="search" value={filters.tag} maxLength={40} onChange={(event) => setFilters({ ...filters, tag: event.target.value })} />
            </Field>
          </form>

          <p className="mb-2 text-sm text-muted" data-testid="calendar-zone">
            {t('contentCalendar.timesIn', { timeZone })}
          </p>

          {view === 'timeGridWeek' && bestSlots.length > 0 && (
            <section aria-labelledby="best-times-heading" className="mb-3">
              <h2 id="best-times-heading" className="mb-1 text-sm font-medium">
                {t('contentCalendar.bestTimes')}
              </h2>
              <ul className="flex flex-wrap gap-2" data-testid="best-times">
                {bestSlots.map((slot) => (
                  <li key={`${slot.network}:${slot.at}`}>
                    <span className="inline-flex items-center gap-1 rounded-full border border-primary/40 bg-primary/10 px-2.5 py-1 text-xs" title={slot.source === 'default' ? t('contentCalendar.bestTimeDefault') : t('contentCalendar.bestTimeLearned', { count: slot.samples })}>
                      <span className="font-medium">{t(`contentCalendar.networks.${slot.network}`)}</span>
                      <span>{formatDateTime(slot.at, timeZone)}</span>
                      <span className="text-muted">· {slot.source === 'default' ? t('contentCalendar.sourceDefault') : t('contentCalendar.sourceLearned')}</span>
                    </span>
                  </li>
                ))}
              </ul>
              {bestTimes.some((query) => query.data?.source === 'default') && <p className="mt-1 text-xs text-muted">{t('contentCalendar.bestTimeDefault')}</p>}
            </section>
          )}

          {calendar.isError && !calendar.data ? (
            <ErrorRow error={calendar.error} retry={() => void calendar.refetch()} />
          ) : (
            <div className={calendarTheme} aria-busy={calendar.isFetching || busy || undefined}>
              {calendar.isPending && enabled && (
                <div className="pointer-events-none absolute inset-x-3 top-16 z-10" aria-hidden="true">
                  <Skeleton className="h-6 w-1/3" />
                </div>
              )}
              {calendar.isPending && enabled && <span className="sr-only" role="status">{t('common.loading')}</span>}
              <FullCalendar
                plugins={[dayGridPlugin, timeGridPlugin, interactionPlugin, luxonPlugin]}
                initialView="dayGridMonth"
                timeZone={timeZone}
                headerToolbar={{ start: 'prev,next today', center: 'title', end: 'dayGridMonth,timeGridWeek' }}
                buttonIcons={false}
                buttonText={{ prev: `‹ ${t('contentCalendar.previous')}`, next: `${t('contentCalendar.next')} ›`, today: t('contentCalendar.today'), month: t('contentCalendar.month'), week: t('contentCalendar.week') }}
                buttonHints={{ prev: t('contentCalendar.previous'), next: t('contentCalendar.next'), today: t('contentCalendar.today') }}
                eventBackgroundColor="var(--color-surface-2)"
                eventBorderColor="var(--color-primary)"
                eventTextColor="var(--color-fg)"
                locales={[deLocale]}
                locale={i18n.resolvedLanguage ?? 'en'}
                firstDay={1}
                height="auto"
                dayMaxEvents={4}
                nowIndicator
                eventDurationEditable={false}
                events={events}
                eventContent={renderEvent}
                eventDrop={onEventDrop}
                datesSet={onDatesSet}
                dayCellContent={renderDayCell}
                dayHeaderContent={renderDayHeader}
                scrollTime="08:00:00"
                defaultTimedEventDuration="01:00"
                // A post is a moment drawn an hour tall: one at 23:30 stays on its own day in the month view.
                nextDayThreshold="01:00"
                views={{ timeGridWeek: { height: 760, allDaySlot: false } }}
              />
              {calendar.data && calendar.data.items.length === 0 && !calendar.isFetching && (
                <p className="mt-3 text-center text-sm text-muted" role="status" data-testid="calendar-empty">
                  {filters.network || filters.status || filters.tag ? t('contentCalendar.emptyFiltered') : t('contentCalendar.empty')}
                </p>
              )}
              {calendar.isError && calendar.data && <p className="mt-3 text-sm text-danger" role="alert">{describeError(calendar.error)}</p>}
            </div>
          )}
        </>
      )}

      <MoveDialog
        item={moving}
        timeZone={timeZone}
        busy={busy}
        onClose={() => setMoving(null)}
        onMove={(item, at) => void requestMove(item, at)}
      />
      <ConflictDialog
        pending={pending}
        timeZone={timeZone}
        busy={busy}
        onCancel={() => {
          pending?.revert?.();
          setPending(null);
        }}
        onConfirm={() => pending && void reschedule(pending, true)}
      />
    </>
  );
}

/** One item: time, title or excerpt, a badge per target (Published links to the post on the network), and "Move…". */
function CalendarEvent({ item, timeText, canMove, onMove }: { item: CalendarItem; timeText: string; canMove: boolean; onMove: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex min-w-0 flex-col gap-0.5 overflow-hidden px-1 py-0.5 text-xs text-fg" data-testid="calendar-item" data-post-id={item.postId}>
      <div className="flex min-w-0 items-baseline gap-1">
        <span className="shrink-0 font-semibold">{timeText}</span>
        <span className="truncate" title={item.excerpt}>
          {item.title ?? item.excerpt}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-1">
        {item.targets.length === 0 ? (
          <Badge tone={itemStatusTone[item.status]}>{statusLabel(item.status)}</Badge>
        ) : (
          item.targets.map((target) =>
            target.status === 'published' && target.externalUrl ? (
              <a key={target.targetId} href={target.externalUrl} target="_blank" rel="noreferrer" className="rounded-full focus-visible:outline-2 focus-visible:outline-ring" aria-label={t('contentCalendar.viewPublished', { destination: target.destinationName ?? target.network })}>
                <StatusBadge status={target.status} />
              </a>
            ) : (
              <span key={target.targetId} title={target.destinationName ?? target.network}>
                <StatusBadge status={target.status} />
              </span>
            ),
          )
        )}
        {item.conflicts.length > 0 && <Badge tone="warning">{t('contentCalendar.conflictCount', { count: item.conflicts.length })}</Badge>}
        {canMove && (
          <button type="button" onClick={onMove} className="text-primary underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-ring" aria-label={t('contentCalendar.moveItem', { title: item.title ?? item.excerpt })}>
            {t('contentCalendar.move')}
          </button>
        )}
        <Link to="/content/posts/$postId" params={{ postId: item.postId }} className="text-primary underline-offset-2 hover:underline" aria-label={t('contentCalendar.openItem', { title: item.title ?? item.excerpt })}>
          {t('contentCalendar.open')}
        </Link>
      </div>
    </div>
  );
}

