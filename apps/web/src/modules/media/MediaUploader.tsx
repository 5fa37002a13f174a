import type { MediaAsset } from '@omni/contracts/media';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { Button, DropZone } from '../../shared/ui';
import { formatBytes, uploadMediaFile } from './mediaApi';

type UploadItem = { id: string; name: string; size: number; progress: number; status: 'uploading' | 'done' | 'failed'; error: string | null; controller: AbortController };

/** What browsers may offer in the file picker; the server decides from the bytes anyway. */
const acceptAttribute = 'image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime';

/**
 * Upload several files by drag and drop or the file picker, each with its own progress bar and its own
 * error (a refused file does not stop the others). Embeddable: the library page and the media picker use it.
 */
export function MediaUploader({ onUploaded, compact = false }: { onUploaded?: (asset: MediaAsset) => void; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<UploadItem[]>([]);

  const update = (id: string, change: Partial<UploadItem>) => setItems((current) => current.map((item) => (item.id === id ? { ...item, ...change } : item)));

  function start(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      const item: UploadItem = { id: crypto.randomUUID(), name: file.name, size: file.size, progress: 0, status: 'uploading', error: null, controller: new AbortController() };
      setItems((current) => [item, ...current]);
      uploadMediaFile(file, { signal: item.controller.signal, onProgress: (progress) => update(item.id, { progress }) })
        .then((asset) => {
          update(item.id, { status: 'done', progress: 1 });
          onUploaded?.(asset);
        })
        .catch((error: unknown) => {
          const cancelled = error instanceof DOMException && error.name === 'AbortError';
          update(item.id, { status: 'failed', error: cancelled ? t('media.upload.cancelled') : describeError(error) });
        })
        .finally(() => {
          void queryClient.invalidateQueries({ queryKey: ['media'] });
        });
    }
  }

  return (
    <div className="flex flex-col gap-3">
      <DropZone onFiles={start} className={compact ? 'py-4' : 'py-8'} idleClassName="border-border bg-surface">
        <p className="text-sm text-muted">{t('media.upload.dropHere')}</p>
        <input
          ref={inputRef}
          id={inputId}
          type="file"
          multiple
          accept={acceptAttribute}
          className="sr-only"
          aria-label={t('media.upload.choose')}
          tabIndex={-1}
          data-testid="media-file-input"
          onChange={(event) => {
            if (event.target.files) start(event.target.files);
            event.target.value = '';
          }}
        />
        <Button variant="secondary" size="sm" onClick={() => inputRef.current?.click()}>
          {t('media.upload.choose')}
        </Button>
        <p className="text-xs text-muted">{t('media.upload.accepted')}</p>
      </DropZone>
      {items.length > 0 && (
        <ul className="flex flex-col gap-2" aria-label={t('media.upload.listLabel')}>
          {items.map((item) => (
            <li key={item.id} className="rounded-lg border border-border bg-surface px-3 py-2 text-sm" data-testid="media-upload-item">
              <div className="flex items-center justify-between gap-3">
                <span className="truncate font-medium">{item.name}</span>
                <span className="shrink-0 text-xs text-muted">{formatBytes(item.size, i18n.language)}</span>
              </div>
              {item.status === 'uploading' && (
                <div className="mt-2 flex items-center gap-2">
                  <progress className="h-2 w-full" max={1} value={item.progress} aria-label={t('media.upload.progress', { name: item.name })} />
                  <Button size="sm" variant="ghost" onClick={() => item.controller.abort()}>
                    {t('common.cancel')}
                  </Button>
                </div>
              )}
              {item.status === 'done' && <p className="mt-1 text-xs text-success">{t('media.upload.done')}</p>}
              {item.status === 'failed' && (
                <p className="mt-1 text-xs text-danger" role="alert">
                  {item.error}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
