import { Liquid } from 'liquidjs';
import type { ContentTemplate, CreateTemplateBody, RenderedTemplate, UpdateTemplateBody } from '@omni/contracts/content';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, conflict, forbidden, notFound, type FieldError } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { contentPermissions } from '../content.permissions.js';
import { deleteTemplateRow, findTemplate, insertTemplate, selectTemplates, updateTemplateRow, type TemplateFields, type TemplateRow } from '../content.queries.js';
import { requireAccount } from './posts.js';

/**
 * Templates: per-network bodies written in Liquid (liquidjs) with declared variables. Strict: a body may
 * use only declared variables and the filters truncate, strip_html, escape, default, upcase, downcase; no
 * tag reaches the file system (include, render, layout, block are removed). Checked when saved, so a
 * template that saves also renders.
 */

const allowedFilters = new Set(['truncate', 'strip_html', 'escape', 'default', 'upcase', 'downcase']);
const removedTags = ['include', 'render', 'layout', 'block'];

function createEngine(): Liquid {
  const engine = new Liquid({ strictVariables: true, strictFilters: true, ownPropertyOnly: true, parseLimit: 200_000, renderLimit: 1_000, memoryLimit: 10_000_000 });
  for (const name of Object.keys(engine.filters)) if (!allowedFilters.has(name)) delete engine.filters[name];
  for (const name of removedTags) delete engine.tags[name];
  return engine;
}

const engine = createEngine();

/** The template sources of a template: [path, source] for every body, option and the link. */
function sourcesOf(template: Pick<TemplateFields, 'bodies' | 'options' | 'linkTemplate'>): Array<[string, string]> {
  const sources: Array<[string, string]> = Object.entries(template.bodies).map(([network, body]) => [`bodies.${network}`, body]);
  for (const [network, options] of Object.entries(template.options)) {
    for (const [name, value] of Object.entries(options)) sources.push([`options.${network}.${name}`, value]);
  }
  if (template.linkTemplate) sources.push(['linkTemplate', template.linkTemplate]);
  return sources;
}

/** 422 content.template_invalid when a source does not parse or uses an undeclared variable or filter. */
export function assertTemplateValid(template: Pick<TemplateFields, 'bodies' | 'options' | 'linkTemplate' | 'variables'>): void {
  const declared = new Set(template.variables.map((variable) => variable.name));
  const errors: FieldError[] = [];
  const names = template.variables.map((variable) => variable.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index) errors.push({ path: `body.variables.${index}.name`, message: `"${name}" is declared twice` });
  });
  for (const [path, source] of sourcesOf(template)) {
    try {
      const parsed = engine.parse(source);
      const used = engine.globalVariablesSync(parsed);
      const unknown = used.filter((name) => !declared.has(name));
      if (unknown.length > 0) errors.push({ path: `body.${path}`, message: `uses undeclared variable${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}` });
    } catch (error) {
      errors.push({ path: `body.${path}`, message: (error as Error).message.replace(/, line:\d+, col:\d+$/, '') });
    }
  }
  if (errors.length > 0) throw new AppError('unprocessable', 'content.template_invalid', 'The template has errors: see each field.', { errors });
}

/**
 * Render a template with values (defaults fill the gaps; a required variable without a value is 422
 * content.template_values_missing). Returns the bodies per network, options and link, as text.
 */
export function renderTemplate(template: Pick<TemplateRow, 'bodies' | 'options' | 'linkTemplate' | 'variables'>, values: Record<string, unknown>): RenderedTemplate {
  const scope: Record<string, unknown> = {};
  const missing: FieldError[] = [];
  for (const variable of template.variables) {
    const given = values[variable.name];
    const value = given === undefined || given === null || given === '' ? (variable.default ?? null) : given;
    if (value === null && variable.required) missing.push({ path: `body.values.${variable.name}`, message: `${variable.label} is required` });
    scope[variable.name] = value ?? '';
  }
  if (missing.length > 0) throw new AppError('unprocessable', 'content.template_values_missing', 'Fill in the template’s required values.', { errors: missing });
  const render = (source: string, path: string) => {
    try {
      return engine.parseAndRenderSync(source, scope);
    } catch (error) {
      throw new AppError('unprocessable', 'content.template_render_failed', `The template could not be rendered (${path}): ${(error as Error).message}`, { errors: [{ path, message: (error as Error).message }] });
    }
  };
  const bodies: Record<string, string> = {};
  for (const [network, body] of Object.entries(template.bodies)) bodies[network] = render(body, `bodies.${network}`);
  const options: Record<string, Record<string, string>> = {};
  for (const [network, fields] of Object.entries(template.options)) {
    options[network] = Object.fromEntries(Object.entries(fields).map(([name, source]) => [name, render(source, `options.${network}.${name}`)]));
  }
  const link = template.linkTemplate ? render(template.linkTemplate, 'linkTemplate').trim() || null : null;
  return { bodies, options, link };
}

function toTemplateDto(row: TemplateRow): ContentTemplate {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: row.archivedAt?.toISOString() ?? null,
  };
}

function isTenantAdmin(ctx: ServiceContext): boolean {
  return ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
}

/** Tenant-wide templates are managed by tenant owners and admins only. */
function assertMayManage(ctx: ServiceContext, row: Pick<TemplateRow, 'accountId'>): void {
  assertCan(ctx, contentPermissions.templates);
  if (row.accountId === null && !isTenantAdmin(ctx)) throw forbidden('Tenant-wide templates are managed by the tenant’s owners and admins.');
}

const nameTaken = () => conflict('content.template_name_taken', 'A template with this name already exists here; choose another name.');

export async function getTemplateRow(tx: Tx, id: string, accountId: string, lock = false): Promise<TemplateRow> {
  const row = isUuid(id) ? await findTemplate(tx, id, accountId, { lock }) : null;
  if (!row) throw notFound('Template');
  return row;
}

export async function listTemplates(ctx: ServiceContext, query: { category?: string; tag?: string; includeArchived: boolean }): Promise<{ items: ContentTemplate[] }> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const rows = await withTenantRead(ctx, (tx) => selectTemplates(tx, { accountId, ...query }));
  return { items: rows.map(toTemplateDto) };
}

export async function getTemplate(ctx: ServiceContext, id: string): Promise<ContentTemplate> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return toTemplateDto(await withTenantRead(ctx, (tx) => getTemplateRow(tx, id, accountId)));
}

export async function createTemplate(ctx: ServiceContext, body: CreateTemplateBody): Promise<ContentTemplate> {
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const { tenantWide, ...fields } = body;
  assertMayManage(ctx, { accountId: tenantWide ? null : accountId });
  assertTemplateValid(fields);
  const row = await withTenant(ctx, (tx) =>
    insertTemplate(tx, { ...fields, bodies: fields.bodies as Record<string, string>, accountId: tenantWide ? null : accountId, tenantId, createdBy: requireActor(ctx).userId }),
  );
  if (!row) throw nameTaken();
  ctx.audit.targetType = 'content_template';
  ctx.audit.targetId = row.id;
  return toTemplateDto(row);
}

export async function updateTemplate(ctx: ServiceContext, id: string, body: UpdateTemplateBody): Promise<ContentTemplate> {
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const row = await withTenant(ctx, async (tx) => {
    const current = await getTemplateRow(tx, id, accountId, true);
    assertMayManage(ctx, current);
    const { archived, ...changes } = body;
    const merged = { ...current, ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) } as TemplateRow;
    assertTemplateValid(merged);
    const updated = await updateTemplateRow(tx, id, { ...merged, archived: archived ?? current.archivedAt !== null });
    if (!updated) throw nameTaken();
    return updated;
  });
  ctx.audit.targetType = 'content_template';
  ctx.audit.targetId = id;
  return toTemplateDto(row);
}

export async function deleteTemplate(ctx: ServiceContext, id: string): Promise<void> {
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  await withTenant(ctx, async (tx) => {
    const current = await getTemplateRow(tx, id, accountId, true);
    assertMayManage(ctx, current);
    // Posts made from it keep their content; their template_id is cleared by the foreign key.
    await deleteTemplateRow(tx, id);
  });
  ctx.audit.targetType = 'content_template';
  ctx.audit.targetId = id;
}

/** A copy in the active account named "<name> (copy)", "<name> (copy 2)", … */
export async function duplicateTemplate(ctx: ServiceContext, id: string): Promise<ContentTemplate> {
  assertCan(ctx, contentPermissions.templates);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const row = await withTenant(ctx, async (tx) => {
    const source = await getTemplateRow(tx, id, accountId);
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      const suffix = attempt === 1 ? ' (copy)' : ` (copy ${attempt})`;
      const inserted = await insertTemplate(tx, {
        ...source,
        name: `${source.name.slice(0, 120 - suffix.length)}${suffix}`,
        accountId,
        tenantId,
        createdBy: requireActor(ctx).userId,
      });
      if (inserted) return inserted;
    }
    throw nameTaken();
  });
  ctx.audit.targetType = 'content_template';
  ctx.audit.targetId = row.id;
  ctx.audit.metadata = { duplicatedFrom: id };
  return toTemplateDto(row);
}

export async function renderTemplateById(ctx: ServiceContext, id: string, values: Record<string, string>): Promise<RenderedTemplate> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const row = await withTenantRead(ctx, (tx) => getTemplateRow(tx, id, accountId));
  return renderTemplate(row, values);
}
