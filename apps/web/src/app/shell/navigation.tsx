import type { ReactNode } from 'react';
import type { Access } from '../../shared/auth/access';
import type { Scope } from '@omni/contracts/identity';
import { mediaAccessOf } from '../../modules/media/mediaApi';
import { ImageIcon } from '../../modules/media/mediaShared';
import { publishingAccessOf } from '../../modules/publishing/publishingApi';
import { socialAccessOf } from '../../modules/social/socialApi';
import { approvalsAccessOf } from '../../modules/approvals/approvalsApi';
import { BellIcon } from '../../modules/notifications/NotificationBell';
import { feedsAccessOf } from '../../modules/feeds/feedsApi';
import { contentAccessOf } from '../../modules/content/contentApi';
import { campaignsAccessOf } from '../../modules/campaigns/campaignsAccess';
import { aiAccessOf } from '../../modules/ai/aiAccess';
import { workflowsAccessOf } from '../../modules/workflows/workflowsAccess';
import {
  MegaphoneIcon,
  SparkleIcon,
  ActivityIcon,
  BriefcaseIcon,
  CheckIcon,
  CalendarIcon,
  GlobeIcon,
  BuildingIcon,
  HomeIcon,
  KeyIcon,
  LinkIcon,
  MonitorIcon,
  PaletteIcon,
  ScrollIcon,
  UserIcon,
  UsersIcon,
} from '../../shared/ui/icons';

export type NavItem = { to: string; labelKey: string; icon: ReactNode; exact?: boolean };
export type NavSection = { titleKey: string; items: NavItem[] };

/**
 * The sidebar of each tier (seed 004's "4-tier sidebars"): platform super admin, tenant admin, account
 * admin, member. Each lists only what the role can use; the server enforces the same rules.
 */
export function navigationFor(access: Access, scope: Scope | null = null): NavSection[] {
  const sections: NavSection[] = [];
  if (access.isSuperAdmin) {
    sections.push({
      titleKey: 'nav.sections.platform',
      items: [
        { to: '/platform/tenants', labelKey: 'nav.tenants', icon: <BuildingIcon /> },
        { to: '/platform/ai', labelKey: 'nav.platformAi', icon: <SparkleIcon /> },
        { to: '/platform/audit', labelKey: 'nav.platformAudit', icon: <ActivityIcon /> },
      ],
    });
  }
  if (access.hasTenant) {
    const workspace: NavItem[] = [{ to: '/', labelKey: 'nav.overview', icon: <HomeIcon />, exact: true }];
    if (access.tier === 'tenant-admin') {
      workspace.push(
        { to: '/accounts', labelKey: 'nav.accounts', icon: <BriefcaseIcon /> },
        { to: '/team', labelKey: 'nav.team', icon: <UsersIcon /> },
        { to: '/branding', labelKey: 'nav.branding', icon: <PaletteIcon /> },
        { to: '/audit', labelKey: 'nav.audit', icon: <ScrollIcon /> },
      );
    } else if (access.tier === 'account-admin') {
      workspace.push({ to: '/team', labelKey: 'nav.accountTeam', icon: <UsersIcon /> });
    } else {
      if (access.canManageApiKeys) workspace.push({ to: '/accounts', labelKey: 'nav.accounts', icon: <BriefcaseIcon /> });
      if (access.canReadMembers) workspace.push({ to: '/team', labelKey: 'nav.people', icon: <UsersIcon /> });
    }
    if (publishingAccessOf(scope).canRead) workspace.push({ to: '/publishing', labelKey: 'nav.publishing', icon: <CalendarIcon /> });
    if (contentAccessOf(scope).canRead) {
      workspace.push({ to: '/content/calendar', labelKey: 'nav.calendar', icon: <CalendarIcon /> });
      workspace.push({ to: '/content/posts', labelKey: 'nav.posts', icon: <ScrollIcon /> }, { to: '/content/templates', labelKey: 'nav.templates', icon: <ScrollIcon /> });
      workspace.push({ to: '/content/import', labelKey: 'nav.contentImport', icon: <ScrollIcon /> });
      workspace.push({ to: '/settings/content', labelKey: 'nav.contentSettings', icon: <ScrollIcon /> });
    }
    const campaigns = campaignsAccessOf(scope);
    if (campaigns.canRead) workspace.push({ to: '/campaigns', labelKey: 'nav.campaigns', icon: <MegaphoneIcon /> });
    if (campaigns.canGenerate) workspace.push({ to: '/ai/studio', labelKey: 'nav.aiStudio', icon: <SparkleIcon /> });
    if (approvalsAccessOf(scope).canRead) workspace.push({ to: '/approvals', labelKey: 'nav.approvals', icon: <CheckIcon /> });
    if (socialAccessOf(scope).canRead) workspace.push({ to: '/connections', labelKey: 'nav.connections', icon: <LinkIcon /> });
    if (feedsAccessOf(scope).canRead) workspace.push({ to: '/settings/feeds', labelKey: 'nav.feeds', icon: <GlobeIcon /> });
    if (mediaAccessOf(scope).canRead) workspace.push({ to: '/media', labelKey: 'nav.media', icon: <ImageIcon /> });
    const ai = aiAccessOf(scope);
    if (ai.canRead) workspace.push({ to: '/ai/runs', labelKey: 'nav.aiRuns', icon: <SparkleIcon /> });
    if (ai.canManageSettings || ai.canManagePolicies) workspace.push({ to: '/settings/ai', labelKey: 'nav.aiSettings', icon: <SparkleIcon /> });
    if (workflowsAccessOf(scope).canRead) workspace.push({ to: '/workflows', labelKey: 'nav.workflows', icon: <ActivityIcon />, exact: true });
    if (workflowsAccessOf(scope).canRead) workspace.push({ to: '/workflows/runs', labelKey: 'nav.workflowRuns', icon: <ScrollIcon /> });
    sections.push({ titleKey: 'nav.sections.workspace', items: workspace });
  }
  const personal: NavItem[] = [
    { to: '/settings/profile', labelKey: 'nav.profile', icon: <UserIcon /> },
    { to: '/settings/sessions', labelKey: 'nav.sessions', icon: <MonitorIcon /> },
    ...(access.hasTenant ? [{ to: '/notifications', labelKey: 'nav.notifications', icon: <BellIcon className="size-4" /> }] : []),
  ];
  if (access.canManageApiKeys) personal.push({ to: '/settings/api-keys', labelKey: 'nav.apiKeys', icon: <KeyIcon /> });
  sections.push({ titleKey: 'nav.sections.you', items: personal });
  return sections;
}
