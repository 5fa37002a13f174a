import type { AiRunStatus } from '@omni/contracts/ai';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../../shared/api/errors';
import { ProblemError } from '../../../shared/api/problem';
import { i18next } from '../../../shared/i18n/i18n';
import { Badge, cn } from '../../../shared/ui';
import { confidenceTone, formatConfidence, runStatusTone, summarizeOutput, type OutputBlock } from '../aiApi';

type IconProps = { className?: string };

/** The AI entries' icon in the sidebar and empty states. */
export { SparkleIcon } from '../../../shared/ui/icons';

export function LockIcon({ className = 'size-3.5' }: IconProps) {
  return (
    <svg viewBox="0 0 24 24" className={className} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </svg>
  );
}

/** "Set by the platform": a policy a super admin locked (the platform's own page says "Locked"). */
export function LockBadge({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <Badge tone="warning" className="gap-1">
      <LockIcon /> {label ?? t('ai.policies.locked')}
    </Badge>
  );
}

/** An agent's name in the user's language (its id when Omni does not know it yet). */
export function useAgentName() {
  const { t } = useTranslation();
  return (agent: string) => t(`ai.agents.${agent}`, { defaultValue: agent });
}

export function RunStatusBadge({ status }: { status: AiRunStatus }) {
  const { t } = useTranslation();
  return <Badge tone={runStatusTone(status)}>{t(`ai.statuses.${status}`)}</Badge>;
}

/**
 * A confidence between 0 and 1 as a bar and a number, coloured low/medium/high; with the policy's threshold
 * marked when there is one, so the reviewer sees why the result came to them.
 */
export function ConfidenceMeter({ value, threshold, compact = false }: { value: number | null; threshold?: number | null; compact?: boolean }) {
  const { t } = useTranslation();
  if (value === null) return <span className="text-sm text-muted">—</span>;
  const tone = confidenceTone(value);
  const percent = Math.round(value * 100);
  const fill = { danger: 'bg-danger', warning: 'bg-warning', success: 'bg-success' }[tone];
  return (
    <div className={cn('flex items-center gap-2', compact ? 'min-w-28' : 'w-full max-w-sm')}>
      <div
        className={cn('relative flex-1 overflow-visible rounded-full bg-surface-2', compact ? 'h-1.5' : 'h-2.5')}
        role="meter"
        aria-label={t('ai.runs.confidence')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={t(`ai.confidenceBands.${tone}`, { value: formatConfidence(value) })}
      >
        <div className={cn('h-full rounded-full', fill)} style={{ width: `${Math.max(2, percent)}%` }} />
        {threshold !== null && threshold !== undefined && (
          <div className="absolute -top-1 -bottom-1 w-0.5 bg-fg/70" style={{ left: `${Math.round(threshold * 100)}%` }} title={t('ai.runs.thresholdMark', { value: formatConfidence(threshold) })} />
        )}
      </div>
      <span className={cn('tabular-nums', compact ? 'text-xs' : 'text-sm font-medium')}>{formatConfidence(value)}</span>
    </div>
  );
}

/** Pretty JSON, folded by default. */
export function JsonBlock({ label, value, defaultOpen = false }: { label: string; value: unknown; defaultOpen?: boolean }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <details className="group rounded-lg border border-border bg-surface-2/50" open={defaultOpen}>
      <summary className="cursor-pointer select-none px-3 py-2 text-sm font-medium text-muted hover:text-fg">{label}</summary>
      <pre className="max-h-96 overflow-auto border-t border-border px-3 py-2 text-xs leading-relaxed whitespace-pre-wrap break-words" tabIndex={0}>
        {text ?? 'null'}
      </pre>
    </details>
  );
}

/** The readable part of an output (texts, drafts, findings, verdicts); nothing when its shape is unknown. */
export function OutputSummary({ output, timeZone }: { output: unknown; timeZone?: string }) {
  const blocks = summarizeOutput(output);
  if (blocks.length === 0) return null;
  return (
    <div className="flex flex-col gap-4" data-testid="ai-output-summary">
      {blocks.map((block, index) => (
        <OutputBlockView key={index} block={block} timeZone={timeZone} />
      ))}
    </div>
  );
}

function BlockTitle({ children }: { children: ReactNode }) {
  return <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-muted">{children}</h3>;
}

function OutputBlockView({ block, timeZone }: { block: OutputBlock; timeZone?: string }) {
  const { t } = useTranslation();
  if (block.kind === 'text') {
    return (
      <section>
        {block.label && <BlockTitle>{t(`ai.output.${block.label}`, { defaultValue: block.label })}</BlockTitle>}
        <p className="whitespace-pre-wrap break-words rounded-lg border border-border bg-surface p-3 text-sm">{block.text}</p>
        {block.tags.length > 0 && (
          <div className="mt-2 flex flex-wrap gap-1.5">
            {block.tags.map((tag) => (
              <Badge key={tag}>{tag}</Badge>
            ))}
          </div>
        )}
      </section>
    );
  }
  if (block.kind === 'items') {
    return (
      <section>
        <BlockTitle>{t(`ai.output.${block.title}`, { defaultValue: block.title, count: block.items.length })}</BlockTitle>
        <ul className="flex flex-col gap-2">
          {block.items.map((item, index) => (
            <li key={index} className="rounded-lg border border-border bg-surface p-3 text-sm">
              {(item.label || item.meta) && (
                <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
                  {item.label && <span className="font-medium">{item.label}</span>}
                  {item.meta && <span className="text-xs text-muted">{formatMeta(item.meta, timeZone)}</span>}
                </div>
              )}
              {item.text && <p className="whitespace-pre-wrap break-words">{item.text}</p>}
            </li>
          ))}
        </ul>
      </section>
    );
  }
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      {block.facts.map((fact) => (
        <div key={fact.label} className="contents">
          <dt className="text-muted">{t(`ai.output.${fact.label}`, { defaultValue: fact.label })}</dt>
          <dd className="font-medium">{fact.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Suggested times are ISO instants: show them on the user's clock; other meta as is. */
function formatMeta(meta: string, timeZone?: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(meta) || Number.isNaN(Date.parse(meta))) return meta;
  try {
    return new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(meta));
  } catch {
    return meta;
  }
}

/**
 * describeError, with the ai module's own problem codes in the user's language (the server's English
 * sentence stays the most precise in English).
 */
export function describeAiError(error: unknown): string {
  if (error instanceof ProblemError && error.code.startsWith('ai.') && i18next.resolvedLanguage !== 'en') {
    const key = `ai.problems.${error.code.slice(3)}`;
    if (i18next.exists(key)) return i18next.t(key, { seconds: error.retryAfterSeconds ?? 60 });
  }
  return describeError(error);
}

/** The platform locked the policy meanwhile (403 ai.policy_locked). */
export function isPolicyLocked(error: unknown): boolean {
  return error instanceof ProblemError && error.code === 'ai.policy_locked';
}

/** A small "saved / error" line kept next to the control that caused it. */
export function InlineNote({ tone, children }: { tone: 'success' | 'danger' | 'muted'; children: ReactNode }) {
  const color = { success: 'text-success', danger: 'text-danger', muted: 'text-muted' }[tone];
  return (
    <p className={cn('text-xs', color)} role={tone === 'danger' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
