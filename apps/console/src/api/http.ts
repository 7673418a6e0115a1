import { adminToken } from './admin-token';

/** An answer other than 2xx, read from its problem+json body when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: readonly { field: string; message: string }[] = [],
  ) {
    super(`${status} ${title}${detail ? `: ${detail}` : ''}`);
  }

  /** 401 / 403 of the admin API: the operator must (re)enter the token. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  /** Admin routes carry the token typed in once (sessionStorage). */
  readonly admin?: boolean;
  /** Mutations carry an Idempotency-Key: a double click or a retried request acts once. */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

/** One call to the same origin's REST API: JSON in, JSON out, errors as ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  const token = options.admin ? adminToken.get() : undefined;
  if (token) headers['authorization'] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'OMS is not reachable', error instanceof Error ? error.message : String(error));
  }
  const text = await response.text();
  const body = text ? parseJson(text) : undefined;
  if (!response.ok) throw errorOf(response.status, response.statusText, body, text);
  return body as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** problem+json (RFC 9457) when the server sent it, else the status line. */
export function errorOf(status: number, statusText: string, body: unknown, text: string): ApiError {
  if (body && typeof body === 'object') {
    const problem = body as { title?: unknown; detail?: unknown; errors?: unknown };
    const fields = Array.isArray(problem.errors)
      ? problem.errors.filter((entry): entry is { field: string; message: string } => typeof entry?.field === 'string')
      : [];
    return new ApiError(status, String(problem.title ?? statusText), typeof problem.detail === 'string' ? problem.detail : '', fields);
  }
  return new ApiError(status, statusText || 'error', text.slice(0, 200));
}

/** A fresh key per operator action (the browser's crypto, no library). */
export function newIdempotencyKey(action: string): string {
  return `console-${action}-${crypto.randomUUID()}`;
}
