import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedsAccessOf, signingExamples } from './feedsApi';

describe('feeds console helpers', () => {
  const scope = (tenantRole: 'owner' | 'admin' | 'member', accountRole: 'viewer' | 'editor' | 'contributor' | 'client' | null) =>
    ({ tenantId: 't', accountId: accountRole ? 'a' : null, tenantRole, accountRole }) as never;

  it('lets viewers read and editors (and tenant admins) manage, like the server', () => {
    expect(feedsAccessOf(scope('member', 'client'))).toMatchObject({ canRead: false, canManage: false });
    expect(feedsAccessOf(scope('member', 'viewer'))).toMatchObject({ canRead: true, canManage: false });
    expect(feedsAccessOf(scope('member', 'contributor'))).toMatchObject({ canRead: true, canManage: false });
    expect(feedsAccessOf(scope('member', 'editor'))).toMatchObject({ canRead: true, canManage: true });
    expect(feedsAccessOf(scope('admin', null))).toMatchObject({ canRead: true, canManage: true, hasAccount: false });
    expect(feedsAccessOf(null)).toMatchObject({ canRead: false, canManage: false });
  });

  it('shows a Node signing example that computes the header the server verifies', async () => {
    const { node, curl } = signingExamples('https://omni.example/api/public/feeds/webhooks/abc', 'whsec_x');
    expect(curl).toContain("openssl dgst -sha256 -hmac 'whsec_x'");
    expect(curl).toContain('Omni-Signature: t=$T,v1=$SIG');
    // The example's HMAC line, run as written, equals the documented scheme.
    const body = JSON.stringify({ id: 'post-123', title: 'Hello', url: 'https://blog.example.com/hello' });
    const t = 1_700_000_000;
    const line = node.split('\n').find((text) => text.startsWith('const v1'))!;
    const compute = new Function('createHmac', 'process', 't', 'body', `${line}; return v1;`);
    expect(compute(createHmac, { env: { OMNI_WEBHOOK_SECRET: 'whsec_x' } }, t, body)).toBe(createHmac('sha256', 'whsec_x').update(`${t}.${body}`).digest('hex'));
  });
});
