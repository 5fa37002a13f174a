import type { MediaAsset, MediaUsage } from '@omni/contracts/media';
import type { LightMyRequestResponse } from 'fastify';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createFile } from 'mp4box';
import sharp from 'sharp';
import { mediaLocalDir } from '../../src/kernel/storage/index.js';
import { request, type TestApp } from '../harness.js';

/** Test helpers for the media library: real image files made by sharp, multipart bodies, uploads. */

/**
 * A JPEG as a phone writes it: landscape pixels (wide × tall) stored with EXIF Orientation 6 (rotate 90°
 * clockwise to view: the viewed image is tall), a GPS position, a camera model, and a red left half so
 * the orientation of any rendition can be checked by its pixels.
 */
export async function phoneJpeg(width = 600, height = 400): Promise<Buffer> {
  const left = await sharp({ create: { width: Math.floor(width / 2), height, channels: 3, background: '#ff0000' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .withExif({
      IFD0: { Make: 'OmniPhone', Model: 'Test Camera 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A PNG with transparency. */
export async function transparentPng(width = 300, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } }).png().toBuffer();
}

/** An image of random pixels (does not compress), about width × height × 3 bytes as PNG. */
export async function noisePng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let index = 0; index < pixels.length; index += 1) pixels[index] = (index * 2654435761) >>> 24;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

/** Bytes that start like a JPEG (so the type check passes) but hold no image. */
export const damagedJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(6000, 0x42)]);

/** Whether an EXIF block carries a GPS IFD pointer (tag 0x8825, either byte order). */
export function hasGpsPointer(exif: Buffer | undefined): boolean {
  return !!exif && (exif.includes(Buffer.from([0x25, 0x88, 0x04, 0x00])) || exif.includes(Buffer.from([0x88, 0x25, 0x00, 0x04])));
}

/**
 * A small real MP4 container (ISO-BMFF: ftyp, moov with one 320×240 avc1 track of 30 samples × 100 ms),
 * written by mp4box; the samples are not decodable video, which the media module never decodes.
 */
export function tinyMp4(): Buffer {
  const file = createFile();
  const track = file.addTrack({ timescale: 1000, width: 320, height: 240, type: 'avc1', avcDecoderConfigRecord: new Uint8Array([1, 0x42, 0, 0x1e, 0xff, 0xe0, 0, 0]).buffer } as never);
  for (let index = 0; index < 30; index += 1) file.addSample(track, new Uint8Array(100), { duration: 100, is_sync: index === 0 } as never);
  return Buffer.from(file.getBuffer().buffer);
}

export const textFile = Buffer.from('Meeting notes\n- this is plain text, not an image\n'.repeat(20), 'utf8');

/** A multipart/form-data body: the fields first, then the file (the order the server reads them in). */
export function multipartBody(file: { name: string; contentType: string; data: Buffer }, fields: Record<string, string> = {}): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----omni-test-${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.contentType}\r\n\r\n`));
  parts.push(file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  const payload = Buffer.concat(parts);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(payload.length) } };
}

export async function uploadMedia(
  t: TestApp,
  token: string,
  file: { name: string; contentType?: string; data: Buffer },
  fields: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body = multipartBody({ contentType: 'application/octet-stream', ...file }, fields);
  return request(t.app, { method: 'POST', url: '/api/media/assets', token, payload: body.payload, headers: body.headers });
}

/** Upload, run the processing job, and return the asset as the API shows it (ready). */
export async function uploadReadyImage(t: TestApp, token: string, data?: Buffer, name = 'photo.jpg'): Promise<MediaAsset> {
  const response = await uploadMedia(t, token, { name, contentType: 'image/jpeg', data: data ?? (await phoneJpeg()) });
  if (response.statusCode !== 201) throw new Error(`upload: ${response.statusCode} ${response.body}`);
  await t.drainJobs();
  const asset = await request(t.app, { url: `/api/media/assets/${response.json<MediaAsset>().id}`, token });
  if (asset.json<MediaAsset>().status !== 'ready') throw new Error(`asset not ready: ${asset.body}`);
  return asset.json<MediaAsset>();
}

export async function readUsage(t: TestApp, token: string): Promise<MediaUsage> {
  const response = await request(t.app, { url: '/api/media/usage', token });
  if (response.statusCode !== 200) throw new Error(`usage: ${response.statusCode} ${response.body}`);
  return response.json<MediaUsage>();
}

/** What the database holds for a tenant's media, read as the owner (past row-level security). */
export async function countMediaRows(t: TestApp, tenantId: string): Promise<{ assets: number; bytesUsed: number }> {
  const assets = await t.owner.query<{ count: string }>(`SELECT count(*) FROM media_assets WHERE tenant_id = $1`, [tenantId]);
  const usage = await t.owner.query<{ bytes_used: string }>(`SELECT bytes_used FROM media_usage WHERE tenant_id = $1`, [tenantId]);
  return { assets: Number(assets.rows[0]!.count), bytesUsed: Number(usage.rows[0]?.bytes_used ?? 0) };
}

/**
 * The names of every file the local store holds for a tenant. Media tests use the default MEDIA_LOCAL_DIR:
 * the harness's drainJobs runs any queued job, so every test app must see the same store.
 */
export async function storedMediaFiles(t: TestApp, tenantId: string): Promise<string[]> {
  try {
    const entries = await readdir(path.join(mediaLocalDir(t.kernel.config), 't', tenantId), { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch {
    return [];
  }
}
