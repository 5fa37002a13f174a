import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback, tinyPng } from './network/fake-http-server.js';

/**
 * A web server holding a post's media, for the media fetch policy tests (providers/media-fetch.ts):
 * GET /image.png (a 1×1 PNG), /redirect?to=<url> (302), /bytes?count=N (N bytes with Content-Length),
 * /stream?count=N (N bytes chunked, no Content-Length), /status/<code>, and /hang (never answers).
 * Listens on 127.0.0.1; `requests` records every path it was asked for.
 */
export type MediaOrigin = {
  url: string;
  requests: string[];
  close(): Promise<void>;
};

function sendBytes(response: ServerResponse, count: number, chunked: boolean): void {
  const chunk = Buffer.alloc(Math.min(count, 512), 7);
  response.writeHead(200, { 'content-type': 'application/octet-stream', ...(chunked ? {} : { 'content-length': String(count) }) });
  let left = count;
  const writeMore = () => {
    while (left > 0) {
      const piece = chunk.subarray(0, Math.min(left, chunk.length));
      left -= piece.length;
      if (!response.write(piece)) {
        response.once('drain', writeMore);
        return;
      }
    }
    response.end();
  };
  writeMore();
}

export async function startMediaOrigin(): Promise<MediaOrigin> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://media.local');
    requests.push(url.pathname + url.search);
    const count = Number(url.searchParams.get('count') ?? '0');
    if (url.pathname === '/image.png') {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(tinyPng.length) });
      response.end(tinyPng);
    } else if (url.pathname === '/redirect') {
      response.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      response.end();
    } else if (url.pathname === '/bytes') {
      sendBytes(response, count, false);
    } else if (url.pathname === '/stream') {
      sendBytes(response, count, true);
    } else if (url.pathname.startsWith('/status/')) {
      response.writeHead(Number(url.pathname.slice('/status/'.length)) || 500);
      response.end();
    } else if (url.pathname === '/hang') {
      // Never answer: the client's deadline must end the download.
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, requests, close: listening.close };
}
