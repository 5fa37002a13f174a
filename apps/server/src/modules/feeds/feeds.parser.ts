import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import { parseDocument, DomUtils } from 'htmlparser2';
import Parser from 'rss-parser';

/**
 * Feed documents → articles. RSS 2.0 and Atom 1.0 (Blogger's /feeds/posts/default among them) are parsed
 * by rss-parser from text we fetched ourselves (it never fetches). Each entry gets a stable key for
 * deduplication: RSS guid | Atom id | link | SHA-256 of title and date.
 */

export type FeedFormat = 'rss' | 'atom';

export type ParsedArticle = {
  key: string;
  title: string;
  url: string | null;
  /** Plain text, at most summaryMaxLength characters. */
  summary: string | null;
  contentHtml: string | null;
  imageUrl: string | null;
  author: string | null;
  tags: string[];
  publishedAt: Date | null;
};

export type ParsedFeed = { format: FeedFormat; title: string | null; link: string | null; articles: ParsedArticle[] };

export class FeedParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedParseError';
  }
}

type MediaElement = { $?: { url?: string; medium?: string; type?: string } };
type AtomCategory = { $?: { term?: string } } | string;
type ExtraItemFields = {
  id?: string;
  mediaThumbnail?: MediaElement | MediaElement[];
  mediaContent?: MediaElement | MediaElement[];
  atomCategories?: AtomCategory[];
  'content:encoded'?: string;
};

const parser = new Parser<Record<string, unknown>, ExtraItemFields>({
  customFields: {
    item: [
      ['media:thumbnail', 'mediaThumbnail'],
      ['media:content', 'mediaContent'],
      ['category', 'atomCategories', { keepArray: true }],
    ],
  },
  // Entity expansion stays off (xml2js/sax never expands external entities); keep text as text.
  xml2js: { strict: true },
});

const summaryMaxLength = 1000;
const maxArticles = 200;

function cleanText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, max) : null;
}

/** HTML → plain text (paragraphs as blank lines, links without their URLs, images dropped). */
export function htmlToPlainText(html: string, max = summaryMaxLength): string {
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
    ],
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/** The first <img src> of an article's HTML that is an absolute http(s) URL. */
export function firstImageInHtml(html: string, base: string | null): string | null {
  const document = parseDocument(html);
  for (const image of DomUtils.getElementsByTagName('img', document, true, 20)) {
    const source = image.attribs.src;
    const url = absoluteHttpUrl(source, base);
    if (url) return url;
  }
  return null;
}

function absoluteHttpUrl(value: unknown, base: string | null): string | null {
  if (typeof value !== 'string' || !value.trim()) return null;
  try {
    const url = base ? new URL(value.trim(), base) : new URL(value.trim());
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.toString().length <= 2048 ? url.toString() : null;
  } catch {
    return null;
  }
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function mediaUrl(elements: MediaElement | MediaElement[] | undefined, base: string | null, imagesOnly: boolean): string | null {
  for (const element of asArray(elements)) {
    const attributes = element?.$;
    if (!attributes?.url) continue;
    if (imagesOnly && attributes.medium && attributes.medium !== 'image') continue;
    if (imagesOnly && attributes.type && !attributes.type.startsWith('image/')) continue;
    const url = absoluteHttpUrl(attributes.url, base);
    if (url) return url;
  }
  return null;
}

/**
 * Blogger's media:thumbnail is a 72-pixel crop (…/s72-c/…); the same image is served at full size with
 * the size segment s1600.
 */
function enlargeBloggerThumbnail(url: string): string {
  return url.replace(/\/s72-c\//, '/s1600/').replace(/=s72-c$/, '=s1600');
}

function tagsOf(item: ExtraItemFields & Parser.Item): string[] {
  const fromAtom = (item.atomCategories ?? []).map((category) => (typeof category === 'string' ? category : category?.$?.term ?? ''));
  const fromRss = (item.categories ?? []).map((category) => (typeof category === 'string' ? category : ((category as { _?: string })?._ ?? '')));
  const tags = [...fromAtom, ...fromRss].map((tag) => tag.trim()).filter((tag) => tag.length > 0 && tag.length <= 60);
  return [...new Set(tags)].slice(0, 20);
}

function dateOf(item: Parser.Item): Date | null {
  const raw = item.isoDate ?? item.pubDate;
  if (!raw) return null;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** guid | Atom id | link | SHA-256 of title and date: stable across polls, unique within the feed. */
export function entryKeyOf(candidate: { guid?: string | null; id?: string | null; link?: string | null; title: string; publishedAt: Date | null }): string {
  for (const value of [candidate.guid, candidate.id, candidate.link]) {
    const trimmed = typeof value === 'string' ? value.trim() : '';
    if (trimmed) return trimmed.slice(0, 2048);
  }
  return `sha256:${createHash('sha256').update(`${candidate.title}\n${candidate.publishedAt?.toISOString() ?? ''}`, 'utf8').digest('hex')}`;
}

function toArticle(item: ExtraItemFields & Parser.Item, feedLink: string | null): ParsedArticle | null {
  const url = absoluteHttpUrl(item.link, feedLink);
  const publishedAt = dateOf(item);
  const html = (typeof item['content:encoded'] === 'string' && item['content:encoded']) || (typeof item.content === 'string' ? item.content : '') || '';
  const summaryHtml = typeof item.summary === 'string' && item.summary.trim() ? item.summary : html;
  const summary = summaryHtml ? htmlToPlainText(summaryHtml) : null;
  const title = cleanText(item.title, 500) ?? (summary ? cleanText(summary, 80) : null);
  if (!title) return null;
  const enclosureImage = item.enclosure?.type?.startsWith('image/') ? absoluteHttpUrl(item.enclosure.url, url ?? feedLink) : null;
  const thumbnail = mediaUrl(item.mediaThumbnail, url ?? feedLink, false);
  const imageUrl =
    mediaUrl(item.mediaContent, url ?? feedLink, true) ??
    enclosureImage ??
    (html ? firstImageInHtml(html, url ?? feedLink) : null) ??
    (thumbnail ? enlargeBloggerThumbnail(thumbnail) : null);
  return {
    key: entryKeyOf({ guid: item.guid, id: typeof item.id === 'string' ? item.id : null, link: url, title, publishedAt }),
    title,
    url,
    summary: summary || null,
    contentHtml: html ? html.slice(0, 200_000) : null,
    imageUrl,
    author: cleanText(item.creator ?? (item as { author?: string }).author, 200),
    tags: tagsOf(item),
    publishedAt,
  };
}

/** Parse an RSS 2.0 or Atom document; articles newest first. Throws FeedParseError for anything else. */
export async function parseFeedDocument(xml: string): Promise<ParsedFeed> {
  const head = xml.slice(0, 4096).replace(/^\uFEFF/, '');
  if (!/<(rss|feed|rdf:RDF)[\s>]/i.test(head)) {
    throw new FeedParseError('this is not an RSS or Atom feed (no <rss> or <feed> element)');
  }
  let output: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    output = await parser.parseString(xml.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new FeedParseError(`the feed is not valid XML or not RSS/Atom (${(error as Error).message.split('\n')[0]!.slice(0, 200)})`);
  }
  const format: FeedFormat = /<feed[\s>]/i.test(head) ? 'atom' : 'rss';
  const link = absoluteHttpUrl(output.link, null);
  const articles = output.items
    .slice(0, maxArticles)
    .map((item) => toArticle(item, link))
    .filter((article): article is ParsedArticle => article !== null);
  // Feeds are usually newest first, but not always: sort, keeping undated entries in document order last.
  const sorted = articles
    .map((article, index) => ({ article, index }))
    .sort((left, right) => (right.article.publishedAt?.getTime() ?? -Infinity) - (left.article.publishedAt?.getTime() ?? -Infinity) || left.index - right.index)
    .map(({ article }) => article);
  const unique = new Map<string, ParsedArticle>();
  for (const article of sorted) if (!unique.has(article.key)) unique.set(article.key, article);
  return { format, title: cleanText(output.title, 300), link, articles: [...unique.values()] };
}
