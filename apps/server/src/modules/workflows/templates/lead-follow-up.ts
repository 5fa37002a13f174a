import type { WorkflowTemplateInput } from './catalogue.js';

/**
 * Every industry (docs/design/workflows.md §6): a lead posted to the webhook (until the CRM emits
 * crm.lead_created) → the lead scorer → a score of 70 or more tells sales at once; below, two days later
 * the lead gets a follow-up email.
 */
export const leadFollowUp: WorkflowTemplateInput = {
  id: 'lead-follow-up',
  industry: 'all',
  name: 'Lead follow-up',
  description: 'Scores each lead your forms post to the webhook: hot leads go straight to sales, the others get a follow-up email two days later.',
  workflowType: 'lead_processing',
  definition: {
    trigger: { kind: 'webhook' },
    triggerPosition: { x: 0, y: 0 },
    nodes: [
      {
        id: 'score',
        kind: 'ai_agent',
        label: 'Score the lead',
        config: {
          agent: 'lead-scorer',
          // Strings are Liquid over the run's data; optional fields only when the sender sent them.
          input: {
            lead: {
              email: '{{ trigger.payload.email }}',
              company: '{% if trigger.payload.company %}{{ trigger.payload.company }}{% endif %}',
              jobTitle: '{% if trigger.payload.jobTitle %}{{ trigger.payload.jobTitle }}{% endif %}',
              source: 'webhook',
            },
            activities: [],
            asOf: '{{ "now" | date: "%Y-%m-%dT%H:%M:%SZ" }}',
          },
        },
        position: { x: 0, y: 140 },
      },
      { id: 'is_hot', kind: 'condition', label: 'Score 70 or more?', config: { expression: 'steps.score.output.output.score >= 70' }, position: { x: 0, y: 280 } },
      {
        id: 'tell_sales',
        kind: 'notify',
        label: 'Tell sales',
        config: { to: 'role', role: 'editor', title: 'Hot lead: {{ trigger.payload.email }}', body: 'Scored {{ steps.score.output.output.score }}/100 — get in touch today.' },
        position: { x: -200, y: 420 },
      },
      { id: 'wait', kind: 'delay', label: 'Wait two days', config: { amount: 2, unit: 'days' }, position: { x: 200, y: 420 } },
      {
        id: 'follow_up',
        kind: 'send_email',
        label: 'Follow-up email',
        config: { to: '{{ trigger.payload.email }}', subject: 'Thanks for your interest', body: 'Hello,\n\nthank you for getting in touch. Reply to this email whenever you would like to talk.\n\nBest regards' },
        position: { x: 200, y: 560 },
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: null, target: 'score' },
      { id: 'e2', source: 'score', sourceHandle: null, target: 'is_hot' },
      { id: 'e3', source: 'is_hot', sourceHandle: 'true', target: 'tell_sales' },
      { id: 'e4', source: 'is_hot', sourceHandle: 'false', target: 'wait' },
      { id: 'e5', source: 'wait', sourceHandle: null, target: 'follow_up' },
    ],
  },
};
