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

/** How a mutation went: the order was created, or the change was accepted (a saga finishes it). */
export type MutationOutcome = 'created' | 'accepted';

/** A handler's answer; each edge picks its status from the outcome (REST 201 / 202, gRPC OK). */
export interface MutationResult<TBody> {
  readonly outcome: MutationOutcome;
  readonly body: TBody;
}

/** Public names of the fields that differ between the transports. */
export const idempotencyKeyField = (transport: 'rest' | 'grpc'): string =>
  transport === 'rest' ? 'Idempotency-Key' : 'idempotency-key';
export const orderIdField = (transport: 'rest' | 'grpc'): string => (transport === 'rest' ? 'id' : 'orderId');

export const eventMetadataOf = (context: MutationContext): Partial<EventMetadata> =>
  context.traceparent ? { traceparent: context.traceparent } : {};
