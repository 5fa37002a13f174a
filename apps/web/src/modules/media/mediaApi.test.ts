import type { Scope } from '@omni/contracts/identity';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../shared/api/problem';
import { formatBytes, hasProcessing, mediaAccessOf, uploadMediaFile, type UploadTransport } from './mediaApi';

const scope = (overrides: Partial<Scope>): Scope =>
  ({ tenantId: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', tenantRole: null, accountRole: null, ...overrides }) as Scope;

type Listener = (event: { lengthComputable: boolean; loaded: number; total: number }) => void;

/** An XMLHttpRequest stand-in that answers as the server would and reports upload progress. */
function fakeTransport(answers: Array<{ status: number; body: string }>, sent: Array<{ headers: Record<string, string>; body: FormData }>) {
  return (): UploadTransport => {
    const listeners = new Map<string, Listener>();
    const uploadListeners = new Map<string, Listener>();
    const headers: Record<string, string> = {};
    const transport = {
      status: 0,
      responseText: '',
      upload: { addEventListener: (name: string, listener: Listener) => uploadListeners.set(name, listener) },
      addEventListener: (name: string, listener: Listener) => listeners.set(name, listener),
      open: () => undefined,
      setRequestHeader: (name: string, value: string) => {
        headers[name] = value;
      },
      getResponseHeader: () => 'application/json',
      abort: () => listeners.get('abort')?.({ lengthComputable: false, loaded: 0, total: 0 }),
      send: (body: FormData) => {
        sent.push({ headers: { ...headers }, body });
        const answer = answers.shift()!;
        queueMicrotask(() => {
          uploadListeners.get('progress')?.({ lengthComputable: true, loaded: 50, total: 100 });
          uploadListeners.get('progress')?.({ lengthComputable: true, loaded: 100, total: 100 });
          transport.status = answer.status;
          transport.responseText = answer.body;
          listeners.get('load')?.({ lengthComputable: false, loaded: 0, total: 0 });
        });
      },
    };
    return transport as unknown as UploadTransport;
  };
}

describe('uploadMediaFile', () => {
  const file = Object.assign(new Blob(['not really a png']), { name: 'notes.png' });

  it('sends the fields before the file with the token, reports progress and returns the asset', async () => {
    const sent: Array<{ headers: Record<string, string>; body: FormData }> = [];
    const progress: number[] = [];
    const asset = await uploadMediaFile(file, {
      altText: 'Logo',
      tags: ['brand', 'logo'],
      onProgress: (fraction) => progress.push(fraction),
      getToken: async () => 'token-1',
      createTransport: fakeTransport([{ status: 201, body: JSON.stringify({ id: 'a1', status: 'processing' }) }], sent),
    });
    expect(asset).toMatchObject({ id: 'a1', status: 'processing' });
    expect(progress).toEqual([0.5, 1]);
    expect(sent[0]!.headers.authorization).toBe('Bearer token-1');
    expect([...sent[0]!.body.keys()]).toEqual(['altText', 'tags', 'file']);
    expect(sent[0]!.body.get('tags')).toBe('brand,logo');
  });

  it('turns a refusal into the server’s problem (415 for a text file named .png)', async () => {
    const detail = 'This file is not an image or video Omni accepts: its contents are not JPEG, PNG, WebP, GIF, MP4 or MOV, whatever its name says.';
    const error = await uploadMediaFile(file, {
      getToken: async () => 'token-1',
      createTransport: fakeTransport([{ status: 415, body: JSON.stringify({ status: 415, code: 'media.unsupported_type', detail }) }], []),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 415, code: 'media.unsupported_type', message: detail });
  });

  it('refreshes the token once on 401 and retries', async () => {
    const sent: Array<{ headers: Record<string, string>; body: FormData }> = [];
    const asked: Array<string | null> = [];
    await uploadMediaFile(file, {
      getToken: async (stale) => {
        asked.push(stale);
        return stale ? 'token-2' : 'token-1';
      },
      createTransport: fakeTransport([{ status: 401, body: '{"status":401,"code":"auth.token_expired"}' }, { status: 201, body: '{"id":"a2"}' }], sent),
    });
    expect(asked).toEqual([null, 'token-1']);
    expect(sent.map((request) => request.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});

describe('media helpers', () => {
  it('mirror media.permissions.ts: viewers read, contributors upload, editors manage', () => {
    expect(mediaAccessOf(scope({ accountRole: 'viewer' }))).toEqual({ canRead: true, canUpload: false, canManage: false });
    expect(mediaAccessOf(scope({ accountRole: 'contributor' }))).toEqual({ canRead: true, canUpload: true, canManage: false });
    expect(mediaAccessOf(scope({ accountRole: 'editor' }))).toEqual({ canRead: true, canUpload: true, canManage: true });
    expect(mediaAccessOf(scope({ tenantRole: 'owner', accountId: null }))).toEqual({ canRead: true, canUpload: true, canManage: true });
    expect(mediaAccessOf(scope({ accountRole: 'client' }))).toEqual({ canRead: false, canUpload: false, canManage: false });
    expect(mediaAccessOf(null)).toEqual({ canRead: false, canUpload: false, canManage: false });
  });

  it('format sizes in binary units and notice assets still processing', () => {
    expect(formatBytes(512, 'en')).toBe('512 bytes');
    expect(formatBytes(20 * 1024 * 1024, 'en')).toBe('20 MB');
    expect(formatBytes(1.5 * 1024 ** 3, 'en')).toBe('1.5 GB');
    expect(hasProcessing([{ status: 'ready' }, { status: 'processing' }])).toBe(true);
    expect(hasProcessing([{ status: 'ready' }, { status: 'failed' }])).toBe(false);
  });
});
