import { z } from 'zod';
import { registerWorkflowAction } from '../../kernel/actions.js';
import { addWorkflowPostTags, submitWorkflowPostInTx } from './use-cases/workflow-support.js';

/** A tag as posts keep it: trimmed, lower-cased, 1–40 characters. */
const tagSchema = z.string().trim().min(1, 'A tag cannot be empty.').max(40, 'A tag has at most 40 characters.').toLowerCase();

/** Tags as a list, or as one text with commas (what a template renders): "launch, {{ trigger.payload.topic }}". */
const tagsSchema = z
  .union([z.array(z.string()), z.string()], 'Give the tags as a list or as text separated by commas.')
  .transform((value) => (typeof value === 'string' ? value.split(',') : value).map((tag) => tag.trim()).filter(Boolean))
  .pipe(z.array(tagSchema).min(1, 'Give at least one tag.').max(20, 'At most 20 tags.'));

const postIdSchema = z.uuid('Give the id of a post of this account.');

/** The posts' actions for workflows' update_record steps (kernel/actions.ts), registered at module creation. */
export function registerContentWorkflowActions(): void {
  registerWorkflowAction('content.post.add_tags', {
    description: 'Add tags to a post of the account (labels only: no new revision; review and schedule stay as they are).',
    input: z.object({ postId: postIdSchema, tags: tagsSchema }),
    run: (tx, ctx, input) => addWorkflowPostTags(tx, ctx, input),
  });
  registerWorkflowAction('content.post.submit', {
    description: 'Submit a draft post of the account for review (an approvals request; approved with a planned time, it is scheduled).',
    input: z.object({ postId: postIdSchema }),
    run: (tx, ctx, input) => submitWorkflowPostInTx(tx, ctx, input),
  });
}
