import type { EventBus } from '../../kernel/events/events.js';
import { subscribeAiAgentSteps } from './steps/ai-agent.js';
import { subscribeApprovalSteps } from './steps/approval.js';
import { subscribeEventWaits } from './steps/wait-event.js';

/**
 * The signals parked steps wait for (subscribers only enqueue the job workflows.signal): approval decisions
 * on workflow_step requests, AI runs a step queued (decided, or failed), and every triggerable event type
 * for wait_event steps.
 */
export function subscribeWaits(bus: EventBus): void {
  subscribeApprovalSteps(bus);
  subscribeAiAgentSteps(bus);
  subscribeEventWaits(bus);
}
