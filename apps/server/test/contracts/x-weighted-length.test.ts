import fc from 'fast-check';
import twitter from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { countText, xWeightedLength } from '@omni/contracts/network-rules';

/**
 * The contracts' X weighting (no dependency in the console bundle) against the official twitter-text
 * `parseTweet` (configuration v3), used here as a dev-only oracle.
 */
const oracle = (text: string) => twitter.parseTweet(text).weightedLength;

const words = ['hello', 'Omni', 'launch', 'week', 'café', 'naïve', 'Zürich', 'straße', 'ĳssel', 'Ελλάδα', 'привет', 'שלום', 'مرحبا', 'नमस्ते', 'ไทย'];
const wide = ['日本語', '中文', '한국어', 'カタカナ', '全角', '…', '—', '“quoted”', '′', '‹', '€', '™', '©', '®'];
const emoji = ['😀', '👍', '👍🏽', '❤️', '🎉', '🇩🇪', '🇺🇸', '👨‍👩‍👧', '👩‍💻', '🏳️‍🌈', '1️⃣', '#️⃣', '☺️', '✈️', '⌚', '🤖', '🦄'];
const combining = ['e\u0301', 'a\u0308', 'n\u0303', 'A\u030a'];
const punctuation = ['.', ',', '!', '?', ':', ';', '(', ')', '"', "'", '-', '#tag', '@someone', '$CASH', '&', '/', '\n'];
const domains = ['example.com', 'omni.app', 'news.example.co.uk', 'shop.example.de', 'my-site.io', 'a.co', 'blog.example.org', 'sub.domain.example.net'];
const paths = ['', '/', '/path', '/a/b-c_d', '/p?q=1&r=two', '/page#frag', '/wiki/Foo_(bar)', '/x.html', '/~user/', '/café'];
const trailers = ['', '.', ',', '!', ')', '?', ':'];

const url = fc
  .tuple(fc.constantFrom('https://', 'http://', 'HTTPS://', 'www.', ''), fc.constantFrom(...domains), fc.constantFrom(...paths), fc.constantFrom(...trailers))
  .map(([scheme, domain, path, trailer]) => `${scheme}${domain}${path}${trailer}`);

const token = fc.oneof(
  fc.constantFrom(...words),
  fc.constantFrom(...wide),
  fc.constantFrom(...emoji),
  fc.constantFrom(...combining),
  fc.constantFrom(...punctuation),
  url,
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).filter((text) => !text.includes('.')),
);
const separator = fc.constantFrom(' ', '  ', '\n', ' (', ') ', ' — ');
const tweet = fc.array(fc.tuple(token, separator), { maxLength: 40 }).map((parts) => parts.map(([part, sep]) => part + sep).join(''));

describe('X weighted length equals twitter-text parseTweet', () => {
  it('matches the oracle on generated posts (words, scripts, emoji sequences, URLs with and without scheme)', () => {
    fc.assert(
      fc.property(tweet, (text) => {
        expect(xWeightedLength(text)).toBe(oracle(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('matches the oracle on arbitrary Unicode without dots (no URL can start)', () => {
    fc.assert(
      fc.property(fc.constantFrom('binary', 'grapheme', 'grapheme-composite').chain((unit) => fc.string({ unit, maxLength: 80 })), (text) => {
        fc.pre(!text.includes('.'));
        expect(xWeightedLength(text)).toBe(oracle(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts emoji sequences newer than twitter-text 3.1 (emoji of 2018) as one emoji, as X does today', () => {
    // twitter-text 3.1 does not know the 2019 astronaut sequence: person with skin tone 2, joiner 1, rocket 2.
    expect(oracle('🧑🏾‍🚀')).toBe(5);
    expect(xWeightedLength('🧑🏾‍🚀')).toBe(2);
  });

  it.each([
    ['', 0],
    ['hello', 5],
    ['日本語', 6],
    ['👨‍👩‍👧 family', 9],
    ['read https://example.com/a-very/long/path/that/is/longer/than/twenty-three', 28],
    ['see example.com.', 28],
    ['e\u0301', 1],
    ['a'.repeat(280), 280],
    ['a'.repeat(281), 281],
  ])('counts %j as %i, like twitter-text', (text, expected) => {
    expect(xWeightedLength(text)).toBe(expected);
    expect(oracle(text)).toBe(expected);
    expect(countText('x', text)).toBe(expected);
  });
});
