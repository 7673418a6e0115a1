import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { isDomainError } from '@oms/domain';
import { ERROR_CODE_METADATA } from '@oms/observability/grpc';
import { errorStatusOf } from '../error-status';
import { RateLimitExceededError } from '../rate-limit/rate-limit-exceeded.error';
import { isUnavailableError } from '../unavailable';

export { ERROR_CODE_METADATA };
export const FIELD_VIOLATIONS_METADATA = 'oms-field-violations';

export type GrpcError = Partial<ServiceError> & { code: status; details: string };

/** The gRPC status code anything thrown at the gRPC edge is answered with (the metrics label it too). */
export function grpcCodeOf(error: unknown): status {
  if (isDomainError(error)) return status[errorStatusOf(error.code).grpc];
  if (error instanceof RateLimitExceededError) return status.RESOURCE_EXHAUSTED;
  return isUnavailableError(error) ? status.UNAVAILABLE : status.INTERNAL;
}

/**
 * Anything thrown at the gRPC edge as a gRPC status. A domain error gets the code from the
 * shared mapping, a message naming every invalid field, and trailers with the stable code
 * and the violations as JSON. A client over its rate limit is RESOURCE_EXHAUSTED with
 * `retry-after`; an unreachable or restarting database is UNAVAILABLE (retry); anything else
 * is INTERNAL with a generic message (the caller logs the original).
 */
export function toGrpcError(error: unknown): GrpcError {
  const metadata = new Metadata();
  const code = grpcCodeOf(error);
  if (isDomainError(error)) {
    metadata.set(ERROR_CODE_METADATA, error.code);
    const violations = error.violations.map(({ field, message }) => `${field}: ${message}`);
    if (error.violations.length > 0) metadata.set(FIELD_VIOLATIONS_METADATA, JSON.stringify(error.violations));
    const details = violations.length > 0 ? `${error.message} (${violations.join('; ')})` : error.message;
    return { code, details, metadata };
  }
  if (error instanceof RateLimitExceededError) {
    metadata.set(ERROR_CODE_METADATA, 'TOO_MANY_REQUESTS');
    metadata.set('retry-after', String(error.retryAfterSeconds));
    return { code, details: error.message, metadata };
  }
  if (code === status.UNAVAILABLE) {
    metadata.set(ERROR_CODE_METADATA, 'UNAVAILABLE');
    return { code, details: 'storage is unavailable; retry with the same idempotency-key', metadata };
  }
  metadata.set(ERROR_CODE_METADATA, 'INTERNAL');
  return { code, details: 'internal error', metadata };
}
