import { describe, expect, it } from 'vitest';
import { safeLinkPath, unreadBadge } from './notificationsApi';

describe('the notification bell', () => {
  it('shows nothing for no unread notifications, the count up to 99, then 99+', () => {
    expect(unreadBadge(undefined)).toBeNull();
    expect(unreadBadge(0)).toBeNull();
    expect(unreadBadge(1)).toBe('1');
    expect(unreadBadge(99)).toBe('99');
    expect(unreadBadge(100)).toBe('99+');
  });

  it('follows only same-site console paths', () => {
    expect(safeLinkPath('/approvals/123')).toBe('/approvals/123');
    expect(safeLinkPath('//evil.example/x')).toBe('/notifications');
    expect(safeLinkPath('/\\evil.example')).toBe('/notifications');
    expect(safeLinkPath('https://evil.example/')).toBe('/notifications');
  });
});
