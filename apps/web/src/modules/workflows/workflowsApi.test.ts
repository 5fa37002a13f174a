import type { Scope } from '@omni/contracts/identity';
import { expressionSchema, type WorkflowDefinition } from '@omni/contracts/workflows';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  addStepNode,
  connectNodes,
  emptyDefinition,
  fieldControlOf,
  issuesByNode,
  localIssues,
  parseSampleInput,
  removeElements,
  renameNode,
  triggerOfKind,
  uniqueNodeId,
  unwrapNullable,
  workflowsAccessOf,
  type JsonSchema,
  type StepKindInfo,
} from './workflowsApi';

const scope = (overrides: Partial<Scope>): Scope =>
  ({ tenantId: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', tenantRole: null, accountRole: null, ...overrides }) as Scope;

/** JSON schemas made the way the server makes them (z.toJSONSchema of the kind's config, input side). */
const schemaOf = (config: z.ZodType) => z.toJSONSchema(config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
const stepKinds: StepKindInfo[] = [
  { kind: 'condition', ports: ['true', 'false'], sideEffect: false, configSchema: schemaOf(z.object({ expression: expressionSchema })) },
  {
    kind: 'notify',
    ports: ['default'],
    sideEffect: true,
    configSchema: schemaOf(z.object({ to: z.enum(['role', 'starter']).default('role'), title: z.string().min(1), body: z.string().default('') })),
  },
];

function drawn(): WorkflowDefinition {
  let definition = emptyDefinition();
  definition = addStepNode(definition, 'condition').definition;
  definition = addStepNode(definition, 'notify').definition;
  definition = connectNodes(definition, 'trigger', 'default', 'condition');
  return connectNodes(definition, 'condition', 'true', 'notify');
}

describe('who uses workflows (mirrors workflows.permissions.ts)', () => {
  it('lets viewers read and editors write and run; tenant admins everything', () => {
    expect(workflowsAccessOf(scope({ accountRole: 'contributor' }))).toMatchObject({ canRead: true, canWrite: false, canRun: false });
    expect(workflowsAccessOf(scope({ accountRole: 'viewer' }))).toMatchObject({ canRead: true, canWrite: false });
    expect(workflowsAccessOf(scope({ accountRole: 'client' }))).toMatchObject({ canRead: false });
    expect(workflowsAccessOf(scope({ accountRole: 'editor' }))).toMatchObject({ canWrite: true, canRun: true });
    expect(workflowsAccessOf(scope({ tenantRole: 'owner', accountId: null }))).toMatchObject({ canRead: true, canWrite: true, hasAccount: false });
    expect(workflowsAccessOf(null)).toMatchObject({ canRead: false, hasAccount: false });
  });
});

describe('drawing the graph', () => {
  it('names new steps after their kind, numbering repeats, and places them right of the last one', () => {
    let definition = emptyDefinition();
    const first = addStepNode(definition, 'condition');
    definition = first.definition;
    const second = addStepNode(definition, 'condition');
    expect([first.nodeId, second.nodeId]).toEqual(['condition', 'condition_2']);
    expect(second.definition.nodes[1]?.position.x).toBeGreaterThan(second.definition.nodes[0]!.position.x);
    expect(uniqueNodeId(second.definition, 'condition')).toBe('condition_3');
    expect(addStepNode(definition, 'notify', { x: 5, y: 6 }).definition.nodes[1]?.position).toEqual({ x: 5, y: 6 });
  });

  it('connects a port to a step once, stores the default port as null, and refuses self loops and edges into the trigger', () => {
    const definition = drawn();
    expect(definition.edges).toEqual([
      { id: 'trigger_default_condition', source: 'trigger', sourceHandle: null, target: 'condition' },
      { id: 'condition_true_notify', source: 'condition', sourceHandle: 'true', target: 'notify' },
    ]);
    expect(connectNodes(definition, 'condition', 'true', 'notify')).toBe(definition);
    expect(connectNodes(definition, 'notify', null, 'notify')).toBe(definition);
    expect(connectNodes(definition, 'notify', null, 'trigger')).toBe(definition);
    expect(connectNodes(definition, 'condition', 'false', 'notify').edges).toHaveLength(3);
  });

  it('removes steps with their edges and never the trigger', () => {
    const definition = drawn();
    const without = removeElements(definition, ['condition', 'trigger'], []);
    expect(without.nodes.map((node) => node.id)).toEqual(['notify']);
    expect(without.edges).toEqual([]);
    expect(removeElements(definition, [], ['condition_true_notify']).edges.map((edge) => edge.id)).toEqual(['trigger_default_condition']);
  });

  it('renames a step and the edges around it, refusing bad and taken ids', () => {
    const definition = drawn();
    const renamed = renameNode(definition, 'condition', 'check');
    if (!('definition' in renamed)) throw new Error('rename refused');
    expect(renamed.definition.nodes.map((node) => node.id)).toEqual(['check', 'notify']);
    expect(renamed.definition.edges).toEqual([
      { id: 'trigger_default_check', source: 'trigger', sourceHandle: null, target: 'check' },
      { id: 'check_true_notify', source: 'check', sourceHandle: 'true', target: 'notify' },
    ]);
    expect(renameNode(definition, 'condition', 'Check')).toEqual({ error: 'pattern' });
    expect(renameNode(definition, 'condition', '1st')).toEqual({ error: 'pattern' });
    expect(renameNode(definition, 'condition', 'notify')).toEqual({ error: 'taken' });
    expect(renameNode(definition, 'condition', 'trigger')).toEqual({ error: 'taken' });
  });

  it('starts a switched trigger from the kind’s defaults', () => {
    expect(triggerOfKind('schedule')).toEqual({ kind: 'schedule', cron: '0 9 * * 1-5', timezone: 'UTC' });
    expect(triggerOfKind('event')).toMatchObject({ kind: 'event', filter: null });
    expect(triggerOfKind('webhook')).toEqual({ kind: 'webhook' });
  });
});

describe('problems', () => {
  it('groups issues per step, trigger paths under the trigger, the rest under the workflow', () => {
    const map = issuesByNode([
      { nodeId: 'check', edgeId: null, path: 'nodes.0.config.expression', message: 'a' },
      { nodeId: null, edgeId: null, path: 'trigger.cron', message: 'b' },
      { nodeId: null, edgeId: 'e1', path: 'edges.0.sourceHandle', message: 'c' },
    ]);
    expect(map.get('check')?.map((issue) => issue.message)).toEqual(['a']);
    expect(map.get('trigger')?.map((issue) => issue.message)).toEqual(['b']);
    expect(map.get('')?.map((issue) => issue.message)).toEqual(['c']);
  });

  it('finds empty required settings and shape errors before the server has the workflow', () => {
    const definition = drawn();
    const issues = localIssues(definition, stepKinds, (field) => `need ${field}`);
    expect(issues).toEqual([
      { nodeId: 'condition', edgeId: null, path: 'nodes.0.config.expression', message: 'need expression' },
      { nodeId: 'notify', edgeId: null, path: 'nodes.1.config.title', message: 'need title' },
    ]);
    const filled = {
      ...definition,
      nodes: definition.nodes.map((node) => ({ ...node, config: node.kind === 'condition' ? { expression: 'true' } : { title: 'Hi' } })),
    };
    expect(localIssues(filled, stepKinds, String)).toEqual([]);
    const badId = { ...filled, nodes: filled.nodes.map((node, index) => (index === 0 ? { ...node, id: 'Bad id' } : node)) };
    expect(localIssues(badId, stepKinds, String)).toMatchObject([{ nodeId: 'Bad id', path: 'nodes.0.id' }]);
  });

  it('reads a test run’s sample input as a JSON object only', () => {
    expect(parseSampleInput('')).toEqual({ input: {} });
    expect(parseSampleInput('{"score": 9}')).toEqual({ input: { score: 9 } });
    expect(parseSampleInput('{"score": ')).toEqual({ error: 'json' });
    expect(parseSampleInput('[1]')).toEqual({ error: 'object' });
    expect(parseSampleInput('null')).toEqual({ error: 'object' });
  });
});

describe('the side panel’s form from a JSON schema', () => {
  const properties = (
    schemaOf(
      z.object({
        title: z.string(),
        body: z.string(),
        template: z.string().nullable(),
        count: z.number().int(),
        ratio: z.number(),
        enabled: z.boolean(),
        to: z.enum(['role', 'starter']).default('role'),
        tags: z.array(z.string()),
        input: z.record(z.string(), z.string()),
        headers: z.record(z.string(), z.string()),
        other: z.record(z.string(), z.string()),
        nested: z.object({ url: z.string() }),
        anything: z.unknown(),
        rows: z.array(z.object({ a: z.string() })),
      }),
    ) as JsonSchema
  ).properties!;
  const controlOf = (name: string) => fieldControlOf(name, properties[name]!);

  it('chooses a control per field: text areas by name, numbers, checkboxes, selects, lists, key-value editors and JSON for the rest', () => {
    expect(controlOf('title')).toBe('text');
    expect(controlOf('body')).toBe('textarea');
    expect(controlOf('template')).toBe('textarea');
    expect(controlOf('count')).toBe('integer');
    expect(controlOf('ratio')).toBe('number');
    expect(controlOf('enabled')).toBe('boolean');
    expect(controlOf('to')).toBe('enum');
    expect(controlOf('tags')).toBe('string-list');
    expect(controlOf('input')).toBe('string-map');
    expect(controlOf('headers')).toBe('string-map');
    expect(controlOf('other')).toBe('string-map');
    expect(controlOf('nested')).toBe('object');
    expect(controlOf('anything')).toBe('json');
    expect(controlOf('rows')).toBe('json');
  });

  it('unwraps nullable fields to their type', () => {
    expect(unwrapNullable(properties.template!)).toMatchObject({ nullable: true, schema: { type: 'string' } });
    expect(unwrapNullable(properties.title!)).toMatchObject({ nullable: false });
  });
});
