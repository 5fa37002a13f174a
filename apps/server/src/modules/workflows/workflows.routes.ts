import {
  createWorkflowBodySchema,
  startWorkflowRunBodySchema,
  stepKindListSchema,
  stepRunParamsSchema,
  updateWorkflowBodySchema,
  validateWorkflowBodySchema,
  validationReportSchema,
  workflowActionListSchema,
  workflowIdParamsSchema,
  workflowListSchema,
  workflowRunDetailSchema,
  workflowRunListQuerySchema,
  workflowRunListSchema,
  workflowRunParamsSchema,
  workflowSavedSchema,
  workflowSchema,
  workflowVersionListSchema,
  workflowVersionParamsSchema,
  workflowVersionSchema,
} from '@omni/contracts/workflows';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listActionCatalogue } from './workflows.actions.js';
import * as runs from './workflows.runs.js';
import * as service from './workflows.service.js';

const tags = ['workflows'];

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function workflowsRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/workflows', {
    schema: { tags, summary: 'The account’s workflows with their current definition, last run and validation', response: { 200: workflowListSchema } },
  }, async (request) => service.listWorkflows(request.ctx));

  r.post('/api/workflows', {
    schema: { tags, summary: 'Create a workflow (version 1); active only when its definition has no problems, else 422 — or save it paused', body: createWorkflowBodySchema, response: { 201: workflowSavedSchema } },
    config: { audit: 'workflows.create' },
  }, async (request, reply) => reply.status(201).send(await service.createWorkflow(request.ctx, request.body)));

  r.get('/api/workflows/step-kinds', {
    schema: { tags, summary: 'The step kinds available, with their ports and config as JSON schema', response: { 200: stepKindListSchema } },
  }, async (request) => service.listStepKindCatalogue(request.ctx));

  r.get('/api/workflows/actions', {
    schema: { tags, summary: 'The actions update_record steps can run, with their input as JSON schema', response: { 200: workflowActionListSchema } },
  }, async (request) => listActionCatalogue(request.ctx));

  r.get('/api/workflows/runs', {
    schema: { tags, summary: 'Runs of the account’s workflows, newest first', querystring: workflowRunListQuerySchema, response: { 200: workflowRunListSchema } },
  }, async (request) => runs.listRuns(request.ctx, request.query));

  r.get('/api/workflows/runs/:id', {
    schema: { tags, summary: 'One run: its pinned definition and every step with input, output, port, timing and error', params: workflowRunParamsSchema, response: { 200: workflowRunDetailSchema } },
  }, async (request) => runs.getRun(request.ctx, request.params.id));

  r.post('/api/workflows/runs/:id/cancel', {
    schema: { tags, summary: 'Cancel a running or waiting run (409 workflows.run_finished once it ended)', params: workflowRunParamsSchema, response: { 200: workflowRunDetailSchema } },
    config: { audit: 'workflows.run.cancel' },
  }, async (request) => runs.cancelRun(request.ctx, request.params.id));

  r.post('/api/workflows/runs/:id/steps/:stepRunId/retry', {
    schema: { tags, summary: 'Run a failed step again; the run goes back to running (409 workflows.step_not_failed otherwise)', params: stepRunParamsSchema, response: { 200: workflowRunDetailSchema } },
    config: { audit: 'workflows.step.retry' },
  }, async (request) => runs.retryStep(request.ctx, request.params.id, request.params.stepRunId));

  r.get('/api/workflows/:id', {
    schema: { tags, summary: 'One workflow with its current definition and validation', params: workflowIdParamsSchema, response: { 200: workflowSchema } },
  }, async (request) => service.getWorkflow(request.ctx, request.params.id));

  r.patch('/api/workflows/:id', {
    schema: {
      tags,
      summary: 'Edit a workflow; a new definition saves a new version (409 workflows.version_conflict on a stale expectedVersion); runs keep theirs',
      params: workflowIdParamsSchema,
      body: updateWorkflowBodySchema,
      response: { 200: workflowSavedSchema },
    },
    config: { audit: 'workflows.update' },
  }, async (request) => service.updateWorkflow(request.ctx, request.params.id, request.body));

  r.delete('/api/workflows/:id', {
    schema: { tags, summary: 'Delete a workflow with its versions and finished runs (409 workflows.runs_unfinished while runs go on)', params: workflowIdParamsSchema },
    config: { audit: 'workflows.delete' },
  }, async (request, reply) => {
    await service.deleteWorkflow(request.ctx, request.params.id);
    return reply.status(204).send();
  });

  r.get('/api/workflows/:id/versions', {
    schema: { tags, summary: 'The workflow’s versions, newest first', params: workflowIdParamsSchema, response: { 200: workflowVersionListSchema } },
  }, async (request) => service.listVersions(request.ctx, request.params.id));

  r.get('/api/workflows/:id/versions/:version', {
    schema: { tags, summary: 'One version’s definition', params: workflowVersionParamsSchema, response: { 200: workflowVersionSchema } },
  }, async (request) => service.getVersion(request.ctx, request.params.id, request.params.version));

  r.post('/api/workflows/:id/validate', {
    schema: { tags, summary: 'Check a draft definition (or, without one, the current version): issues located per step and connection', params: workflowIdParamsSchema, body: validateWorkflowBodySchema, response: { 200: validationReportSchema } },
    config: { audit: false },
  }, async (request) => service.validateWorkflow(request.ctx, request.params.id, request.body));

  r.post('/api/workflows/:id/runs', {
    schema: { tags, summary: 'Start a manual run (test: true runs side-effect steps dry, and works on paused drafts)', params: workflowIdParamsSchema, body: startWorkflowRunBodySchema, response: { 201: workflowRunDetailSchema } },
    config: { audit: 'workflows.run.start' },
  }, async (request, reply) => reply.status(201).send(await runs.startManualRun(request.ctx, request.params.id, request.body)));
}
