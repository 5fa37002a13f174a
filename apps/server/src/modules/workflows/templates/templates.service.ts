import type { InstallWorkflowTemplateBody, WorkflowSaved } from '@omni/contracts/workflows';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getTenantIndustry } from '../../tenancy/index.js';
import { checkDefinition } from '../definition.js';
import { workflowsPermissions } from '../workflows.permissions.js';
import { createWorkflow, requireScope } from '../workflows.service.js';
import { findTemplate, templatesFor } from './catalogue.js';

/** Templates: listed with the tenant's industry first; installing copies one into a new workflow. */

export async function listTemplates(ctx: ServiceContext): Promise<{ items: ReturnType<typeof templatesFor> }> {
  const { tenantId } = requireScope(ctx, workflowsPermissions.read);
  const industry = await withTenantRead(ctx, (tx) => getTenantIndustry(tx, tenantId));
  return { items: templatesFor(industry) };
}

/**
 * A new workflow from the template (version 1, template_id kept). Active when its definition is valid
 * today; otherwise a paused draft whose `validation` says why (e.g. a step kind not available yet). A
 * webhook template's secret comes back once, as on any creation.
 */
export async function installTemplate(ctx: ServiceContext, templateId: string, body: InstallWorkflowTemplateBody): Promise<WorkflowSaved> {
  requireScope(ctx, workflowsPermissions.write);
  const template = findTemplate(templateId);
  if (!template) throw notFound('Workflow template');
  const active = checkDefinition(template.definition).length === 0;
  return createWorkflow(
    ctx,
    { name: body?.name ?? template.name, description: template.description, workflowType: template.workflowType, definition: template.definition, active },
    { templateId: template.id },
  );
}
