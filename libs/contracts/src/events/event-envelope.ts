import type { OutboxMessage, StoredEvent } from '@oms/domain';

/**
 * The wire form of an order event on `oms.order.events`: a JSON body plus CloudEvents
 * attributes in Kafka headers (binary content mode, `ce_` prefix) and `traceparent`.
 */
export const ORDER_EVENTS_TOPIC = 'oms.order.events';
export const DEAD_LETTER_TOPIC = 'oms.dlq';
export const EVENT_SOURCE = 'oms/order-api';
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

export interface EventEnvelope {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly orderId: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: number;
  readonly occurredAt: string;
  readonly data: unknown;
}

export const ceType = (eventType: string): string => `oms.order.v1.${eventType}`;

/** Builds the outbox row of one stored order event (message id = event id, key = order id). */
export function toOutboxMessage(event: StoredEvent, orderId: string, topic = ORDER_EVENTS_TOPIC): OutboxMessage {
  const envelope: EventEnvelope = {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    orderId,
    streamId: event.streamId,
    version: event.version,
    position: event.position,
    occurredAt: event.metadata.occurredAt,
    data: event.data,
  };
  const headers: Record<string, string> = {
    ce_id: event.eventId,
    ce_type: ceType(event.type),
    ce_source: EVENT_SOURCE,
    ce_subject: orderId,
    ce_time: event.metadata.occurredAt,
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    content_type: 'application/json',
    schema_version: String(event.schemaVersion),
  };
  if (event.metadata.traceparent) headers['traceparent'] = event.metadata.traceparent;
  return { messageId: event.eventId, topic, key: orderId, payload: JSON.stringify(envelope), headers };
}

export class MalformedEnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEnvelopeError';
  }
}

/** Parses and checks a message body; throws MalformedEnvelopeError (dead-letter it) on anything else. */
export function parseEnvelope(value: string): EventEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(value);
  } catch {
    throw new MalformedEnvelopeError('message body is not JSON');
  }
  if (typeof body !== 'object' || body === null) throw new MalformedEnvelopeError('message body is not an object');
  const record = body as Record<string, unknown>;
  const strings = ['eventId', 'type', 'orderId', 'streamId', 'occurredAt'] as const;
  const numbers = ['schemaVersion', 'version', 'position'] as const;
  for (const field of strings) {
    if (typeof record[field] !== 'string' || (record[field] as string).length === 0) {
      throw new MalformedEnvelopeError(`envelope field ${field} must be a non-empty string`);
    }
  }
  for (const field of numbers) {
    if (typeof record[field] !== 'number' || !Number.isSafeInteger(record[field])) {
      throw new MalformedEnvelopeError(`envelope field ${field} must be an integer`);
    }
  }
  if (typeof record['data'] !== 'object' || record['data'] === null) {
    throw new MalformedEnvelopeError('envelope field data must be an object');
  }
  return record as unknown as EventEnvelope;
}
