import type { OmniModule } from '../../kernel/module.js';
import './audit.permissions.js';
import { auditRoutes } from './audit.routes.js';
import { flushAuditWrites, recordAuditEntry } from './audit.service.js';

/**
 * The audit module: one audit_log row per mutating request (a response observer), and the audit log
 * readers GET /api/audit (tenant admins) and GET /api/platform/audit (super admins).
 */
export function auditModule(): OmniModule {
  return {
    name: 'audit',
    routes: async (app) => {
      await auditRoutes(app);
      // Entries are written after the response is sent; let in-flight ones finish before the pool closes.
      app.addHook('onClose', async () => flushAuditWrites());
    },
    observers: [recordAuditEntry],
  };
}

export {
  /** Count a tenant's audit entries since a moment, in the caller's transaction (for dashboard figures). */
  countAuditEvents,
  /** Resolve once every audit entry started so far has been written; tests call it before reading the log. */
  flushAuditWrites,
} from './audit.service.js';
