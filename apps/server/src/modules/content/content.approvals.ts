import { postSnapshotSchema, resolveVariant } from '@omni/contracts/content';
import type { ApprovalPreview } from '@omni/contracts/approvals';
import type { Tx } from '../../kernel/db/database.js';
import { isUuid } from '../../kernel/db/database.js';
import { registerApprovalSubject, type ApprovalRenderContext } from '../approvals/index.js';
import { signAssetUrls } from '../media/index.js';
import { listSchedulableConnections } from '../social/index.js';
import { findPost, findRevision } from './content.queries.js';
import { lookupAssets } from './use-cases/media-lookup.js';
import { postSubjectType, summaryOf } from './use-cases/lifecycle.js';

/**
 * Posts as approval subjects: described from the live post (title, console path, author, account), and
 * previewed from the decided revision's snapshot — never the live post — one preview per variant, with
 * media URLs signed for the reviewer (medium rendition).
 */
async function renderPost(tx: Tx, ctx: ApprovalRenderContext, subjectId: string, revision: number): Promise<ApprovalPreview | null> {
  if (!isUuid(subjectId)) return null;
  const post = await findPost(tx, subjectId);
  const stored = post ? await findRevision(tx, subjectId, revision) : null;
  if (!post || !stored) return null;
  const snapshot = postSnapshotSchema.parse(stored.snapshot);
  const base = { baseText: snapshot.baseText, baseMedia: snapshot.baseMedia, baseLink: snapshot.baseLink };
  const resolved = snapshot.variants.map((variant) => ({ variant, content: resolveVariant(base, variant) }));
  const assetIds = [...new Set(resolved.flatMap(({ content }) => content.media.map((item) => item.assetId)))];
  const assets = await lookupAssets(tx, assetIds);
  const signed = await signAssetUrls({ ...ctx, tenantId: ctx.tenantId }, assetIds.map((assetId) => ({ assetId, rendition: 'medium' as const })));
  const urls = new Map(signed.map((item) => [item.assetId, item.url]));
  const connections = await listSchedulableConnections(tx, post.accountId);
  return {
    title: snapshot.title ?? summaryOf(post),
    variants: resolved.map(({ variant, content }) => ({
      network: variant.network,
      label: variant.abLabel,
      destinationNames: snapshot.destinations
        .filter((destination) => destination.network === variant.network)
        .map((destination) => connections.find((connection) => connection.id === destination.connectionId)?.destinationName ?? destination.network),
      text: content.text,
      link: content.link,
      options: content.options,
      media: content.media.flatMap((item) => {
        const url = urls.get(item.assetId);
        const asset = assets.get(item.assetId);
        return url && asset ? [{ url, kind: asset.kind, altText: item.altText, width: asset.width, height: asset.height }] : [];
      }),
    })),
  };
}

/** Register the 'post' subject type (once, at module creation). */
export function registerPostApprovalSubject(): void {
  registerApprovalSubject(postSubjectType, {
    render: renderPost,
    async describe(tx, subjectId) {
      const post = isUuid(subjectId) ? await findPost(tx, subjectId) : null;
      if (!post) return null;
      return { title: summaryOf(post), linkPath: `/content/posts/${post.id}`, authorUserId: post.createdBy, accountId: post.accountId, currentRevision: post.currentRevision };
    },
  });
}
