/**
 * Every rule violation the domain can report. Transports map these codes to
 * HTTP / gRPC statuses in one exhaustive switch at the edge.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'ORDER_NOT_FOUND'
  | 'SAGA_NOT_FOUND'
  | 'ORDER_ALREADY_EXISTS'
  | 'ORDER_NOT_PAYABLE'
  | 'ORDER_PAYMENT_ALREADY_REQUESTED'
  | 'ORDER_NOT_CANCELLABLE'
  | 'ORDER_ALREADY_CANCELED'
  | 'ORDER_NOT_REFUNDABLE'
  | 'REFUND_EXCEEDS_PAID_AMOUNT'
  | 'REFUND_IN_PROGRESS'
  | 'CURRENCY_MISMATCH'
  | 'AMOUNT_OUT_OF_RANGE'
  | 'ILLEGAL_TRANSITION'
  | 'CONCURRENCY_CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_FLIGHT';

/** One invalid input field: `field` is the public (lowerCamelCase) path, e.g. `items[2].qty`. */
export interface FieldViolation {
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;

/** Thrown by an append whose expected version no longer matches the stream. */
export class ConcurrencyError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super('CONCURRENCY_CONFLICT', `stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`);
    this.name = 'ConcurrencyError';
  }
}

/**
 * A rejection the same request would get again (stored as its idempotency key's answer); a lost
 * race or a key still in flight may go the other way on a retry.
 */
export const isDeterministicRejection = (code: DomainErrorCode): boolean =>
  code !== 'CONCURRENCY_CONFLICT' && code !== 'IDEMPOTENCY_KEY_IN_FLIGHT';
