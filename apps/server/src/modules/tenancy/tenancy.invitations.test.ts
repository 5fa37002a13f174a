import type { AuthSession } from '@omni/contracts/identity';
import type { CreatedPlatformTenant, Invitation } from '@omni/contracts/tenancy';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import {
  addMember,
  createAccount,
  createSuperAdmin,
  invite,
  readInvitationToken,
  registerTenant,
  signIn,
  testPassword,
  type RegisteredTenant,
} from '../../../test/factories/tenancy.js';

describe('tenancy: invitations delegated down the tiers', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://console.omni.test' });
    owner = await registerTenant(t.app);
  });
  afterAll(() => t.close());

  const lookup = (token: string) => request(t.app, { url: `/api/invitations/lookup?token=${encodeURIComponent(token)}` });
  const accept = (payload: Record<string, unknown>, token?: string) => request(t.app, { method: 'POST', url: '/api/invitations/accept', payload, token });

  it('runs platform → tenant owner → tenant admin → account admin → account editor, each accepted as a new user', async () => {
    const root = await createSuperAdmin(t);
    const ownerEmail = `founder-${uniqueSuffix()}@example.test`;
    const slug = `invited-${uniqueSuffix()}`;
    const created = await request(t.app, { method: 'POST', url: '/api/platform/tenants', token: root.token, payload: { name: 'Invited Agency', slug, industry: 'ecommerce', ownerEmail } });
    expect(created.statusCode).toBe(201);
    const { tenant, invitation } = created.json<CreatedPlatformTenant>();
    expect(tenant).toMatchObject({ slug, industry: 'ecommerce', status: 'active' });
    expect(invitation).toMatchObject({ email: ownerEmail, role: 'owner', accountId: null, status: 'pending', invitedBy: { id: root.userId } });

    const mail = await t.owner.query("SELECT tenant_id, subject, text_body, html_body FROM mail_messages WHERE to_address = $1 AND template = 'tenancy.invitation'", [ownerEmail]);
    expect(mail.rows[0].tenant_id).toBe(tenant.id);
    expect(mail.rows[0].subject).toContain('Invited Agency');
    expect(mail.rows[0].text_body).toContain('https://console.omni.test/accept-invitation?token=');
    const ownerToken = await readInvitationToken(t.owner, ownerEmail);

    const details = await lookup(ownerToken);
    expect(details.statusCode).toBe(200);
    expect(details.json()).toMatchObject({ tenantName: 'Invited Agency', accountName: null, role: 'owner', email: ownerEmail, existingUser: false });

    const ownerAccepted = await accept({ token: ownerToken, name: 'Fiona Founder', password: testPassword });
    expect(ownerAccepted.statusCode).toBe(200);
    const ownerSession = ownerAccepted.json<AuthSession>();
    expect(ownerSession.user).toMatchObject({ email: ownerEmail, emailVerified: true });
    expect(ownerSession.scope).toMatchObject({ tenantId: tenant.id, tenantRole: 'owner' });

    const admin = await addMember(t, ownerSession.accessToken, { role: 'admin' });
    expect(admin.session.scope).toMatchObject({ tenantId: tenant.id, tenantRole: 'admin' });
    const account = await createAccount(t.app, admin.token, 'Client A');
    const accountAdmin = await addMember(t, admin.token, { role: 'admin', accountId: account.id });
    expect(accountAdmin.session.scope).toEqual({ tenantId: tenant.id, accountId: account.id, tenantRole: null, accountRole: 'admin' });
    const editor = await addMember(t, accountAdmin.token, { role: 'editor', accountId: account.id });
    expect(editor.session.scope).toEqual({ tenantId: tenant.id, accountId: account.id, tenantRole: null, accountRole: 'editor' });

    const members = await request(t.app, { url: '/api/members?limit=100', token: ownerSession.accessToken });
    expect(members.json().items.map((member: { role: string; accountId: string | null }) => [member.role, member.accountId])).toEqual(
      expect.arrayContaining([['owner', null], ['admin', null], ['admin', account.id], ['editor', account.id]]),
    );
  });

  it('refuses platform tenant creation to anyone but a super admin', async () => {
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/platform/tenants',
      token: owner.token,
      payload: { name: 'Sneaky', slug: `sneaky-${uniqueSuffix()}`, industry: 'other', ownerEmail: 'x@example.test' },
    });
    expect(response.statusCode).toBe(403);
  });

  it('stores only the SHA-256 of the token and expires the link after 7 days', async () => {
    const invitation = await invite(t.app, owner.token, { role: 'member' });
    const token = await readInvitationToken(t.owner, invitation.email);
    const row = await t.owner.query('SELECT token_hash, expires_at, created_at FROM invitations WHERE id = $1', [invitation.id]);
    expect(row.rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(invitation)).not.toContain(token);
    const days = (row.rows[0].expires_at.getTime() - row.rows[0].created_at.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 2);
  });

  it('answers an expired link with 410 invitation.expired, and resend issues a new working link', async () => {
    const invitation = await invite(t.app, owner.token, { role: 'member' });
    const oldToken = await readInvitationToken(t.owner, invitation.email);
    await t.owner.query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1", [invitation.id]);

    const looked = await lookup(oldToken);
    expect(looked.statusCode).toBe(410);
    expect(looked.json()).toMatchObject({ code: 'invitation.expired', detail: expect.stringContaining('expired') });
    const refused = await accept({ token: oldToken, name: 'Late', password: testPassword });
    expect(refused.statusCode).toBe(410);
    expect(refused.json()).toMatchObject({ code: 'invitation.expired' });

    const listed = await request(t.app, { url: '/api/invitations?status=expired', token: owner.token });
    expect(listed.json().items.map((item: Invitation) => item.id)).toContain(invitation.id);

    const resent = await request(t.app, { method: 'POST', url: `/api/invitations/${invitation.id}/resend`, token: owner.token });
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ id: invitation.id, status: 'pending' });
    const newToken = await readInvitationToken(t.owner, invitation.email);
    expect(newToken).not.toBe(oldToken);
    expect((await lookup(oldToken)).statusCode).toBe(404);
    const accepted = await accept({ token: newToken, name: 'On Time', password: testPassword });
    expect(accepted.statusCode).toBe(200);
  });

  it('answers a revoked link with 410 invitation.revoked', async () => {
    const invitation = await invite(t.app, owner.token, { role: 'member' });
    const token = await readInvitationToken(t.owner, invitation.email);
    expect((await request(t.app, { method: 'DELETE', url: `/api/invitations/${invitation.id}`, token: owner.token })).statusCode).toBe(204);
    const looked = await lookup(token);
    expect(looked.statusCode).toBe(410);
    expect(looked.json()).toMatchObject({ code: 'invitation.revoked', detail: expect.stringContaining('withdrawn') });
    expect((await accept({ token, name: 'Nope', password: testPassword })).json()).toMatchObject({ code: 'invitation.revoked' });
    const resend = await request(t.app, { method: 'POST', url: `/api/invitations/${invitation.id}/resend`, token: owner.token });
    expect(resend.statusCode).toBe(409);
  });

  it('answers a used link with 410 invitation.used', async () => {
    const invitation = await invite(t.app, owner.token, { role: 'member' });
    const token = await readInvitationToken(t.owner, invitation.email);
    expect((await accept({ token, name: 'First', password: testPassword })).statusCode).toBe(200);
    const again = await accept({ token, name: 'Second', password: testPassword });
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'invitation.used', detail: expect.stringContaining('already been accepted') });
    expect((await lookup(token)).json()).toMatchObject({ code: 'invitation.used' });
    const revoke = await request(t.app, { method: 'DELETE', url: `/api/invitations/${invitation.id}`, token: owner.token });
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json()).toMatchObject({ code: 'invitation.used' });
  });

  it('answers an unknown token with 404 invitation.not_found', async () => {
    const response = await lookup('x'.repeat(43));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'invitation.not_found' });
  });

  it('asks a new user for a name and password', async () => {
    const invitation = await invite(t.app, owner.token, { role: 'member' });
    const token = await readInvitationToken(t.owner, invitation.email);
    const response = await accept({ token });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toEqual(['body.name', 'body.password']);
    expect((await lookup(token)).json()).toMatchObject({ existingUser: false });
  });

  it('makes an existing user sign in as the invited email to accept, then adds the membership', async () => {
    const other = await registerTenant(t.app);
    const invitation = await invite(t.app, owner.token, { email: other.email, role: 'admin' });
    const token = await readInvitationToken(t.owner, other.email);
    expect((await lookup(token)).json()).toMatchObject({ existingUser: true });

    const anonymous = await accept({ token, name: 'Hijack', password: testPassword });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'invitation.sign_in_required' });
    const stranger = await registerTenant(t.app);
    const wrongUser = await accept({ token }, stranger.token);
    expect(wrongUser.statusCode).toBe(403);
    expect(wrongUser.json()).toMatchObject({ code: 'invitation.email_mismatch' });

    const accepted = await accept({ token }, other.token);
    expect(accepted.statusCode).toBe(200);
    const session = accepted.json<AuthSession>();
    expect(session.user.id).toBe(other.user.id);
    expect(session.scope).toMatchObject({ tenantId: owner.tenant.id, tenantRole: 'admin' });
    const row = await t.owner.query('SELECT accepted_by FROM invitations WHERE id = $1', [invitation.id]);
    expect(row.rows[0].accepted_by).toBe(other.user.id);
    // Their own tenant is still theirs; their password is unchanged.
    expect((await signIn(t.app, other.email, other.password)).user.id).toBe(other.user.id);
  });

  it('refuses inviting someone who is already a member, or twice while pending', async () => {
    const member = await addMember(t, owner.token, { role: 'member' });
    const again = await request(t.app, { method: 'POST', url: '/api/invitations', token: owner.token, payload: { email: member.email, role: 'admin' } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'membership.exists' });
    const pending = await invite(t.app, owner.token, { role: 'member' });
    const twice = await request(t.app, { method: 'POST', url: '/api/invitations', token: owner.token, payload: { email: pending.email, role: 'member' } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'invitation.pending' });
  });

  it('refuses an invitation to an account of another tenant as not found', async () => {
    const other = await registerTenant(t.app);
    const response = await request(t.app, { method: 'POST', url: '/api/invitations', token: owner.token, payload: { email: `z-${uniqueSuffix()}@example.test`, role: 'viewer', accountId: other.accountId } });
    expect(response.statusCode).toBe(404);
  });
});
