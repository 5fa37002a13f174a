import {
  nodeIdSchema,
  triggerNodeId,
  workflowDefinitionSchema,
  type CreateWorkflowBody,
  type DefinitionIssue,
  type StartWorkflowRunBody,
  type StepKind,
  type StepKindList,
  type UpdateWorkflowBody,
  type ValidationReport,
  type Workflow,
  type WorkflowActionList,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowList,
  type WorkflowNode,
  type WorkflowRun,
  type WorkflowSaved,
  type WorkflowTemplate,
  type WorkflowTrigger,
} from '@omni/contracts/workflows';
import { api } from '../../shared/api';

const id = (value: string) => encodeURIComponent(value);

export type StepKindInfo = StepKindList['items'][number];

/** Typed calls to /api/workflows (packages/contracts/src/workflows.ts). */
export const workflowsApi = {
  list: () => api.get<WorkflowList>('/api/workflows'),
  workflow: (workflowId: string) => api.get<Workflow>(`/api/workflows/${id(workflowId)}`),
  create: (body: CreateWorkflowBody) => api.post<WorkflowSaved>('/api/workflows', body),
  update: (workflowId: string, body: UpdateWorkflowBody) => api.patch<WorkflowSaved>(`/api/workflows/${id(workflowId)}`, body),
  remove: (workflowId: string) => api.delete(`/api/workflows/${id(workflowId)}`),
  validate: (workflowId: string, definition: WorkflowDefinition) => api.post<ValidationReport>(`/api/workflows/${id(workflowId)}/validate`, { definition }),
  startRun: (workflowId: string, body: StartWorkflowRunBody) => api.post<WorkflowRun>(`/api/workflows/${id(workflowId)}/runs`, body),
  rotateWebhookSecret: (workflowId: string) => api.post<WorkflowSaved>(`/api/workflows/${id(workflowId)}/webhook-secret`, {}),
  stepKinds: () => api.get<StepKindList>('/api/workflows/step-kinds'),
  actions: () => api.get<WorkflowActionList>('/api/workflows/actions'),
  templates: () => api.get<{ items: WorkflowTemplate[] }>('/api/workflows/templates'),
  installTemplate: (templateId: string) => api.post<WorkflowSaved>(`/api/workflows/templates/${id(templateId)}/install`, {}),
};

export { workflowsAccessOf } from './workflowsAccess';

// ---------- Graph editing (pure: the canvas and the side panel build on these) ----------

/** The port an edge without a handle leaves from. */
export const defaultPort = 'default';

/** A manual trigger and no steps: where "New workflow" starts. */
export function emptyDefinition(): WorkflowDefinition {
  return { trigger: { kind: 'manual' }, triggerPosition: { x: 40, y: 160 }, nodes: [], edges: [] };
}

/** A node id free in the definition, derived from the kind (condition, condition_2, …). */
export function uniqueNodeId(definition: WorkflowDefinition, kind: StepKind): string {
  const taken = new Set([triggerNodeId, ...definition.nodes.map((node) => node.id)]);
  if (!taken.has(kind)) return kind;
  for (let index = 2; ; index++) if (!taken.has(`${kind}_${index}`)) return `${kind}_${index}`;
}

/** Adds a step of the kind at the position (default: right of the right-most node); returns the definition and the new id. */
export function addStepNode(definition: WorkflowDefinition, kind: StepKind, position?: { x: number; y: number }): { definition: WorkflowDefinition; nodeId: string } {
  const nodeId = uniqueNodeId(definition, kind);
  const rightMost = definition.nodes.reduce((best, node) => (node.position.x > best.x ? node.position : best), definition.triggerPosition);
  const node: WorkflowNode = {
    id: nodeId,
    kind,
    label: '',
    config: {},
    retry: { maxAttempts: 3, backoffSeconds: 10 },
    position: position ?? { x: rightMost.x + 300, y: rightMost.y },
  };
  return { definition: { ...definition, nodes: [...definition.nodes, node] }, nodeId };
}

/** The stable id of the edge from a port to a target. */
export function edgeIdOf(source: string, sourceHandle: string | null, target: string): string {
  return `${source}_${sourceHandle ?? defaultPort}_${target}`.slice(0, 100);
}

/** Connects a port to a target once (no self loops, no duplicates). */
export function connectNodes(definition: WorkflowDefinition, source: string, sourceHandle: string | null, target: string): WorkflowDefinition {
  if (source === target || target === triggerNodeId) return definition;
  const handle = sourceHandle === defaultPort ? null : sourceHandle;
  const exists = definition.edges.some((edge) => edge.source === source && (edge.sourceHandle ?? defaultPort) === (handle ?? defaultPort) && edge.target === target);
  if (exists) return definition;
  const edge: WorkflowEdge = { id: edgeIdOf(source, handle, target), source, sourceHandle: handle, target };
  return { ...definition, edges: [...definition.edges, edge] };
}

/** Removes steps (never the trigger) and edges, with the edges that touched removed steps. */
export function removeElements(definition: WorkflowDefinition, nodeIds: string[], edgeIds: string[]): WorkflowDefinition {
  const nodes = new Set(nodeIds.filter((nodeId) => nodeId !== triggerNodeId));
  const edges = new Set(edgeIds);
  return {
    ...definition,
    nodes: definition.nodes.filter((node) => !nodes.has(node.id)),
    edges: definition.edges.filter((edge) => !edges.has(edge.id) && !nodes.has(edge.source) && !nodes.has(edge.target)),
  };
}

/** Renames a step and the edges around it; an invalid or taken id gives an error message key instead. */
export function renameNode(definition: WorkflowDefinition, from: string, to: string): { definition: WorkflowDefinition } | { error: 'pattern' | 'taken' } {
  if (from === to) return { definition };
  if (!nodeIdSchema.safeParse(to).success) return { error: 'pattern' };
  if (to === triggerNodeId || definition.nodes.some((node) => node.id === to)) return { error: 'taken' };
  return {
    definition: {
      ...definition,
      nodes: definition.nodes.map((node) => (node.id === from ? { ...node, id: to } : node)),
      edges: definition.edges.map((edge) => {
        const source = edge.source === from ? to : edge.source;
        const target = edge.target === from ? to : edge.target;
        return source === edge.source && target === edge.target ? edge : { ...edge, id: edgeIdOf(source, edge.sourceHandle, target), source, target };
      }),
    },
  };
}

/** Replaces one step (by id) with the result of the update. */
export function updateNode(definition: WorkflowDefinition, nodeId: string, update: (node: WorkflowNode) => WorkflowNode): WorkflowDefinition {
  return { ...definition, nodes: definition.nodes.map((node) => (node.id === nodeId ? update(node) : node)) };
}

/** Switching the trigger kind starts from that kind's defaults. */
export function triggerOfKind(kind: WorkflowTrigger['kind']): WorkflowTrigger {
  switch (kind) {
    case 'event':
      return { kind, eventType: 'content.post_published', filter: null };
    case 'schedule':
      return { kind, cron: '0 9 * * 1-5', timezone: 'UTC' };
    default:
      return { kind };
  }
}

/** Issues per node id ('trigger' for the trigger); issues of the whole workflow under ''. */
export function issuesByNode(issues: DefinitionIssue[]): Map<string, DefinitionIssue[]> {
  const map = new Map<string, DefinitionIssue[]>();
  for (const issue of issues) {
    const key = issue.nodeId ?? (issue.path.startsWith('trigger') ? triggerNodeId : '');
    map.set(key, [...(map.get(key) ?? []), issue]);
  }
  return map;
}

/** The problems of a test run's sample input: null when it is a JSON object. */
export function parseSampleInput(text: string): { input: Record<string, unknown> } | { error: 'json' | 'object' } {
  if (text.trim() === '') return { input: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'object' };
  return { input: value as Record<string, unknown> };
}

/** The field kinds the side panel renders from a JSON schema. */
export type FieldControl = 'text' | 'textarea' | 'number' | 'integer' | 'boolean' | 'enum' | 'string-list' | 'string-map' | 'object' | 'json';

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
};

const longTextName = /(text|body|template|message|prompt|expression|match|filter|condition|content|instructions)/i;

/** Unwraps `anyOf: [X, {type: 'null'}]` (nullable fields) to X. */
export function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const options = schema.anyOf ?? schema.oneOf;
  if (!options) {
    if (!Array.isArray(schema.type) || !schema.type.includes('null')) return { schema, nullable: false };
    const types = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  const rest = options.filter((option) => option.type !== 'null');
  if (rest.length === 1 && rest[0]) return { schema: { description: schema.description, ...rest[0] }, nullable: rest.length < options.length };
  return { schema, nullable: rest.length < options.length };
}

/** Which control a field gets: long texts by name, object-of-strings for input/headers, JSON for the rest. */
export function fieldControlOf(name: string, raw: JsonSchema): FieldControl {
  const { schema } = unwrapNullable(raw);
  const type = Array.isArray(schema.type) ? schema.type.find((entry) => entry !== 'null') : schema.type;
  if (schema.enum) return 'enum';
  switch (type) {
    case 'string':
      return longTextName.test(name) ? 'textarea' : 'text';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'array':
      return schema.items && (schema.items.type === 'string' || schema.items.enum) ? 'string-list' : 'json';
    case 'object': {
      if (name === 'input' || name === 'headers') return 'string-map';
      if (schema.properties) return 'object';
      const extra = schema.additionalProperties;
      if (typeof extra === 'object' && extra.type === 'string') return 'string-map';
      return 'json';
    }
    default:
      return 'json';
  }
}

/** The status badge tone of a workflow. */
export function workflowStatusTone(status: Workflow['status']): 'success' | 'warning' | 'neutral' {
  return status === 'active' ? 'success' : status === 'paused' ? 'warning' : 'neutral';
}

/** The tone of a run or step status (shared with the run pages). */
export function runStatusTone(status: string): 'success' | 'danger' | 'warning' | 'primary' | 'neutral' {
  switch (status) {
    case 'succeeded':
      return 'success';
    case 'failed':
      return 'danger';
    case 'waiting':
    case 'pending':
      return 'warning';
    case 'running':
      return 'primary';
    default:
      return 'neutral';
  }
}

/**
 * What the editor can check before the server has the workflow (a new one has no validate endpoint yet):
 * the contract's shape and each step's required settings. The server's check (on save, then on the fly)
 * is the full one: expressions, references, reachability, cycles.
 */
export function localIssues(definition: WorkflowDefinition, stepKinds: StepKindInfo[], requiredMessage: (field: string) => string): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const parsed = workflowDefinitionSchema.safeParse(definition);
  if (!parsed.success) {
    for (const problem of parsed.error.issues) {
      const [first, index] = problem.path;
      const nodeId = first === 'nodes' && typeof index === 'number' ? (definition.nodes[index]?.id ?? null) : first === 'trigger' ? triggerNodeId : null;
      issues.push({ nodeId, edgeId: null, path: problem.path.join('.'), message: problem.message });
    }
  }
  const kinds = new Map(stepKinds.map((info) => [info.kind, info]));
  definition.nodes.forEach((node, index) => {
    const schema = kinds.get(node.kind)?.configSchema as JsonSchema | undefined;
    for (const field of schema?.required ?? []) {
      const value = node.config[field];
      if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
        issues.push({ nodeId: node.id, edgeId: null, path: `nodes.${index}.config.${field}`, message: requiredMessage(field) });
      }
    }
  });
  return issues;
}
