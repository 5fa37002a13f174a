import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeSignature, isSignatureValid, parseSignatureHeader, signatureHeaderFor } from './feeds.signature.js';

describe('webhook signatures', () => {
  const body = '{"id":"1","title":"Hi","url":"https://b.example/1"}';

  it('is HMAC-SHA256 over "<t>.<raw body>" in hex, as documented for senders', () => {
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(computeSignature('whsec_test', 1_700_000_000, body)).toBe(expected);
    expect(signatureHeaderFor('whsec_test', 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('parses t and several v1 values in any order, ignores unknown schemes, and refuses garbled headers', () => {
    const v1 = 'a'.repeat(64);
    expect(parseSignatureHeader(`t=5,v1=${v1}`)).toEqual({ timestamp: 5, signatures: [v1] });
    expect(parseSignatureHeader(`v1=${v1}, v0=zzz, t=5, v1=${'B'.repeat(64)}`)).toEqual({ timestamp: 5, signatures: [v1, 'b'.repeat(64)] });
    for (const garbled of [undefined, '', 't=5', `v1=${v1}`, `t=x,v1=${v1}`, `t=5,v1=${v1.slice(1)}`, `t=5,t=6,v1=${v1}`, `t=5;v1=${v1}`, `t=-5,v1=${v1}`, 'x'.repeat(3000)]) {
      expect(parseSignatureHeader(garbled), String(garbled).slice(0, 40)).toBeNull();
    }
    expect(parseSignatureHeader([`t=5,v1=${v1}`])).toBeNull();
  });

  it('accepts a match against any current secret and nothing else', () => {
    const timestamp = 1_700_000_000;
    const header = parseSignatureHeader(signatureHeaderFor('old-secret', timestamp, body))!;
    expect(isSignatureValid(header, ['new-secret', 'old-secret'], body)).toBe(true);
    expect(isSignatureValid(header, ['new-secret'], body)).toBe(false);
    expect(isSignatureValid(header, ['old-secret'], `${body} `)).toBe(false);
    expect(isSignatureValid({ ...header, timestamp: timestamp + 1 }, ['old-secret'], body)).toBe(false);
    expect(isSignatureValid({ timestamp, signatures: ['0'.repeat(64), ...header.signatures] }, ['old-secret'], body)).toBe(true);
  });
});
