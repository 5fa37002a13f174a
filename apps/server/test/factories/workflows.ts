import type { WorkflowDefinitionInput, WorkflowRunDetail, WorkflowSaved } from '@omni/contracts/workflows';
import { expect } from 'vitest';
import { request, uniqueSuffix, type TestApp } from '../harness.js';

/** Helpers for workflow tests: definitions, workflows and runs made through the API. */

type NodeInput = WorkflowDefinitionInput['nodes'][number];

/** A manual-trigger definition; edges as [source, target] or [source, port, target]. */
export function manualDefinition(nodes: NodeInput[], edges: Array<[string, string] | [string, string, string]>): WorkflowDefinitionInput {
  return {
    trigger: { kind: 'manual' },
    nodes,
    edges: edges.map((edge, index) =>
      edge.length === 2 ? { id: `e${index}`, source: edge[0], sourceHandle: null, target: edge[1] } : { id: `e${index}`, source: edge[0], sourceHandle: edge[1], target: edge[2] },
    ),
  };
}

export async function createWorkflow(t: TestApp, token: string, definition: WorkflowDefinitionInput, options: { active?: boolean; name?: string } = {}): Promise<WorkflowSaved> {
  const response = await request(t.app, { method: 'POST', url: '/api/workflows', token, payload: { name: options.name ?? `Workflow ${uniqueSuffix()}`, definition, active: options.active ?? true } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<WorkflowSaved>();
}

export async function startRun(t: TestApp, token: string, workflowId: string, body: { input?: Record<string, unknown>; test?: boolean } = {}): Promise<WorkflowRunDetail> {
  const response = await request(t.app, { method: 'POST', url: `/api/workflows/${workflowId}/runs`, token, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<WorkflowRunDetail>();
}

export async function getRun(t: TestApp, token: string, runId: string): Promise<WorkflowRunDetail> {
  const response = await request(t.app, { url: `/api/workflows/runs/${runId}`, token });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<WorkflowRunDetail>();
}

/** The step of a node (its latest iteration), or undefined when it never ran. */
export function stepOf(run: WorkflowRunDetail, nodeId: string) {
  return run.steps.filter((step) => step.nodeId === nodeId).sort((left, right) => right.iteration - left.iteration)[0];
}

/** The pending job with this key: its run_at (null when there is none). */
export async function jobRunAt(t: TestApp, key: string): Promise<Date | null> {
  const { rows } = await t.owner.query<{ run_at: Date }>('SELECT run_at FROM graphile_worker._private_jobs WHERE key = $1', [key]);
  return rows[0]?.run_at ?? null;
}

/** Bring the job with this key forward to now (time passing, for a job waiting for its moment) and drain. */
export async function runJobNow(t: TestApp, key: string): Promise<void> {
  const moved = await t.owner.query('UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1', [key]);
  expect(moved.rowCount, `a pending job ${key}`).toBe(1);
  await t.drainJobs();
}
