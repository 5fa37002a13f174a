import type { ApprovalPreviewVariant } from '@omni/contracts/approvals';
import { useTranslation } from 'react-i18next';
import { summarizeOutput } from './aiApi';
import { ConfidenceMeter, JsonBlock, OutputSummary, useAgentName } from './components/aiShared';

/** The extra fields ai.review.ts puts on its preview variant (subject type 'ai_run', network 'ai'). */
type AiRunVariant = ApprovalPreviewVariant & { agent?: unknown; confidence?: unknown; explanation?: unknown; inputSummary?: unknown };

/** The ai module's preview variants (network 'ai'); the approvals inbox shows them with this component. */
export function isAiRunVariant(variant: ApprovalPreviewVariant): boolean {
  return variant.network === 'ai';
}

/** The output preview is JSON (cut at 2,000 characters by the server): parsed when whole, else shown as text. */
function parseOutput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * An AI result under review: the agent, its confidence and explanation first (what a reviewer decides on),
 * then the readable output (texts, drafts, findings) and the raw output and input folded away.
 */
export function AiRunApprovalPreview({ variant }: { variant: ApprovalPreviewVariant }) {
  const { t } = useTranslation();
  const agentName = useAgentName();
  const run = variant as AiRunVariant;
  const agent = typeof run.agent === 'string' ? run.agent : null;
  const confidence = typeof run.confidence === 'number' ? run.confidence : null;
  const explanation = typeof run.explanation === 'string' ? run.explanation : null;
  const inputSummary = typeof run.inputSummary === 'string' ? run.inputSummary : null;
  const output = parseOutput(variant.text);
  const readable = output !== null && summarizeOutput(output).length > 0;
  return (
    <section className="flex flex-col gap-4 rounded-xl border border-border p-4 md:col-span-2" aria-label={agent ? agentName(agent) : variant.network} data-testid="ai-run-preview">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 className="text-sm font-semibold">{agent ? agentName(agent) : t('ai.review.unknownAgent')}</h3>
          {variant.label && <p className="text-xs text-muted">{variant.label}</p>}
        </div>
        <div className="w-56">
          <p className="mb-1 text-xs text-muted">{t('ai.runs.confidence')}</p>
          <ConfidenceMeter value={confidence} />
        </div>
      </div>
      {explanation && (
        <div>
          <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t('ai.runs.explanation')}</h4>
          <p className="text-sm">{explanation}</p>
        </div>
      )}
      {readable ? <OutputSummary output={output} /> : <p className="whitespace-pre-wrap break-words rounded-lg bg-surface-2 p-3 font-mono text-xs">{variant.text}</p>}
      {readable && <JsonBlock label={t('ai.runs.outputJson')} value={output} />}
      {inputSummary && <JsonBlock label={t('ai.runs.inputJson')} value={inputSummary} />}
    </section>
  );
}
