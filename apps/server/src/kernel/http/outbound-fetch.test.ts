import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediaOrigin, type MediaOrigin } from '../../../test/fakes/media-origin.js';
import { tinyPng } from '../../../test/fakes/network/fake-http-server.js';
import { createOutboundFetcher, OutboundHttpError, OutboundRefusal, OutboundTransportError, type OutboundFetchOptions, type OutboundResolver } from './outbound-fetch.js';

function resolverFrom(table: Record<string, string[]>): OutboundResolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/** The 'public' mode used by feeds and URL imports: any origin, but only global addresses. */
describe('outbound fetch policy (public origins)', () => {
  let origin: MediaOrigin;

  beforeAll(async () => {
    origin = await startMediaOrigin();
  });
  afterAll(() => origin?.close());

  const fetcher = (options: Partial<OutboundFetchOptions> = {}, table: Record<string, string[]> = {}) =>
    createOutboundFetcher({ origins: 'public', maxBytes: 4096, timeoutMs: 3000, allowLoopback: true, resolve: resolverFrom({ localhost: ['127.0.0.1'], ...table }), subject: 'feed', ...options });

  it('downloads from any origin (loopback allowed here for the local fake), reporting the final URL', async () => {
    const response = await fetcher().fetch(`${origin.url}/redirect?to=${encodeURIComponent('/image.png')}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(response.bytes).equals(tinyPng)).toBe(true);
    expect(response.url).toBe(`${origin.url}/image.png`);
    expect(response.contentType).toBe('image/png');
  });

  it('accepts any public https origin at the URL level, and refuses http and credentials', () => {
    const strict = createOutboundFetcher({ origins: 'public', maxBytes: 1024, timeoutMs: 1000 });
    expect(strict.check('https://blog.example.org/feed.xml')).toBe('https://blog.example.org/feed.xml');
    expect(() => strict.check('http://blog.example.org/feed.xml')).toThrow(/must use https/);
    expect(() => strict.check('https://me:secret@blog.example.org/feed.xml')).toThrow(/may not carry credentials/);
    expect(() => strict.check(`${origin.url}/image.png`)).toThrow(/must use https/);
  });

  it('refuses a name resolving to a private address before connecting', async () => {
    const before = origin.requests.length;
    const error = await errorOf(fetcher({ allowLoopback: false }, { 'intranet.example.com': ['93.184.216.34', '10.0.0.5'] }).fetch('https://intranet.example.com/feed.xml'));
    expect(error).toBeInstanceOf(OutboundRefusal);
    expect(error.message).toMatch(/intranet\.example\.com resolves to 10\.0\.0\.5, a private address/);
    expect(origin.requests.length).toBe(before);
  });

  it('refuses IP literals in private, metadata and loopback ranges without allowLoopback', () => {
    const strict = createOutboundFetcher({ origins: 'public', maxBytes: 1024, timeoutMs: 1000 });
    expect(() => strict.check('https://169.254.169.254/latest/meta-data/')).toThrow(/cloud metadata address/);
    expect(() => strict.check('https://192.168.1.1/a.png')).toThrow(/private address/);
    expect(() => strict.check('https://[::1]/a.png')).toThrow(/loopback address/);
  });

  it('checks every redirect hop like the first URL', async () => {
    const error = await errorOf(fetcher().fetch(`${origin.url}/redirect?to=${encodeURIComponent('https://10.1.2.3/secret')}`));
    expect(error).toBeInstanceOf(OutboundRefusal);
    expect(error.message).toMatch(/redirects to https:\/\/10\.1\.2\.3\/secret points to a private address/);
  });

  it('caps the size, declared or streamed', async () => {
    expect((await errorOf(fetcher().fetch(`${origin.url}/bytes?count=5000`))).message).toMatch(/is 5000 bytes, over the 4096-byte limit/);
    const streamed = await errorOf(fetcher().fetch(`${origin.url}/stream?count=50000`));
    expect(streamed).toBeInstanceOf(OutboundRefusal);
    expect(streamed.message).toMatch(/over the 4096-byte limit/);
  });

  it('reports HTTP errors with their status and transport trouble as transport errors', async () => {
    const notFound = await errorOf(fetcher().fetch(`${origin.url}/status/404`));
    expect(notFound).toBeInstanceOf(OutboundHttpError);
    expect((notFound as OutboundHttpError).status).toBe(404);
    expect(await errorOf(fetcher().fetch('https://nowhere.example.net/a.png'))).toBeInstanceOf(OutboundTransportError);
    expect(await errorOf(fetcher({ timeoutMs: 200 }).fetch(`${origin.url}/hang`))).toBeInstanceOf(OutboundTransportError);
  });
});
