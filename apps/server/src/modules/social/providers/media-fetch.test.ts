import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediaOrigin, type MediaOrigin } from '../../../../test/fakes/media-origin.js';
import { tinyPng } from '../../../../test/fakes/network/fake-http-server.js';
import { failureOf } from '../../../../test/fakes/network/provider-config.js';
import { testConfig } from '../../../../test/harness.js';
import { createMediaFetchPolicy, fetchMedia, requireAllowedMediaUrl, type MediaResolver } from './media-fetch.js';
import { ProviderError } from './provider.js';

function refusalOf(check: () => unknown): ProviderError {
  try {
    check();
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

/** A resolver answering from a table, as DNS would; names not in it do not resolve. */
function resolverFrom(table: Record<string, string[]>): MediaResolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('media fetch policy', () => {
  let origin: MediaOrigin;
  let port: string;

  beforeAll(async () => {
    origin = await startMediaOrigin();
    port = new URL(origin.url).port;
  });
  afterAll(() => origin?.close());

  function policy(settings: Record<string, string> = {}, table: Record<string, string[]> = {}) {
    return createMediaFetchPolicy(
      testConfig({ MEDIA_FETCH_ALLOWED_ORIGINS: origin.url, MEDIA_FETCH_ALLOW_LOOPBACK: 'true', MEDIA_FETCH_TIMEOUT_MS: '3000', ...settings }),
      { resolve: resolverFrom({ localhost: ['127.0.0.1'], ...table }) },
    );
  }

  const requestsSince = (count: number) => origin.requests.slice(count);

  it('downloads from an allowed origin: the bytes and the content type', async () => {
    const media = await fetchMedia('X', policy(), `${origin.url}/image.png`);
    expect(Buffer.from(media.bytes).equals(tinyPng)).toBe(true);
    expect(media.contentType).toBe('image/png');
  });

  it('resolves a name and connects to the address it checked', async () => {
    const media = await fetchMedia('X', policy({ MEDIA_FETCH_ALLOWED_ORIGINS: `http://localhost:${port}` }), `http://localhost:${port}/image.png`);
    expect(media.bytes.byteLength).toBe(tinyPng.length);
  });

  it('by default allows only PUBLIC_URL’s origin', async () => {
    const defaults = createMediaFetchPolicy(testConfig({ PUBLIC_URL: 'https://omni.example.com/app' }));
    expect(requireAllowedMediaUrl('X', defaults, 'https://omni.example.com/media/a.png')).toBe('https://omni.example.com/media/a.png');
    expect(refusalOf(() => requireAllowedMediaUrl('X', defaults, 'https://cdn.example.com/a.png')).message).toMatch(/not from an allowed origin/);
  });

  it('refuses plain http unless loopback is allowed for development, and then only to loopback', async () => {
    const before = origin.requests.length;
    const refused = await failureOf(fetchMedia('X', policy({ MEDIA_FETCH_ALLOW_LOOPBACK: 'false' }), `${origin.url}/image.png`));
    expect(refused).toMatchObject({ kind: 'rejected', details: { networkCode: 'media_refused' } });
    expect(refused.message).toMatch(/^X: media http:\/\/127\.0\.0\.1:\d+\/image\.png must use https/);
    const elsewhere = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: `http://media.example.com:${port}` }, { 'media.example.com': ['93.184.215.14'] });
    expect((await failureOf(fetchMedia('X', elsewhere, `http://media.example.com:${port}/image.png`))).message).toMatch(/must use https/);
    expect(requestsSince(before)).toEqual([]);
  });

  it('refuses an origin that is not allowed, whatever its address', async () => {
    const refused = await failureOf(fetchMedia('LinkedIn', policy(), 'https://evil.example.net/cat.png?sig=secret'));
    expect(refused.kind).toBe('rejected');
    expect(refused.message).toBe(
      'LinkedIn: media https://evil.example.net/cat.png is not from an allowed origin (MEDIA_FETCH_ALLOWED_ORIGINS): upload it to the media library or allow its origin',
    );
    expect(refused.message).not.toContain('secret');
  });

  it('accepts subdomains of a wildcard origin but not the bare domain or another scheme', () => {
    const wildcard = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://*.cdn.example.com' });
    expect(requireAllowedMediaUrl('X', wildcard, 'https://eu.cdn.example.com/a.png')).toBe('https://eu.cdn.example.com/a.png');
    expect(() => requireAllowedMediaUrl('X', wildcard, 'https://cdn.example.com/a.png')).toThrow(/not from an allowed origin/);
    expect(() => requireAllowedMediaUrl('X', wildcard, 'https://evilcdn.example.com/a.png')).toThrow(/not from an allowed origin/);
    expect(() => requireAllowedMediaUrl('X', wildcard, 'https://eu.cdn.example.com:8443/a.png')).toThrow(/not from an allowed origin/);
  });

  it('refuses URLs with credentials, other schemes and garbage', () => {
    const allowAll = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://cdn.example.com' });
    expect(() => requireAllowedMediaUrl('X', allowAll, 'https://user:pass@cdn.example.com/a.png')).toThrow(/may not carry credentials/);
    expect(() => requireAllowedMediaUrl('X', allowAll, 'file:///etc/passwd')).toThrow(/must use https/);
    expect(() => requireAllowedMediaUrl('X', allowAll, 'not a url')).toThrow(/is not a valid URL/);
  });

  it.each([
    ['10.0.0.5', /a private address/],
    ['192.168.1.20', /a private address/],
    ['127.0.0.1', /a loopback address/],
    ['169.254.169.254', /a cloud metadata address/],
    ['169.254.10.10', /a link-local address/],
    ['100.100.100.200', /a cloud metadata address/],
    ['100.64.0.1', /a carrier-grade NAT address/],
    ['0.0.0.0', /an unspecified address/],
    ['::1', /a loopback address/],
    ['fd00:ec2::254', /a cloud metadata address/],
    ['fd12:3456::1', /a private \(unique local\) address/],
    ['fe80::1', /a link-local address/],
    ['::ffff:10.0.0.1', /a private address/],
  ])('refuses a name that resolves to %s', async (address, reason) => {
    const guarded = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://media.example.com', MEDIA_FETCH_ALLOW_LOOPBACK: 'false' }, { 'media.example.com': [address] });
    const refused = await failureOf(fetchMedia('Pinterest', guarded, 'https://media.example.com/a.png'));
    expect(refused.kind).toBe('rejected');
    expect(refused.message).toMatch(new RegExp(`^Pinterest: media https://media\\.example\\.com/a\\.png: media\\.example\\.com resolves to ${address.replace(/\./g, '\\.')}, `));
    expect(refused.message).toMatch(reason);
  });

  it('refuses a name when any of its addresses is private (a public one does not launder it)', async () => {
    const guarded = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://media.example.com' }, { 'media.example.com': ['93.184.215.14', '10.1.2.3'] });
    expect((await failureOf(fetchMedia('X', guarded, 'https://media.example.com/a.png'))).message).toMatch(/resolves to 10\.1\.2\.3, a private address/);
  });

  it('refuses IP literals in the URL the same way, before any connection', () => {
    const literal = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://169.254.169.254,https://[fd00:ec2::254],https://10.0.0.5', MEDIA_FETCH_ALLOW_LOOPBACK: 'false' });
    expect(() => requireAllowedMediaUrl('X', literal, 'https://169.254.169.254/latest/meta-data/')).toThrow(/points to a cloud metadata address/);
    expect(() => requireAllowedMediaUrl('X', literal, 'https://[fd00:ec2::254]/latest')).toThrow(/points to a cloud metadata address/);
    expect(() => requireAllowedMediaUrl('X', literal, 'https://10.0.0.5/a.png')).toThrow(/points to a private address/);
  });

  it('lets MEDIA_FETCH_ALLOWED_NETWORKS open a private range, but metadata only when listed as that one address', () => {
    const lan = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://10.0.0.5,https://169.254.169.254', MEDIA_FETCH_ALLOWED_NETWORKS: '10.0.0.0/8,169.254.0.0/16' });
    expect(requireAllowedMediaUrl('X', lan, 'https://10.0.0.5/a.png')).toBe('https://10.0.0.5/a.png');
    expect(() => requireAllowedMediaUrl('X', lan, 'https://169.254.169.254/a.png')).toThrow(/cloud metadata/);
    const exact = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://169.254.169.254', MEDIA_FETCH_ALLOWED_NETWORKS: '169.254.169.254/32' });
    expect(requireAllowedMediaUrl('X', exact, 'https://169.254.169.254/a.png')).toBe('https://169.254.169.254/a.png');
  });

  it('follows a redirect within the allowed origins', async () => {
    const media = await fetchMedia('X', policy(), `${origin.url}/redirect?to=${encodeURIComponent('/image.png')}`);
    expect(media.contentType).toBe('image/png');
  });

  it('refuses a redirect to a disallowed origin or a metadata address without following it', async () => {
    const before = origin.requests.length;
    const away = await failureOf(fetchMedia('X', policy(), `${origin.url}/redirect?to=${encodeURIComponent('https://evil.example.net/x.png')}`));
    expect(away.message).toMatch(/redirects to https:\/\/evil\.example\.net\/x\.png is not from an allowed origin/);
    const metadata = await failureOf(
      fetchMedia('X', policy({ MEDIA_FETCH_ALLOWED_ORIGINS: `${origin.url},http://169.254.169.254` }), `${origin.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`),
    );
    expect(metadata).toMatchObject({ kind: 'rejected' });
    expect(metadata.message).toMatch(/redirects to http:\/\/169\.254\.169\.254\/latest\/meta-data\/ points to a cloud metadata address/);
    expect(requestsSince(before).every((path) => path.startsWith('/redirect'))).toBe(true);
  });

  it('stops after five redirects', async () => {
    let url = `${origin.url}/image.png`;
    for (let hop = 0; hop < 6; hop += 1) url = `${origin.url}/redirect?to=${encodeURIComponent(url)}`;
    expect((await failureOf(fetchMedia('X', policy(), url))).message).toMatch(/redirects more than 5 times/);
  });

  it('refuses a file over the size cap, declared or streamed', async () => {
    const capped = policy({ MEDIA_FETCH_MAX_BYTES: '2048' });
    expect((await fetchMedia('X', capped, `${origin.url}/bytes?count=2048`)).bytes.byteLength).toBe(2048);
    const declared = await failureOf(fetchMedia('X', capped, `${origin.url}/bytes?count=5000`));
    expect(declared).toMatchObject({ kind: 'rejected' });
    expect(declared.message).toMatch(/is 5000 bytes, over the 2048-byte limit \(MEDIA_FETCH_MAX_BYTES\)/);
    const streamed = await failureOf(fetchMedia('X', capped, `${origin.url}/stream?count=100000`));
    expect(streamed).toMatchObject({ kind: 'rejected' });
    expect(streamed.message).toMatch(/is over the 2048-byte limit/);
  });

  it('gives up at the deadline as retryable (nothing was posted)', async () => {
    const error = await failureOf(fetchMedia('X', policy({ MEDIA_FETCH_TIMEOUT_MS: '300' }), `${origin.url}/hang`));
    expect(error.kind).toBe('retryable');
    expect(error.message).toMatch(/timed out/);
  });

  it('classifies the origin’s answers: 404 rejected, 503 and 429 retryable', async () => {
    expect((await failureOf(fetchMedia('X', policy(), `${origin.url}/status/404`))).kind).toBe('rejected');
    expect((await failureOf(fetchMedia('X', policy(), `${origin.url}/status/503`))).kind).toBe('retryable');
    expect((await failureOf(fetchMedia('X', policy(), `${origin.url}/status/429`))).kind).toBe('retryable');
  });

  it('treats a name that does not resolve as retryable', async () => {
    const unresolved = policy({ MEDIA_FETCH_ALLOWED_ORIGINS: 'https://gone.example.com' });
    expect((await failureOf(fetchMedia('X', unresolved, 'https://gone.example.com/a.png'))).kind).toBe('retryable');
  });
});
