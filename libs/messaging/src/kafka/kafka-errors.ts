/**
 * Broker answers that mean "this message can never be written" (retrying cannot help), as
 * opposed to outages (leader moves, timeouts, lost connections), which are retried.
 */
const REJECTION_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/** True when `error` (or an error it wraps) is a broker refusal of the message itself. */
export function isBrokerRejection(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { type, cause, originalError } = current as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof type === 'string' && REJECTION_TYPES.has(type)) return true;
    current = cause ?? originalError;
  }
  return false;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
