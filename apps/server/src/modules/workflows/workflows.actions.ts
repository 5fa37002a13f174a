import type { WorkflowActionList } from '@omni/contracts/workflows';
import { listWorkflowActions } from '../../kernel/actions.js';
import type { ServiceContext } from '../../kernel/module.js';
import { workflowsPermissions } from './workflows.permissions.js';
import { requireScope } from './workflows.service.js';

/** The actions update_record steps can run (kernel/actions.ts), with their inputs as JSON schema. */
export function listActionCatalogue(ctx: ServiceContext): WorkflowActionList {
  requireScope(ctx, workflowsPermissions.read);
  return { items: listWorkflowActions() };
}
