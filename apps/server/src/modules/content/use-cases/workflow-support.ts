import { createPostBodySchema, type ContentNetwork } from '@omni/contracts/content';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { AppError, conflict } from '../../../kernel/errors.js';
import { listSchedulableConnections } from '../../social/index.js';
import { findContentSettings } from '../content.queries.js';
import { findPostOfWorkflowStep, updatePostTags } from '../content.workflow.queries.js';
import { loadPostState } from './post-state.js';
import { createPostInTx } from './posts.js';
import { schedulePostInTx, submitPostInTx } from './lifecycle.js';

/**
 * What the workflows module needs of content, in the caller's transaction (the step's finishing one) and
 * without permission checks (whoever saved the workflow was allowed to): a post made by a create_post step,
 * found again by its step run instead of made twice, and the posts' actions of update_record steps
 * (content.workflow-actions.ts). The workflow acts as the system: posts and requests have no person as author.
 */

export type WorkflowPostSource = { kind: 'workflow'; workflowId: string; runId: string; stepRunId: string };

/** Where the post goes: chosen connections (those no longer usable are left out), or every active connection of a network. */
export type WorkflowPostDestinations = { connectionIds: string[] } | { network: ContentNetwork };

export type WorkflowPostInput = {
  title: string | null;
  text: string;
  tags: string[];
  destinations: WorkflowPostDestinations;
  plannedAt: Date | null;
  /** draft: leave it; submit: into review (approved with a planned time, it is scheduled); schedule: at plannedAt, no review. */
  then: 'draft' | 'submit' | 'schedule';
  source: WorkflowPostSource;
  /** The note of revision 1, e.g. "from workflow Blog to social". */
  note: string;
};

type WorkflowContentContext = { config: Config; tenantId: string; accountId: string };

const maxDestinations = 50;

/** The connection ids a workflow post would get; refused (422 content.no_destination) when none is usable. */
export async function resolveWorkflowPostDestinations(tx: Tx, accountId: string, destinations: WorkflowPostDestinations): Promise<string[]> {
  const usable = await listSchedulableConnections(tx, accountId);
  const chosen =
    'network' in destinations
      ? usable.filter((connection) => connection.network === destinations.network && connection.status === 'active').map((connection) => connection.id)
      : destinations.connectionIds.filter((id) => usable.some((connection) => connection.id === id));
  if (chosen.length === 0) {
    const what = 'network' in destinations ? `no active ${destinations.network} connection` : 'none of the chosen connections (they were removed or disconnected)';
    throw new AppError('unprocessable', 'content.no_destination', `The post has nowhere to go: the account has ${what}.`);
  }
  return [...new Set(chosen)].slice(0, maxDestinations);
}

/**
 * The post of this step run, made once: if a post with this source exists already (a step run again after
 * its post was committed) it is returned as it stands, else a draft is created (revision 1) and submitted or
 * scheduled as asked. Scheduling directly is refused (409 content.approval_required) when the account wants
 * every post approved; schedule conflicts are acknowledged (nobody is there to confirm them), like imports.
 */
export async function createWorkflowPostInTx(tx: Tx, ctx: WorkflowContentContext, input: WorkflowPostInput): Promise<{ postId: string; status: string; destinations: number; created: boolean }> {
  const existing = await findPostOfWorkflowStep(tx, ctx.accountId, input.source.stepRunId);
  if (existing) {
    const state = await loadPostState(tx, existing.id, { accountId: ctx.accountId });
    return { postId: existing.id, status: existing.status, destinations: state.destinations.length, created: false };
  }
  if (input.then === 'schedule') {
    if (!input.plannedAt) throw new AppError('unprocessable', 'content.no_time', 'Choose when to publish: a post scheduled by a workflow needs a planned time.');
    if ((await findContentSettings(tx, ctx.accountId)).approvalPolicy === 'everyone') {
      throw conflict('content.approval_required', 'This account requires every post to be approved before it is scheduled: submit it for approval instead.');
    }
  }
  const destinations = await resolveWorkflowPostDestinations(tx, ctx.accountId, input.destinations);
  const parsed = createPostBodySchema.safeParse({
    title: input.title ? input.title.slice(0, 200) : null,
    baseText: input.text,
    tags: input.tags,
    plannedAt: input.plannedAt?.toISOString() ?? null,
    destinations,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new AppError('unprocessable', 'content.post_invalid', `The post cannot be created: ${problems}`);
  }
  const { templateId, ...fields } = parsed.data;
  const writer = { tenantId: ctx.tenantId, accountId: ctx.accountId, userId: null };
  let state = await createPostInTx(tx, writer, { ...fields, templateId, source: input.source, note: input.note.slice(0, 300) });
  const actor = { ...writer, config: ctx.config };
  if (input.then === 'submit') state = await submitPostInTx(tx, actor, state.post.id);
  if (input.then === 'schedule') state = await schedulePostInTx(tx, actor, state, input.plannedAt!, { acknowledgeConflicts: true });
  return { postId: state.post.id, status: state.post.status, destinations: state.destinations.length, created: true };
}

/** Add tags to a post of the account (lower-cased, at most 20 in all). No revision: review and schedule stay as they are. */
export async function addWorkflowPostTags(tx: Tx, ctx: WorkflowContentContext, input: { postId: string; tags: string[] }): Promise<{ postId: string; tags: string[] }> {
  const state = await loadPostState(tx, input.postId, { accountId: ctx.accountId, lock: true });
  const tags = [...new Set([...state.post.tags, ...input.tags.map((tag) => tag.trim().toLowerCase()).filter(Boolean)])];
  if (tags.length > 20) throw new AppError('unprocessable', 'content.too_many_tags', `A post has at most 20 tags; with these it would have ${tags.length}.`);
  if (tags.length !== state.post.tags.length) await updatePostTags(tx, input.postId, tags);
  return { postId: input.postId, tags };
}

/** Submit a post of the account for review, as the system (content's normal review: 422 when invalid, 409 when not a draft). */
export async function submitWorkflowPostInTx(tx: Tx, ctx: WorkflowContentContext, input: { postId: string }): Promise<{ postId: string; status: string }> {
  const state = await submitPostInTx(tx, { tenantId: ctx.tenantId, accountId: ctx.accountId, userId: null, config: ctx.config }, input.postId);
  return { postId: state.post.id, status: state.post.status };
}
