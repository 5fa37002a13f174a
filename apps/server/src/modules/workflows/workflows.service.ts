import type {
  CreateWorkflowBody,
  DefinitionIssue,
  StepKindList,
  UpdateWorkflowBody,
  ValidateWorkflowBody,
  ValidationReport,
  Workflow,
  WorkflowDefinition,
  WorkflowList,
  WorkflowSaved,
  WorkflowVersion,
} from '@omni/contracts/workflows';
import { assertCan, requireActor, requireTenant } from '../../kernel/access.js';
import { isUuid, type Tx } from '../../kernel/db/database.js';
import { publicBaseUrl } from '../../kernel/http/public-url.js';
import { withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, conflict, notFound } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { checkDefinition, validateDefinition } from './definition.js';
import { toWorkflowDto } from './workflows.dto.js';
import { workflowsPermissions } from './workflows.permissions.js';
import { countUnfinishedRuns, deleteWorkflowRow, findVersion, findWorkflow, insertWorkflow, selectVersions, selectWorkflows, updateWorkflowRow, type WorkflowRow } from './workflows.queries.js';
import { describeStepKinds } from './steps/index.js';
import { syncTrigger } from './triggers/sync.js';

/**
 * Workflow use cases: list, read, create, edit (a new definition is a new version; a stale expectedVersion
 * is 409), delete, versions, validation and the step-kind catalogue. Only a valid definition is active:
 * an invalid one saves as a paused draft, and activating checks the current version again.
 */

export function requireAccount(ctx: ServiceContext): string {
  if (!ctx.accountId) throw new AppError('forbidden', 'account.none_active', 'Choose an account first: workflows belong to an account.');
  return ctx.accountId;
}

/** The permission, the tenant and the active account. */
export function requireScope(ctx: ServiceContext, permission: string): { tenantId: string; accountId: string } {
  assertCan(ctx, permission);
  return { tenantId: requireTenant(ctx), accountId: requireAccount(ctx) };
}

/** A workflow of the account, or 404 (another account's or tenant's is not found either). */
export async function requireWorkflow(tx: Tx, id: string, accountId: string, options: { lock?: boolean } = {}): Promise<WorkflowRow> {
  const row = isUuid(id) ? await findWorkflow(tx, id, accountId, options) : null;
  if (!row) throw notFound('Workflow');
  return row;
}

function definitionInvalid(issues: DefinitionIssue[], message: string): AppError {
  return new AppError('unprocessable', 'workflows.definition_invalid', message, {
    errors: issues.map((issue) => ({ path: `body.definition.${issue.path}`, message: issue.message })),
    issues,
  });
}

/** The DTO with the webhook secret, when one was just made (shown once). */
export function toSaved(ctx: ServiceContext, row: WorkflowRow, webhookSecret: string | null = null): WorkflowSaved {
  return { ...toWorkflowDto(row, publicBaseUrl(ctx.config)), webhookSecret };
}

export async function listWorkflows(ctx: ServiceContext): Promise<WorkflowList> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  const rows = await withTenantRead(ctx, (tx) => selectWorkflows(tx, accountId));
  return { items: rows.map((row) => toWorkflowDto(row, publicBaseUrl(ctx.config))), total: rows.length };
}

export async function getWorkflow(ctx: ServiceContext, id: string): Promise<Workflow> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  return toWorkflowDto(await withTenantRead(ctx, (tx) => requireWorkflow(tx, id, accountId)), publicBaseUrl(ctx.config));
}

export async function createWorkflow(ctx: ServiceContext, body: CreateWorkflowBody, options: { templateId?: string } = {}): Promise<WorkflowSaved> {
  const { tenantId, accountId } = requireScope(ctx, workflowsPermissions.write);
  const issues = checkDefinition(body.definition);
  if (body.active && issues.length > 0) throw definitionInvalid(issues, 'The workflow has problems (see issues): fix them, or save it paused as a draft.');
  const { row, webhookSecret } = await withTenant(ctx, async (tx) => {
    const id = await insertWorkflow(tx, {
      tenantId,
      accountId,
      name: body.name,
      description: body.description,
      status: body.active ? 'active' : 'paused',
      workflowType: body.workflowType,
      templateId: options.templateId ?? null,
      definition: body.definition,
      createdBy: requireActor(ctx).userId,
    });
    const { webhookSecret } = await syncTrigger(tx, ctx.config, await requireWorkflow(tx, id, accountId));
    return { row: await requireWorkflow(tx, id, accountId), webhookSecret };
  });
  ctx.audit.targetType = 'workflow';
  ctx.audit.targetId = row.id;
  return toSaved(ctx, row, webhookSecret);
}

export async function updateWorkflow(ctx: ServiceContext, id: string, body: UpdateWorkflowBody): Promise<WorkflowSaved> {
  const { accountId } = requireScope(ctx, workflowsPermissions.write);
  const userId = requireActor(ctx).userId;
  const { row, webhookSecret } = await withTenant(ctx, async (tx) => {
    const workflow = await requireWorkflow(tx, id, accountId, { lock: true });
    if (body.expectedVersion !== undefined && body.expectedVersion !== workflow.current_version) {
      throw new AppError('conflict', 'workflows.version_conflict', `The workflow changed meanwhile: version ${workflow.current_version} is current, you edited version ${body.expectedVersion}. Reload it and apply your changes again.`, { currentVersion: workflow.current_version });
    }
    const definition = body.definition && !sameDefinition(body.definition, workflow.definition) ? body.definition : undefined;
    const status = body.status ?? workflow.status;
    if (status === 'active') {
      const issues = checkDefinition(definition ?? (validateDefinition(workflow.definition).definition as WorkflowDefinition));
      if (issues.length > 0) throw definitionInvalid(issues, 'Only a workflow without problems can be active (see issues): fix them, or save it paused.');
    }
    await updateWorkflowRow(tx, workflow, { name: body.name, description: body.description, status: body.status, workflowType: body.workflowType, definition, updatedBy: userId });
    const { webhookSecret } = await syncTrigger(tx, ctx.config, await requireWorkflow(tx, id, accountId));
    return { row: await requireWorkflow(tx, id, accountId), webhookSecret };
  });
  ctx.audit.targetType = 'workflow';
  ctx.audit.metadata = { version: row.current_version, status: row.status };
  return toSaved(ctx, row, webhookSecret);
}

/** Definitions compared as stored (jsonb keeps no key order, so compare canonically). */
function sameDefinition(left: unknown, right: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, canonical(inner)]))
        : value;
  return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

export async function deleteWorkflow(ctx: ServiceContext, id: string): Promise<void> {
  const { accountId } = requireScope(ctx, workflowsPermissions.write);
  await withTenant(ctx, async (tx) => {
    const workflow = await requireWorkflow(tx, id, accountId, { lock: true });
    if ((await countUnfinishedRuns(tx, workflow.id)) > 0) {
      throw conflict('workflows.runs_unfinished', 'This workflow has runs still going: cancel them (or wait for them), or pause or archive the workflow instead.');
    }
    await deleteWorkflowRow(tx, workflow.id);
  });
  ctx.audit.targetType = 'workflow';
}

export async function listVersions(ctx: ServiceContext, id: string): Promise<{ items: Array<Omit<WorkflowVersion, 'definition'>> }> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  return withTenantRead(ctx, async (tx) => {
    const workflow = await requireWorkflow(tx, id, accountId);
    const rows = await selectVersions(tx, workflow.id);
    return { items: rows.map((row) => ({ version: row.version, createdBy: row.created_by, createdAt: new Date(row.created_at).toISOString() })) };
  });
}

export async function getVersion(ctx: ServiceContext, id: string, version: string): Promise<WorkflowVersion> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  return withTenantRead(ctx, async (tx) => {
    const workflow = await requireWorkflow(tx, id, accountId);
    const row = /^[1-9]\d{0,8}$/.test(version) ? await findVersion(tx, workflow.id, Number(version)) : null;
    if (!row) throw notFound('Workflow version');
    return { version: row.version, definition: row.definition as WorkflowDefinition, createdBy: row.created_by, createdAt: new Date(row.created_at).toISOString() };
  });
}

/** Check a draft (anything the editor holds) or, without one, the current version. */
export async function validateWorkflow(ctx: ServiceContext, id: string, body: ValidateWorkflowBody): Promise<ValidationReport> {
  const { accountId } = requireScope(ctx, workflowsPermissions.read);
  const workflow = await withTenantRead(ctx, (tx) => requireWorkflow(tx, id, accountId));
  const { issues } = validateDefinition(body.definition === undefined ? workflow.definition : body.definition);
  return { ok: issues.length === 0, issues };
}

export function listStepKindCatalogue(ctx: ServiceContext): StepKindList {
  requireScope(ctx, workflowsPermissions.read);
  return { items: describeStepKinds() };
}
