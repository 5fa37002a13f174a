import type { BestTimes, Calendar } from '@omni/contracts/content-calendar';
import type { ConflictList, ContentNetwork, Post } from '@omni/contracts/content';
import { api } from '../../../shared/api';

/** Typed calls of the calendar screen (packages/contracts/src/content-calendar.ts and content.ts). */
export const calendarApi = {
  calendar: (search: string) => api.get<Calendar>(`/api/content/calendar?${search}`),
  bestTimes: (query: { network: ContentNetwork; from: string; days: number; timeZone: string }) =>
    api.get<BestTimes>('/api/content/best-times', { query: { network: query.network, from: query.from, days: query.days, timeZone: query.timeZone } }),
  conflicts: (query: { connectionId: string; at: string; postId: string }) => api.get<ConflictList>('/api/content/conflicts', { query }),
  reschedule: (postId: string, body: { occurrenceId: string | null; at: string; acknowledgeConflicts: boolean }) =>
    api.post<Post>(`/api/content/posts/${encodeURIComponent(postId)}/reschedule`, body),
};
