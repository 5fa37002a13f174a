import type { ContentNetwork, ValidationIssue, VariantOptions } from '@omni/contracts/content';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { listSchedulableConnections } from '../../social/index.js';
import { createPostInTx } from './posts.js';
import { submitPostInTx } from './lifecycle.js';
import { findTemplate } from '../content.queries.js';
import { getTemplateRow, renderTemplate } from './templates.js';
import { checkPost } from './validation.js';

/** An article from a feed or a signed webhook, as feeds hands it over. */
export type Article = {
  title: string;
  url: string | null;
  summary: string | null;
  author: string | null;
  publishedAt: Date | string | null;
  tags: string[];
  /** A library asset feeds imported from the article's image (importMediaFromUrl), if any. */
  imageAssetId?: string | null;
};

export type ArticleSource = { kind: 'feed' | 'webhook' | 'import'; id: string; entryId?: string | null; name?: string | null };

const networks: ContentNetwork[] = ['facebook', 'instagram', 'x', 'linkedin', 'pinterest', 'sandbox'];

/**
 * One post from an article, in the caller's transaction (feeds.process-entry): the template's bodies
 * rendered with the article (variables title, url, summary, author, published_at, tags, image — strict),
 * one variant per network of the chosen connections that are still usable, saved as revision 1 and
 * submitted for approval by the system ("from feed …"). A variant that breaks its network's rules (e.g.
 * X too long) still becomes the draft in review, its issues shown to the reviewer: never published silently.
 * Without a template the base text is the title and the link.
 */
export async function createPostFromArticle(
  tx: Tx,
  ctx: { config: Config; tenantId: string },
  input: { accountId: string; templateId: string | null; connectionIds: string[]; article: Article; source: ArticleSource },
): Promise<{ postId: string; issues: ValidationIssue[] }> {
  const { article } = input;
  const usable = await listSchedulableConnections(tx, input.accountId);
  const destinations = input.connectionIds.filter((id) => usable.some((connection) => connection.id === id));
  const destinationNetworks = new Set(usable.filter((connection) => destinations.includes(connection.id)).map((connection) => connection.network));
  const publishedAt = article.publishedAt ? new Date(article.publishedAt).toISOString() : '';
  const values: Record<string, unknown> = {
    title: article.title,
    url: article.url ?? '',
    summary: article.summary ?? '',
    author: article.author ?? '',
    published_at: publishedAt,
    tags: article.tags.join(', '),
    image: article.imageAssetId ?? '',
  };
  let baseText = [article.title, article.url].filter(Boolean).join('\n\n');
  let link = article.url;
  const variants: Array<{ network: ContentNetwork; text: string | null; options: VariantOptions }> = [];
  if (input.templateId) {
    const template = await getTemplateRow(tx, input.templateId, input.accountId);
    const rendered = renderTemplate(template, values);
    baseText = rendered.bodies.base ?? baseText;
    link = rendered.link ?? link;
    for (const network of networks) {
      if (!destinationNetworks.has(network)) continue;
      const text = rendered.bodies[network];
      const options = rendered.options[network];
      if (text === undefined && !options) continue;
      variants.push({ network, text: text ?? null, options: options ? optionsOf(options) : {} });
    }
  }
  const media = article.imageAssetId ? [{ assetId: article.imageAssetId, altText: article.title.slice(0, 1000) }] : [];
  const label = input.source.name ? `from ${input.source.kind} ${input.source.name}` : `from ${input.source.kind}`;
  const post = await createPostInTx(tx, { tenantId: ctx.tenantId, accountId: input.accountId, userId: null }, {
    title: article.title.slice(0, 200),
    baseText,
    baseMedia: media,
    baseLink: link && /^https?:\/\//i.test(link) ? link.slice(0, 2048) : null,
    tags: article.tags.map((tag) => tag.trim().toLowerCase().slice(0, 40)).filter(Boolean).slice(0, 20),
    plannedAt: null,
    destinations,
    variants: variants.map((variant) => ({ abLabel: null, media: null, link: null, ...variant })),
    ab: null,
    templateId: input.templateId,
    source: { kind: input.source.kind, id: input.source.id, ...(input.source.entryId ? { entryId: input.source.entryId } : {}) },
    note: label.slice(0, 300),
  });
  const submitted = await submitPostInTx(tx, { tenantId: ctx.tenantId, accountId: input.accountId, userId: null, config: ctx.config }, post.post.id, { validate: false });
  return { postId: post.post.id, issues: await checkPost(tx, submitted) };
}

/** Pinterest title/board and X thread options from a template's rendered strings. */
function optionsOf(rendered: Record<string, string>): VariantOptions {
  const options: VariantOptions = {};
  if (rendered.title) options.title = rendered.title.slice(0, 200);
  if (rendered.boardId) options.boardId = rendered.boardId.slice(0, 100);
  if (rendered.thread) options.thread = rendered.thread.split(/\n---\n/).map((item) => item.trim()).filter(Boolean).slice(0, 50);
  return options;
}

/** Whether an account has this template (archived ones included: they still render), for feeds' settings. */
export async function articleTemplateExists(tx: Tx, accountId: string, templateId: string): Promise<boolean> {
  return (await findTemplate(tx, templateId, accountId)) !== null;
}
