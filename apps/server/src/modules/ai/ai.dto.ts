import type { AiRun } from '@omni/contracts/ai';
import type { RunRow } from './ai.queries.js';

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

export function toRunDto(row: RunRow): AiRun {
  return {
    id: row.id,
    accountId: row.account_id,
    agent: row.agent,
    agentVersion: row.agent_version,
    status: row.status,
    input: row.input,
    output: row.output ?? null,
    confidence: row.confidence === null ? null : Number(row.confidence),
    explanation: row.explanation,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costMicros: Number(row.cost_micros),
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    workflowType: row.workflow_type,
    subject: row.subject_type && row.subject_id ? { type: row.subject_type, id: row.subject_id } : null,
    requestedBy: row.requested_by,
    policy: row.policy,
    approvalRequestId: row.approval_request_id,
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    decisionNote: row.decision_note,
  };
}
