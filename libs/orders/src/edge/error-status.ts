import type { DomainErrorCode } from '@oms/domain';

/**
 * The canonical gRPC status codes a domain error may get, by name. The gRPC edge turns the
 * name into grpc-js's number, so this mapping (and whatever imports it) needs no gRPC library.
 */
export type GrpcStatusName = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FAILED_PRECONDITION' | 'ABORTED';

export interface ErrorStatus {
  readonly http: number;
  readonly grpc: GrpcStatusName;
  /** Short, stable summary used as the problem `title`. */
  readonly title: string;
}

const status = (http: number, grpc: GrpcStatusName, title: string): ErrorStatus => ({ http, grpc, title });

/**
 * The ONE mapping from domain error codes to transport statuses, used by the REST problem
 * filter and the gRPC exception filter. State conflicts are 409 / FAILED_PRECONDITION; a
 * lost concurrency race and a key still in flight are 409 / ABORTED (retry later); a reused
 * idempotency key is 422 / ALREADY_EXISTS.
 */
export function errorStatusOf(code: DomainErrorCode): ErrorStatus {
  switch (code) {
    case 'VALIDATION_FAILED':
      return status(400, 'INVALID_ARGUMENT', 'Invalid request');
    case 'CURRENCY_MISMATCH':
      return status(400, 'INVALID_ARGUMENT', 'Currency mismatch');
    case 'AMOUNT_OUT_OF_RANGE':
      return status(400, 'INVALID_ARGUMENT', 'Amount out of range');
    case 'ORDER_NOT_FOUND':
      return status(404, 'NOT_FOUND', 'Order not found');
    case 'SAGA_NOT_FOUND':
      return status(404, 'NOT_FOUND', 'Saga not found');
    case 'ORDER_ALREADY_EXISTS':
      return status(409, 'ALREADY_EXISTS', 'Order already exists');
    case 'ORDER_NOT_PAYABLE':
      return status(409, 'FAILED_PRECONDITION', 'Order cannot be paid');
    case 'ORDER_PAYMENT_ALREADY_REQUESTED':
      return status(409, 'FAILED_PRECONDITION', 'Payment already requested');
    case 'ORDER_NOT_CANCELLABLE':
      return status(409, 'FAILED_PRECONDITION', 'Order cannot be canceled');
    case 'ORDER_ALREADY_CANCELED':
      return status(409, 'FAILED_PRECONDITION', 'Order already canceled');
    case 'ORDER_NOT_REFUNDABLE':
      return status(409, 'FAILED_PRECONDITION', 'Order cannot be refunded');
    case 'REFUND_EXCEEDS_PAID_AMOUNT':
      return status(409, 'FAILED_PRECONDITION', 'Refund exceeds the paid amount');
    case 'REFUND_IN_PROGRESS':
      return status(409, 'FAILED_PRECONDITION', 'Refund in progress');
    case 'ILLEGAL_TRANSITION':
      return status(409, 'FAILED_PRECONDITION', 'Illegal transition');
    case 'CONCURRENCY_CONFLICT':
      return status(409, 'ABORTED', 'Concurrent modification');
    case 'IDEMPOTENCY_KEY_REUSED':
      return status(422, 'ALREADY_EXISTS', 'Idempotency key reused');
    case 'IDEMPOTENCY_KEY_IN_FLIGHT':
      return status(409, 'ABORTED', 'Request with this idempotency key in progress');
    default: {
      const unhandled: never = code;
      throw new Error(`unmapped domain error code ${String(unhandled)}`);
    }
  }
}

/** Which rejections an idempotency key stores is a domain rule (libs/domain shared/domain-error.ts). */
export { isDeterministicRejection } from '@oms/domain';
