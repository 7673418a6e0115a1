import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { configSecrets, redactSecrets, type OmsConfig } from '@oms/config';
import type { Params } from 'nestjs-pino';
import pino, { type Logger, type LoggerOptions } from 'pino';

/** Log fields whose values are always replaced, wherever they appear. */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'dsn',
  '*.dsn',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'privateKey',
  '*.privateKey',
  'tls.key',
  '*.tls.key',
];

/**
 * pino options of every OMS process: JSON lines with ISO time, the level as a word, service
 * and app names, trace and span ids of the active span, and secrets removed both by field
 * (REDACTED_LOG_PATHS) and by content (DSN passwords, private keys, the config's secrets).
 */
export function omsLoggerOptions(config: OmsConfig, appName: string): LoggerOptions {
  const secrets = configSecrets(config);
  const scrub = (text: string): string => redactSecrets(text, secrets);
  return {
    level: config.logLevel,
    name: config.serviceName,
    base: { app: appName, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      // Field paths cannot cover every nesting, so values are also scrubbed by name and content.
      log: (object) => scrubObject(object, scrub, 0) as Record<string, unknown>,
    },
    redact: { paths: [...REDACTED_LOG_PATHS], censor: '[REDACTED]' },
    mixin: traceFields,
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (error: Error) => {
        const serialized = pino.stdSerializers.err(error);
        return {
          ...serialized,
          message: scrub(serialized.message ?? ''),
          ...(serialized.stack ? { stack: scrub(serialized.stack) } : {}),
        };
      },
    },
  };
}

/** A pino logger for an OMS process (also usable before Nest starts). */
export function createOmsLogger(config: OmsConfig, appName: string, destination?: NodeJS.WritableStream): Logger {
  const options = omsLoggerOptions(config, appName);
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/**
 * nestjs-pino parameters: one line per request when it completes (method, route, status,
 * time, request id), 5xx as error, 4xx as warn. Request headers are not logged at all.
 */
export function omsLoggerParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      // Used when the HTTP server has not assigned an id (Fastify assigns its own, see its requestIdHeader).
      genReqId: (request: IncomingMessage) => {
        const incoming = request.headers['x-request-id'];
        return typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      customSuccessMessage: (request, response) => `${request.method} ${pathOf(request)} ${response.statusCode}`,
      customErrorMessage: (request, response) => `${request.method} ${pathOf(request)} ${response.statusCode}`,
      serializers: {
        req: (request: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
          remoteAddress: request.remoteAddress,
        }),
        res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
      },
    },
  };
}

const SECRET_FIELD = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|password|passwd|secret|token|dsn|privatekey)$/i;
const MAX_SCRUB_DEPTH = 8;

function scrubObject(value: unknown, scrub: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > MAX_SCRUB_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubObject(item, scrub, depth + 1));
  // Errors, dates and buffers keep their own serializers.
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      SECRET_FIELD.test(key) && field !== undefined && field !== null ? '[REDACTED]' : scrubObject(field, scrub, depth + 1),
    ]),
  );
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '').split('?')[0] ?? '';
}

function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}
