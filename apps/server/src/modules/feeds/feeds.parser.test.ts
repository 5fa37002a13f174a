import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedOrigin, type FeedOrigin } from '../../../test/fakes/feed-origin.js';
import { entryKeyOf, FeedParseError, htmlToPlainText, parseFeedDocument } from './feeds.parser.js';

describe('feed parser', () => {
  let origin: FeedOrigin;
  const published = new Date('2026-11-20T17:00:00.000Z');

  beforeAll(async () => {
    origin = await startFeedOrigin();
  });
  afterAll(() => origin?.close());

  const documentAt = async (path: string) => (await fetch(`${origin.url}${path}`)).text();

  it('reads RSS 2.0: guid as key, plain-text summary, enclosure image, categories, newest first', async () => {
    origin.setFeed('/rss.xml', 'rss', 'Bella’s blog', [
      { id: 'post-1', title: 'Autumn menu', link: 'https://bella.example/autumn', html: '<p>New <b>dishes</b> &amp; drinks.</p><p>Second <a href="https://x.example">paragraph</a>.</p>', publishedAt: published, author: 'Bella', categories: ['Menu', 'Autumn'], imageUrl: 'https://bella.example/a.png' },
      { id: 'post-2', title: 'Winter hours', link: 'https://bella.example/winter', html: '<p>Open late.</p>', publishedAt: new Date(published.getTime() + 86_400_000) },
    ]);
    const feed = await parseFeedDocument(await documentAt('/rss.xml'));
    expect(feed).toMatchObject({ format: 'rss', title: 'Bella’s blog', link: `${origin.url}/` });
    expect(feed.articles.map((article) => article.key)).toEqual(['post-2', 'post-1']);
    expect(feed.articles[1]).toMatchObject({
      title: 'Autumn menu',
      url: 'https://bella.example/autumn',
      summary: 'New dishes & drinks.\n\nSecond paragraph.',
      imageUrl: 'https://bella.example/a.png',
      author: 'Bella',
      tags: ['Menu', 'Autumn'],
    });
    expect(feed.articles[1]!.publishedAt?.toISOString()).toBe(published.toISOString());
  });

  it('reads a Blogger Atom feed: tag:blogger.com ids, the alternate link among replies/edit/self, terms as tags, the image', async () => {
    origin.setFeed('/feeds/posts/default', 'blogger', 'Bella Café', [
      {
        id: 'tag:blogger.com,1999:blog-7413902258.post-1',
        title: 'Pumpkin soup is back',
        link: 'https://bellacafe.blogspot.com/2026/11/pumpkin-soup.html',
        html: '<div><img src="https://blogger.googleusercontent.com/img/b/soup.jpg" /><br/>Our <i>pumpkin soup</i> returns.</div>',
        publishedAt: published,
        author: 'Bella',
        categories: ['Soup'],
        imageUrl: 'https://blogger.googleusercontent.com/img/b/R29v/s72-c/soup.jpg',
      },
      { id: 'tag:blogger.com,1999:blog-7413902258.post-2', title: 'Thumbnail only', link: 'https://bellacafe.blogspot.com/2026/11/t.html', html: 'Text only', publishedAt: published, imageUrl: 'https://blogger.googleusercontent.com/img/b/R29v/s72-c/t.jpg' },
    ]);
    const feed = await parseFeedDocument(await documentAt('/feeds/posts/default'));
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Bella Café');
    const [soup, thumbnailOnly] = feed.articles;
    expect(soup).toMatchObject({
      key: 'tag:blogger.com,1999:blog-7413902258.post-1',
      url: 'https://bellacafe.blogspot.com/2026/11/pumpkin-soup.html',
      summary: 'Our pumpkin soup returns.',
      imageUrl: 'https://blogger.googleusercontent.com/img/b/soup.jpg',
      author: 'Bella',
      tags: ['Soup'],
    });
    // Blogger writes local time with its offset: the same instant.
    expect(soup!.publishedAt?.toISOString()).toBe(published.toISOString());
    // Blogger's 72-pixel thumbnail is asked for at full size.
    expect(thumbnailOnly!.imageUrl).toBe('https://blogger.googleusercontent.com/img/b/R29v/s1600/t.jpg');
  });

  it('reads plain Atom 1.0 with HTML content', async () => {
    origin.setFeed('/atom.xml', 'atom', 'Atom blog', [{ id: 'urn:uuid:1', title: 'Hello', link: 'https://atom.example/hello', html: '<p>Hi &lt;there&gt;</p>', publishedAt: published }]);
    const feed = await parseFeedDocument(await documentAt('/atom.xml'));
    expect(feed.format).toBe('atom');
    expect(feed.articles).toHaveLength(1);
    expect(feed.articles[0]).toMatchObject({ key: 'urn:uuid:1', title: 'Hello', url: 'https://atom.example/hello', summary: 'Hi <there>' });
  });

  it('keys an RSS item without a guid by its link, and one without either by a hash of title and date', () => {
    expect(entryKeyOf({ guid: null, id: null, link: 'https://b.example/p', title: 'T', publishedAt: null })).toBe('https://b.example/p');
    const hashed = entryKeyOf({ title: 'T', publishedAt: published });
    expect(hashed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(entryKeyOf({ title: 'T', publishedAt: published })).toBe(hashed);
    expect(entryKeyOf({ title: 'T', publishedAt: new Date(published.getTime() + 1) })).not.toBe(hashed);
  });

  it('refuses a web page, broken XML and an unknown root with FeedParseError', async () => {
    await expect(parseFeedDocument('<!doctype html><html><body>hi</body></html>')).rejects.toBeInstanceOf(FeedParseError);
    await expect(parseFeedDocument('<rss version="2.0"><channel><title>x</title>')).rejects.toBeInstanceOf(FeedParseError);
    await expect(parseFeedDocument('<?xml version="1.0"?><opml version="2.0"></opml>')).rejects.toBeInstanceOf(FeedParseError);
  });

  it('cuts long summaries at a word with an ellipsis', () => {
    const text = htmlToPlainText(`<p>${'word '.repeat(400)}</p>`, 100);
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.endsWith('word…')).toBe(true);
  });
});
