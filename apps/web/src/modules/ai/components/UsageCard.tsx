import type { AiUsage } from '@omni/contracts/ai';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../../../shared/lib/format';
import { Card, CardBody, CardHeader, EmptyState, Skeleton, Table, TBody, Td, Th, THead, Tr } from '../../../shared/ui';
import { ActivityIcon } from '../../../shared/ui/icons';
import { ErrorRow } from '../../team/TeamPage';
import { aiApi, formatUsd, lastDays, usageByAgent, usageByDay } from '../aiApi';
import { useAgentName } from './aiShared';

const usageDays = 30;

/** The last 30 days: totals, calls per day as small bars, and a row per agent. */
export function UsageCard() {
  const { t } = useTranslation();
  const range = useMemo(() => lastDays(usageDays), []);
  const usage = useQuery({ queryKey: ['ai', 'usage', range.from, range.to], queryFn: () => aiApi.usage(range) });
  return (
    <Card>
      <CardHeader title={t('ai.usage.title')} description={t('ai.usage.description', { count: usageDays })} />
      <CardBody>
        {usage.isPending ? (
          <Skeleton className="h-40" />
        ) : usage.isError ? (
          <ErrorRow error={usage.error} retry={() => void usage.refetch()} />
        ) : usage.data.items.length === 0 ? (
          <EmptyState icon={<ActivityIcon className="size-6" />} title={t('ai.usage.empty')} description={t('ai.usage.emptyDescription')} />
        ) : (
          <UsageView usage={usage.data} />
        )}
      </CardBody>
    </Card>
  );
}

function UsageView({ usage }: { usage: AiUsage }) {
  const { t } = useTranslation();
  const agentName = useAgentName();
  const agents = usageByAgent(usage);
  const days = usageByDay(usage);
  const tokens = agents.reduce((sum, row) => sum + row.inputTokens + row.outputTokens, 0);
  const peak = Math.max(1, ...days.map((day) => day.calls));
  return (
    <div className="flex flex-col gap-5">
      <dl className="grid grid-cols-3 gap-3" data-testid="ai-usage-totals">
        {[
          [t('ai.usage.cost'), formatUsd(usage.totalCostMicros)],
          [t('ai.usage.calls'), formatNumber(usage.totalCalls)],
          [t('ai.usage.tokens'), formatNumber(tokens)],
        ].map(([label, value]) => (
          <div key={label} className="rounded-lg border border-border bg-surface-2/50 px-3 py-2">
            <dt className="text-xs text-muted">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      <figure>
        <figcaption className="mb-2 text-xs font-medium text-muted">{t('ai.usage.perDay')}</figcaption>
        <div className="flex h-24 items-end gap-[3px] border-b border-border" role="img" aria-label={t('ai.usage.chartLabel', { count: usage.totalCalls, days: days.length })}>
          {days.map((day) => (
            <div
              key={day.day}
              className="flex-1 rounded-t-sm bg-primary/70 hover:bg-primary"
              style={{ height: day.calls ? `${Math.max(4, (day.calls / peak) * 100)}%` : '1px' }}
              title={t('ai.usage.dayTooltip', { day: formatDate(day.day, 'UTC'), count: day.calls, cost: formatUsd(day.costMicros) })}
            />
          ))}
        </div>
        <div className="mt-1 flex justify-between text-xs text-muted">
          <span>{formatDate(usage.from, 'UTC')}</span>
          <span>{formatDate(usage.to, 'UTC')}</span>
        </div>
      </figure>
      <Table caption={t('ai.usage.perAgent')}>
        <THead>
          <tr>
            <Th>{t('ai.usage.agent')}</Th>
            <Th className="text-right">{t('ai.usage.calls')}</Th>
            <Th className="text-right">{t('ai.usage.inputTokens')}</Th>
            <Th className="text-right">{t('ai.usage.outputTokens')}</Th>
            <Th className="text-right">{t('ai.usage.cost')}</Th>
          </tr>
        </THead>
        <TBody>
          {agents.map((row) => (
            <Tr key={row.agent} data-testid="ai-usage-row">
              <Td className="font-medium">{agentName(row.agent)}</Td>
              <Td className="text-right tabular-nums">{formatNumber(row.calls)}</Td>
              <Td className="text-right tabular-nums">{formatNumber(row.inputTokens)}</Td>
              <Td className="text-right tabular-nums">{formatNumber(row.outputTokens)}</Td>
              <Td className="text-right tabular-nums">{formatUsd(row.costMicros)}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
