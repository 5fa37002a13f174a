import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { listenOnLoopback, tinyPng } from './network/fake-http-server.js';

/**
 * A blog's web server for the feeds tests: RSS 2.0, Atom 1.0 and Blogger-style Atom
 * (/feeds/posts/default: tag:blogger.com ids, media:thumbnail, category terms, HTML content) documents
 * built from entries the test adds, with ETag and Last-Modified (If-None-Match / If-Modified-Since → 304),
 * injectable failures (an HTTP status, a document that is not a feed, an oversized body, a hang), an
 * image at /images/<name>.png and a redirect at /redirect?to=<url>. Listens on 127.0.0.1; `requests`
 * records what was asked, with the conditional headers.
 */
export type FeedKind = 'rss' | 'atom' | 'blogger';

export type FakeEntry = {
  id: string;
  title: string;
  link: string;
  html: string;
  publishedAt: Date;
  author?: string;
  categories?: string[];
  /** RSS: an image enclosure; Blogger: the media:thumbnail (served 72 px, s72-c in the path). */
  imageUrl?: string;
  /** RSS only: leave the guid out (the link becomes the key). */
  omitGuid?: boolean;
};

export type FeedFailure = { status: number } | { kind: 'not_a_feed' } | { kind: 'oversized'; bytes: number } | { kind: 'hang' };

export type FeedRequest = { path: string; ifNoneMatch: string | null; ifModifiedSince: string | null };

export type FeedOrigin = {
  url: string;
  requests: FeedRequest[];
  /** Create (or reset) a feed at a path, e.g. '/feeds/posts/default'. */
  setFeed(path: string, kind: FeedKind, title: string, entries?: FakeEntry[]): void;
  addEntry(path: string, entry: FakeEntry): void;
  /** Every request to the path fails this way until cleared with null. */
  setFailure(path: string, failure: FeedFailure | null): void;
  /** Send neither ETag nor Last-Modified for the path (conditional GET impossible). */
  setValidators(path: string, enabled: boolean): void;
  close(): Promise<void>;
};

type FeedState = { kind: FeedKind; title: string; entries: FakeEntry[]; changedAt: Date; failure: FeedFailure | null; validators: boolean };

const escapeXml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function renderRss(origin: string, path: string, feed: FeedState): string {
  const items = feed.entries
    .map(
      (entry) => `<item>
  <title>${escapeXml(entry.title)}</title>
  <link>${escapeXml(entry.link)}</link>
  ${entry.omitGuid ? '' : `<guid isPermaLink="false">${escapeXml(entry.id)}</guid>`}
  <pubDate>${entry.publishedAt.toUTCString()}</pubDate>
  ${entry.author ? `<dc:creator>${escapeXml(entry.author)}</dc:creator>` : ''}
  ${(entry.categories ?? []).map((category) => `<category>${escapeXml(category)}</category>`).join('')}
  <description>${escapeXml(entry.html)}</description>
  ${entry.imageUrl ? `<enclosure url="${escapeXml(entry.imageUrl)}" length="${tinyPng.length}" type="image/png"/>` : ''}
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>${escapeXml(feed.title)}</title>
  <link>${origin}/</link>
  <atom:link href="${origin}${path}" rel="self" type="application/rss+xml"/>
  <description>Fake blog</description>
  <lastBuildDate>${feed.changedAt.toUTCString()}</lastBuildDate>
${items}
</channel>
</rss>`;
}

function renderAtom(origin: string, path: string, feed: FeedState): string {
  const entries = feed.entries
    .map(
      (entry) => `<entry>
  <id>${escapeXml(entry.id)}</id>
  <title>${escapeXml(entry.title)}</title>
  <link rel="alternate" type="text/html" href="${escapeXml(entry.link)}"/>
  <published>${entry.publishedAt.toISOString()}</published>
  <updated>${entry.publishedAt.toISOString()}</updated>
  ${entry.author ? `<author><name>${escapeXml(entry.author)}</name></author>` : ''}
  ${(entry.categories ?? []).map((category) => `<category term="${escapeXml(category)}"/>`).join('')}
  <content type="html">${escapeXml(entry.html)}</content>
</entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${origin}${path}</id>
  <title>${escapeXml(feed.title)}</title>
  <updated>${feed.changedAt.toISOString()}</updated>
  <link rel="self" href="${origin}${path}"/>
  <link rel="alternate" type="text/html" href="${origin}/"/>
${entries}
</feed>`;
}

/** Blogger writes local times with their offset, e.g. 2026-11-20T09:00:00.000-08:00. */
const pacificTime = (date: Date) => `${new Date(date.getTime() - 8 * 3600_000).toISOString().slice(0, 19)}.000-08:00`;

/** Blogger's shape: single-quoted attributes, its namespaces, rel='replies'/'edit'/'self' links before 'alternate'. */
function renderBlogger(origin: string, path: string, feed: FeedState): string {
  const blogId = 'tag:blogger.com,1999:blog-7413902258';
  const entries = feed.entries
    .map(
      (entry) => `<entry><id>${escapeXml(entry.id)}</id><published>${pacificTime(entry.publishedAt)}</published><updated>${entry.publishedAt.toISOString()}</updated>${(entry.categories ?? [])
        .map((category) => `<category scheme='http://www.blogger.com/atom/ns#' term='${escapeXml(category)}'/>`)
        .join('')}<title type='text'>${escapeXml(entry.title)}</title><content type='html'>${escapeXml(entry.html)}</content><link rel='replies' type='application/atom+xml' href='${origin}/feeds/1/comments/default' title='Post Comments'/><link rel='replies' type='text/html' href='${escapeXml(entry.link)}#comment-form' title='0 Comments'/><link rel='edit' type='application/atom+xml' href='https://www.blogger.com/feeds/7413902258/posts/default/1'/><link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/7413902258/posts/default/1'/><link rel='alternate' type='text/html' href='${escapeXml(entry.link)}' title='${escapeXml(entry.title)}'/><author><name>${escapeXml(entry.author ?? 'Unknown')}</name><uri>https://www.blogger.com/profile/1</uri><email>noreply@blogger.com</email><gd:image rel='http://schemas.google.com/g/2005#thumbnail' width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/></author>${
        entry.imageUrl ? `<media:thumbnail xmlns:media='http://search.yahoo.com/mrss/' url='${escapeXml(entry.imageUrl)}' height='72' width='72'/>` : ''
      }<thr:total>0</thr:total></entry>`,
    )
    .join('');
  return `<?xml version='1.0' encoding='UTF-8'?><?xml-stylesheet href="https://www.blogger.com/styles/atom.css" type="text/css"?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' xmlns:gd="http://schemas.google.com/g/2005" xmlns:thr='http://purl.org/syndication/thread/1.0'><id>${blogId}</id><updated>${feed.changedAt.toISOString()}</updated><category term="Recipes"/><title type='text'>${escapeXml(feed.title)}</title><subtitle type='html'></subtitle><link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='${origin}${path}'/><link rel='self' type='application/atom+xml' href='${origin}${path}'/><link rel='alternate' type='text/html' href='${origin}/'/><link rel='hub' href='http://pubsubhubbub.appspot.com/'/><author><name>Blog Owner</name><email>noreply@blogger.com</email></author><generator version='7.00' uri='http://www.blogger.com'>Blogger</generator><openSearch:totalResults>${feed.entries.length}</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex><openSearch:itemsPerPage>25</openSearch:itemsPerPage>${entries}</feed>`;
}

export async function startFeedOrigin(): Promise<FeedOrigin> {
  const requests: FeedRequest[] = [];
  const feeds = new Map<string, FeedState>();
  let origin = '';

  const render = (path: string, feed: FeedState) =>
    feed.kind === 'rss' ? renderRss(origin, path, feed) : feed.kind === 'atom' ? renderAtom(origin, path, feed) : renderBlogger(origin, path, feed);

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://feeds.local');
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : null);
    requests.push({ path: url.pathname, ifNoneMatch: header('if-none-match'), ifModifiedSince: header('if-modified-since') });
    if (url.pathname.startsWith('/images/')) {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(tinyPng.length) });
      response.end(tinyPng);
      return;
    }
    if (url.pathname === '/redirect') {
      response.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      response.end();
      return;
    }
    const feed = feeds.get(url.pathname);
    if (!feed) {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<h1>Not found</h1>');
      return;
    }
    const failure = feed.failure;
    if (failure && 'status' in failure) {
      response.writeHead(failure.status, { 'content-type': 'text/plain' });
      response.end('failure');
      return;
    }
    if (failure?.kind === 'hang') return;
    if (failure?.kind === 'not_a_feed') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><html><body><p>This is a web page, not a feed.</p></body></html>');
      return;
    }
    if (failure?.kind === 'oversized') {
      response.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(failure.bytes) });
      response.end(Buffer.alloc(failure.bytes, 32));
      return;
    }
    const body = render(url.pathname, feed);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    const lastModified = new Date(Math.floor(feed.changedAt.getTime() / 1000) * 1000).toUTCString();
    const validators = feed.validators ? { etag, 'last-modified': lastModified } : {};
    const ifNoneMatch = header('if-none-match');
    const ifModifiedSince = header('if-modified-since');
    const notModified = feed.validators && (ifNoneMatch ? ifNoneMatch.split(',').map((value) => value.trim()).includes(etag) : ifModifiedSince !== null && new Date(ifModifiedSince).getTime() >= new Date(lastModified).getTime());
    if (notModified) {
      response.writeHead(304, validators);
      response.end();
      return;
    }
    const contentType = feed.kind === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=UTF-8';
    response.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...validators });
    response.end(body);
  });
  const listening = await listenOnLoopback(server);
  origin = listening.url;

  const requireFeed = (path: string) => {
    const feed = feeds.get(path);
    if (!feed) throw new Error(`no fake feed at ${path}`);
    return feed;
  };

  return {
    url: listening.url,
    requests,
    setFeed(path, kind, title, entries = []) {
      feeds.set(path, { kind, title, entries: [...entries], changedAt: new Date(), failure: null, validators: true });
    },
    addEntry(path, entry) {
      const feed = requireFeed(path);
      feed.entries.unshift(entry);
      // Last-Modified has one-second resolution: make the change visible to If-Modified-Since.
      feed.changedAt = new Date(Math.max(Date.now(), feed.changedAt.getTime() + 1000));
    },
    setFailure(path, failure) {
      requireFeed(path).failure = failure;
    },
    setValidators(path, enabled) {
      requireFeed(path).validators = enabled;
    },
    close: listening.close,
  };
}
