import type { CalendarItem, CalendarItemStatus } from '@omni/contracts/content-calendar';
import type { ContentNetwork } from '@omni/contracts/content';
import { wallClockIn, zonedTimeToInstant } from '@omni/contracts/time';

/** Pure helpers of the calendar screen: query strings, which items move, where a move lands. */

export type CalendarFilters = { accountId: string | null; network: ContentNetwork | ''; status: CalendarItemStatus | ''; tag: string };

/** The query string of GET /api/content/calendar for a visible range and the filters (empty ones left out). */
export function calendarSearch(range: { from: Date; to: Date }, filters: CalendarFilters): string {
  const params = new URLSearchParams({ from: range.from.toISOString(), to: range.to.toISOString() });
  if (filters.accountId) params.append('accountId', filters.accountId);
  if (filters.network) params.append('network', filters.network);
  if (filters.status) params.append('status', filters.status);
  const tag = filters.tag.trim().toLowerCase();
  if (tag) params.append('tag', tag);
  return params.toString();
}

/** Only a scheduled occurrence with something still scheduled can be moved (a planned draft changes in the editor). */
export function isMovable(item: Pick<CalendarItem, 'status' | 'occurrenceId' | 'targets'>): boolean {
  return item.status === 'scheduled' && item.occurrenceId !== null && item.targets.some((target) => target.status === 'scheduled');
}

/**
 * Where each still-scheduled target of an item lands when the item moves to `at`: every target keeps its
 * distance to the item (an A/B variant B stays its gap later), one placement per connection and time.
 */
export function movedPlacements(item: Pick<CalendarItem, 'at' | 'targets'>, at: Date): Array<{ connectionId: string; at: Date }> {
  const delta = at.getTime() - new Date(item.at).getTime();
  const seen = new Set<string>();
  const placements: Array<{ connectionId: string; at: Date }> = [];
  for (const target of item.targets.filter((candidate) => candidate.status === 'scheduled')) {
    const moved = new Date(new Date(target.scheduledAt).getTime() + delta);
    const key = `${target.connectionId}@${moved.toISOString()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    placements.push({ connectionId: target.connectionId, at: moved });
  }
  return placements;
}

/**
 * The planned time a "New post" link on a calendar day proposes: 09:00 that day in the zone, as an instant.
 * With the luxon plugin FullCalendar hands days over as real instants (midnight on the zone's clock).
 */
export function newPostTimeOn(day: Date, timeZone: string): string {
  const wall = wallClockIn(day, timeZone);
  return zonedTimeToInstant({ year: wall.year, month: wall.month, day: wall.day, hour: 9 }, timeZone).toISOString();
}

/** The editor's address for a new post planned at `plannedAt`. */
export function newPostHref(plannedAt: string): string {
  return `/content/posts/new?${new URLSearchParams({ plannedAt }).toString()}`;
}

/** The event id of an item: a post may have several occurrences in range, and a planned post none. */
export function eventIdOf(item: Pick<CalendarItem, 'postId' | 'occurrenceId'>): string {
  return `${item.postId}:${item.occurrenceId ?? 'planned'}`;
}
