import type { Scope } from '@omni/contracts/identity';
import { describe, expect, it } from 'vitest';
import { approvalsAccessOf, linkProblemOf, statusTone } from './approvalsApi';

const scope = (overrides: Partial<Scope>): Scope =>
  ({ tenantId: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', tenantRole: null, accountRole: null, ...overrides }) as Scope;

describe('who sees and decides approvals (mirrors approvals.permissions.ts)', () => {
  it('lets clients read (client stage only), editors decide and manage links, tenant admins everything', () => {
    expect(approvalsAccessOf(scope({ accountRole: 'client' }))).toEqual({ canRead: true, hasAccount: true, canDecideInternal: false, canManageLinks: false, clientOnly: true });
    expect(approvalsAccessOf(scope({ accountRole: 'contributor' }))).toMatchObject({ canRead: true, canDecideInternal: false, clientOnly: false });
    expect(approvalsAccessOf(scope({ accountRole: 'editor' }))).toMatchObject({ canDecideInternal: true, canManageLinks: true });
    expect(approvalsAccessOf(scope({ tenantRole: 'owner', accountRole: null }))).toMatchObject({ canRead: true, canDecideInternal: true, clientOnly: false });
  });

  it('keeps approvals from people without an account role or a workspace', () => {
    expect(approvalsAccessOf(scope({ tenantRole: 'member', accountRole: null })).canRead).toBe(false);
    expect(approvalsAccessOf(null).canRead).toBe(false);
  });
});

describe('the client approval page', () => {
  it('names why a link cannot be used, from the problem code', () => {
    expect(linkProblemOf('approvals.link_superseded')).toBe('superseded');
    expect(linkProblemOf('approvals.link_expired')).toBe('expired');
    expect(linkProblemOf('approvals.link_revoked')).toBe('revoked');
    expect(linkProblemOf('approvals.link_withdrawn')).toBe('withdrawn');
    expect(linkProblemOf('approvals.link_not_found')).toBe('not_found');
    expect(linkProblemOf('request.invalid')).toBeNull();
    expect(linkProblemOf(undefined)).toBeNull();
  });

  it('colours statuses by outcome', () => {
    expect(statusTone('approved')).toBe('success');
    expect(statusTone('rejected')).toBe('danger');
    expect(statusTone('changes_requested')).toBe('warning');
    expect(statusTone('superseded')).toBe('neutral');
  });
});
