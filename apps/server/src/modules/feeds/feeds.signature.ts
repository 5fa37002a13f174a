import { computeWebhookSignature, isHexSignature, isWebhookSignatureValid } from '../../kernel/crypto/webhook-signatures.js';

/**
 * Inbound webhook signatures: `Omni-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * Several v1 values may be sent (a sender signing with both secrets during a rotation); one match is enough.
 * The timestamp is inside the signed text, so a captured request cannot be re-dated.
 */
export const signatureHeaderName = 'omni-signature';

export type ParsedSignature = { timestamp: number; signatures: string[] };

/** The header's parts, or null when it is missing or garbled (no t, no well-formed v1). */
export function parseSignatureHeader(header: string | string[] | undefined): ParsedSignature | null {
  if (typeof header !== 'string' || header.length > 2000) return null;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return null;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!isHexSignature(value)) return null;
      signatures.push(value.toLowerCase());
    }
    // Unknown schemes (a future v2) are ignored, as senders may add them.
  }
  if (timestamp === null || signatures.length === 0 || signatures.length > 5) return null;
  return { timestamp, signatures };
}

/** The hex HMAC-SHA256 a sender computes for this timestamp and raw body (the kernel's, shared with workflows). */
export const computeSignature = computeWebhookSignature;

/** The whole header value a sender puts on the request (tests, the console's signing example). */
export function signatureHeaderFor(secret: string, timestamp: number, body: Uint8Array | string): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

/** Whether any sent signature matches any of the secrets; every comparison is constant-time. */
export function isSignatureValid(parsed: ParsedSignature, secrets: string[], body: Uint8Array | string): boolean {
  return isWebhookSignatureValid(parsed, secrets, body);
}
