import {
  triggerNodeId,
  type StepRun,
  type WorkflowRun,
  type WorkflowRunDetail,
  type WorkflowRunList,
  type WorkflowRunStatus,
} from '@omni/contracts/workflows';
import { api } from '../../shared/api';

export type RunListFilters = { workflowId?: string; status?: WorkflowRunStatus };

const id = (value: string) => encodeURIComponent(value);

/** Typed calls to the run half of /api/workflows (packages/contracts/src/workflows.ts). */
export const workflowRunsApi = {
  /** Newest first; `before` (a startedAt) pages back. */
  list: (filters: RunListFilters, page: { before?: string; limit?: number } = {}) =>
    api.get<WorkflowRunList>('/api/workflows/runs', { query: { ...filters, before: page.before, limit: page.limit ?? runPageSize } }),
  run: (runId: string) => api.get<WorkflowRunDetail>(`/api/workflows/runs/${id(runId)}`),
  cancel: (runId: string) => api.post<WorkflowRunDetail>(`/api/workflows/runs/${id(runId)}/cancel`),
  retryStep: (runId: string, stepRunId: string) => api.post<WorkflowRunDetail>(`/api/workflows/runs/${id(runId)}/steps/${id(stepRunId)}/retry`),
};

export const runPageSize = 50;
export const workflowRunStatuses: WorkflowRunStatus[] = ['running', 'waiting', 'succeeded', 'failed', 'cancelled'];

/** A run the engine still moves on: the inspector and the list poll it, and it can be cancelled. */
export function isRunOpen(status: WorkflowRunStatus): boolean {
  return status === 'running' || status === 'waiting';
}

/** How long the run took, or has been going (open runs count up to `now`); null when the clock is off. */
export function runDurationMs(run: Pick<WorkflowRun, 'startedAt' | 'finishedAt'>, now: number = Date.now()): number | null {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  const duration = end - Date.parse(run.startedAt);
  return Number.isFinite(duration) && duration >= 0 ? duration : null;
}

/** The `before` of the next page: the last run's start when the page came back full, else null (no more). */
export function nextPageBefore(items: Array<Pick<WorkflowRun, 'startedAt'>>, limit: number = runPageSize): string | null {
  return items.length >= limit && items.length > 0 ? items[items.length - 1]!.startedAt : null;
}

export type RunPath = { nodeIds: string[]; edgeIds: string[]; statusByNode: Record<string, string> };

/**
 * The path a run took, for the canvas: every node with a step run (coloured by its latest iteration's
 * status; the trigger counts as taken), and the edges from a node's taken port (null handle = default) to
 * a node that ran. A branch not taken keeps its nodes and edges plain.
 */
export function runPathOf(run: Pick<WorkflowRunDetail, 'definition' | 'steps'>): RunPath {
  const latest = new Map<string, StepRun>();
  const ports = new Map<string, Set<string>>([[triggerNodeId, new Set(['default'])]]);
  for (const step of run.steps) {
    const seen = latest.get(step.nodeId);
    if (!seen || step.iteration >= seen.iteration) latest.set(step.nodeId, step);
    if (step.port) ports.set(step.nodeId, (ports.get(step.nodeId) ?? new Set()).add(step.port));
  }
  const statusByNode: Record<string, string> = { [triggerNodeId]: 'succeeded' };
  for (const [nodeId, step] of latest) statusByNode[nodeId] = step.status;
  const edgeIds = run.definition.edges
    .filter((edge) => latest.has(edge.target) && (ports.get(edge.source)?.has(edge.sourceHandle ?? 'default') ?? false))
    .map((edge) => edge.id);
  return { nodeIds: [triggerNodeId, ...latest.keys()], edgeIds, statusByNode };
}

/** What a notify or send_email step said, as rendered for this run (its recorded input), for reading. */
export function renderedMessageOf(step: Pick<StepRun, 'kind' | 'input'>): { to: string | null; title: string; body: string } | null {
  if ((step.kind !== 'notify' && step.kind !== 'send_email') || typeof step.input !== 'object' || step.input === null) return null;
  const input = step.input as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const title = step.kind === 'notify' ? text(input.title) : text(input.subject);
  const to = Array.isArray(input.to) ? input.to.filter((address) => typeof address === 'string').join(', ') : null;
  if (!title && !text(input.body)) return null;
  return { to: step.kind === 'send_email' ? to : null, title, body: text(input.body) };
}

/** The steps the inspector lists for a node, in the run's order. */
export function stepRunsOfNode(steps: StepRun[], nodeId: string): StepRun[] {
  return steps.filter((step) => step.nodeId === nodeId);
}
