import type { StepKind, WorkflowTrigger } from '@omni/contracts/workflows';
import { z } from 'zod';
import type { Config } from '../../../kernel/config.js';
import type { Database, Tx } from '../../../kernel/db/database.js';
import type { Logger } from '../../../kernel/logger.js';
import type { ParkResult } from '../engine/park.js';
import type { RunData } from '../expressions.js';
import type { ParkedWait } from '../workflows.queries.js';

/**
 * The step-kind registry: each kind (steps/*.ts) declares its config (zod; the console's side panel renders
 * a form from its JSON schema), its outgoing ports, whether it acts outside Omni (dry run in test runs),
 * static checks of its expressions and templates, and how it executes.
 */

/** What a step sees when it executes. */
export type StepExecution = {
  config: Config;
  /** The database (for module APIs that take a context; a transactional kind writes through its tx). */
  db: Database;
  logger: Logger;
  tenantId: string;
  accountId: string;
  workflow: { id: string; name: string; version: number };
  run: { id: string; test: boolean; startedBy: string | null };
  step: { id: string; nodeId: string; attempt: number };
  /** The run's data for expressions and templates. */
  data: RunData;
  /** A test run and a side-effect kind: record what would be done, do nothing. */
  dryRun: boolean;
};

/**
 * A step's result: done (the port taken and the output successors see as steps.<id>.output), or a wait
 * until a time (then it finishes with `resume`). `input` is what the step resolved (rendered text, the
 * instant it waits for), shown in the inspector; default: its config.
 */
export type StepResult =
  | { outcome: 'done'; port?: string; output: unknown; input?: unknown }
  | { outcome: 'wait'; until: Date; resume: { port?: string; output: unknown }; input?: unknown }
  /** Parked until a signal (approval decision, AI run decided, event) or its timeout: engine/park.ts. */
  | ParkResult;

/** What a kind's static check may report and look at (the definition's trigger, for instance). */
export type DefinitionChecker = {
  trigger: WorkflowTrigger;
  /** A JSONata expression at this config path: must compile; its references are checked against the graph. */
  expression(path: string, source: string): void;
  /** A Liquid template at this config path: must parse; its references are checked against the graph. */
  template(path: string, source: string): void;
  issue(path: string, message: string): void;
};

export type StepKindDefinition<C> = {
  kind: StepKind;
  /** The node's config; parsed with defaults before each execution. */
  config: z.ZodType<C>;
  /** Outgoing ports in canvas order; a single-exit kind has ['default']. */
  ports: string[];
  /** Acts outside Omni (mail, notifications, HTTP, posts): in test runs it records what it would do. */
  sideEffect: boolean;
  /**
   * true: execute runs inside the transaction that finishes the step (its writes to Omni's tables happen
   * exactly when the step succeeds). false (default): outside any transaction, for calls to the outside.
   */
  transactional?: boolean;
  check?(config: C, checker: DefinitionChecker): void;
  execute(step: StepExecution, config: C, tx: Tx | null): Promise<StepResult>;
  /**
   * A step this kind parked stops waiting (resumed through a port, or cancelled with its run): let go of
   * what it held (withdraw a request, delete a wait row), in the transaction that finishes the step.
   */
  release?(tx: Tx, step: { id: string; wait: ParkedWait }, reason: { kind: 'resumed'; port: string } | { kind: 'cancelled' }): Promise<void>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kinds have heterogeneous config types
export type AnyStepKind = StepKindDefinition<any>;

const kinds = new Map<string, AnyStepKind>();

/** Declare a step kind once, at import time (steps/index.ts imports them all). */
export function defineStepKind<C>(definition: StepKindDefinition<C>): StepKindDefinition<C> {
  if (kinds.has(definition.kind)) throw new Error(`Step kind ${definition.kind} is defined twice`);
  if (definition.ports.length === 0) throw new Error(`Step kind ${definition.kind} needs at least one port`);
  kinds.set(definition.kind, definition);
  return definition;
}

/** The kind, or undefined while it is not available (the contract lists kinds still to come). */
export function findStepKind(kind: string): AnyStepKind | undefined {
  return kinds.get(kind);
}

export function listStepKinds(): AnyStepKind[] {
  return [...kinds.values()];
}

/**
 * Tests only: put a kind in place (replacing the real one, if any) and get back the function that undoes
 * it. Lets a test inject failures through the real engine.
 */
export function replaceStepKind(definition: AnyStepKind): () => void {
  const previous = kinds.get(definition.kind);
  kinds.set(definition.kind, definition);
  return () => {
    if (previous) kinds.set(definition.kind, previous);
    else kinds.delete(definition.kind);
  };
}

/** The kinds as the console's palette needs them: ports and a JSON schema of the config. */
export function describeStepKinds(): Array<{ kind: StepKind; ports: string[]; configSchema: Record<string, unknown>; sideEffect: boolean }> {
  return listStepKinds().map((kind) => ({
    kind: kind.kind,
    ports: kind.ports,
    configSchema: z.toJSONSchema(kind.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    sideEffect: kind.sideEffect,
  }));
}
