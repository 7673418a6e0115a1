import { status } from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '@oms/domain';
import { errorStatusOf, isDeterministicRejection } from './error-status';
import { problemOf } from './http/problem';

const ALL_CODES: DomainErrorCode[] = [
  'VALIDATION_FAILED',
  'ORDER_NOT_FOUND',
  'SAGA_NOT_FOUND',
  'ORDER_ALREADY_EXISTS',
  'ORDER_NOT_PAYABLE',
  'ORDER_PAYMENT_ALREADY_REQUESTED',
  'ORDER_NOT_CANCELLABLE',
  'ORDER_ALREADY_CANCELED',
  'ORDER_NOT_REFUNDABLE',
  'REFUND_EXCEEDS_PAID_AMOUNT',
  'REFUND_IN_PROGRESS',
  'CURRENCY_MISMATCH',
  'AMOUNT_OUT_OF_RANGE',
  'ILLEGAL_TRANSITION',
  'CONCURRENCY_CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_FLIGHT',
];

describe('errorStatusOf', () => {
  it.each([
    ['VALIDATION_FAILED', 400, status.INVALID_ARGUMENT],
    ['ORDER_NOT_FOUND', 404, status.NOT_FOUND],
    ['SAGA_NOT_FOUND', 404, status.NOT_FOUND],
    ['ORDER_NOT_CANCELLABLE', 409, status.FAILED_PRECONDITION],
    ['CONCURRENCY_CONFLICT', 409, status.ABORTED],
    ['IDEMPOTENCY_KEY_REUSED', 422, status.ALREADY_EXISTS],
    ['IDEMPOTENCY_KEY_IN_FLIGHT', 409, status.ABORTED],
  ] as const)('maps %s to HTTP %d and gRPC %d', (code, http, grpc) => {
    const mapped = errorStatusOf(code);
    expect({ http: mapped.http, grpc: status[mapped.grpc] }).toEqual({ http, grpc });
  });

  it('maps every domain error to a 4xx: bad input or a bad state never becomes a 5xx', () => {
    for (const code of ALL_CODES) {
      const { http } = errorStatusOf(code);
      expect([code, http >= 400 && http < 500]).toEqual([code, true]);
    }
  });

  it('stores rejections with the key, but not conflicts that a retry may get past', () => {
    expect(isDeterministicRejection('ORDER_NOT_FOUND')).toBe(true);
    expect(isDeterministicRejection('VALIDATION_FAILED')).toBe(true);
    expect(isDeterministicRejection('CONCURRENCY_CONFLICT')).toBe(false);
    expect(isDeterministicRejection('IDEMPOTENCY_KEY_IN_FLIGHT')).toBe(false);
  });
});

describe('problemOf', () => {
  it('renders a domain error as RFC 9457 with its violations', () => {
    const error = new DomainError('VALIDATION_FAILED', 'invalid request: customerId', [{ field: 'customerId', message: 'is required' }]);
    expect(problemOf(error)).toEqual({
      type: '/problems/validation-failed',
      title: 'Invalid request',
      status: 400,
      detail: 'invalid request: customerId',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'customerId', message: 'is required' }],
    });
  });

  it('never exposes the message of an unexpected error', () => {
    const problem = problemOf(new Error('relation "orders_view" does not exist at /srv/app.js:10'));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred.' });
    expect(JSON.stringify(problem)).not.toMatch(/orders_view|app\.js/);
  });

  it('keeps the status of framework client errors', () => {
    expect(problemOf(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(problemOf({ statusCode: 418 })).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
