import type { FastifyLoggerOptions, FastifyRequest } from 'fastify';
import { maskSecretsInText, maskUrl } from './secret-params.js';

/**
 * Fastify's logger as `--log` (the `logger` option) turns it on: the request's URL with its
 * secret parameters masked (support/secret-params.ts) — Fastify's default `req` serializer
 * writes `request.url` whole, client_secret and passwd included — and every line masked once
 * more as text on its way out, for messages that quote a URL (Fastify's "Route … not found",
 * an error's message). Bodies are never logged: Fastify does not, and nothing here adds them.
 */
export function maskedLoggerOptions(write: (line: string) => void = (line) => process.stdout.write(line)): FastifyLoggerOptions {
  return {
    level: 'info',
    serializers: {
      // Fastify's own serializer (fastify/lib/logger-pino.js), with the URL masked.
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: maskUrl(request.url),
        version: headerText(request.headers['accept-version']),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
    stream: { write: (line: string) => write(maskSecretsInText(line)) },
  };
}

const headerText = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);
