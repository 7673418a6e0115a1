import type { ProblemJson } from '@oms/contracts';
import { isDomainError, type DomainError } from '@oms/domain';
import { errorStatusOf } from '../error-status';
import { isUnavailableError } from '../unavailable';

const kebab = (code: string): string => code.toLowerCase().replace(/_/g, '-');

/** RFC 9457 body of a domain error; `detail` is the error's own message, written for clients. */
export function problemOfDomainError(error: DomainError, instance?: string): ProblemJson {
  const { http, title } = errorStatusOf(error.code);
  return {
    type: `/problems/${kebab(error.code)}`,
    title,
    status: http,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    errors: error.violations.map(({ field, message }) => ({ field, message })),
  };
}

/** Transport-level failures (unknown route, malformed JSON, body too large, ...). */
const HTTP_PROBLEMS: Readonly<Record<number, { code: string; title: string; detail: string }>> = {
  400: { code: 'MALFORMED_REQUEST', title: 'Malformed request', detail: 'The request could not be parsed.' },
  401: { code: 'UNAUTHENTICATED', title: 'Unauthenticated', detail: 'Credentials are required.' },
  403: { code: 'PERMISSION_DENIED', title: 'Forbidden', detail: 'These credentials do not grant access.' },
  404: { code: 'NOT_FOUND', title: 'Not found', detail: 'No such resource.' },
  405: { code: 'METHOD_NOT_ALLOWED', title: 'Method not allowed', detail: 'This method is not allowed here.' },
  406: { code: 'NOT_ACCEPTABLE', title: 'Not acceptable', detail: 'No acceptable representation.' },
  408: { code: 'REQUEST_TIMEOUT', title: 'Request timeout', detail: 'The request took too long.' },
  411: { code: 'LENGTH_REQUIRED', title: 'Length required', detail: 'Content-Length is required.' },
  413: { code: 'PAYLOAD_TOO_LARGE', title: 'Payload too large', detail: 'The request body is larger than the limit.' },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  },
  429: { code: 'TOO_MANY_REQUESTS', title: 'Too many requests', detail: 'Slow down and retry later.' },
  503: { code: 'UNAVAILABLE', title: 'Service unavailable', detail: 'Retry later.' },
};

const INTERNAL: ProblemJson = {
  type: 'about:blank',
  title: 'Internal error',
  status: 500,
  detail: 'An unexpected error occurred.',
  code: 'INTERNAL',
  errors: [],
};

export function problemOfHttpStatus(status: number, detail?: string, instance?: string): ProblemJson {
  const known = HTTP_PROBLEMS[status];
  if (!known || (status >= 500 && status !== 503)) return INTERNAL;
  return {
    type: 'about:blank',
    title: known.title,
    status,
    detail: detail ?? known.detail,
    code: known.code,
    ...(instance ? { instance } : {}),
    errors: [],
  };
}

/** The status a framework / parser error carries (Fastify and Nest HTTP errors), if any. */
export function statusOfHttpError(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { statusCode?: unknown; status?: unknown; getStatus?: () => unknown };
  const value =
    typeof candidate.getStatus === 'function'
      ? candidate.getStatus()
      : (candidate.statusCode ?? candidate.status);
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599 ? value : undefined;
}

/**
 * Maps anything thrown to a problem. Only domain errors and known 4xx statuses say what
 * went wrong; a database that is restarting or unreachable is 503; everything else is a
 * generic 500 (the caller logs the original).
 */
export function problemOf(error: unknown, instance?: string): ProblemJson {
  if (isDomainError(error)) return problemOfDomainError(error, instance);
  if (isUnavailableError(error)) return problemOfHttpStatus(503, 'Storage is unavailable; retry with the same Idempotency-Key.', instance);
  const status = statusOfHttpError(error);
  if (status === undefined || status >= 500) return problemOfHttpStatus(status ?? 500);
  return problemOfHttpStatus(status, describeClientError(error), instance);
}

// Framework and parser messages of client errors are safe and useful
// ("Body is not valid JSON but content-type is set to 'application/json'", "Cannot GET /v2/x").
function describeClientError(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : undefined;
  return message && message.length <= 300 ? message : undefined;
}
