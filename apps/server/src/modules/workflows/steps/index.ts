/**
 * Every available step kind, registered by importing it. Kinds the contract lists that are not here are
 * reported by validation as not available yet.
 */
import './ai-agent.js';
import './approval.js';
import './condition.js';
import './create-post.js';
import './delay.js';
import './http-request.js';
import './notify.js';
import './send-email.js';
import './update-record.js';
import './wait-event.js';
import './wait-until.js';

export { defineStepKind, describeStepKinds, findStepKind, listStepKinds, replaceStepKind, type AnyStepKind, type DefinitionChecker, type StepExecution, type StepKindDefinition, type StepResult } from './registry.js';
