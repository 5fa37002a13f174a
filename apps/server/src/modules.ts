import type { OmniModule } from './kernel/module.js';
import { auditModule } from './modules/audit/index.js';
import { identityModule } from './modules/identity/index.js';
import { socialModule } from './modules/social/index.js';
import { publishingModule } from './modules/publishing/index.js';
import { notificationsModule } from './modules/notifications/index.js';
import { approvalsModule } from './modules/approvals/index.js';
import { contentModule } from './modules/content/index.js';
import { feedsModule } from './modules/feeds/index.js';
import { aiModule } from './modules/ai/index.js';
import { campaignsModule } from './modules/campaigns/index.js';
import { workflowsModule } from './modules/workflows/index.js';
import { mediaModule } from './modules/media/index.js';
import { membershipDirectory, tenancyModule } from './modules/tenancy/index.js';

/**
 * THE list of modules, in dependency order (foundation first). The only file that imports every module.
 * Authentication is tried in this order; guards and observers run in this order.
 * Identity cannot import tenancy (tenancy depends on identity), so tenancy's membership directory is
 * handed to identity here.
 */
export const modules: OmniModule[] = [identityModule({ memberships: membershipDirectory }), tenancyModule(), auditModule(), mediaModule(), notificationsModule(), approvalsModule(), socialModule(), publishingModule(), contentModule(), feedsModule(), aiModule(), campaignsModule(), workflowsModule()];
