import { status } from '@grpc/grpc-js';
import { DomainError } from '@oms/domain';
import { RateLimitExceededError } from '../rate-limit/rate-limit-exceeded.error';
import { ERROR_CODE_METADATA, FIELD_VIOLATIONS_METADATA, grpcCodeOf, toGrpcError } from './grpc-errors';

const violation = new DomainError('VALIDATION_FAILED', 'invalid request', [{ field: 'customerId', message: 'is required' }]);
const conflict = new DomainError('ORDER_NOT_CANCELLABLE', 'order o-1 is CONFIRMED');
const limited = new RateLimitExceededError(3);
const unavailable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const bug = new TypeError("Cannot read properties of undefined (reading 'id')");

describe('gRPC status of an error', () => {
  it('names every invalid field in the message and in the trailers', () => {
    const error = toGrpcError(violation);
    expect([error.code, error.details]).toEqual([status.INVALID_ARGUMENT, 'invalid request (customerId: is required)']);
    expect(error.metadata?.get(ERROR_CODE_METADATA)).toEqual(['VALIDATION_FAILED']);
    expect(JSON.parse(String(error.metadata?.get(FIELD_VIOLATIONS_METADATA)[0]))).toEqual([{ field: 'customerId', message: 'is required' }]);
  });

  it('answers a client over its rate limit RESOURCE_EXHAUSTED with retry-after', () => {
    const error = toGrpcError(limited);
    expect([error.code, error.details]).toEqual([status.RESOURCE_EXHAUSTED, 'rate limit exceeded: retry after 3 s']);
    expect([error.metadata?.get(ERROR_CODE_METADATA), error.metadata?.get('retry-after')]).toEqual([['TOO_MANY_REQUESTS'], ['3']]);
  });

  it('describes nothing of an unexpected error', () => {
    const error = toGrpcError(bug);
    expect([error.code, error.details, error.metadata?.get(ERROR_CODE_METADATA)]).toEqual([status.INTERNAL, 'internal error', ['INTERNAL']]);
  });

  it('gives the metrics the very code the client gets', () => {
    for (const error of [violation, conflict, limited, unavailable, bug]) expect(grpcCodeOf(error)).toBe(toGrpcError(error).code);
    expect(grpcCodeOf(conflict)).toBe(status.FAILED_PRECONDITION);
  });
});
