import { Metadata, status, type ServerUnaryCall, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';
import { ERROR_CODE_METADATA } from '../grpc/grpc-errors';
import { clientKeyOfGrpcPeer } from './client-key';
import { retryAfterSeconds, type ClientRateLimit } from './client-rate-limit';

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

/** Puts the per-client rate limit in front of every method of a service implementation. */
export function withGrpcRateLimit(implementation: UntypedServiceImplementation, rateLimit: ClientRateLimit): UntypedServiceImplementation {
  const limited: UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(implementation)) {
    const unary = handler as UnaryHandler;
    limited[method] = ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const decision = rateLimit.take(clientKeyOfGrpcPeer(call.getPeer()));
      if (decision.allowed) return unary(call, callback);
      const seconds = retryAfterSeconds(decision.retryAfterMs);
      const metadata = new Metadata();
      metadata.set(ERROR_CODE_METADATA, 'TOO_MANY_REQUESTS');
      metadata.set('retry-after', String(seconds));
      callback({ code: status.RESOURCE_EXHAUSTED, details: `rate limit exceeded: retry after ${seconds} s`, metadata });
    }) as UnaryHandler;
  }
  return limited;
}
