import { contentCsvColumns, type ImportList, type ImportReport, type PostExportQuery } from '@omni/contracts/content-imports';
import { api } from '../../../shared/api';
import { NetworkError, ProblemError, problemFromResponse } from '../../../shared/api/problem';

/**
 * Calls to /api/content/imports and /api/content/exports (packages/contracts/src/content-imports.ts). The
 * upload and the download are not JSON, so they use fetch with the session's token (refreshed once on 401).
 */

/** The answer to an upload: a report (valid, imported, or refused with the reasons), or a problem without one. */
export type ImportAnswer = { report: ImportReport; problem: ProblemError | null };

async function withToken(send: (token: string) => Promise<Response>): Promise<Response> {
  const current = api.getAccessToken();
  let token = current ?? (await api.refreshAccessToken(null));
  let response: Response;
  try {
    response = await send(token);
    if (response.status === 401) {
      token = await api.refreshAccessToken(token);
      response = await send(token);
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    if (error instanceof ProblemError) throw error;
    throw new NetworkError(error);
  }
  return response;
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Upload a CSV: `dryRun` only checks it. A refusal that carries a report resolves with it; other failures reject. */
export async function uploadImport(file: File, options: { dryRun: boolean; signal?: AbortSignal }): Promise<ImportAnswer> {
  const response = await withToken((token) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return fetch(`/api/content/imports${options.dryRun ? '?dryRun=true' : ''}`, {
      method: 'POST',
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      body: form,
      signal: options.signal,
    });
  });
  const problem = response.ok ? null : await problemFromResponse(response.clone());
  const body = await readJson(response);
  if (!problem) return { report: body as unknown as ImportReport, problem: null };
  if (body.report && typeof body.report === 'object') return { report: body.report as ImportReport, problem };
  throw problem;
}

export const importApi = {
  list: () => api.get<ImportList>('/api/content/imports?limit=10'),
  get: (id: string) => api.get<ImportReport>(`/api/content/imports/${encodeURIComponent(id)}`),
};

/** Download the account's posts as CSV (the browser saves the file). */
export async function downloadExport(query: Partial<Record<keyof PostExportQuery, string>>): Promise<void> {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
  const response = await withToken((token) =>
    fetch(`/api/content/exports/posts.csv${params.size > 0 ? `?${params.toString()}` : ''}`, { headers: { accept: 'text/csv', authorization: `Bearer ${token}` } }),
  );
  if (!response.ok) throw await problemFromResponse(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'posts.csv';
  saveBlob(await response.blob(), fileName);
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A sample import file: the header and three kinds of rows (local time with a zone, ISO instant, undated draft). */
export function sampleCsv(connectionName: string): string {
  const rows: Array<Partial<Record<(typeof contentCsvColumns)[number], string>>> = [
    { scheduled_at: '2031-05-04 09:30', timezone: 'Europe/Berlin', connections: connectionName, title: 'Spring menu', text: 'Our spring menu is here! 🌱', tags: 'menu;spring' },
    { scheduled_at: '2031-05-06T16:00:00Z', connections: connectionName, text: 'Happy hour from 5 pm', x_text: 'Happy hour from 5 pm #cheers', x_thread: 'Second post of the thread\n---\nThird post', link: 'https://example.com/happy-hour' },
    { connections: connectionName, text: 'A draft without a date: plan it later' },
  ];
  const lines = [contentCsvColumns.join(','), ...rows.map((row) => contentCsvColumns.map((column) => quote(row[column] ?? '')).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
