import { z } from 'zod';
import type { Config } from './config.js';
import type { Tx } from './db/database.js';

/**
 * The workflow action registry: named changes to Omni's own records that a workflow's update_record step
 * may make (`content.post.add_tags`, later `crm.lead.update`). Modules register their actions at creation;
 * workflows look them up by name, so neither depends on the other. An action runs in the caller's
 * transaction (the step's finishing one: its writes exist exactly when the step succeeded), without
 * permission checks (whoever saved the workflow was allowed to), and must keep to `ctx.accountId`.
 * Refusals are AppErrors (their code and message become the step's error).
 */

/** Who acts: a workflow's step, started by a person (a manual run) or by a trigger (userId null). */
export type WorkflowActionActor = { kind: 'workflow'; workflowId: string; runId: string; stepRunId: string; userId: string | null };

export type WorkflowActionContext = { config: Config; tenantId: string; accountId: string; actor: WorkflowActionActor };

export type WorkflowAction<I = unknown, O = unknown> = {
  /** One sentence for the editor's action list. */
  description: string;
  /** The action's input, validated after the step rendered its templates; its JSON schema is served to the editor. */
  input: z.ZodType<I>;
  run(tx: Tx, ctx: WorkflowActionContext, input: I): Promise<O>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- actions have heterogeneous input types
type AnyWorkflowAction = WorkflowAction<any, unknown>;

const actions = new Map<string, AnyWorkflowAction>();

const actionNamePattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$/;

/**
 * Register an action under `<module>.<record>.<verb>`. Registering a name again replaces it (a module is
 * created once per app, and tests build several apps in one process).
 */
export function registerWorkflowAction<I, O>(name: string, action: WorkflowAction<I, O>): void {
  if (!actionNamePattern.test(name)) throw new Error(`Workflow action "${name}" must be dotted lower-case words, e.g. content.post.add_tags`);
  actions.set(name, action as AnyWorkflowAction);
}

/** The action, or undefined when no module registered it. */
export function findWorkflowAction(name: string): AnyWorkflowAction | undefined {
  return actions.get(name);
}

/** Every registered action by name, sorted, with the JSON schema of its input. */
export function listWorkflowActions(): Array<{ name: string; description: string; inputSchema: Record<string, unknown> }> {
  return [...actions.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([name, action]) => ({ name, description: action.description, inputSchema: z.toJSONSchema(action.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> }));
}
