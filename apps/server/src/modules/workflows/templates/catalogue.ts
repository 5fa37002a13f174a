import { workflowTemplateSchema, type WorkflowTemplate } from '@omni/contracts/workflows';
import type { z } from 'zod';
import { blogToSocial } from './blog-to-social.js';
import { leadFollowUp } from './lead-follow-up.js';
import { talentApplication } from './talent-application.js';

/**
 * Workflow templates (docs/design/workflows.md §6), one file each, per industry ('all': every tenant).
 * Parsed with the contract when the module loads, so a template that does not fit the shape fails at once.
 */

export type WorkflowTemplateInput = z.input<typeof workflowTemplateSchema>;

export const workflowTemplates: WorkflowTemplate[] = [blogToSocial, leadFollowUp, talentApplication].map((template) => workflowTemplateSchema.parse(template));

/** The templates with the tenant's industry first, then those for every industry, then the rest. */
export function templatesFor(industry: string | null): WorkflowTemplate[] {
  const rank = (template: WorkflowTemplate) => (template.industry === industry ? 0 : template.industry === 'all' ? 1 : 2);
  return [...workflowTemplates].sort((left, right) => rank(left) - rank(right));
}

export function findTemplate(id: string): WorkflowTemplate | undefined {
  return workflowTemplates.find((template) => template.id === id);
}
