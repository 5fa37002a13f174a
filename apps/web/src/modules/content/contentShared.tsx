import type { PostStatus } from '@omni/contracts/content';
import type { BadgeTone } from '../../shared/ui';

/** Badge colour of each post status. */
export const statusTone: Record<PostStatus, BadgeTone> = {
  draft: 'neutral',
  in_review: 'warning',
  changes_requested: 'warning',
  rejected: 'danger',
  approved: 'success',
  scheduled: 'primary',
  published: 'success',
  partially_published: 'warning',
  failed: 'danger',
};
