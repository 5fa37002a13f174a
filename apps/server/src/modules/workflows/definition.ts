import { triggerNodeId, workflowDefinitionSchema, type DefinitionIssue, type WorkflowDefinition, type WorkflowEdge } from '@omni/contracts/workflows';
import type { z } from 'zod';
import { analyseExpression, analyseTemplate, dataRoots, type DataReference } from './expressions.js';
import { findStepKind, type DefinitionChecker } from './steps/index.js';
import { checkTrigger } from './triggers/checks.js';

/**
 * Definitions (docs/design/workflows.md §3): the zod shape of the contract, then the graph's meaning. One
 * trigger (the node id "trigger", where edges start); every edge between existing nodes, from a port its
 * source declares; every step reachable from the trigger; no cycle unless it passes a delay or wait step;
 * each step's config valid for its kind, its expressions compiling and its templates parsing, and both
 * referring only to the run's data: trigger, workflow, run, and steps that run before this one.
 * Issues are located for the canvas: {nodeId, edgeId, path, message}.
 */

/** Kinds that wait: a loop must pass one of them (no busy loops). */
const waitingKinds = new Set(['delay', 'wait_until', 'wait_event']);
/** Triggers the engine starts runs from (triggers/*: event subscribers, the schedule job, the webhook receiver). */
const availableTriggers = new Set(['manual', 'event', 'schedule', 'webhook']);

export const defaultPort = 'default';

type Issue = DefinitionIssue;
const issueAt = (nodeId: string | null, path: string, message: string, edgeId: string | null = null): Issue => ({ nodeId, edgeId, path, message });

/** Check a definition as the editor sends it (anything): shape first, then meaning. */
export function validateDefinition(raw: unknown): { issues: Issue[]; definition: WorkflowDefinition | null } {
  const parsed = workflowDefinitionSchema.safeParse(raw);
  if (!parsed.success) return { issues: shapeIssues(raw, parsed.error), definition: null };
  return { issues: checkDefinition(parsed.data), definition: parsed.data };
}

/** Zod's issues, each with the node or edge it sits in (found by index in what was sent). */
function shapeIssues(raw: unknown, error: z.ZodError): Issue[] {
  const record = (raw ?? {}) as { nodes?: unknown; edges?: unknown };
  const idAt = (list: unknown, index: unknown): string | null => {
    if (!Array.isArray(list) || typeof index !== 'number') return null;
    const id = (list[index] as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? id : null;
  };
  return error.issues.map((issue) => {
    const [section, index] = issue.path;
    const path = issue.path.map(String).join('.') || '(definition)';
    return issueAt(section === 'nodes' ? idAt(record.nodes, index) : null, path, issue.message, section === 'edges' ? idAt(record.edges, index) : null);
  });
}

/** The meaning of a well-shaped definition; no issues means it can be saved active and run. */
export function checkDefinition(definition: WorkflowDefinition): Issue[] {
  const issues: Issue[] = [];
  if (!availableTriggers.has(definition.trigger.kind)) {
    issues.push(issueAt(null, 'trigger.kind', `The ${definition.trigger.kind} trigger is not available yet: use a manual trigger for now.`));
  }
  issues.push(...checkTrigger(definition.trigger));
  if (definition.nodes.length === 0) issues.push(issueAt(null, 'nodes', 'Add at least one step after the trigger.'));

  const nodeIndex = new Map<string, number>();
  definition.nodes.forEach((node, index) => {
    if (node.id === triggerNodeId) issues.push(issueAt(node.id, `nodes.${index}.id`, '"trigger" is the trigger’s id: name this step differently.'));
    else if (nodeIndex.has(node.id)) issues.push(issueAt(node.id, `nodes.${index}.id`, `Another step already has the id "${node.id}".`));
    else nodeIndex.set(node.id, index);
  });

  const references: Array<{ nodeId: string; path: string; reference: DataReference }> = [];
  definition.nodes.forEach((node, index) => {
    const base = `nodes.${index}`;
    const kind = findStepKind(node.kind);
    if (!kind) {
      issues.push(issueAt(node.id, `${base}.kind`, `The step kind ${node.kind} is not available yet.`));
      return;
    }
    const config = kind.config.safeParse(node.config);
    if (!config.success) {
      for (const problem of config.error.issues) issues.push(issueAt(node.id, [`${base}.config`, ...problem.path.map(String)].join('.'), problem.message));
      return;
    }
    const checker: DefinitionChecker = {
      trigger: definition.trigger,
      expression(path, source) {
        const result = analyseExpression(source);
        if (!result.ok) issues.push(issueAt(node.id, `${base}.config.${path}`, result.message));
        else for (const reference of result.references) references.push({ nodeId: node.id, path: `${base}.config.${path}`, reference });
      },
      template(path, source) {
        const result = analyseTemplate(source);
        if (!result.ok) issues.push(issueAt(node.id, `${base}.config.${path}`, result.message));
        else for (const reference of result.references) references.push({ nodeId: node.id, path: `${base}.config.${path}`, reference });
      },
      issue(path, message) {
        issues.push(issueAt(node.id, `${base}.config.${path}`, message));
      },
    };
    kind.check?.(config.data, checker);
  });

  const edgeIds = new Set<string>();
  const edgeKeys = new Set<string>();
  definition.edges.forEach((edge, index) => {
    const at = (field: string, message: string) => issues.push(issueAt(null, `edges.${index}.${field}`, message, edge.id));
    if (edgeIds.has(edge.id)) at('id', `Another connection already has the id "${edge.id}".`);
    edgeIds.add(edge.id);
    const port = edge.sourceHandle ?? defaultPort;
    if (edge.source === triggerNodeId) {
      if (port !== defaultPort) at('sourceHandle', `The trigger has no port "${port}".`);
    } else {
      const sourceIndex = nodeIndex.get(edge.source);
      const sourceKind = sourceIndex === undefined ? undefined : findStepKind(definition.nodes[sourceIndex]!.kind);
      if (sourceIndex === undefined) at('source', `There is no step "${edge.source}" to connect from.`);
      else if (sourceKind && !sourceKind.ports.includes(port)) {
        at('sourceHandle', port === defaultPort ? `Connect from one of the ports ${sourceKind.ports.join(', ')}.` : `A ${sourceKind.kind} step has no port "${port}" (it has ${sourceKind.ports.join(', ')}).`);
      }
    }
    if (edge.target === triggerNodeId) at('target', 'Nothing can lead into the trigger.');
    else if (!nodeIndex.has(edge.target)) at('target', `There is no step "${edge.target}" to connect to.`);
    const key = `${edge.source}\u0000${port}\u0000${edge.target}`;
    if (edgeKeys.has(key)) at('target', 'These two steps are already connected from this port.');
    edgeKeys.add(key);
  });

  const graph = buildGraph(definition);
  const reachable = reach(graph, [triggerNodeId]);
  for (const [nodeId, index] of nodeIndex) {
    if (!reachable.has(nodeId)) issues.push(issueAt(nodeId, `nodes.${index}`, 'This step is not connected to the trigger: nothing leads to it.'));
  }
  for (const nodeId of nodesInBusyLoops(definition, graph)) {
    issues.push(issueAt(nodeId, `nodes.${nodeIndex.get(nodeId)}`, 'This step is in a loop without a delay or wait step: add one to the loop.'));
  }
  issues.push(...referenceIssues(graph, nodeIndex, references));
  return issues;
}

type Graph = Map<string, string[]>;

/** Successor lists over the edges that connect existing nodes (the trigger included). */
function buildGraph(definition: WorkflowDefinition): Graph {
  const graph: Graph = new Map([[triggerNodeId, []]]);
  for (const node of definition.nodes) if (!graph.has(node.id)) graph.set(node.id, []);
  for (const edge of definition.edges) {
    if (graph.has(edge.source) && graph.has(edge.target) && edge.target !== triggerNodeId) graph.get(edge.source)!.push(edge.target);
  }
  return graph;
}

function reach(graph: Graph, from: string[]): Set<string> {
  const seen = new Set<string>(from);
  const queue = [...from];
  while (queue.length > 0) {
    for (const next of graph.get(queue.shift()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** Steps on a cycle that passes no waiting step: the cycles of the graph with the waiting steps taken out. */
function nodesInBusyLoops(definition: WorkflowDefinition, graph: Graph): string[] {
  const waiting = new Set(definition.nodes.filter((node) => waitingKinds.has(node.kind)).map((node) => node.id));
  const busy: string[] = [];
  for (const nodeId of graph.keys()) {
    if (nodeId === triggerNodeId || waiting.has(nodeId)) continue;
    // nodeId is on a busy cycle when it reaches itself without passing a waiting step.
    const seen = new Set<string>();
    const queue = (graph.get(nodeId) ?? []).filter((next) => !waiting.has(next));
    let onCycle = false;
    while (queue.length > 0 && !onCycle) {
      const current = queue.shift()!;
      if (current === nodeId) onCycle = true;
      else if (!seen.has(current)) {
        seen.add(current);
        queue.push(...(graph.get(current) ?? []).filter((next) => !waiting.has(next)));
      }
    }
    if (onCycle) busy.push(nodeId);
  }
  return busy;
}

/** Data references: a known root, and under steps a step that runs before this one. */
function referenceIssues(graph: Graph, nodeIndex: Map<string, number>, references: Array<{ nodeId: string; path: string; reference: DataReference }>): Issue[] {
  const issues: Issue[] = [];
  const upstreamCache = new Map<string, Set<string>>();
  const upstreamOf = (nodeId: string) => {
    let upstream = upstreamCache.get(nodeId);
    if (!upstream) {
      upstream = new Set([...graph.keys()].filter((candidate) => candidate !== triggerNodeId && reach(graph, graph.get(candidate) ?? []).has(nodeId)));
      upstreamCache.set(nodeId, upstream);
    }
    return upstream;
  };
  const reported = new Set<string>();
  for (const { nodeId, path, reference } of references) {
    let message: string | null = null;
    if (!(dataRoots as readonly string[]).includes(reference.root)) message = `Unknown name "${reference.root}": the data starts with ${dataRoots.join(', ')}.`;
    else if (reference.stepId !== null && !nodeIndex.has(reference.stepId)) message = `There is no step "${reference.stepId}".`;
    else if (reference.stepId !== null && !upstreamOf(nodeId).has(reference.stepId)) message = `Step "${reference.stepId}" does not run before this step.`;
    const key = `${path}\u0000${message}`;
    if (message && !reported.has(key)) {
      reported.add(key);
      issues.push(issueAt(nodeId, path, message));
    }
  }
  return issues;
}

const backEdgeCache = new WeakMap<WorkflowDefinition, Set<WorkflowEdge>>();

/**
 * The edges that close a loop (an edge into a step on the current depth-first path from the trigger, in
 * definition order): crossing one starts the target's next iteration. Deterministic for a definition, so a
 * successor's (node, iteration) is the same however often its predecessor's finish is replayed.
 */
function backEdgesOf(definition: WorkflowDefinition): Set<WorkflowEdge> {
  const cached = backEdgeCache.get(definition);
  if (cached) return cached;
  const outgoing = new Map<string, WorkflowEdge[]>();
  for (const edge of definition.edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  const backEdges = new Set<WorkflowEdge>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (nodeId: string) => {
    state.set(nodeId, 'open');
    for (const edge of outgoing.get(nodeId) ?? []) {
      const target = state.get(edge.target);
      if (target === 'open') backEdges.add(edge);
      else if (target === undefined) visit(edge.target);
    }
    state.set(nodeId, 'done');
  };
  visit(triggerNodeId);
  backEdgeCache.set(definition, backEdges);
  return backEdges;
}

/** The steps to start when `nodeId` (the trigger, or a step of that iteration) leaves through `port`. */
export function successorsOf(definition: WorkflowDefinition, nodeId: string, port: string, iteration: number): Array<{ nodeId: string; kind: string; iteration: number }> {
  const backEdges = backEdgesOf(definition);
  const successors: Array<{ nodeId: string; kind: string; iteration: number }> = [];
  for (const edge of definition.edges) {
    if (edge.source !== nodeId || (edge.sourceHandle ?? defaultPort) !== port) continue;
    const target = definition.nodes.find((node) => node.id === edge.target);
    if (!target) continue;
    successors.push({ nodeId: target.id, kind: target.kind, iteration: iteration + (backEdges.has(edge) ? 1 : 0) });
  }
  return successors;
}

/** Whether the node has an edge from this port (an `error` edge makes a failure handled). */
export function hasEdgeFrom(definition: WorkflowDefinition, nodeId: string, port: string): boolean {
  return definition.edges.some((edge) => edge.source === nodeId && (edge.sourceHandle ?? defaultPort) === port);
}
