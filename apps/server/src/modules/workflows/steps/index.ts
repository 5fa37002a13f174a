/**
 * Every available step kind, registered by importing it. The contract lists kinds still to come (ai_agent,
 * approval, wait_event, send_email, create_post, update_record, http_request): until they are here,
 * validation reports them as not available yet.
 */
import './condition.js';
import './delay.js';
import './notify.js';
import './wait-until.js';

export { defineStepKind, describeStepKinds, findStepKind, listStepKinds, replaceStepKind, type AnyStepKind, type DefinitionChecker, type StepExecution, type StepKindDefinition, type StepResult } from './registry.js';
