import type { OutboxMessage, StoredEvent } from '@oms/domain';
import { ORDER_AGGREGATE_TYPE, orderEventBody } from './order-event.body';

/**
 * The wire form of an order event on `oms.order.events`: a JSON body (order-event.body.ts: the
 * Go OMS envelope around our event data) plus CloudEvents attributes in Kafka headers (binary
 * content mode, `ce_` prefix) and `traceparent`. docs/events.md says it for consumers.
 */
export const ORDER_EVENTS_TOPIC = 'oms.order.events';
export const DEAD_LETTER_TOPIC = 'oms.dlq';
export const EVENT_SOURCE = 'oms/order-api';
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** An order event as OMS's consumers read it, from either body (parseEnvelope). */
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

const CE_TYPE_PREFIX = 'oms.order.v1.';

export const ceType = (eventType: string): string => `${CE_TYPE_PREFIX}${eventType}`;

/** The order event type a `ce_type` header names (ceType's inverse); undefined for any other value or none. */
export function eventTypeOfCeType(value: string | undefined): string | undefined {
  return value !== undefined && value.startsWith(CE_TYPE_PREFIX) && value.length > CE_TYPE_PREFIX.length ? value.slice(CE_TYPE_PREFIX.length) : undefined;
}

/**
 * Builds the outbox row of one stored order event (message id = event id, key = order id).
 * An event not yet stored (position 0) gets its position from the store in the same commit.
 */
export function toOutboxMessage(event: StoredEvent, orderId: string, topic = ORDER_EVENTS_TOPIC): OutboxMessage {
  const body = orderEventBody(event, orderId);
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
  return {
    messageId: event.eventId,
    topic,
    key: orderId,
    payload: JSON.stringify(body),
    headers,
    ...(body.position === undefined ? { positionOf: event.eventId } : {}),
  };
}

export class MalformedEnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEnvelopeError';
  }
}

/**
 * Parses and checks a message body; throws MalformedEnvelopeError (dead-letter it) on anything
 * else. Reads the body OMS publishes (the Go OMS envelope, order-event.body.ts) and the body of
 * the previous release (camelCase fields only), which may still arrive during a rolling deploy
 * or from a replay of old outbox rows.
 */
export function parseEnvelope(value: string): EventEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(value);
  } catch {
    throw new MalformedEnvelopeError('message body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MalformedEnvelopeError('message body is not an object');
  const record = body as Record<string, unknown>;
  const goEnvelope = 'aggregate_type' in record || 'event_type' in record || 'aggregate_id' in record;
  if (goEnvelope && record['aggregate_type'] !== ORDER_AGGREGATE_TYPE) {
    throw new MalformedEnvelopeError(`envelope field aggregate_type must be "${ORDER_AGGREGATE_TYPE}"`);
  }
  // The Go OMS names first; the previous body's names otherwise.
  const field = (name: string, legacy: string): unknown => (goEnvelope ? record[name] : record[legacy]);
  const envelope = {
    eventId: field('id', 'eventId'),
    type: field('event_type', 'type'),
    orderId: field('aggregate_id', 'orderId'),
    data: field('payload', 'data'),
    schemaVersion: record['schemaVersion'],
    streamId: record['streamId'],
    version: record['version'],
    position: record['position'],
    occurredAt: record['occurredAt'],
  };
  const names: Record<keyof EventEnvelope, string> = goEnvelope
    ? { eventId: 'id', type: 'event_type', orderId: 'aggregate_id', data: 'payload', schemaVersion: 'schemaVersion', streamId: 'streamId', version: 'version', position: 'position', occurredAt: 'occurredAt' }
    : { eventId: 'eventId', type: 'type', orderId: 'orderId', data: 'data', schemaVersion: 'schemaVersion', streamId: 'streamId', version: 'version', position: 'position', occurredAt: 'occurredAt' };
  for (const key of ['eventId', 'type', 'orderId', 'streamId', 'occurredAt'] as const) {
    if (typeof envelope[key] !== 'string' || (envelope[key] as string).length === 0) {
      throw new MalformedEnvelopeError(`envelope field ${names[key]} must be a non-empty string`);
    }
  }
  for (const key of ['schemaVersion', 'version', 'position'] as const) {
    if (typeof envelope[key] !== 'number' || !Number.isSafeInteger(envelope[key])) {
      throw new MalformedEnvelopeError(`envelope field ${names[key]} must be an integer`);
    }
  }
  if (typeof envelope.data !== 'object' || envelope.data === null) {
    throw new MalformedEnvelopeError(`envelope field ${names.data} must be an object`);
  }
  return envelope as EventEnvelope;
}
