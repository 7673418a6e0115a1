import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { isDomainError } from '@oms/domain';
import { errorStatusOf } from '../errors/error-status';
import { isUnavailableError } from '../errors/unavailable';

export const ERROR_CODE_METADATA = 'oms-error-code';
export const FIELD_VIOLATIONS_METADATA = 'oms-field-violations';

export type GrpcError = Partial<ServiceError> & { code: status; details: string };

/**
 * A domain error as a gRPC status: the code from the shared mapping, the message naming
 * every invalid field, and trailers with the stable code and the violations as JSON.
 * An unreachable or restarting database is UNAVAILABLE (retry); anything else is INTERNAL
 * with a generic message (the caller logs the original).
 */
export function toGrpcError(error: unknown): GrpcError {
  const metadata = new Metadata();
  if (!isDomainError(error) && isUnavailableError(error)) {
    metadata.set(ERROR_CODE_METADATA, 'UNAVAILABLE');
    return { code: status.UNAVAILABLE, details: 'storage is unavailable; retry with the same idempotency-key', metadata };
  }
  if (!isDomainError(error)) {
    metadata.set(ERROR_CODE_METADATA, 'INTERNAL');
    return { code: status.INTERNAL, details: 'internal error', metadata };
  }
  metadata.set(ERROR_CODE_METADATA, error.code);
  const violations = error.violations.map(({ field, message }) => `${field}: ${message}`);
  if (error.violations.length > 0) metadata.set(FIELD_VIOLATIONS_METADATA, JSON.stringify(error.violations));
  const details = violations.length > 0 ? `${error.message} (${violations.join('; ')})` : error.message;
  return { code: errorStatusOf(error.code).grpc, details, metadata };
}
