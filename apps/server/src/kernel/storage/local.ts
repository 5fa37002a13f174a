import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, BlobNotFoundError, type BlobInfo, type BlobStore } from './blob-store.js';
import type { UrlSigner } from './signed-urls.js';

const maxTtlSeconds = 7 * 24 * 3600;

/** Counts the bytes passing through. */
export function byteCounter(): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/**
 * Files under one directory. A put writes to a temp name beside the target and renames it, so a reader
 * never sees half a file and a failed put leaves nothing. Signed URLs point at the public /blobs route.
 */
export function createLocalBlobStore(options: { dir: string; publicUrl: string; signer: UrlSigner }): BlobStore {
  const root = path.resolve(options.dir);
  const fileOf = (key: string) => {
    assertBlobKey(key);
    return path.join(root, ...key.split('/'));
  };

  async function* walk(directory: string, prefix: string): AsyncGenerator<BlobInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const key = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) yield* walk(path.join(directory, entry.name), key);
      else if (entry.isFile() && !entry.name.startsWith('.tmp-')) {
        const stat = await fs.stat(path.join(directory, entry.name));
        yield { key, bytes: stat.size, lastModified: stat.mtime };
      }
    }
  }

  return {
    driver: 'local',
    async put(key, body: Readable) {
      const file = fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const temporary = path.join(path.dirname(file), `.tmp-${randomUUID()}`);
      const counter = byteCounter();
      try {
        await pipeline(body, counter, createWriteStream(temporary, { mode: 0o600 }));
        await fs.rename(temporary, file);
      } catch (error) {
        await fs.rm(temporary, { force: true });
        throw error;
      }
      return { bytes: counter.bytes };
    },
    async get(key) {
      const file = fileOf(key);
      try {
        const handle = await fs.open(file, 'r');
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
        throw error;
      }
    },
    async head(key) {
      try {
        const stat = await fs.stat(fileOf(key));
        return { key, bytes: stat.size, lastModified: stat.mtime };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
    list(prefix) {
      const trimmed = prefix.replace(/\/+$/, '');
      if (trimmed) assertBlobKey(trimmed);
      return walk(trimmed ? path.join(root, ...trimmed.split('/')) : root, trimmed);
    },
    async signedGetUrl(key, ttlSeconds) {
      assertBlobKey(key);
      const expiresAt = Math.floor(Date.now() / 1000) + Math.min(ttlSeconds, maxTtlSeconds);
      const { exp, kid, sig } = options.signer.sign(key, expiresAt);
      return `${options.publicUrl}/blobs/${key}?exp=${exp}&kid=${encodeURIComponent(kid)}&sig=${sig}`;
    },
  };
}
