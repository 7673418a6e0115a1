/**
 * An event as persisted: the domain event plus its position and metadata.
 * `version` is the 1-based position within its stream; `position` is the global,
 * strictly increasing position assigned by the event store.
 */
export interface EventMetadata {
  /** ISO-8601 instant the event was recorded (comes from the command, not a clock in the domain). */
  readonly occurredAt: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** W3C trace context of the request that caused the event, carried to the outbox. */
  readonly traceparent?: string;
}

export interface NewEvent<TType extends string = string, TData = unknown> {
  readonly eventId: string;
  readonly type: TType;
  readonly schemaVersion: number;
  readonly data: TData;
  readonly metadata: EventMetadata;
}

export interface StoredEvent<TType extends string = string, TData = unknown> extends NewEvent<TType, TData> {
  readonly streamId: string;
  readonly version: number;
  readonly position: number;
}
