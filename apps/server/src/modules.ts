import type { OmniModule } from './kernel/module.js';
import { auditModule } from './modules/audit/index.js';
import { identityModule } from './modules/identity/index.js';
import { socialModule } from './modules/social/index.js';
import { publishingModule } from './modules/publishing/index.js';
import { membershipDirectory, tenancyModule } from './modules/tenancy/index.js';

/**
 * THE list of modules, in dependency order (foundation first). The only file that imports every module.
 * Authentication is tried in this order; guards and observers run in this order.
 * Identity cannot import tenancy (tenancy depends on identity), so tenancy's membership directory is
 * handed to identity here.
 */
export const modules: OmniModule[] = [identityModule({ memberships: membershipDirectory }), tenancyModule(), auditModule(), socialModule(), publishingModule()];
