import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';

/** Trailer with the stable OMS error code of a failed call (`VALIDATION_FAILED`, `MALFORMED_REQUEST`, ...). */
export const ERROR_CODE_METADATA = 'oms-error-code';

/** What request bytes that are not a valid protobuf message of their method decode to. */
export class MalformedMessage {
  constructor(readonly reason: string) {}
}

/**
 * grpc-js answers a request it cannot decode with INTERNAL ("Error deserializing request"),
 * a server error for what is the client's mistake. In the returned copy of the definition,
 * such bytes of a unary method decode to a MalformedMessage instead, which the host answers
 * INVALID_ARGUMENT before any handler runs. Streaming methods keep grpc-js's own decoding.
 */
export function tolerantPackageDefinition(definition: PackageDefinition): PackageDefinition {
  const tolerant: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    if ('format' in entry) {
      tolerant[name] = entry;
      continue;
    }
    const service: ServiceDefinition = {};
    for (const [method, descriptor] of Object.entries(entry)) {
      // A MalformedMessage stands in for the request object; the host checks for it first.
      const requestDeserialize = tolerantDecoder(descriptor.requestDeserialize) as typeof descriptor.requestDeserialize;
      service[method] = descriptor.requestStream ? descriptor : { ...descriptor, requestDeserialize };
    }
    tolerant[name] = service;
  }
  return tolerant;
}

function tolerantDecoder(decode: (bytes: Buffer) => unknown): (bytes: Buffer) => unknown {
  return (bytes) => {
    try {
      return decode(bytes);
    } catch (error) {
      return new MalformedMessage(error instanceof Error ? error.message : String(error));
    }
  };
}

/** The answer to a request of `method` that did not decode. */
export function malformedMessageError(method: string): Partial<ServiceError> & { code: status; details: string } {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA, 'MALFORMED_REQUEST');
  return { code: status.INVALID_ARGUMENT, details: `request: not a valid ${method} request message`, metadata };
}
