import type { WorkflowTemplateInput } from './catalogue.js';

/**
 * Marketing agency (docs/design/workflows.md §6): an article arrives from a feed or a blog's webhook → the
 * copywriter rewrites it for LinkedIn → an editor approves → the post is created and scheduled an hour
 * later on the account's LinkedIn connections.
 */
export const blogToSocial: WorkflowTemplateInput = {
  id: 'blog-to-social',
  industry: 'marketing_agency',
  name: 'Blog to social, with approval',
  description: 'Each new blog article becomes a LinkedIn post written by the copywriter, published an hour after an editor approves it.',
  workflowType: 'content_generation',
  definition: {
    trigger: { kind: 'event', eventType: 'feeds.article_received', filter: null },
    triggerPosition: { x: 0, y: 0 },
    nodes: [
      {
        id: 'copywriter',
        kind: 'ai_agent',
        label: 'Write the post',
        config: { agent: 'copywriter', input: { text: 'New on our blog: {{ trigger.payload.url }}', network: 'linkedin', tone: 'professional' } },
        position: { x: 0, y: 140 },
      },
      {
        id: 'review',
        kind: 'approval',
        label: 'Editor approves',
        config: { title: 'Publish this LinkedIn post?', body: '{{ steps.copywriter.output.output.text }}', role: 'editor' },
        position: { x: 0, y: 280 },
      },
      {
        id: 'publish',
        kind: 'create_post',
        label: 'Schedule the post',
        config: { text: '{{ steps.copywriter.output.output.text }}', network: 'linkedin', schedule: true, plannedAtExpression: '$fromMillis($millis() + 3600000)' },
        position: { x: 0, y: 420 },
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: null, target: 'copywriter' },
      { id: 'e2', source: 'copywriter', sourceHandle: null, target: 'review' },
      { id: 'e3', source: 'review', sourceHandle: 'approved', target: 'publish' },
    ],
  },
};
