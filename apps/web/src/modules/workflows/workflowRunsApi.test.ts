import type { StepRun, WorkflowDefinition } from '@omni/contracts/workflows';
import { workflowRunDetailSchema } from '@omni/contracts/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRunOpen, nextPageBefore, renderedMessageOf, runDurationMs, runPathOf, stepRunsOfNode, workflowRunsApi } from './workflowRunsApi';

const node = (id: string, kind: WorkflowDefinition['nodes'][number]['kind']) => ({ id, kind, label: '', config: {}, retry: { maxAttempts: 3, backoffSeconds: 10 }, position: { x: 0, y: 0 } });
const definition: WorkflowDefinition = {
  trigger: { kind: 'manual' },
  triggerPosition: { x: 0, y: 0 },
  nodes: [node('ask', 'approval'), node('yes', 'notify'), node('no', 'notify'), node('done', 'notify')],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: null, target: 'ask' },
    { id: 'e2', source: 'ask', sourceHandle: 'approved', target: 'yes' },
    { id: 'e3', source: 'ask', sourceHandle: 'rejected', target: 'no' },
    { id: 'e4', source: 'yes', sourceHandle: null, target: 'done' },
    { id: 'e5', source: 'no', sourceHandle: null, target: 'done' },
  ],
};
let counter = 0;
const step = (nodeId: string, status: StepRun['status'], port: string | null, extra: Partial<StepRun> = {}): StepRun => ({
  id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
  nodeId,
  kind: 'notify',
  iteration: 0,
  status,
  attempt: 1,
  input: null,
  output: null,
  port,
  error: null,
  wait: null,
  nextAttemptAt: null,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...extra,
});

describe('workflow run helpers', () => {
  it('treats running and waiting runs as open, the rest as finished', () => {
    expect(['running', 'waiting', 'succeeded', 'failed', 'cancelled'].filter((status) => isRunOpen(status as never))).toEqual(['running', 'waiting']);
  });

  it('measures finished runs start to end and open ones up to now', () => {
    expect(runDurationMs({ startedAt: '2030-01-01T10:00:00.000Z', finishedAt: '2030-01-01T10:01:30.500Z' })).toBe(90_500);
    expect(runDurationMs({ startedAt: '2030-01-01T10:00:00.000Z', finishedAt: null }, Date.parse('2030-01-01T10:00:02.000Z'))).toBe(2000);
    expect(runDurationMs({ startedAt: 'nonsense', finishedAt: null })).toBeNull();
  });

  it('pages back from the last run of a full page and stops on a short one', () => {
    const runs = [{ startedAt: '2030-01-02T00:00:00.000Z' }, { startedAt: '2030-01-01T00:00:00.000Z' }];
    expect(nextPageBefore(runs, 2)).toBe('2030-01-01T00:00:00.000Z');
    expect(nextPageBefore(runs, 3)).toBeNull();
    expect(nextPageBefore([], 0)).toBeNull();
  });

  it('highlights the approved branch: the nodes that ran with their status and the edges from the ports taken', () => {
    const steps = [step('ask', 'succeeded', 'approved', { kind: 'approval' }), step('yes', 'succeeded', 'default'), step('done', 'running', null)];
    const path = runPathOf({ definition, steps });
    expect(path.nodeIds).toEqual(['trigger', 'ask', 'yes', 'done']);
    expect(path.edgeIds).toEqual(['e1', 'e2', 'e4']);
    expect(path.statusByNode).toEqual({ trigger: 'succeeded', ask: 'succeeded', yes: 'succeeded', done: 'running' });
    // A step still waiting has taken no port: nothing after it is highlighted.
    const waiting = runPathOf({ definition, steps: [step('ask', 'waiting', null, { kind: 'approval' })] });
    expect(waiting).toEqual({ nodeIds: ['trigger', 'ask'], edgeIds: ['e1'], statusByNode: { trigger: 'succeeded', ask: 'waiting' } });
  });

  it('colours a looped node by its latest iteration and keeps every port it took', () => {
    const steps = [step('ask', 'succeeded', 'rejected', { iteration: 0 }), step('no', 'succeeded', 'default'), step('ask', 'failed', null, { iteration: 1 })];
    const path = runPathOf({ definition, steps });
    expect(path.statusByNode.ask).toBe('failed');
    expect(path.edgeIds).toEqual(['e1', 'e3']);
    expect(stepRunsOfNode(steps, 'ask').map((s) => s.iteration)).toEqual([0, 1]);
  });

  it('reads the rendered text of notify and send_email steps, and nothing of other kinds', () => {
    expect(renderedMessageOf({ kind: 'notify', input: { to: 'role', role: 'editor', title: 'Approved: Spring', body: 'Go ahead' } })).toEqual({ to: null, title: 'Approved: Spring', body: 'Go ahead' });
    expect(renderedMessageOf({ kind: 'send_email', input: { to: ['a@example.com', 'b@example.com'], subject: 'Hi', body: 'Line 1\nLine 2' } })).toEqual({
      to: 'a@example.com, b@example.com',
      title: 'Hi',
      body: 'Line 1\nLine 2',
    });
    expect(renderedMessageOf({ kind: 'notify', input: null })).toBeNull();
    expect(renderedMessageOf({ kind: 'http_request', input: { body: 'x' } })).toBeNull();
  });
});

describe('workflow run calls', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists with filters and a page cursor, reads, cancels and retries with ids URL-encoded', async () => {
    const calls: Array<{ method: string; url: string }> = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        calls.push({ method: init?.method ?? 'GET', url: String(input) });
        return new Response(JSON.stringify({ items: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    await workflowRunsApi.list({ workflowId: 'w1', status: 'failed' }, { before: '2030-01-01T00:00:00.000Z' });
    await workflowRunsApi.list({});
    await workflowRunsApi.run('r/1');
    await workflowRunsApi.cancel('r1');
    await workflowRunsApi.retryStep('r1', 's?1');
    expect(calls).toEqual([
      { method: 'GET', url: '/api/workflows/runs?workflowId=w1&status=failed&before=2030-01-01T00%3A00%3A00.000Z&limit=50' },
      { method: 'GET', url: '/api/workflows/runs?limit=50' },
      { method: 'GET', url: '/api/workflows/runs/r%2F1' },
      { method: 'POST', url: '/api/workflows/runs/r1/cancel' },
      { method: 'POST', url: '/api/workflows/runs/r1/steps/s%3F1/retry' },
    ]);
  });

  it('builds fixtures the contract accepts (the helpers read the real shape)', () => {
    const detail = {
      id: '00000000-0000-4000-8000-000000000001',
      workflowId: '00000000-0000-4000-8000-000000000002',
      workflowName: 'W',
      version: 1,
      status: 'running',
      test: false,
      trigger: { kind: 'manual', payload: {} },
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: null,
      error: null,
      startedBy: null,
      definition,
      steps: [step('ask', 'waiting', null, { kind: 'approval' })],
    };
    expect(workflowRunDetailSchema.safeParse(detail).success).toBe(true);
  });
});
