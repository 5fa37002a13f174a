import { describe, expect, it } from 'vitest';
import { contentAccessOf } from './contentApi';

describe('content console helpers', () => {
  const scope = (tenantRole: 'owner' | 'admin' | 'member', accountRole: 'viewer' | 'editor' | 'contributor' | 'client' | 'admin' | null) =>
    ({ tenantId: 't', accountId: accountRole ? 'a' : null, tenantRole, accountRole }) as never;

  it('grants what content.permissions.ts grants: viewers read, contributors write, editors schedule and manage templates, admins settings', () => {
    expect(contentAccessOf(scope('member', 'client'))).toMatchObject({ canRead: false, canWrite: false });
    expect(contentAccessOf(scope('member', 'viewer'))).toMatchObject({ canRead: true, canWrite: false, canSchedule: false });
    expect(contentAccessOf(scope('member', 'contributor'))).toMatchObject({ canRead: true, canWrite: true, canSchedule: false, canManageTemplates: false });
    expect(contentAccessOf(scope('member', 'editor'))).toMatchObject({ canWrite: true, canSchedule: true, canManageTemplates: true, canManageSettings: false });
    expect(contentAccessOf(scope('member', 'admin'))).toMatchObject({ canManageSettings: true });
    expect(contentAccessOf(scope('owner', null))).toMatchObject({ canRead: true, canManageSettings: true, hasAccount: false });
    expect(contentAccessOf(null)).toMatchObject({ canRead: false, canWrite: false, hasAccount: false });
  });
});
