import { postStatusSchema, contentNetworkSchema } from '@omni/contracts/content';
import type { ImportReport } from '@omni/contracts/content-imports';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../../app/RouteStates';
import { describeError } from '../../../shared/api/errors';
import { useSession } from '../../../shared/auth/useAuth';
import { formatDateTime } from '../../../shared/lib/format';
import { browserTimeZone, zonedTimeToInstant } from '../../../shared/lib/timezone';
import { Badge, Button, buttonClasses, Card, CardBody, CardHeader, DropZone, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, cn } from '../../../shared/ui';
import { ErrorRow } from '../../team/TeamPage';
import { socialApi } from '../../social/socialApi';
import { contentAccessOf } from '../contentApi';
import { downloadExport, importApi, sampleCsv, saveBlob, uploadImport, type ImportAnswer } from './importApi';

const statusTone = { valid: 'success', imported: 'success', invalid: 'danger' } as const;

/** /content/import: CSV import (dry run → report → import) and export of the account's posts. */
export function ImportPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = contentAccessOf(scope);
  if (!access.canRead) return <NoAccess />;
  return (
    <>
      <PageHeader title={t('contentImport.title')} description={t('contentImport.description')} />
      {!access.hasAccount ? (
        <EmptyState title={t('content.chooseAccount')} description={t('content.chooseAccountDescription')} />
      ) : (
        <div className="flex flex-col gap-6">
          {access.canWrite && <ImportCard />}
          <ExportCard />
          <RecentImports />
        </div>
      )}
    </>
  );
}

function ImportCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [answer, setAnswer] = useState<ImportAnswer | null>(null);
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections });

  const check = useMutation({
    mutationFn: (chosen: File) => uploadImport(chosen, { dryRun: true }),
    onSuccess: (result) => setAnswer(result),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['content', 'imports'] }),
  });
  const run = useMutation({
    mutationFn: (chosen: File) => uploadImport(chosen, { dryRun: false }),
    onSuccess: (result) => {
      setAnswer(result);
      if (result.report.status === 'imported') void queryClient.invalidateQueries({ queryKey: ['content'] });
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['content', 'imports'] }),
  });

  function choose(files: FileList | null) {
    const chosen = files?.[0];
    if (!chosen) return;
    setFile(chosen);
    setAnswer(null);
    run.reset();
    check.mutate(chosen);
  }

  const report = answer?.report ?? null;
  const canImport = Boolean(file && report && report.status === 'valid' && !check.isPending && !run.isPending);
  const firstConnection = connections.data?.items[0]?.destination.name ?? t('contentImport.sampleConnection');
  const failure = check.error ?? run.error;

  return (
    <Card>
      <CardHeader
        title={t('contentImport.importTitle')}
        description={t('contentImport.importDescription')}
        action={
          <Button variant="secondary" size="sm" onClick={() => saveBlob(new Blob([sampleCsv(firstConnection)], { type: 'text/csv;charset=utf-8' }), 'omni-posts-sample.csv')}>
            {t('contentImport.sample')}
          </Button>
        }
      />
      <CardBody className="flex flex-col gap-4">
        <DropZone onFiles={choose} testId="import-drop-zone" className="py-6">
          <p className="text-sm text-muted">{t('contentImport.dropHere')}</p>
          <label htmlFor={inputId} className={buttonClasses('secondary', 'sm', 'cursor-pointer focus-within:ring-2 focus-within:ring-primary')}>
            {t('contentImport.choose')}
            <input
              ref={inputRef}
              id={inputId}
              type="file"
              accept=".csv,text/csv"
              className="sr-only"
              data-testid="import-file-input"
              onChange={(event) => {
                choose(event.target.files);
                event.target.value = '';
              }}
            />
          </label>
          {file && <p className="text-sm font-medium">{t('contentImport.chosen', { name: file.name })}</p>}
        </DropZone>

        {check.isPending && <p className="text-sm text-muted" role="status">{t('contentImport.checking')}</p>}
        {run.isPending && <p className="text-sm text-muted" role="status">{t('contentImport.importing')}</p>}
        {failure && (
          <div className="rounded-xl border border-danger/40 bg-danger/5 px-4 py-3 text-sm" role="alert">
            {describeError(failure)}
          </div>
        )}
        {report && <ImportReportView report={report} detail={answer?.problem?.message ?? null} />}

        <div className="flex flex-wrap items-center gap-3">
          {report?.status !== 'imported' && (
            <Button onClick={() => file && run.mutate(file)} disabled={!canImport} loading={run.isPending} data-testid="import-run">
              {t('contentImport.run', { count: report?.rowCount ?? 0 })}
            </Button>
          )}
          {!canImport && !run.isPending && report?.status !== 'imported' && <span className="text-sm text-muted">{t('contentImport.runHint')}</span>}
          {report?.status === 'imported' && (
            <Link to="/content/posts" className="text-sm font-medium text-primary hover:underline">
              {t('contentImport.seePosts')}
            </Link>
          )}
        </div>
      </CardBody>
    </Card>
  );
}

/** The report of one attempt: a summary, file-level errors, and every finding by line and column. */
function ImportReportView({ report, detail }: { report: ImportReport; detail: string | null }) {
  const { t } = useTranslation();
  const failing = report.rows.filter((row) => !row.ok).length;
  const summary =
    report.status === 'imported'
      ? t('contentImport.summaryImported', { count: report.rowCount })
      : report.status === 'valid'
        ? t('contentImport.summaryValid', { count: report.rowCount })
        : report.fileErrors.length > 0
          ? t('contentImport.summaryFile')
          : t('contentImport.summaryInvalid', { count: failing, total: report.rowCount });
  const findings = report.rows.flatMap((row) => [
    ...row.errors.map((issue, index) => ({ key: `${row.line}-e${index}`, line: row.line, column: issue.column, message: issue.message, kind: 'error' as const, outcome: row.outcome })),
    ...row.warnings.map((issue, index) => ({ key: `${row.line}-w${index}`, line: row.line, column: issue.column, message: issue.message, kind: 'warning' as const, outcome: row.outcome })),
    ...(row.errors.length === 0 && row.warnings.length === 0 ? [{ key: `${row.line}-ok`, line: row.line, column: null, message: null, kind: 'ok' as const, outcome: row.outcome }] : []),
  ]);
  return (
    <div className="flex flex-col gap-3" data-testid="import-report">
      <div className={cn('rounded-xl border px-4 py-3 text-sm', report.status === 'invalid' ? 'border-danger/40 bg-danger/5' : 'border-success/40 bg-success/5')} role="status">
        <p className="font-medium">{summary}</p>
        {report.status === 'invalid' && detail && <p className="mt-1 text-muted">{detail}</p>}
        {report.fileErrors.map((error) => (
          <p key={error.message} className="mt-1">
            {error.message}
          </p>
        ))}
      </div>
      {findings.length > 0 && (
        <Table caption={t('contentImport.reportCaption', { name: report.fileName })}>
          <THead>
            <tr>
              <Th>{t('contentImport.line')}</Th>
              <Th>{t('contentImport.column')}</Th>
              <Th>{t('contentImport.message')}</Th>
            </tr>
          </THead>
          <TBody>
            {findings.map((finding) => (
              <Tr key={finding.key} data-testid="import-finding">
                <Td className="tabular-nums">{finding.line}</Td>
                <Td>{finding.column ? <code className="text-xs">{finding.column}</code> : '—'}</Td>
                <Td>
                  {finding.kind === 'ok' ? (
                    <Badge tone="success">{t(`contentImport.${report.status === 'imported' ? 'outcomesDone' : 'outcomes'}.${finding.outcome ?? 'draft'}`)}</Badge>
                  ) : (
                    <span className="flex items-start gap-2">
                      <Badge tone={finding.kind === 'error' ? 'danger' : 'warning'}>{t(finding.kind === 'error' ? 'contentImport.error' : 'contentImport.warning')}</Badge>
                      <span>{finding.message}</span>
                    </span>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}

function ExportCard() {
  const { t } = useTranslation();
  const { user } = useSession();
  const zone = user.timezone || browserTimeZone();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [status, setStatus] = useState('');
  const [network, setNetwork] = useState('');
  const [tag, setTag] = useState('');
  // Days in the person's zone: from the start of `from` to the end of `to`.
  const dayStart = (value: string, laterDays = 0) => {
    const [year, month, day] = value.split('-').map(Number) as [number, number, number];
    return zonedTimeToInstant({ year, month, day: day + laterDays }, zone).toISOString();
  };
  const download = useMutation({
    mutationFn: () => downloadExport({ from: from ? dayStart(from) : undefined, to: to ? dayStart(to, 1) : undefined, status, network, tag: tag.trim() }),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    download.mutate();
  }
  return (
    <Card>
      <CardHeader title={t('contentImport.exportTitle')} description={t('contentImport.exportDescription', { zone })} />
      <CardBody>
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label={t('contentImport.exportTitle')}>
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
            <Field label={t('contentImport.from')}>
              <Input type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
            </Field>
            <Field label={t('contentImport.to')}>
              <Input type="date" value={to} min={from || undefined} onChange={(event) => setTo(event.target.value)} />
            </Field>
            <Field label={t('content.posts.status')}>
              <Select value={status} onChange={(event) => setStatus(event.target.value)}>
                <option value="">{t('common.all')}</option>
                {postStatusSchema.options.map((option) => (
                  <option key={option} value={option}>
                    {t(`content.statuses.${option}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('contentImport.network')}>
              <Select value={network} onChange={(event) => setNetwork(event.target.value)}>
                <option value="">{t('common.all')}</option>
                {contentNetworkSchema.options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('contentImport.tag')}>
              <Input value={tag} maxLength={40} onChange={(event) => setTag(event.target.value)} />
            </Field>
          </div>
          {download.isError && (
            <div className="rounded-xl border border-danger/40 bg-danger/5 px-4 py-3 text-sm" role="alert">
              {describeError(download.error)}
            </div>
          )}
          <div>
            <Button type="submit" variant="secondary" loading={download.isPending}>
              {t('contentImport.download')}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

function RecentImports() {
  const { t } = useTranslation();
  const { user } = useSession();
  const imports = useQuery({ queryKey: ['content', 'imports'], queryFn: importApi.list });
  return (
    <Card>
      <CardHeader title={t('contentImport.recentTitle')} />
      <CardBody>
        {imports.isPending ? (
          <TableSkeleton columns={4} rows={3} />
        ) : imports.isError ? (
          <ErrorRow error={imports.error} retry={() => void imports.refetch()} />
        ) : imports.data.items.length === 0 ? (
          <p className="text-sm text-muted">{t('contentImport.recentEmpty')}</p>
        ) : (
          <Table caption={t('contentImport.recentTitle')}>
            <THead>
              <tr>
                <Th>{t('contentImport.file')}</Th>
                <Th>{t('content.posts.status')}</Th>
                <Th>{t('contentImport.rows')}</Th>
                <Th>{t('contentImport.when')}</Th>
              </tr>
            </THead>
            <TBody>
              {imports.data.items.map((item) => (
                <Tr key={item.importId} data-testid="import-attempt">
                  <Td className="max-w-xs truncate font-medium">{item.fileName}</Td>
                  <Td>
                    <Badge tone={statusTone[item.status]}>{t(`contentImport.statuses.${item.dryRun && item.status === 'invalid' ? 'checkedInvalid' : item.status}`)}</Badge>
                  </Td>
                  <Td className="tabular-nums">{t('contentImport.rowsWithErrors', { count: item.rowCount, errors: item.errorCount })}</Td>
                  <Td className="text-muted">{formatDateTime(item.createdAt, user.timezone)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </CardBody>
    </Card>
  );
}
