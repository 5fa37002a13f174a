/**
 * The content use cases the HTTP routes call (one per route). Other modules use index.ts; WP5's planning
 * files call use-cases/posts.ts and use-cases/scheduling.ts directly.
 */
export { createPost, deletePost, duplicatePost, getPost, listPosts, updatePost, validatePost } from './use-cases/posts.js';
export { diffRevisions, getRevision, listRevisions, restoreRevision } from './use-cases/revisions.js';
export { createTemplate, deleteTemplate, duplicateTemplate, getTemplate, listTemplates, renderTemplateById, updateTemplate } from './use-cases/templates.js';
export { getContentSettings, updateContentSettings } from './use-cases/settings.js';
export { listConflicts, reschedulePost, schedulePost, submitPost, unschedulePost } from './use-cases/lifecycle.js';
