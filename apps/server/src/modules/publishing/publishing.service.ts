/**
 * The publishing use cases the HTTP routes call (one per route). The engine's own steps (dispatch,
 * publish, reconcile, sweep, metrics) run from publishing.jobs.ts.
 */
export { cancelTarget, createTarget, getTarget, listTargets, publishTargetNow, rescheduleTarget } from './use-cases/targets.js';
export { resolveTarget, retryTarget } from './use-cases/resolve-target.js';
export { getSettings, updateSettings } from './use-cases/settings.js';
