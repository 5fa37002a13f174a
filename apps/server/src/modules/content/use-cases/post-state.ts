import type { CreatePostBody, Post, PostSnapshot, PostSummary } from '@omni/contracts/content';
import { AppError, notFound, type FieldError } from '../../../kernel/errors.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isUuid } from '../../../kernel/db/database.js';
import { listSchedulableConnections } from '../../social/index.js';
import {
  findPost,
  selectOccurrences,
  selectDestinations,
  selectVariants,
  type DestinationRow,
  type OccurrenceRow,
  type PostFields,
  type PostRow,
  type VariantFields,
  type VariantRow,
} from '../content.queries.js';
import type { ValidationIssue } from '@omni/contracts/content';
import type { Recurrence } from '@omni/contracts/content-recurrence';

/** A post with its variants and destinations: what a revision snapshots and what the DTO shows. */
export type PostState = { post: PostRow; variants: VariantRow[]; destinations: DestinationRow[]; occurrences: OccurrenceRow[] };

/** The editable content of a post, normalized: what createPostInTx and an edit write. */
export type PostContent = { fields: PostFields; destinations: DestinationRow[]; variants: VariantFields[] };

export type PostInput = Omit<CreatePostBody, 'templateId'>;

export async function loadPostState(tx: Tx, id: string, options: { accountId: string; lock?: boolean }): Promise<PostState> {
  const post = isUuid(id) ? await findPost(tx, id, options) : null;
  if (!post) throw notFound('Post');
  return { post, variants: await selectVariants(tx, id), destinations: await selectDestinations(tx, id), occurrences: await selectOccurrences(tx, id) };
}

export function toPostDto(state: PostState, issues: ValidationIssue[]): Post {
  const { post } = state;
  return {
    id: post.id,
    accountId: post.accountId,
    title: post.title,
    status: post.status,
    reviewStage: post.reviewStage,
    baseText: post.baseText,
    baseMedia: post.baseMedia,
    baseLink: post.baseLink,
    tags: post.tags,
    plannedAt: post.plannedAt?.toISOString() ?? null,
    ab: post.abNetwork ? { network: post.abNetwork as Post['destinations'][number]['network'], gapMinutes: post.abGapMinutes ?? 0, winnerVariantId: post.abWinnerVariantId } : null,
    recurrence: recurrenceOf(post),
    templateId: post.templateId,
    source: post.source,
    currentRevision: post.currentRevision,
    approvedRevision: post.approvedRevision,
    destinations: state.destinations.map((destination) => ({ connectionId: destination.connectionId, network: destination.network as Post['destinations'][number]['network'] })),
    variants: state.variants.map((variant) => ({ ...variant, network: variant.network as Post['destinations'][number]['network'] })),
    occurrences: state.occurrences.map((occurrence) => ({ id: occurrence.id, occursAt: occurrence.occursAt.toISOString(), sequence: occurrence.sequence, status: occurrence.status })),
    issues,
    createdBy: post.createdBy,
    updatedBy: post.updatedBy,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
  };
}

export function toPostSummary(row: PostRow & { networks: string[] }): PostSummary {
  const excerptSource = row.baseText.trim();
  return {
    id: row.id,
    accountId: row.accountId,
    title: row.title,
    status: row.status,
    reviewStage: row.reviewStage,
    tags: row.tags,
    plannedAt: row.plannedAt?.toISOString() ?? null,
    currentRevision: row.currentRevision,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
    excerpt: excerptSource.length > 140 ? `${excerptSource.slice(0, 139)}…` : excerptSource,
    networks: row.networks as PostSummary['networks'],
  };
}

/** A post's recurrence (null: a one-off post). */
export function recurrenceOf(post: PostRow): Recurrence | null {
  return post.recurrenceRule && post.recurrenceTimezone ? { rule: post.recurrenceRule, timeZone: post.recurrenceTimezone } : null;
}

/** What a revision keeps: the post's content, destinations, planned time and recurrence (not its lifecycle). */
export function snapshotOf(content: PostContent, recurrence: Recurrence | null): PostSnapshot {
  const { fields } = content;
  return {
    title: fields.title,
    baseText: fields.baseText,
    baseMedia: fields.baseMedia,
    baseLink: fields.baseLink,
    tags: fields.tags,
    plannedAt: fields.plannedAt?.toISOString() ?? null,
    ab: fields.abNetwork ? { network: fields.abNetwork as PostSnapshot['destinations'][number]['network'], gapMinutes: fields.abGapMinutes ?? 0 } : null,
    recurrence,
    destinations: content.destinations.map((destination) => ({ connectionId: destination.connectionId, network: destination.network as PostSnapshot['destinations'][number]['network'] })),
    variants: content.variants.map((variant) => ({
      network: variant.network as PostSnapshot['destinations'][number]['network'],
      abLabel: variant.abLabel,
      text: variant.text,
      media: variant.media,
      link: variant.link,
      options: variant.options,
    })),
  };
}

export function contentOfState(state: PostState): PostContent {
  const { post } = state;
  return {
    fields: {
      title: post.title,
      baseText: post.baseText,
      baseMedia: post.baseMedia,
      baseLink: post.baseLink,
      tags: post.tags,
      plannedAt: post.plannedAt,
      abNetwork: post.abNetwork,
      abGapMinutes: post.abGapMinutes,
    },
    destinations: state.destinations,
    variants: state.variants.map(({ id: _id, ...variant }) => variant),
  };
}

function invalid(code: string, message: string, errors: FieldError[]): AppError {
  return new AppError('unprocessable', code, message, { errors });
}

/**
 * The destinations as rows with their network. A connection already chosen keeps its network even if it
 * was disconnected since (a draft stays saveable); a new one must be a connection of the account that a
 * post can be planned for (active, or waiting for a reconnect: scheduling refuses those until reconnected).
 */
export async function resolveDestinations(tx: Tx, accountId: string, connectionIds: string[], known: DestinationRow[]): Promise<DestinationRow[]> {
  const unique = [...new Set(connectionIds)];
  const fresh = unique.filter((id) => !known.some((destination) => destination.connectionId === id));
  const connections = fresh.length > 0 ? await listSchedulableConnections(tx, accountId) : [];
  const errors: FieldError[] = [];
  const rows: DestinationRow[] = [];
  unique.forEach((connectionId, index) => {
    const existing = known.find((destination) => destination.connectionId === connectionId) ?? connections.find((connection) => connection.id === connectionId);
    if (existing) rows.push({ connectionId, network: existing.network });
    else errors.push({ path: `body.destinations.${connectionIds.indexOf(connectionId) >= 0 ? connectionIds.indexOf(connectionId) : index}`, message: 'is not a connected social account of this account' });
  });
  if (errors.length > 0) throw invalid('content.invalid_destination', 'A destination is not a connected social account of this account.', errors);
  return rows;
}

/**
 * One variant per network of the destinations (A and B for the A/B network), in the order given; a
 * network without one gets a variant that inherits everything. A variant for a network the post does not
 * go to, a duplicate, or an A/B label outside the A/B network is refused (422).
 */
export function normalizeVariants(input: PostInput, destinations: DestinationRow[]): VariantFields[] {
  const networks = [...new Set(destinations.map((destination) => destination.network))];
  const abNetwork = input.ab?.network ?? null;
  const errors: FieldError[] = [];
  if (abNetwork && !networks.includes(abNetwork)) errors.push({ path: 'body.ab.network', message: 'the A/B network must be one of the destinations’ networks' });
  const seen = new Set<string>();
  const variants: VariantFields[] = [];
  input.variants.forEach((variant, index) => {
    const key = `${variant.network}/${variant.abLabel ?? ''}`;
    if (!networks.includes(variant.network)) errors.push({ path: `body.variants.${index}.network`, message: `no destination on ${variant.network}: add one or remove this variant` });
    else if (variant.network === abNetwork && !variant.abLabel) errors.push({ path: `body.variants.${index}.abLabel`, message: 'variants of the A/B network are labelled A or B' });
    else if (variant.network !== abNetwork && variant.abLabel) errors.push({ path: `body.variants.${index}.abLabel`, message: 'only the A/B network has labelled variants' });
    else if (seen.has(key)) errors.push({ path: `body.variants.${index}`, message: 'a second variant for the same network' });
    seen.add(key);
    variants.push({ network: variant.network, abLabel: variant.abLabel, text: variant.text, media: variant.media, link: variant.link, options: variant.options, position: index });
  });
  if (errors.length > 0) throw invalid('content.invalid_variants', 'The variants do not match the destinations.', errors);
  for (const network of networks) {
    const labels: Array<'A' | 'B' | null> = network === abNetwork ? ['A', 'B'] : [null];
    for (const abLabel of labels) {
      if (!seen.has(`${network}/${abLabel ?? ''}`)) variants.push({ network, abLabel, text: null, media: null, link: null, options: {}, position: variants.length });
    }
  }
  return variants;
}

/** Normalize a create/edit body into the content to write (destinations checked in the account). */
export async function buildPostContent(tx: Tx, accountId: string, input: PostInput, known: DestinationRow[], abDefaultGapMinutes: number): Promise<PostContent> {
  const destinations = await resolveDestinations(tx, accountId, input.destinations, known);
  const variants = normalizeVariants(input, destinations);
  return {
    fields: {
      title: input.title && input.title.length > 0 ? input.title : null,
      baseText: input.baseText,
      baseMedia: input.baseMedia,
      baseLink: input.baseLink,
      tags: [...new Set(input.tags)],
      plannedAt: input.plannedAt ? new Date(input.plannedAt) : null,
      abNetwork: input.ab?.network ?? null,
      abGapMinutes: input.ab ? (input.ab.gapMinutes ?? abDefaultGapMinutes) : null,
    },
    destinations,
    variants,
  };
}

/** Turn a stored snapshot back into an input (restore, duplicate). */
export function inputOfSnapshot(snapshot: PostSnapshot): PostInput {
  return {
    title: snapshot.title,
    baseText: snapshot.baseText,
    baseMedia: snapshot.baseMedia.map((item) => ({ assetId: item.assetId, altText: item.altText })),
    baseLink: snapshot.baseLink,
    tags: snapshot.tags,
    plannedAt: snapshot.plannedAt,
    destinations: snapshot.destinations.map((destination) => destination.connectionId),
    variants: snapshot.variants.map((variant) => ({
      network: variant.network,
      abLabel: variant.abLabel,
      text: variant.text,
      media: variant.media,
      link: variant.link,
      options: variant.options,
    })),
    ab: snapshot.ab ? { network: snapshot.ab.network, gapMinutes: snapshot.ab.gapMinutes } : null,
  };
}
