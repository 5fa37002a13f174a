import type { OmniModule } from './kernel/module.js';

/**
 * THE list of modules, in dependency order (foundation first). The only file that imports every module.
 * Authentication is tried in this order; guards and observers run in this order.
 */
export const modules: OmniModule[] = [];
