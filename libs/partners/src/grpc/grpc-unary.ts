import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { TRACEPARENT, activeTraceparent } from '@oms/observability';

type UnaryMethod<TRequest, TResponse> = (
  request: TRequest,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: TResponse) => void,
) => unknown;

/**
 * One unary call with a deadline. The idempotency key also travels as `idempotency-key`
 * metadata (as the order API takes it), besides the request field the partner reads.
 */
export function callUnary<TRequest, TResponse>(
  client: Client,
  method: string,
  request: TRequest,
  options: { readonly timeoutMs: number; readonly idempotencyKey: string },
): Promise<TResponse> {
  const invoke = (client as unknown as Record<string, UnaryMethod<TRequest, TResponse>>)[method];
  if (typeof invoke !== 'function') return Promise.reject(new Error(`gRPC method ${method} is not defined`));
  const metadata = new Metadata();
  metadata.set('idempotency-key', options.idempotencyKey);
  // The partner continues the saga's trace (the gRPC instrumentation, when loaded, sets its own child span here).
  const traceparent = activeTraceparent();
  if (traceparent) metadata.set(TRACEPARENT, traceparent);
  return new Promise<TResponse>((resolve, reject) => {
    try {
      invoke.call(client, request, metadata, { deadline: new Date(Date.now() + options.timeoutMs) }, (error, response) =>
        error || response === undefined ? reject(error ?? new Error(`gRPC ${method}: empty response`)) : resolve(response),
      );
    } catch (error) {
      // A closed channel throws synchronously instead of calling back.
      reject(error);
    }
  });
}
