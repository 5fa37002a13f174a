import { aiWorkflowTypeSchema, type AiWorkflowType, type HitlPolicy } from '@omni/contracts/ai';
import type { Tx } from '../../kernel/db/database.js';
import { selectPlatformPolicies, selectTenantPolicies, type PolicyRow } from './ai.queries.js';

/**
 * Human in the loop (docs/design/ai-agents.md §6): the effective policy of a (tenant, workflow type) is
 * the platform's row when locked, else the tenant's row, else the platform's row, else the default.
 */
export type PolicyFields = Pick<HitlPolicy, 'mode' | 'threshold' | 'deadlineMinutes' | 'escalationRole' | 'onTimeout'>;
export type EffectivePolicy = PolicyFields & { workflowType: string; source: HitlPolicy['source'] };

export const defaultPolicy: PolicyFields = { mode: 'below', threshold: 0.8, deadlineMinutes: 24 * 60, escalationRole: 'admin', onTimeout: 'reject' };

export function toPolicyFields(row: PolicyRow): PolicyFields {
  return { mode: row.mode, threshold: Number(row.threshold), deadlineMinutes: row.deadline_minutes, escalationRole: row.escalation_role, onTimeout: row.on_timeout };
}

export function resolvePolicy(workflowType: string, platform: PolicyRow | undefined, tenant: PolicyRow | undefined): EffectivePolicy {
  if (platform?.locked) return { workflowType, source: 'platform_locked', ...toPolicyFields(platform) };
  if (tenant) return { workflowType, source: 'tenant', ...toPolicyFields(tenant) };
  if (platform) return { workflowType, source: 'platform', ...toPolicyFields(platform) };
  return { workflowType, source: 'default', ...defaultPolicy };
}

/** Every workflow type's effective policy for the tenant (the settings screen). */
export async function listEffectivePolicies(tx: Tx, tenantId: string): Promise<HitlPolicy[]> {
  const platform = await selectPlatformPolicies(tx);
  const tenant = await selectTenantPolicies(tx, tenantId);
  return aiWorkflowTypeSchema.options.map((workflowType: AiWorkflowType) => {
    const platformRow = platform.find((row) => row.workflow_type === workflowType);
    const tenantRow = tenant.find((row) => row.workflow_type === workflowType);
    const effective = resolvePolicy(workflowType, platformRow, tenantRow);
    return { ...effective, workflowType, locked: platformRow?.locked ?? false, tenantPolicy: tenantRow ? toPolicyFields(tenantRow) : null };
  });
}

export async function getEffectivePolicy(tx: Tx, tenantId: string, workflowType: string): Promise<EffectivePolicy> {
  const platform = await selectPlatformPolicies(tx);
  const tenant = await selectTenantPolicies(tx, tenantId);
  return resolvePolicy(
    workflowType,
    platform.find((row) => row.workflow_type === workflowType),
    tenant.find((row) => row.workflow_type === workflowType),
  );
}

export type Routing = { review: true } | { review: false; note: string };

const policyName = (policy: EffectivePolicy) => `policy ${policy.source === 'platform_locked' ? 'platform (locked)' : policy.source}/${policy.workflowType}`;

/** off → auto-approved; always → review; below → review iff confidence < threshold. */
export function routeResult(policy: EffectivePolicy, confidence: number): Routing {
  if (policy.mode === 'off') return { review: false, note: `auto: review off (${policyName(policy)})` };
  if (policy.mode === 'always') return { review: true };
  if (confidence < policy.threshold) return { review: true };
  return { review: false, note: `auto: confidence ${confidence.toFixed(2)} ≥ ${policy.threshold.toFixed(2)} (${policyName(policy)})` };
}
