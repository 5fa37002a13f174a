import type { WorkflowTemplateInput } from './catalogue.js';

/**
 * Modeling and talent (docs/design/workflows.md §6, seed 004): an application posted to the webhook → the
 * moderator screens its text → a person reviews it (the moderation policy escalates to an admin) → when the
 * text passed screening, the applicant gets the "trial activated" email and the team a notification.
 */
export const talentApplication: WorkflowTemplateInput = {
  id: 'talent-application',
  industry: 'talent',
  name: 'Talent application review',
  description: 'Screens each application your site posts to the webhook, asks a person to review it, then welcomes the applicant and tells the team.',
  workflowType: 'moderation',
  definition: {
    trigger: { kind: 'webhook' },
    triggerPosition: { x: 0, y: 0 },
    nodes: [
      { id: 'screen', kind: 'ai_agent', label: 'Screen the text', config: { agent: 'moderator', input: { text: '{{ trigger.payload.message }}' } }, position: { x: 0, y: 140 } },
      {
        id: 'review',
        kind: 'approval',
        label: 'Review the application',
        config: { title: 'Application from {{ trigger.payload.name }}', body: '{{ trigger.payload.message }}', role: 'editor' },
        position: { x: 0, y: 280 },
      },
      { id: 'passed', kind: 'condition', label: 'Passed screening?', config: { expression: 'steps.screen.output.output.allowed = true' }, position: { x: 0, y: 420 } },
      {
        id: 'welcome',
        kind: 'send_email',
        label: 'Trial activated email',
        config: { to: '{{ trigger.payload.email }}', subject: 'Your trial is active', body: 'Hello {{ trigger.payload.name }},\n\nwelcome aboard: your trial is now active.\n\nBest regards' },
        position: { x: -200, y: 560 },
      },
      {
        id: 'tell_team',
        kind: 'notify',
        label: 'Tell the team',
        config: { to: 'role', role: 'editor', title: 'New talent accepted: {{ trigger.payload.name }}', body: '' },
        position: { x: 200, y: 560 },
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: null, target: 'screen' },
      { id: 'e2', source: 'screen', sourceHandle: null, target: 'review' },
      { id: 'e3', source: 'review', sourceHandle: 'approved', target: 'passed' },
      { id: 'e4', source: 'passed', sourceHandle: 'true', target: 'welcome' },
      { id: 'e5', source: 'passed', sourceHandle: 'true', target: 'tell_team' },
    ],
  },
};
