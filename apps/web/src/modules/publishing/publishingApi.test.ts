import type { Scope } from '@omni/contracts/identity';
import { describe, expect, it } from 'vitest';
import { publishingAccessOf, whereToCheck } from './publishingApi';

const scope = (overrides: Partial<Scope>): Scope =>
  ({ tenantId: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', tenantRole: null, accountRole: null, ...overrides }) as Scope;

describe('who sees and acts on posts (mirrors publishing.permissions.ts)', () => {
  it('viewers read, editors publish, account admins (and tenant admins) change the settings', () => {
    expect(publishingAccessOf(scope({ accountRole: 'viewer' }))).toEqual({ canRead: true, hasAccount: true, canPublish: false, canManageSettings: false });
    expect(publishingAccessOf(scope({ accountRole: 'editor' }))).toEqual({ canRead: true, hasAccount: true, canPublish: true, canManageSettings: false });
    expect(publishingAccessOf(scope({ accountRole: 'admin' }))).toEqual({ canRead: true, hasAccount: true, canPublish: true, canManageSettings: true });
    expect(publishingAccessOf(scope({ tenantRole: 'owner', accountId: null }))).toEqual({ canRead: true, hasAccount: false, canPublish: true, canManageSettings: true });
  });

  it('lets contributors read but not publish; keeps posts from clients, tenant members without an account role, and people without a workspace', () => {
    expect(publishingAccessOf(scope({ accountRole: 'contributor' }))).toMatchObject({ canRead: true, canPublish: false });
    expect(publishingAccessOf(scope({ accountRole: 'client' })).canRead).toBe(false);
    expect(publishingAccessOf(scope({ tenantRole: 'member', accountRole: null })).canRead).toBe(false);
    expect(publishingAccessOf(null)).toEqual({ canRead: false, hasAccount: false, canPublish: false, canManageSettings: false });
  });
});

describe('where a person checks an unconfirmed post', () => {
  const destination = { externalId: '1234567890', name: 'Bella Café', kind: 'page' as const, pictureUrl: null };
  it('links to the destination when its address follows from its id, and to the Sandbox posts for a Sandbox feed', () => {
    expect(whereToCheck({ network: 'facebook', destination })).toBe('https://www.facebook.com/1234567890');
    expect(whereToCheck({ network: 'x', destination })).toBe('https://x.com/i/user/1234567890');
    expect(whereToCheck({ network: 'sandbox', destination: { ...destination, kind: 'sandbox' } })).toBe('/connections#sandbox-posts');
    expect(whereToCheck({ network: 'pinterest', destination: { ...destination, kind: 'board' } })).toBeNull();
    expect(whereToCheck(undefined)).toBeNull();
  });
});
