import { status, type ServiceError } from '@grpc/grpc-js';
import { PartnerUnavailableError } from '@oms/domain';

/**
 * gRPC codes that say "try again later": the call may or may not have happened, and the saga
 * repeats it with the same idempotency key. CANCELLED is here because a call cut short by the
 * client closing (shutdown) is just as undecided.
 */
export const TRANSIENT_GRPC_CODES: ReadonlySet<status> = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
  status.INTERNAL,
  status.CANCELLED,
]);

/**
 * Any other gRPC failure (INVALID_ARGUMENT, UNIMPLEMENTED, PERMISSION_DENIED, ...): the
 * request or the wiring is wrong, not the partner's mood. It still fails the step (the saga
 * retries and then compensates), but it is logged as what it is.
 */
export class PartnerCallError extends Error {
  constructor(
    readonly partner: 'inventory' | 'payment',
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PartnerCallError';
  }
}

const isServiceError = (error: unknown): error is ServiceError =>
  error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';

/** The error a failed partner call is thrown as. */
export function partnerCallErrorOf(partner: 'inventory' | 'payment', operation: string, error: unknown): Error {
  if (!isServiceError(error)) {
    return new PartnerUnavailableError(partner, `${partner} ${operation}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = status[error.code] ?? String(error.code);
  const message = `${partner} ${operation}: ${name}: ${error.details || error.message}`;
  return TRANSIENT_GRPC_CODES.has(error.code)
    ? new PartnerUnavailableError(partner, message)
    : new PartnerCallError(partner, error.code, message);
}
