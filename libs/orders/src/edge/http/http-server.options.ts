import type { OmsConfig } from '@oms/config';
import type { FastifyError, FastifyHttpOptions, FastifyReply } from 'fastify';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { problemOfHttpStatus } from './problem';
import { PROBLEM_CONTENT_TYPE } from './problem.filter';

/** Largest request head (request line + headers) accepted; larger answers 431. Node's own default, made explicit. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * How often Node checks requests against the request timeout. Its default (30 s) would let a
 * slow client hold a connection up to 30 s past a short timeout; a quarter of the timeout keeps
 * the overshoot small without waking up often.
 */
export const timeoutCheckIntervalMs = (requestTimeoutMs: number): number =>
  Math.min(30_000, Math.max(50, Math.floor(requestTimeoutMs / 4)));

interface ConnectionError extends Error {
  readonly code?: string;
}

const SOCKET_ERRORS: Readonly<Record<string, { status: number; detail: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received completely within the request timeout.' },
  HPE_HEADER_OVERFLOW: { status: 431, detail: `The request headers are larger than ${MAX_HEADER_BYTES} bytes.` },
};

const HEADER_TOO_LARGE = {
  type: 'about:blank',
  title: 'Request header fields too large',
  code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  errors: [],
} as const;

/**
 * Errors Node's HTTP parser meets before a request exists (timeout, oversized or malformed
 * head) are answered as problem+json too, then the connection is closed, as Node does.
 */
export function problemClientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code ? SOCKET_ERRORS[error.code] : undefined;
  const status = known?.status ?? 400;
  const problem =
    status === 431
      ? { ...HEADER_TOO_LARGE, status, detail: known?.detail }
      : problemOfHttpStatus(status, known?.detail ?? 'The request could not be parsed.');
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Errors Fastify meets while routing (a URL that does not decode), before Nest sees the request. */
export function problemFrameworkErrorHandler(error: FastifyError, _request: unknown, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const detail = error.code === 'FST_ERR_BAD_URL' ? 'The request URL is not valid percent-encoding.' : 'The request could not be routed.';
  void reply.code(status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemOfHttpStatus(status, detail)));
}

/**
 * Fastify options of the REST server: body limit (413), head limit (431), request timeout
 * (408 then close, checked often enough to matter) and problem+json for parser-level errors.
 */
export function httpServerOptions(config: OmsConfig): FastifyHttpOptions<Server> {
  return {
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    // X-Forwarded-For names the client only when the peer is a configured proxy (proxy-addr walks
    // the chain from the right, past trusted hops); from anyone else request.ip is the peer.
    ...(config.http.trustedProxies.length > 0 ? { trustProxy: [...config.http.trustedProxies] } : {}),
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      ...(config.http.requestTimeoutMs > 0 ? { connectionsCheckingInterval: timeoutCheckIntervalMs(config.http.requestTimeoutMs) } : {}),
    },
    clientErrorHandler: problemClientErrorHandler,
    frameworkErrors: problemFrameworkErrorHandler,
  };
}
