import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed inbound webhooks, the generic part (feeds' Omni-Signature and workflows' X-Omni-Signature share it):
 * the signature is the hex HMAC-SHA256, with the endpoint's secret, of "<unix seconds>.<raw body>". The
 * timestamp is inside the signed text, so a captured request cannot be re-dated; receivers refuse one
 * outside their tolerance.
 */

const hexSignature = /^[0-9a-f]{64}$/;

/** The hex HMAC-SHA256 a sender computes for this timestamp and raw body. */
export function computeWebhookSignature(secret: string, timestamp: number, body: Uint8Array | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
}

/** Whether the value is a well-formed hex signature (64 hex digits, any case). */
export function isHexSignature(value: string): boolean {
  return hexSignature.test(value.toLowerCase());
}

/** Whether any sent signature (hex) matches any of the secrets; every comparison is constant-time. */
export function isWebhookSignatureValid(signed: { timestamp: number; signatures: string[] }, secrets: string[], body: Uint8Array | string): boolean {
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(computeWebhookSignature(secret, signed.timestamp, body), 'hex');
    for (const signature of signed.signatures) {
      if (!isHexSignature(signature)) continue;
      // No early exit: the time taken does not depend on which pair matched.
      if (timingSafeEqual(expected, Buffer.from(signature.toLowerCase(), 'hex'))) matched = true;
    }
  }
  return matched;
}

/** Whether a signed unix timestamp (seconds) lies within `toleranceSeconds` of now (either side). */
export function isWebhookTimestampFresh(timestamp: number, toleranceSeconds: number, nowMs = Date.now()): boolean {
  return Math.abs(nowMs / 1000 - timestamp) <= toleranceSeconds;
}
