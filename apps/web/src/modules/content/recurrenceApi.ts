import type { AbOutcome, RecurrencePreview } from '@omni/contracts/content-recurrence';
import { api } from '../../shared/api';

const id = (value: string) => encodeURIComponent(value);

/** Typed calls for recurrence previews and A/B outcomes (packages/contracts/src/content-recurrence.ts). */
export const recurrenceApi = {
  preview: (body: { rule: string; timeZone: string; startsAt: string; limit?: number }) => api.post<RecurrencePreview>('/api/content/recurrence/preview', body),
  abOutcome: (postId: string) => api.get<AbOutcome>(`/api/content/posts/${id(postId)}/ab`),
  markWinner: (postId: string, variantId: string) => api.post<AbOutcome>(`/api/content/posts/${id(postId)}/ab/winner`, { variantId }),
};
