import {
  conflictListSchema,
  conflictsQuerySchema,
  reschedulePostBodySchema,
  schedulePostBodySchema,
  unschedulePostBodySchema,
  contentSettingsSchema,
  contentTemplateSchema,
  createPostBodySchema,
  createTemplateBodySchema,
  postIdParamsSchema,
  postListQuerySchema,
  postListSchema,
  postSaveResultSchema,
  postSchema,
  renderedTemplateSchema,
  renderTemplateBodySchema,
  restoreRevisionBodySchema,
  revisionDiffQuerySchema,
  revisionDiffSchema,
  revisionListSchema,
  revisionParamsSchema,
  revisionSchema,
  templateIdParamsSchema,
  templateListQuerySchema,
  templateListSchema,
  updateContentSettingsBodySchema,
  updatePostBodySchema,
  updateTemplateBodySchema,
  validationResultSchema,
} from '@omni/contracts/content';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as service from './content.service.js';

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function contentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];

  r.get('/api/content/posts', {
    schema: { tags, summary: "The active account's posts, last changed first", querystring: postListQuerySchema, response: { 200: postListSchema } },
  }, async (request) => service.listPosts(request.ctx, request.query));

  r.post('/api/content/posts', {
    schema: { tags, summary: 'Create a draft post (revision 1); it may have validation issues', body: createPostBodySchema, response: { 201: postSchema } },
    config: { audit: 'content.post_created' },
  }, async (request, reply) => reply.status(201).send(await service.createPost(request.ctx, request.body)));

  r.get('/api/content/posts/:id', {
    schema: { tags, summary: 'A post with its variants, destinations and validation issues', params: postIdParamsSchema, response: { 200: postSchema } },
  }, async (request) => service.getPost(request.ctx, request.params.id));

  r.patch('/api/content/posts/:id', {
    schema: { tags, summary: 'Save a new revision of a post (expectedRevision: 409 when stale)', params: postIdParamsSchema, body: updatePostBodySchema, response: { 200: postSaveResultSchema } },
    config: { audit: 'content.post_updated' },
  }, async (request) => service.updatePost(request.ctx, request.params.id, request.body));

  r.delete('/api/content/posts/:id', {
    schema: { tags, summary: 'Delete a post that was never scheduled or published', params: postIdParamsSchema },
    config: { audit: 'content.post_deleted' },
  }, async (request, reply) => {
    await service.deletePost(request.ctx, request.params.id);
    return reply.status(204).send();
  });

  r.post('/api/content/posts/:id/validate', {
    schema: { tags, summary: "Check every variant against its network's rules", params: postIdParamsSchema, response: { 200: validationResultSchema } },
  }, async (request) => service.validatePost(request.ctx, request.params.id));

  r.post('/api/content/posts/:id/duplicate', {
    schema: { tags, summary: 'Copy a post into a new draft (no planned time)', params: postIdParamsSchema, response: { 201: postSchema } },
    config: { audit: 'content.post_duplicated' },
  }, async (request, reply) => reply.status(201).send(await service.duplicatePost(request.ctx, request.params.id)));

  r.post('/api/content/posts/:id/submit', {
    schema: { tags, summary: 'Submit the current revision for review (422 with the issues of each variant when invalid)', params: postIdParamsSchema, response: { 200: postSchema } },
    config: { audit: 'content.post_submitted' },
  }, async (request) => service.submitPost(request.ctx, request.params.id));

  r.post('/api/content/posts/:id/schedule', {
    schema: { tags, summary: 'Schedule a post (editors; 409 content.schedule_conflict until acknowledged)', params: postIdParamsSchema, body: schedulePostBodySchema.nullish(), response: { 200: postSchema } },
    config: { audit: 'content.post_scheduled' },
  }, async (request) => service.schedulePost(request.ctx, request.params.id, schedulePostBodySchema.parse(request.body ?? {})));

  r.post('/api/content/posts/:id/reschedule', {
    schema: { tags, summary: 'Move a scheduled occurrence (no new revision: approval stays valid)', params: postIdParamsSchema, body: reschedulePostBodySchema, response: { 200: postSchema } },
    config: { audit: 'content.post_rescheduled' },
  }, async (request) => service.reschedulePost(request.ctx, request.params.id, request.body));

  r.post('/api/content/posts/:id/unschedule', {
    schema: { tags, summary: 'Cancel what has not been published yet', params: postIdParamsSchema, body: unschedulePostBodySchema.nullish(), response: { 200: postSchema } },
    config: { audit: 'content.post_unscheduled' },
  }, async (request) => service.unschedulePost(request.ctx, request.params.id, unschedulePostBodySchema.parse(request.body ?? {})));

  r.get('/api/content/conflicts', {
    schema: { tags, summary: 'What a post on a connection at a time would conflict with (gap, daily cap, network window)', querystring: conflictsQuerySchema, response: { 200: conflictListSchema } },
  }, async (request) => service.listConflicts(request.ctx, request.query));

  r.get('/api/content/posts/:id/revisions', {
    schema: { tags, summary: "A post's revisions, newest first", params: postIdParamsSchema, response: { 200: revisionListSchema } },
  }, async (request) => service.listRevisions(request.ctx, request.params.id));

  r.get('/api/content/posts/:id/revisions/:number', {
    schema: { tags, summary: 'One revision with its snapshot', params: revisionParamsSchema, response: { 200: revisionSchema } },
  }, async (request) => service.getRevision(request.ctx, request.params.id, request.params.number));

  r.get('/api/content/posts/:id/revisions/:number/diff', {
    schema: { tags, summary: 'What changed from revision `against` (default: the previous one) to this one', params: revisionParamsSchema, querystring: revisionDiffQuerySchema, response: { 200: revisionDiffSchema } },
  }, async (request) => service.diffRevisions(request.ctx, request.params.id, request.params.number, request.query.against));

  r.post('/api/content/posts/:id/revisions/:number/restore', {
    schema: { tags, summary: 'Restore a revision as a new revision', params: revisionParamsSchema, body: restoreRevisionBodySchema, response: { 200: postSaveResultSchema } },
    config: { audit: 'content.post_restored' },
  }, async (request) => service.restoreRevision(request.ctx, request.params.id, request.params.number, request.body.expectedRevision));

  r.get('/api/content/templates', {
    schema: { tags, summary: "Templates of the active account and the tenant's shared ones", querystring: templateListQuerySchema, response: { 200: templateListSchema } },
  }, async (request) => service.listTemplates(request.ctx, request.query));

  r.post('/api/content/templates', {
    schema: { tags, summary: 'Create a template (variables strict: bodies use only declared ones)', body: createTemplateBodySchema, response: { 201: contentTemplateSchema } },
    config: { audit: 'content.template_created' },
  }, async (request, reply) => reply.status(201).send(await service.createTemplate(request.ctx, request.body)));

  r.get('/api/content/templates/:id', {
    schema: { tags, summary: 'A template', params: templateIdParamsSchema, response: { 200: contentTemplateSchema } },
  }, async (request) => service.getTemplate(request.ctx, request.params.id));

  r.patch('/api/content/templates/:id', {
    schema: { tags, summary: 'Change or archive a template', params: templateIdParamsSchema, body: updateTemplateBodySchema, response: { 200: contentTemplateSchema } },
    config: { audit: 'content.template_updated' },
  }, async (request) => service.updateTemplate(request.ctx, request.params.id, request.body));

  r.delete('/api/content/templates/:id', {
    schema: { tags, summary: 'Delete a template (posts made from it keep their content)', params: templateIdParamsSchema },
    config: { audit: 'content.template_deleted' },
  }, async (request, reply) => {
    await service.deleteTemplate(request.ctx, request.params.id);
    return reply.status(204).send();
  });

  r.post('/api/content/templates/:id/duplicate', {
    schema: { tags, summary: 'Copy a template into the active account', params: templateIdParamsSchema, response: { 201: contentTemplateSchema } },
    config: { audit: 'content.template_duplicated' },
  }, async (request, reply) => reply.status(201).send(await service.duplicateTemplate(request.ctx, request.params.id)));

  r.post('/api/content/templates/:id/render', {
    schema: { tags, summary: 'Render a template with values (preview, or a new post)', params: templateIdParamsSchema, body: renderTemplateBodySchema, response: { 200: renderedTemplateSchema } },
  }, async (request) => service.renderTemplateById(request.ctx, request.params.id, request.body.values));

  r.get('/api/content/settings', {
    schema: { tags, summary: "The active account's content settings", response: { 200: contentSettingsSchema } },
  }, async (request) => service.getContentSettings(request.ctx));

  r.put('/api/content/settings', {
    schema: { tags, summary: "Replace the active account's content settings (account admins)", body: updateContentSettingsBodySchema, response: { 200: contentSettingsSchema } },
    config: { audit: 'content.settings_updated' },
  }, async (request) => service.updateContentSettings(request.ctx, request.body));
}
