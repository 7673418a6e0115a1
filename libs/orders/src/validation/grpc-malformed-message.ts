import { Metadata, status, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';
import { ERROR_CODE_METADATA } from '../grpc/grpc-errors';

/** What a request that is not a valid protobuf message of its method decodes to. */
export class MalformedMessage {
  constructor(readonly reason: string) {}
}

/**
 * grpc-js answers a request it cannot decode with INTERNAL ("Error deserializing request"),
 * a server error for what is the client's mistake. With this definition the bytes decode to
 * a MalformedMessage instead, which `withMalformedMessageGuard` answers INVALID_ARGUMENT.
 * Use both together: `server.addService(tolerantServiceDefinition(definition), withMalformedMessageGuard(impl))`.
 */
export function tolerantServiceDefinition(definition: ServiceDefinition): ServiceDefinition {
  const tolerant: Record<string, unknown> = {};
  for (const [method, descriptor] of Object.entries(definition)) {
    const decode = descriptor.requestDeserialize;
    tolerant[method] = {
      ...descriptor,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (error) {
          return new MalformedMessage(error instanceof Error ? error.message : String(error));
        }
      },
    };
  }
  return tolerant as ServiceDefinition;
}

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

/** Answers INVALID_ARGUMENT for requests that did not decode; passes the others through. */
export function withMalformedMessageGuard(implementation: UntypedServiceImplementation): UntypedServiceImplementation {
  const guarded: UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(implementation)) {
    const unary = handler as UnaryHandler;
    guarded[method] = ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      if (!(call.request instanceof MalformedMessage)) return unary(call, callback);
      const metadata = new Metadata();
      metadata.set(ERROR_CODE_METADATA, 'MALFORMED_REQUEST');
      callback({ code: status.INVALID_ARGUMENT, details: `request: not a valid ${method} request message`, metadata });
    }) as UnaryHandler;
  }
  return guarded;
}
