import type { ContentNetwork, Post, PostList, PostListQuery, PostSaveResult, UpdatePostBody, ValidationResult } from '@omni/contracts/content';
import { assertCan, can, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, conflict, forbidden } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { contentPermissions } from '../content.permissions.js';
import {
  deletePostRow,
  findContentSettings,
  insertPost,
  insertRevision,
  replaceDestinations,
  replaceVariants,
  selectPosts,
  updatePostFields,
  updatePostState,
  type PostRow,
} from '../content.queries.js';
import {
  buildPostContent,
  contentOfState,
  loadPostState,
  recurrenceOf,
  snapshotOf,
  toPostDto,
  toPostSummary,
  type PostContent,
  type PostInput,
  type PostState,
} from './post-state.js';
import { assertValid, checkPost, mediaIdsOf } from './validation.js';
import { openApprovalRequest } from '../../approvals/index.js';
import type { Config } from '../../../kernel/config.js';
import { holdPostMedia, releasePostMedia } from './media-lookup.js';
import type { Recurrence } from '@omni/contracts/content-recurrence';
import { updatePostRecurrence } from '../content.recurrence.queries.js';
import { checkPostRecurrence } from './recurrence.js';

/**
 * Posts: create, read, list, edit (every save is a revision; a stale expectedRevision is 409), delete and
 * duplicate. createPostInTx is also what CSV import (WP5) and feeds (createPostFromArticle) call.
 */

/** Who writes, in which tenant and account: a person (userId) or the system (null, e.g. a feed). */
export type ContentWriter = { tenantId: string; accountId: string; userId: string | null };

export function requireAccount(ctx: ServiceContext): string {
  if (!ctx.accountId) throw new AppError('forbidden', 'account.none_active', 'Choose an account first: posts belong to an account.');
  return ctx.accountId;
}

export function writerOf(ctx: ServiceContext): ContentWriter {
  return { tenantId: requireTenant(ctx), accountId: requireAccount(ctx), userId: requireActor(ctx).userId };
}

/** The DTO of a post with its validation issues, read in the caller's transaction. */
export async function postDtoOf(tx: Tx, state: PostState): Promise<Post> {
  return toPostDto(state, await checkPost(tx, state));
}

/** Statuses after which a post's content is history and can no longer change. */
const finishedStatuses = new Set(['published', 'partially_published', 'failed']);

/** Write a post's content (fields, variants, destinations) and its revision `number`. */
async function writeContent(
  tx: Tx,
  writer: ContentWriter,
  postId: string,
  content: PostContent,
  revision: { number: number; note: string | null; recurrence: Recurrence | null },
): Promise<void> {
  await replaceVariants(tx, writer.tenantId, postId, content.variants);
  await replaceDestinations(tx, writer.tenantId, postId, content.destinations);
  await insertRevision(tx, { tenantId: writer.tenantId, postId, number: revision.number, snapshot: snapshotOf(content, revision.recurrence), authorUserId: writer.userId, note: revision.note });
  await holdPostMedia(tx, postId, mediaIdsOf(await loadPostState(tx, postId, { accountId: writer.accountId })));
}

/**
 * Create a draft (revision 1) in the caller's transaction. No permission check: the caller authorized
 * (routes check content:write; feeds and imports act for the system or the importing person).
 */
export async function createPostInTx(
  tx: Tx,
  writer: ContentWriter,
  input: PostInput & { templateId?: string | null; source?: Record<string, unknown> | null; note?: string | null },
): Promise<PostState> {
  const settings = await findContentSettings(tx, writer.accountId);
  const content = await buildPostContent(tx, writer.accountId, input, [], settings.abDefaultGapMinutes);
  const recurrence = checkPostRecurrence(input.recurrence, content.fields);
  const post = await insertPost(tx, {
    ...content.fields,
    tenantId: writer.tenantId,
    accountId: writer.accountId,
    templateId: input.templateId ?? null,
    source: input.source ?? null,
    createdBy: writer.userId,
  });
  if (recurrence) await updatePostRecurrence(tx, post.id, recurrence);
  await writeContent(tx, writer, post.id, content, { number: 1, note: input.note ?? null, recurrence });
  return loadPostState(tx, post.id, { accountId: writer.accountId });
}

export async function createPost(ctx: ServiceContext, body: PostInput & { templateId: string | null }): Promise<Post> {
  assertCan(ctx, contentPermissions.write);
  const writer = writerOf(ctx);
  const post = await withTenant(ctx, async (tx) => postDtoOf(tx, await createPostInTx(tx, writer, body)));
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = post.id;
  return post;
}

export async function getPost(ctx: ServiceContext, id: string): Promise<Post> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => postDtoOf(tx, await loadPostState(tx, id, { accountId })));
}

export async function listPosts(ctx: ServiceContext, query: PostListQuery): Promise<PostList> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const { rows, total } = await withTenantRead(ctx, (tx) =>
    selectPosts(tx, { accountId, status: query.status, tag: query.tag, network: query.network, search: query.q, limit: query.limit, offset: query.offset }),
  );
  return { items: rows.map(toPostSummary), total };
}

/**
 * Who may change this post: editors and above any post of the account that is not finished; contributors
 * only posts they created, and only while not scheduled.
 */
export function assertMayEdit(ctx: ServiceContext, state: PostState, action = 'edited'): void {
  assertCan(ctx, contentPermissions.write);
  const { post } = state;
  if (finishedStatuses.has(post.status)) throw conflict('content.post_finished', `This post was already ${post.status.replace('_', ' ')}; it can no longer be ${action}. Duplicate it to post again.`);
  if (can(ctx, contentPermissions.schedule)) return;
  if (post.createdBy !== requireActor(ctx).userId) throw forbidden('Contributors change only the posts they created.');
  if (post.status === 'scheduled') throw new AppError('forbidden', 'content.scheduled_locked', 'This post is scheduled: only an editor can change it now.');
}

export function assertExpectedRevision(state: PostState, expectedRevision: number): void {
  if (state.post.currentRevision !== expectedRevision) {
    throw new AppError('conflict', 'content.revision_conflict', `This post was changed meanwhile (now revision ${state.post.currentRevision}, your edit was made on ${expectedRevision}). Reload it and apply your change again.`, {
      currentRevision: state.post.currentRevision,
    });
  }
}

/** Hooks the lifecycle registers: what an edit does to approvals and schedules (see lifecycle.ts). */
export type EditEffects = (tx: Tx, ctx: ServiceContext, before: PostState, after: PostState, options: { applyToUnpublished: boolean; note: string | null }) => Promise<{ unscheduled: boolean; note: string | null }>;

let editEffects: EditEffects = async () => ({ unscheduled: false, note: null });

/** lifecycle.ts installs the approvals and scheduling side of an edit at module creation. */
export function setEditEffects(effects: EditEffects): void {
  editEffects = effects;
}

/**
 * Save new content as the next revision, in the caller's transaction (the post row locked by the caller).
 * Pending approval requests of older revisions are superseded, and a post in review goes back to draft;
 * a scheduled post keeps or loses its schedule per the lifecycle hooks.
 */
export async function editPostInTx(
  tx: Tx,
  ctx: ServiceContext,
  state: PostState,
  content: PostContent,
  options: { note: string | null; applyToUnpublished: boolean; recurrence?: Recurrence | null },
): Promise<{ state: PostState; unscheduled: boolean }> {
  const writer = writerOf(ctx);
  const number = state.post.currentRevision + 1;
  await updatePostFields(tx, state.post.id, { ...content.fields, currentRevision: number, updatedBy: writer.userId });
  if (options.recurrence !== undefined) await updatePostRecurrence(tx, state.post.id, options.recurrence);
  const reviewable = ['in_review', 'changes_requested', 'rejected', 'approved'].includes(state.post.status);
  if (reviewable) await updatePostState(tx, state.post.id, { status: 'draft', reviewStage: null });
  await replaceVariants(tx, writer.tenantId, state.post.id, content.variants);
  await replaceDestinations(tx, writer.tenantId, state.post.id, content.destinations);
  const after = await loadPostState(tx, state.post.id, { accountId: writer.accountId });
  await holdPostMedia(tx, state.post.id, mediaIdsOf(after));
  const effects = await editEffects(tx, ctx, state, after, options);
  const note = [options.note, effects.note].filter(Boolean).join('; ') || null;
  await insertRevision(tx, { tenantId: writer.tenantId, postId: state.post.id, number, snapshot: snapshotOf(content, recurrenceOf(after.post)), authorUserId: writer.userId, note });
  return { state: await loadPostState(tx, state.post.id, { accountId: writer.accountId }), unscheduled: effects.unscheduled };
}

export async function updatePost(ctx: ServiceContext, id: string, body: UpdatePostBody): Promise<PostSaveResult> {
  assertCan(ctx, contentPermissions.write);
  const writer = writerOf(ctx);
  const result = await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, id, { accountId: writer.accountId, lock: true });
    assertMayEdit(ctx, state);
    assertExpectedRevision(state, body.expectedRevision);
    const settings = await findContentSettings(tx, writer.accountId);
    const content = await buildPostContent(tx, writer.accountId, body, state.destinations, state.post.abGapMinutes ?? settings.abDefaultGapMinutes);
    // A form shows minutes: the same minute as the scheduled time is the scheduled time, not a move.
    const planned = state.post.plannedAt;
    if (planned && content.fields.plannedAt && Math.abs(content.fields.plannedAt.getTime() - planned.getTime()) < 60_000) content.fields.plannedAt = planned;
    if (body.ab && body.ab.gapMinutes === undefined && state.post.abGapMinutes) content.fields.abGapMinutes = state.post.abGapMinutes;
    const recurrence = checkPostRecurrence(body.recurrence, content.fields);
    const edited = await editPostInTx(tx, ctx, state, content, { note: body.note, applyToUnpublished: body.applyToUnpublished, recurrence });
    return { ...(await postDtoOf(tx, edited.state)), unscheduled: edited.unscheduled };
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { revision: result.currentRevision, unscheduled: result.unscheduled };
  return result;
}

/** Delete a post that never went out: not scheduled, not published (its history is the calendar). */
export async function deletePost(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, contentPermissions.write);
  const writer = writerOf(ctx);
  await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, id, { accountId: writer.accountId, lock: true });
    assertMayEdit(ctx, state, 'deleted');
    if (state.post.status === 'scheduled') throw conflict('content.post_scheduled', 'This post is scheduled: unschedule it before deleting it.');
    await postDeletedHook(tx, ctx, state);
    await releasePostMedia(tx, id);
    await deletePostRow(tx, id);
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = id;
}

let postDeletedHook: (tx: Tx, ctx: ServiceContext, state: PostState) => Promise<void> = async () => {};

/** lifecycle.ts installs what deleting a post releases (approval requests withdrawn, media holds). */
export function setPostDeletedHook(hook: typeof postDeletedHook): void {
  postDeletedHook = hook;
}

/** A new draft with the same content and destinations, no planned time, revision 1. */
export async function duplicatePost(ctx: ServiceContext, id: string): Promise<Post> {
  assertCan(ctx, contentPermissions.write);
  const writer = writerOf(ctx);
  const post = await withTenant(ctx, async (tx) => {
    const source = await loadPostState(tx, id, { accountId: writer.accountId });
    const content = contentOfState(source);
    const title = `Copy of ${source.post.title ?? (source.post.baseText.trim().slice(0, 40) || 'untitled post')}`.slice(0, 200);
    const created = await createPostInTx(tx, writer, {
      title,
      baseText: content.fields.baseText,
      baseMedia: content.fields.baseMedia,
      baseLink: content.fields.baseLink,
      tags: content.fields.tags,
      plannedAt: null,
      destinations: content.destinations.map((destination) => destination.connectionId),
      variants: content.variants.map((variant) => ({ ...variant, network: variant.network as ContentNetwork, options: variant.options })),
      ab: content.fields.abNetwork ? { network: content.fields.abNetwork as ContentNetwork, gapMinutes: content.fields.abGapMinutes ?? undefined } : null,
      templateId: source.post.templateId,
      note: `duplicated from post ${source.post.id}`,
    });
    return postDtoOf(tx, created);
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = post.id;
  ctx.audit.metadata = { duplicatedFrom: id };
  return post;
}

/** The post's validation issues as they stand (what submit and schedule would refuse). */
export async function validatePost(ctx: ServiceContext, id: string): Promise<ValidationResult> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const issues = await withTenantRead(ctx, async (tx) => checkPost(tx, await loadPostState(tx, id, { accountId })));
  return { ok: !issues.some((issue) => issue.severity === 'error'), issues };
}

// ---------------------------------------------------------------- review

export const postSubjectType = 'post';

/** Summary line of a post for the approvals inbox. */
export function summaryOf(post: PostRow): string {
  return post.title ?? (post.baseText.trim().split('\n')[0]?.slice(0, 120) || 'Untitled post');
}

/**
 * Submit the current revision for review, in the caller's transaction: every variant must be valid (422
 * otherwise), then an internal-stage approvals request is opened and the post is in review. No permission
 * check (the caller authorized; feeds submit as the system).
 */
export async function submitPostInTx(tx: Tx, actor: ContentWriter & { config: Config }, postId: string, options: { validate?: boolean } = {}): Promise<PostState> {
  const state = await loadPostState(tx, postId, { accountId: actor.accountId, lock: true });
  if (!['draft', 'changes_requested', 'rejected'].includes(state.post.status)) {
    throw conflict('content.not_submittable', `Only a draft can be submitted for review; this post is ${state.post.status.replace('_', ' ')}.`);
  }
  if (options.validate !== false) assertValid(await checkPost(tx, state), 'submitted');
  await openApprovalRequest(tx, {
    config: actor.config,
    tenantId: actor.tenantId,
    accountId: actor.accountId,
    subjectType: postSubjectType,
    subjectId: postId,
    subjectRevision: state.post.currentRevision,
    stage: 'internal',
    summary: summaryOf(state.post),
    requestedBy: actor.userId,
  });
  await updatePostState(tx, postId, { status: 'in_review', reviewStage: 'internal' });
  return loadPostState(tx, postId, { accountId: actor.accountId });
}
