import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, Outlet, redirect } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { api } from '../shared/api';
import { AuthLayout } from './AuthLayout';
import { AppShell } from './shell/AppShell';
import { NotFoundPage, RouteErrorPage } from './RouteStates';

export type RouterContext = { queryClient: QueryClient; authReady: Promise<void> };

const tokenSearch = (search: Record<string, unknown>): { token?: string } => (typeof search.token === 'string' && search.token ? { token: search.token } : {});
/** Only same-site paths: never bounce to another origin after sign-in. */
const redirectSearch = (search: Record<string, unknown>): { redirect?: string } =>
  typeof search.redirect === 'string' && search.redirect.startsWith('/') && !search.redirect.startsWith('//') ? { redirect: search.redirect } : {};

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: () => <Outlet />,
  notFoundComponent: NotFoundPage,
  errorComponent: RouteErrorPage,
});

// ---------- Signed-out pages (and token links that work either way) ----------

const publicLayout = createRoute({ getParentRoute: () => rootRoute, id: 'public', component: AuthLayout });

/** Sign-in and registration make no sense when signed in: go to the console instead. */
async function redirectIfSignedIn({ context, search }: { context: RouterContext; search: { redirect?: string } }) {
  await context.authReady;
  if (api.getState().status === 'signed-in') throw redirect({ to: search.redirect ?? '/' });
}

const signInRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/sign-in',
  validateSearch: redirectSearch,
  beforeLoad: redirectIfSignedIn,
  component: lazyRouteComponent(() => import('../modules/auth/SignInPage'), 'SignInPage'),
});
const registerRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/register',
  validateSearch: redirectSearch,
  beforeLoad: redirectIfSignedIn,
  component: lazyRouteComponent(() => import('../modules/auth/RegisterPage'), 'RegisterPage'),
});
const forgotRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/forgot-password',
  component: lazyRouteComponent(() => import('../modules/auth/ForgotPasswordPage'), 'ForgotPasswordPage'),
});
const resetRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/reset-password',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('../modules/auth/ResetPasswordPage'), 'ResetPasswordPage'),
});
const verifyRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/verify-email',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('../modules/auth/VerifyEmailPage'), 'VerifyEmailPage'),
});
const magicLinkRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/magic-link',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('../modules/auth/MagicLinkPage'), 'MagicLinkPage'),
});
const acceptInvitationRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: '/accept-invitation',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('../modules/auth/AcceptInvitationPage'), 'AcceptInvitationPage'),
});

/** The client approval page: no sign-in (the link's token is the credential), its own tenant-branded frame. */
const publicApprovalRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/approve/$token',
  component: lazyRouteComponent(() => import('../modules/approvals/PublicApprovalPage'), 'PublicApprovalPage'),
});

// ---------- The console (signed in) ----------

const appLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    await context.authReady;
    if (api.getState().status !== 'signed-in') {
      const target = location.href === '/' ? undefined : location.href;
      throw redirect({ to: '/sign-in', search: { redirect: target } });
    }
  },
  component: AppShell,
});

function page<const Path extends string>(path: Path, load: () => Promise<Record<string, unknown>>, name: string) {
  return createRoute({ getParentRoute: () => appLayout, path, component: lazyRouteComponent(load as never, name as never) });
}

const dashboardRoute = page('/', () => import('../modules/dashboard/DashboardPage'), 'DashboardPage');
const teamRoute = page('/team', () => import('../modules/team/TeamPage'), 'TeamPage');
const accountsRoute = page('/accounts', () => import('../modules/accounts/AccountsPage'), 'AccountsPage');
const brandingRoute = page('/branding', () => import('../modules/branding/BrandingPage'), 'BrandingPage');
const auditRoute = page('/audit', () => import('../modules/audit/AuditPage'), 'AuditPage');
const profileRoute = page('/settings/profile', () => import('../modules/settings/ProfilePage'), 'ProfilePage');
const sessionsRoute = page('/settings/sessions', () => import('../modules/settings/SessionsPage'), 'SessionsPage');
const apiKeysRoute = page('/settings/api-keys', () => import('../modules/settings/ApiKeysPage'), 'ApiKeysPage');
const connectionsRoute = page('/connections', () => import('../modules/social/ConnectionsPage'), 'ConnectionsPage');
const notificationsRoute = page('/notifications', () => import('../modules/notifications/NotificationsPage'), 'NotificationsPage');
const approvalsRoute = page('/approvals', () => import('../modules/approvals/ApprovalsPage'), 'ApprovalsPage');
const approvalDetailRoute = page('/approvals/$requestId', () => import('../modules/approvals/ApprovalDetailPage'), 'ApprovalDetailPage');
const feedsRoute = page('/settings/feeds', () => import('../modules/feeds/FeedsPage'), 'FeedsPage');
const mediaRoute = page('/media', () => import('../modules/media/MediaLibraryPage'), 'MediaLibraryPage');
const postsRoute = page('/content/posts', () => import('../modules/content/PostsPage'), 'PostsPage');
/** A new post may start at a time (the calendar's "New post" on a day): an ISO instant. */
const newPostSearch = (search: Record<string, unknown>): { plannedAt?: string } =>
  typeof search.plannedAt === 'string' && !Number.isNaN(Date.parse(search.plannedAt)) ? { plannedAt: search.plannedAt } : {};
const newPostRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/content/posts/new',
  validateSearch: newPostSearch,
  component: lazyRouteComponent(() => import('../modules/content/PostEditorPage'), 'PostEditorPage'),
});
const postRoute = page('/content/posts/$postId', () => import('../modules/content/PostEditorPage'), 'PostEditorPage');
const templatesRoute = page('/content/templates', () => import('../modules/content/TemplatesPage'), 'TemplatesPage');
const calendarRoute = page('/content/calendar', () => import('../modules/content/calendar/CalendarPage'), 'CalendarPage');
const contentImportRoute = page('/content/import', () => import('../modules/content/import/ImportPage'), 'ImportPage');
const contentSettingsRoute = page('/settings/content', () => import('../modules/content/ContentSettingsPage'), 'ContentSettingsPage');
/** The publishing list's filters can arrive in the address (the connections page links to one connection's posts). */
const publishingSearch = (search: Record<string, unknown>): { connection?: string; status?: string; network?: string } =>
  Object.fromEntries(['connection', 'status', 'network'].filter((key) => typeof search[key] === 'string' && search[key]).map((key) => [key, search[key] as string]));
const publishingRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/publishing',
  validateSearch: publishingSearch,
  component: lazyRouteComponent(() => import('../modules/publishing/PublishingPage'), 'PublishingPage'),
});
const platformTenantsRoute = page('/platform/tenants', () => import('../modules/platform/TenantsPage'), 'TenantsPage');
const platformAuditRoute = page('/platform/audit', () => import('../modules/audit/PlatformAuditPage'), 'PlatformAuditPage');
const campaignsRoute = page('/campaigns', () => import('../modules/campaigns/CampaignsPage'), 'CampaignsPage');
const campaignRoute = page('/campaigns/$campaignId', () => import('../modules/campaigns/CampaignDetailPage'), 'CampaignDetailPage');
/** The AI studio resumes a campaign's generation from the address (reload, or "Open in AI studio"). */
const aiStudioSearch = (search: Record<string, unknown>): { campaignId?: string } =>
  typeof search.campaignId === 'string' && /^[0-9a-f-]{36}$/i.test(search.campaignId) ? { campaignId: search.campaignId } : {};
const aiStudioRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/ai/studio',
  validateSearch: aiStudioSearch,
  component: lazyRouteComponent(() => import('../modules/campaigns/AiStudioPage'), 'AiStudioPage'),
});
const aiSettingsRoute = page('/settings/ai', () => import('../modules/ai/AiSettingsPage'), 'AiSettingsPage');
const aiRunsRoute = page('/ai/runs', () => import('../modules/ai/AiRunsPage'), 'AiRunsPage');
const aiRunRoute = page('/ai/runs/$runId', () => import('../modules/ai/AiRunDetailPage'), 'AiRunDetailPage');
const platformAiRoute = page('/platform/ai', () => import('../modules/ai/PlatformAiPage'), 'PlatformAiPage');
const workflowRunsRoute = page('/workflows/runs', () => import('../modules/workflows/WorkflowRunsPage'), 'WorkflowRunsPage');
const workflowRunRoute = page('/workflows/runs/$runId', () => import('../modules/workflows/WorkflowRunPage'), 'WorkflowRunPage');
const workflowsRoute = page('/workflows', () => import('../modules/workflows/WorkflowsPage'), 'WorkflowsPage');
const newWorkflowRoute = page('/workflows/new', () => import('../modules/workflows/WorkflowEditorPage'), 'WorkflowEditorPage');
const workflowRoute = page('/workflows/$workflowId', () => import('../modules/workflows/WorkflowEditorPage'), 'WorkflowEditorPage');

const routeTree = rootRoute.addChildren([
  publicLayout.addChildren([signInRoute, registerRoute, forgotRoute, resetRoute, verifyRoute, magicLinkRoute, acceptInvitationRoute]),
  publicApprovalRoute,
  appLayout.addChildren([
    dashboardRoute,
    teamRoute,
    accountsRoute,
    brandingRoute,
    auditRoute,
    profileRoute,
    sessionsRoute,
    apiKeysRoute,
    connectionsRoute,
    notificationsRoute,
    approvalsRoute,
    approvalDetailRoute,
    feedsRoute,
    mediaRoute,
    postsRoute,
    newPostRoute,
    postRoute,
    templatesRoute,
    calendarRoute,
    contentImportRoute,
    contentSettingsRoute,
    publishingRoute,
    platformTenantsRoute,
    platformAuditRoute,
    campaignsRoute,
    campaignRoute,
    aiStudioRoute,
    aiSettingsRoute,
    aiRunsRoute,
    aiRunRoute,
    platformAiRoute,
    workflowRunsRoute,
    workflowRunRoute,
    workflowsRoute,
    newWorkflowRoute,
    workflowRoute,
  ]),
]);

export function buildRouter(context: RouterContext) {
  return createRouter({ routeTree, context, defaultPreload: 'intent', scrollRestoration: true, defaultPendingMinMs: 0 });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof buildRouter>;
  }
}
