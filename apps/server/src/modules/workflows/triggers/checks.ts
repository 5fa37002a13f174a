import type { DefinitionIssue, WorkflowTrigger } from '@omni/contracts/workflows';
import { analyseExpression } from '../expressions.js';
import { cronProblem, timezoneProblem } from './schedule.js';

/**
 * A trigger's own checks, beside the graph's (definition.ts): an event filter compiles and refers only to
 * `event` (the payload); a schedule's cron has five valid fields and its time zone exists.
 */

/** The name an event filter sees the payload under. */
export const filterRoot = 'event';

export function checkTrigger(trigger: WorkflowTrigger): DefinitionIssue[] {
  const issue = (path: string, message: string): DefinitionIssue => ({ nodeId: null, edgeId: null, path: `trigger.${path}`, message });
  if (trigger.kind === 'event' && trigger.filter !== null) {
    const result = analyseExpression(trigger.filter);
    if (!result.ok) return [issue('filter', result.message)];
    const unknown = result.references.find((reference) => reference.root !== filterRoot);
    return unknown ? [issue('filter', `Unknown name "${unknown.root}": a filter sees the event's data as ${filterRoot}, e.g. ${filterRoot}.sourceType = "webhook".`)] : [];
  }
  if (trigger.kind === 'schedule') {
    const issues: DefinitionIssue[] = [];
    const cron = cronProblem(trigger.cron);
    if (cron) issues.push(issue('cron', cron));
    const timezone = timezoneProblem(trigger.timezone);
    if (timezone) issues.push(issue('timezone', timezone));
    return issues;
  }
  return [];
}
