import type { CalendarItem } from '@omni/contracts/content-calendar';
import { describe, expect, it } from 'vitest';
import { calendarSearch, eventIdOf, isMovable, movedPlacements, newPostHref, newPostTimeOn } from './calendarModel';

const target = (connectionId: string, scheduledAt: string, status: CalendarItem['targets'][number]['status'] = 'scheduled') =>
  ({ targetId: `${connectionId}-${scheduledAt}`, connectionId, network: 'sandbox', destinationName: null, status, scheduledAt, publishedAt: null, externalUrl: null, lastError: null }) as const;

describe('calendar helpers', () => {
  it('builds the calendar query with only the filters that are set (tag lower-cased)', () => {
    const range = { from: new Date('2030-03-01T00:00:00Z'), to: new Date('2030-04-12T00:00:00Z') };
    expect(calendarSearch(range, { accountId: null, network: '', status: '', tag: ' ' })).toBe('from=2030-03-01T00%3A00%3A00.000Z&to=2030-04-12T00%3A00%3A00.000Z');
    const params = new URLSearchParams(calendarSearch(range, { accountId: 'acc', network: 'x', status: 'scheduled', tag: 'Promo ' }));
    expect([...params.entries()].slice(2)).toEqual([['accountId', 'acc'], ['network', 'x'], ['status', 'scheduled'], ['tag', 'promo']]);
  });

  it('moves only scheduled occurrences with something still scheduled', () => {
    const scheduled = { status: 'scheduled' as const, occurrenceId: 'o', targets: [target('c', '2030-01-01T09:00:00.000Z')] };
    expect(isMovable(scheduled)).toBe(true);
    expect(isMovable({ ...scheduled, occurrenceId: null })).toBe(false);
    expect(isMovable({ ...scheduled, status: 'draft' })).toBe(false);
    expect(isMovable({ ...scheduled, targets: [target('c', '2030-01-01T09:00:00.000Z', 'publishing')] })).toBe(false);
  });

  it('moves every still-scheduled target by the same delta (an A/B variant B keeps its gap), one check per connection and time', () => {
    const item = {
      at: '2030-01-01T09:00:00.000Z',
      targets: [target('a', '2030-01-01T09:00:00.000Z'), target('a', '2030-01-02T09:00:00.000Z'), target('b', '2030-01-01T09:00:00.000Z'), target('b', '2030-01-01T09:00:00.000Z'), target('c', '2030-01-01T09:00:00.000Z', 'published')],
    };
    expect(movedPlacements(item, new Date('2030-01-03T10:30:00.000Z')).map((placement) => [placement.connectionId, placement.at.toISOString()])).toEqual([
      ['a', '2030-01-03T10:30:00.000Z'],
      ['a', '2030-01-04T10:30:00.000Z'],
      ['b', '2030-01-03T10:30:00.000Z'],
    ]);
  });

  it('proposes 09:00 on the clicked day in the account zone for a new post', () => {
    // FullCalendar's day is midnight on the zone's clock: 23:00 UTC the evening before in Berlin.
    expect(newPostTimeOn(new Date('2030-03-14T23:00:00Z'), 'Europe/Berlin')).toBe('2030-03-15T08:00:00.000Z');
    // Midnight in New York after the US spring-forward is 04:00 UTC; 09:00 there is 13:00 UTC.
    expect(newPostTimeOn(new Date('2030-03-11T04:00:00Z'), 'America/New_York')).toBe('2030-03-11T13:00:00.000Z');
    expect(newPostHref('2030-03-15T08:00:00.000Z')).toBe('/content/posts/new?plannedAt=2030-03-15T08%3A00%3A00.000Z');
    expect(eventIdOf({ postId: 'p', occurrenceId: null })).toBe('p:planned');
  });
});
