import type { EventMetadata } from '@oms/domain';

/** What a transport hands an application handler besides the request itself. */
export interface MutationContext {
  readonly transport: 'rest' | 'grpc';
  /** Raw `Idempotency-Key` header / `idempotency-key` metadata (validated by the handler). */
  readonly idempotencyKey: unknown;
  readonly traceparent?: string;
}

export interface QueryContext {
  readonly transport: 'rest' | 'grpc';
}

/** A handler's answer: the status is the REST one (gRPC answers OK with the same body). */
export interface MutationResult<TBody> {
  readonly status: number;
  readonly body: TBody;
}

/** Public names of the fields that differ between the transports. */
export const idempotencyKeyField = (transport: 'rest' | 'grpc'): string =>
  transport === 'rest' ? 'Idempotency-Key' : 'idempotency-key';
export const orderIdField = (transport: 'rest' | 'grpc'): string => (transport === 'rest' ? 'id' : 'orderId');

export const eventMetadataOf = (context: MutationContext): Partial<EventMetadata> =>
  context.traceparent ? { traceparent: context.traceparent } : {};
