import type { Scope } from '@omni/contracts/identity';
import { describe, expect, it } from 'vitest';
import { socialAccessOf } from './socialApi';

const scope = (overrides: Partial<Scope>): Scope =>
  ({ tenantId: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', tenantRole: null, accountRole: null, ...overrides }) as Scope;

describe('who sees and manages connections (mirrors social.permissions.ts)', () => {
  it('lets tenant owners and admins manage, account admins manage their account, viewers only read', () => {
    expect(socialAccessOf(scope({ tenantRole: 'owner' }))).toEqual({ canRead: true, canManage: true });
    expect(socialAccessOf(scope({ tenantRole: 'admin', accountId: null }))).toEqual({ canRead: true, canManage: true });
    expect(socialAccessOf(scope({ accountRole: 'admin' }))).toEqual({ canRead: true, canManage: true });
    expect(socialAccessOf(scope({ accountRole: 'viewer' }))).toEqual({ canRead: true, canManage: false });
    expect(socialAccessOf(scope({ tenantRole: 'member', accountRole: null, accountId: null }))).toEqual({ canRead: true, canManage: false });
  });

  it('hides connections from clients and from people without a workspace', () => {
    expect(socialAccessOf(scope({ accountRole: 'client' }))).toEqual({ canRead: false, canManage: false });
    expect(socialAccessOf(null)).toEqual({ canRead: false, canManage: false });
  });
});
