import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';

/** The logger type everywhere: pino's, as Fastify sees it (request.log is the same shape). */
export type Logger = FastifyBaseLogger;

/** Paths never written to logs, whatever the log level. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  '*.secret',
];

export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
