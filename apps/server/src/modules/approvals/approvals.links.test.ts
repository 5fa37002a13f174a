import { createHash } from 'node:crypto';
import type { ApprovalLinkList, ApprovalRequestDetail, CreatedApprovalLink, PublicApproval } from '@omni/contracts/approvals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../kernel/db/tenancy.js';
import { flushAuditWrites } from '../audit/index.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { createTestNote, openTestRequest, reviseTestNote, testSubjectType } from '../../../test/factories/approvals.js';
import { listMailTo } from '../../../test/factories/identity.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { supersedeApprovalRequests } from './index.js';

type Member = { token: string; email: string; userId: string };

describe('client approval links', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let editor: Member;
  let contributor: Member;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://omni.example.test', APPROVAL_LINK_MAX_DAYS: '14' });
    owner = await registerTenant(t.app);
    editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId, name: 'Eva Editor' });
    contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId, name: 'Carlos Contributor' });
  });
  afterAll(() => t?.close());

  async function clientRequest() {
    const noteId = createTestNote({ accountId: owner.accountId, authorUserId: contributor.userId });
    const opened = await openTestRequest(t, { tenantId: owner.tenant.id, accountId: owner.accountId, noteId, stage: 'client', requestedBy: contributor.userId });
    return { noteId, requestId: opened.id };
  }
  async function createLink(requestId: string, body: Record<string, unknown> = { recipientName: 'Clara' }, token = editor.token) {
    return request(t.app, { method: 'POST', url: `/api/approvals/${requestId}/links`, token, payload: body });
  }
  async function newLink(requestId: string, body?: Record<string, unknown>): Promise<CreatedApprovalLink> {
    const response = await createLink(requestId, body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CreatedApprovalLink>();
  }
  const view = (token: string) => request(t.app, { url: `/api/public/approvals/${token}` });
  const decideVia = (token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    request(t.app, { method: 'POST', url: `/api/public/approvals/${token}/decision`, payload: body, headers });

  it('creates a 256-bit token shown once: only its SHA-256 is stored, and it opens the page without an account', async () => {
    const { requestId } = await clientRequest();
    const created = await newLink(requestId, { recipientName: 'Clara', recipientEmail: 'clara@client.example', expiresInDays: 3 });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token, 'base64url')).toHaveLength(32);
    expect(created.url).toBe(`https://omni.example.test/approve/${created.token}`);
    expect(created.link).toMatchObject({ status: 'active', recipientName: 'Clara', recipientEmail: 'clara@client.example', createdBy: { userId: editor.userId, name: 'Eva Editor' }, openCount: 0 });
    expect(new Date(created.link.expiresAt).getTime() - Date.now()).toBeGreaterThan(3 * 24 * 3600_000 - 60_000);

    const stored = await t.owner.query<{ row: string; token_hash: Buffer }>('SELECT to_jsonb(l)::text AS row, token_hash FROM approval_links l WHERE id = $1', [created.link.id]);
    expect(stored.rows[0]!.token_hash.equals(createHash('sha256').update(created.token).digest())).toBe(true);
    expect(stored.rows[0]!.row).not.toContain(created.token);
    const anywhere = await t.owner.query(`SELECT count(*)::int AS n FROM audit_log WHERE to_jsonb(audit_log)::text LIKE $1`, [`%${created.token}%`]);
    expect(anywhere.rows[0].n).toBe(0);

    const page = await view(created.token);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const body = page.json<PublicApproval>();
    expect(body).toMatchObject({ status: 'pending', recipientName: 'Clara', tenant: { name: owner.tenant.name, slug: owner.tenant.slug }, request: { summary: 'Spring sale post', stage: 'client', subjectRevision: 1 }, decision: null });
    expect(body.preview?.variants[0]).toMatchObject({ network: 'sandbox', text: 'Spring sale: 20% off', media: [{ url: 'https://cdn.example.test/a.png', kind: 'image' }] });
    expect(body.tenant.branding.colors).toBeDefined();
    await view(created.token);
    const links = (await request(t.app, { url: `/api/approvals/${requestId}/links`, token: editor.token })).json<ApprovalLinkList>();
    expect(links.items[0]).toMatchObject({ id: created.link.id, openCount: 2 });
    expect(links.items[0]!.lastOpenedAt).not.toBeNull();
  });

  it('records a link decision with the typed name, the recipient, time, IP and user agent; the first decision on any link wins', async () => {
    const { noteId, requestId } = await clientRequest();
    const [first, second] = [await newLink(requestId, { recipientName: 'Clara', recipientEmail: 'clara@client.example' }), await newLink(requestId, { recipientName: 'Bob' })];
    const [one, two] = await Promise.all([
      decideVia(first.token, { outcome: 'approved', name: 'Clara Client', comment: 'Looks great' }, { 'user-agent': 'ClientBrowser/1.0', 'x-forwarded-for': '203.0.113.9' }),
      decideVia(second.token, { outcome: 'rejected', name: 'Bob' }),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 409]);
    const winner = one.statusCode === 200 ? one : two;
    const loser = one.statusCode === 200 ? two : one;
    expect(loser.json()).toMatchObject({ code: 'approvals.not_pending' });
    expect(winner.json<PublicApproval>()).toMatchObject({ status: 'decided', decision: { via: 'link' } });
    const decisions = await t.owner.query('SELECT decided_via_link_id, decided_by_user_id, decider_name, decider_email::text AS email, ip::text AS ip, user_agent FROM approval_decisions WHERE request_id = $1', [requestId]);
    expect(decisions.rows).toHaveLength(1);
    if (one.statusCode === 200) {
      expect(decisions.rows[0]).toEqual({ decided_via_link_id: first.link.id, decided_by_user_id: null, decider_name: 'Clara Client', email: 'clara@client.example', ip: '203.0.113.9/32', user_agent: 'ClientBrowser/1.0' });
    } else {
      expect(decisions.rows[0]).toMatchObject({ decided_via_link_id: second.link.id, decider_name: 'Bob', email: null });
    }
    const event = await t.owner.query(`SELECT payload FROM outbox_events WHERE type = 'approvals.request_decided' AND payload->>'requestId' = $1`, [requestId]);
    expect(event.rows[0].payload.decidedBy).toMatchObject({ kind: 'link', linkId: one.statusCode === 200 ? first.link.id : second.link.id });
    const told = await t.owner.query(`SELECT title FROM notifications WHERE user_id = $1 AND kind = 'approvals.decided' AND subject_id = $2`, [contributor.userId, noteId]);
    expect(told.rows[0].title).toMatch(/\(client link\)/);

    // Already decided: the page shows the decision and no form (200), on every link of the request.
    for (const link of [first, second]) {
      const page = (await view(link.token)).json<PublicApproval>();
      expect(page).toMatchObject({ status: 'decided', decision: { deciderName: one.statusCode === 200 ? 'Clara Client' : 'Bob' } });
    }
    // The app shows who decided, and how.
    const detail = (await request(t.app, { url: `/api/approvals/${requestId}`, token: editor.token })).json<ApprovalRequestDetail>();
    expect(detail.decision).toMatchObject({ via: 'link', linkId: one.statusCode === 200 ? first.link.id : second.link.id });
    await flushAuditWrites();
    const audit = await t.owner.query(`SELECT tenant_id, status_code FROM audit_log WHERE action = 'approvals.link_decision' AND target_id = $1`, [winner === one ? first.link.id : second.link.id]);
    expect(audit.rows).toEqual([{ tenant_id: owner.tenant.id, status_code: 200 }]);
  });

  it('answers 410 with the reason for revoked, superseded (an edit), withdrawn and expired links, and decides nothing', async () => {
    const revoked = await clientRequest();
    const revokedLink = await newLink(revoked.requestId);
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/links/${revokedLink.link.id}`, token: editor.token })).statusCode).toBe(204);
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/links/${revokedLink.link.id}`, token: contributor.token })).statusCode).toBe(403);

    const edited = await clientRequest();
    const editedLink = await newLink(edited.requestId);
    const revision = reviseTestNote(edited.noteId, 'Spring sale: 30% off');
    await withTenant({ db: t.kernel.db, tenantId: owner.tenant.id }, (tx) => supersedeApprovalRequests(tx, { subjectType: testSubjectType, subjectId: edited.noteId, newRevision: revision }));

    const withdrawn = await clientRequest();
    const withdrawnLink = await newLink(withdrawn.requestId);
    await request(t.app, { method: 'POST', url: `/api/approvals/${withdrawn.requestId}/withdraw`, token: editor.token });

    const expired = await clientRequest();
    const expiredLink = await newLink(expired.requestId);
    await t.owner.query(`UPDATE approval_links SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = $1`, [expiredLink.link.id]);

    for (const [link, code] of [
      [revokedLink, 'approvals.link_revoked'],
      [editedLink, 'approvals.link_superseded'],
      [withdrawnLink, 'approvals.link_withdrawn'],
      [expiredLink, 'approvals.link_expired'],
    ] as const) {
      const page = await view(link.token);
      expect(page.statusCode, code).toBe(410);
      expect(page.headers['content-type']).toContain('application/problem+json');
      expect(page.json()).toMatchObject({ code });
      const decision = await decideVia(link.token, { outcome: 'approved', name: 'Clara' });
      expect(decision.statusCode).toBe(410);
      const comment = await request(t.app, { method: 'POST', url: `/api/public/approvals/${link.token}/comments`, payload: { name: 'Clara', body: 'Hello?' } });
      expect(comment.statusCode).toBe(410);
    }
    const decided = await t.owner.query('SELECT count(*)::int AS n FROM approval_decisions WHERE request_id = ANY($1::uuid[])', [[revoked.requestId, edited.requestId, withdrawn.requestId, expired.requestId]]);
    expect(decided.rows[0].n).toBe(0);
    const statuses = (await request(t.app, { url: `/api/approvals/${expired.requestId}/links`, token: editor.token })).json<ApprovalLinkList>().items.map((item) => item.status);
    expect(statuses).toEqual(['expired']);
  });

  it('public routes need no account and refuse bad input: unknown token 404, malformed body 400, nothing changed', async () => {
    const { requestId } = await clientRequest();
    const link = await newLink(requestId);
    expect((await view('x'.repeat(43))).statusCode).toBe(404);
    expect((await view('short')).json()).toMatchObject({ code: 'approvals.link_not_found' });
    for (const body of [{}, { outcome: 'approved' }, { outcome: 'maybe', name: 'Clara' }, { outcome: 'approved', name: '' }, { outcome: 'approved', name: 'x'.repeat(101) }, { outcome: 'approved', name: 'C', comment: 'x'.repeat(2001) }]) {
      const response = await decideVia(link.token, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const badJson = await request(t.app, { method: 'POST', url: `/api/public/approvals/${link.token}/decision`, headers: { 'content-type': 'application/json' }, payload: '{"outcome":' });
    expect(badJson.statusCode).toBe(400);
    // A bad bearer token on a public route is ignored, not a 401.
    expect((await request(t.app, { url: `/api/public/approvals/${link.token}`, token: 'garbage' })).statusCode).toBe(200);
    expect((await view(link.token)).json<PublicApproval>().status).toBe('pending');
  });

  it('creating links: editors only, client stage only, pending only, within the configured lifetime; email through the outbox', async () => {
    const { requestId } = await clientRequest();
    expect((await createLink(requestId, { recipientName: 'Clara' }, contributor.token)).statusCode).toBe(403);
    expect((await createLink(requestId, { recipientName: 'Clara', expiresInDays: 31 })).statusCode).toBe(400);
    const tooLong = await createLink(requestId, { recipientName: 'Clara', expiresInDays: 20 });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json()).toMatchObject({ code: 'approvals.link_too_long', errors: [{ path: 'body.expiresInDays' }] });
    const noEmail = await createLink(requestId, { recipientName: 'Clara', sendEmail: true });
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.json()).toMatchObject({ code: 'approvals.email_required' });
    expect((await createLink(requestId, { recipientName: '' })).statusCode).toBe(400);
    expect((await request(t.app, { url: `/api/approvals/${requestId}/links`, token: editor.token })).json<ApprovalLinkList>().items).toEqual([]);

    const email = `clara-${Date.now()}@client.example`;
    const mailed = await newLink(requestId, { recipientName: 'Clara', recipientEmail: email, sendEmail: true });
    expect(mailed.emailed).toBe(true);
    expect(new Date(mailed.link.expiresAt).getTime() - Date.now()).toBeLessThan(7 * 24 * 3600_000 + 60_000);
    const [mail] = await listMailTo(t, email, 'approvals.client-link');
    expect(mail?.text_body).toContain(mailed.url);
    expect(mail?.subject).toBe('Approval requested: Spring sale post');

    const internal = await openTestRequest(t, { tenantId: owner.tenant.id, accountId: owner.accountId, noteId: createTestNote({ accountId: owner.accountId, authorUserId: null }), requestedBy: contributor.userId });
    expect((await createLink(internal.id)).json()).toMatchObject({ code: 'approvals.not_client_stage' });
    await request(t.app, { method: 'POST', url: `/api/approvals/${requestId}/decision`, token: editor.token, payload: { outcome: 'approved' } });
    expect((await createLink(requestId)).json()).toMatchObject({ code: 'approvals.not_pending', currentStatus: 'approved' });
  });

  it('keeps links to their tenant: another tenant can neither list nor revoke them', async () => {
    const { requestId } = await clientRequest();
    const link = await newLink(requestId);
    const other = await registerTenant(t.app);
    expect((await request(t.app, { url: `/api/approvals/${requestId}/links`, token: other.token })).statusCode).toBe(404);
    expect((await request(t.app, { method: 'DELETE', url: `/api/approvals/links/${link.link.id}`, token: other.token })).statusCode).toBe(404);
    expect((await view(link.token)).statusCode).toBe(200);
  });
});

describe('client approval links are rate limited per IP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t?.close());

  it('answers 429 problem+json after the limit, for guessing tokens too', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      statuses.push((await request(t.app, { url: `/api/public/approvals/${'a'.repeat(43)}`, remoteAddress: '198.51.100.7' })).statusCode);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await request(t.app, { method: 'POST', url: `/api/public/approvals/${'a'.repeat(43)}/decision`, remoteAddress: '198.51.100.7', payload: { outcome: 'approved', name: 'X' } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'approvals.rate_limited' });
    expect((await request(t.app, { url: `/api/public/approvals/${'a'.repeat(43)}`, remoteAddress: '198.51.100.8' })).statusCode).toBe(404);
  });
});
