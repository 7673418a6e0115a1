import type { StoredEvent } from '@oms/domain';

/**
 * The JSON body of a message on `oms.order.events` (docs/events.md). It carries the envelope of
 * the Go OMS, so a consumer written for that reads it unchanged, around OMS's own event data:
 *
 * - `id`, `aggregate_type` (`order`), `aggregate_id`, `event_type`, `payload` (the event's data),
 *   `published_at`: the Go OMS envelope;
 * - `schemaVersion`, `streamId`, `version` (in the order's stream), `position` (in the whole
 *   event store), `occurredAt`: OMS's ordering and versioning facts;
 * - `eventId`, `type`, `orderId`, `data`: the same values under the names of the previous OMS
 *   body, kept while consumers of that release may still run (ADR 0018).
 *
 * Live events get `position` from the store when they commit (OutboxMessage.positionOf);
 * replays already know it.
 */
export interface OrderEventBody {
  readonly id: string;
  readonly aggregate_type: 'order';
  readonly aggregate_id: string;
  readonly event_type: string;
  readonly payload: unknown;
  readonly published_at: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly eventId: string;
  readonly type: string;
  readonly orderId: string;
  readonly data: unknown;
  /** Absent only until the store assigns it, inside the commit. */
  readonly position?: number;
}

export const ORDER_AGGREGATE_TYPE = 'order';

/** The body of one stored order event; `position` only when the store has assigned it (> 0). */
export function orderEventBody(event: StoredEvent, orderId: string): OrderEventBody {
  const occurredAt = event.metadata.occurredAt;
  return {
    id: event.eventId,
    aggregate_type: ORDER_AGGREGATE_TYPE,
    aggregate_id: orderId,
    event_type: event.type,
    payload: event.data,
    // The time OMS recorded the event: the Go OMS stamps its outbox row the same way, and a
    // replay publishes the same body again.
    published_at: occurredAt,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    version: event.version,
    occurredAt,
    eventId: event.eventId,
    type: event.type,
    orderId,
    data: event.data,
    ...(event.position > 0 ? { position: event.position } : {}),
  };
}

const nonEmpty = { type: 'string', minLength: 1 } as const;
const count = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const time = { type: 'string', format: 'date-time' } as const;

/**
 * JSON Schema (2020-12) of the body, for consumers outside OMS; `payload` is described per
 * event type by ORDER_EVENT_CATALOG[type].dataSchema.
 */
export const ORDER_EVENT_BODY_SCHEMA: Readonly<Record<string, unknown>> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'oms.order.events message body',
  type: 'object',
  required: [
    'id',
    'aggregate_type',
    'aggregate_id',
    'event_type',
    'payload',
    'published_at',
    'schemaVersion',
    'streamId',
    'version',
    'position',
    'occurredAt',
  ],
  properties: {
    id: { ...nonEmpty, description: 'Event id (a UUID); the same as the ce_id header. Consumers deduplicate on it.' },
    aggregate_type: { const: ORDER_AGGREGATE_TYPE },
    aggregate_id: { ...nonEmpty, description: 'Order id; also the message key.' },
    event_type: { ...nonEmpty, description: 'Event type, e.g. OrderPlaced (ce_type is oms.order.v1.<event_type>).' },
    payload: { type: 'object', description: 'The event data: ORDER_EVENT_CATALOG[event_type].dataSchema.' },
    published_at: { ...time, description: 'When OMS recorded the event (RFC 3339, UTC).' },
    schemaVersion: { ...count, description: 'Version of the payload schema of this event type.' },
    streamId: { ...nonEmpty, description: 'order-<aggregate_id>.' },
    version: { ...count, description: "The event's 1-based position in its order's stream." },
    position: { ...count, description: "The event's position in the whole event store (migrator events replay --from-position)." },
    occurredAt: time,
    eventId: { ...nonEmpty, description: 'Deprecated alias of id.' },
    type: { ...nonEmpty, description: 'Deprecated alias of event_type.' },
    orderId: { ...nonEmpty, description: 'Deprecated alias of aggregate_id.' },
    data: { type: 'object', description: 'Deprecated alias of payload.' },
  },
};
