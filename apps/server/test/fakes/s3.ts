import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './network/fake-http-server.js';

/**
 * A local S3-compatible server speaking the S3 REST wire format (path-style addressing) for the calls the
 * media store makes: PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2, and multipart uploads
 * (CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload). Errors are S3's XML
 * error documents. Requests must be SigV4-signed by the configured access key (Authorization header, or
 * X-Amz-* query parameters for presigned URLs, whose X-Amz-Expires is enforced); the signature itself is
 * not recomputed. `requests` records "METHOD /path?query" for assertions.
 */
export type FakeS3 = {
  url: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  objects: Map<string, { body: Buffer; contentType: string; lastModified: Date }>;
  requests: string[];
  close(): Promise<void>;
};

const xmlEscape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function sendXml(response: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  response.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), 'x-amz-request-id': randomUUID(), ...headers });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, code: string, message: string, method: string): void {
  if (method === 'HEAD') {
    response.writeHead(status, { 'x-amz-request-id': randomUUID() });
    response.end();
    return;
  }
  sendXml(response, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Decode an aws-chunked body ("<hex size>;chunk-signature=…\r\n<data>\r\n" … "0…", then trailers). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

/** Parse X-Amz-Date (YYYYMMDDTHHMMSSZ). */
function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!) : Number.NaN;
}

export async function startFakeS3(options: { bucket?: string; accessKeyId?: string; secretAccessKey?: string } = {}): Promise<FakeS3> {
  const bucket = options.bucket ?? 'omni-media-test';
  const accessKeyId = options.accessKeyId ?? 'FAKEACCESSKEY';
  const secretAccessKey = options.secretAccessKey ?? 'fake-secret-access-key-0123456789';
  const objects: FakeS3['objects'] = new Map();
  const uploads = new Map<string, { key: string; contentType: string; parts: Map<number, Buffer> }>();
  const requests: string[] = [];

  /** Null when the request is signed by our key (and, when presigned, not expired); else the S3 error. */
  function authorizationError(request: IncomingMessage, query: URLSearchParams): [number, string, string] | null {
    const header = request.headers.authorization;
    if (header) {
      return header.startsWith('AWS4-HMAC-SHA256 ') && header.includes(`Credential=${accessKeyId}/`) ? null : [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
    }
    const credential = query.get('X-Amz-Credential');
    if (!credential || !query.get('X-Amz-Signature')) return [403, 'AccessDenied', 'Access Denied'];
    if (!credential.startsWith(`${accessKeyId}/`)) return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
    const signedAt = parseAmzDate(query.get('X-Amz-Date') ?? '');
    const expires = Number(query.get('X-Amz-Expires'));
    if (!Number.isFinite(signedAt) || !Number.isFinite(expires) || expires > 604_800) return [400, 'AuthorizationQueryParametersError', 'X-Amz-Date and X-Amz-Expires (at most 604800) are required.'];
    if (Date.now() > signedAt + expires * 1000) return [403, 'AccessDenied', 'Request has expired'];
    return null;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://fake-s3');
    const query = url.searchParams;
    requests.push(`${method} ${url.pathname}${url.search}`);
    const [, bucketName, ...keyParts] = url.pathname.split('/');
    const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
    const denied = authorizationError(request, query);
    if (denied) return sendError(response, denied[0], denied[1], denied[2], method);
    if (bucketName !== bucket) return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist', method);
    let body = method === 'PUT' || method === 'POST' ? await readBody(request) : Buffer.alloc(0);
    if (String(request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) body = decodeAwsChunked(body);
    const contentType = String(request.headers['content-type'] ?? 'binary/octet-stream');

    if (!key) {
      if (method === 'GET' && query.get('list-type') === '2') {
        const prefix = query.get('prefix') ?? '';
        const maxKeys = Number(query.get('max-keys') ?? 1000);
        const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
        const keys = [...objects.keys()].filter((candidate) => candidate.startsWith(prefix) && candidate > after).sort();
        const page = keys.slice(0, maxKeys);
        const truncated = keys.length > page.length;
        const contents = page
          .map((name) => {
            const object = objects.get(name)!;
            return `<Contents><Key>${xmlEscape(name)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(etagOf(object.body))}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
          })
          .join('');
        return sendXml(
          response,
          200,
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xmlEscape(page.at(-1)!)}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
        );
      }
      return sendError(response, 400, 'InvalidRequest', 'Unsupported bucket operation in the fake', method);
    }

    if (method === 'POST' && query.has('uploads')) {
      const uploadId = randomUUID();
      uploads.set(uploadId, { key, contentType, parts: new Map() });
      return sendXml(response, 200, `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
    }
    const uploadId = query.get('uploadId');
    if (uploadId) {
      const upload = uploads.get(uploadId);
      if (!upload || upload.key !== key) return sendError(response, 404, 'NoSuchUpload', 'The specified upload does not exist.', method);
      if (method === 'PUT') {
        upload.parts.set(Number(query.get('partNumber')), body);
        response.writeHead(200, { etag: etagOf(body) });
        return void response.end();
      }
      if (method === 'POST') {
        const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => Number(match[1]));
        if (numbers.length === 0 || numbers.some((number) => !upload.parts.has(number))) return sendError(response, 400, 'InvalidPart', 'One or more of the specified parts could not be found.', method);
        const whole = Buffer.concat(numbers.map((number) => upload.parts.get(number)!));
        objects.set(key, { body: whole, contentType: upload.contentType, lastModified: new Date() });
        uploads.delete(uploadId);
        return sendXml(response, 200, `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etagOf(whole))}</ETag></CompleteMultipartUploadResult>`);
      }
      if (method === 'DELETE') {
        uploads.delete(uploadId);
        response.writeHead(204);
        return void response.end();
      }
    }

    const object = objects.get(key);
    switch (method) {
      case 'PUT':
        objects.set(key, { body, contentType, lastModified: new Date() });
        response.writeHead(200, { etag: etagOf(body) });
        return void response.end();
      case 'GET':
      case 'HEAD':
        if (!object) return sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.', method);
        response.writeHead(200, {
          'content-type': object.contentType,
          'content-length': String(object.body.length),
          etag: etagOf(object.body),
          'last-modified': object.lastModified.toUTCString(),
        });
        return void response.end(method === 'GET' ? object.body : undefined);
      case 'DELETE':
        objects.delete(key);
        response.writeHead(204);
        return void response.end();
      default:
        return sendError(response, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', method);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, 'InternalError', String(error), request.method ?? 'GET');
    });
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, bucket, accessKeyId, secretAccessKey, objects, requests, close: listening.close };
}
