import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { anOrderPlaced, storedEventsWith } from '@oms/domain/testing';
import { MalformedEnvelopeError, parseEnvelope, toOutboxMessage } from './event-envelope';
import { ORDER_EVENT_CATALOG } from './order-event.catalog';
import { ORDER_EVENT_BODY_SCHEMA } from './order-event.body';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const placed = anOrderPlaced({ orderId: 'o-1', customerId: 'c-1' });
/** As the write path has it before the commit: the store has not assigned a position yet. */
const [live] = storedEventsWith('o-1', { fromPosition: 0, metadata: { traceparent: TRACEPARENT } }, placed);
/** As a replay reads it from the store. */
const [stored] = storedEventsWith('o-1', { fromPosition: 4711 }, placed);

/** What the store does to a live event's body in the commit (OutboxMessage.positionOf). */
const committed = (payload: string, position: number): string => `${payload.slice(0, -1)},"position":${position}}`;

describe('the body on oms.order.events', () => {
  it('carries the Go OMS envelope around the event data, plus OMS ordering facts and the previous names', () => {
    const message = toOutboxMessage(live, 'o-1');
    const body = JSON.parse(committed(message.payload, 17)) as Record<string, unknown>;
    expect(body).toEqual({
      id: live.eventId,
      aggregate_type: 'order',
      aggregate_id: 'o-1',
      event_type: 'OrderPlaced',
      payload: placed.data,
      published_at: live.metadata.occurredAt,
      schemaVersion: placed.schemaVersion,
      streamId: 'order-o-1',
      version: 1,
      occurredAt: live.metadata.occurredAt,
      eventId: live.eventId,
      type: 'OrderPlaced',
      orderId: 'o-1',
      data: placed.data,
      position: 17,
    });
    // The previous release's consumers find every field they read, with the same values.
    expect(body).toMatchObject({ eventId: body['id'], type: body['event_type'], orderId: body['aggregate_id'], data: body['payload'] });
  });

  it('keeps key, CloudEvents headers and traceparent; a live event asks the store for its position', () => {
    const message = toOutboxMessage(live, 'o-1');
    expect(message).toMatchObject({ messageId: live.eventId, key: 'o-1', topic: 'oms.order.events', positionOf: live.eventId });
    expect(message.headers).toEqual({
      ce_id: live.eventId,
      ce_type: 'oms.order.v1.OrderPlaced',
      ce_source: 'oms/order-api',
      ce_subject: 'o-1',
      ce_time: live.metadata.occurredAt,
      ce_specversion: '1.0',
      content_type: 'application/json',
      schema_version: String(placed.schemaVersion),
      traceparent: TRACEPARENT,
    });
    expect(JSON.parse(message.payload)).not.toHaveProperty('position');
  });

  it('writes the known position of a replayed event itself', () => {
    const message = toOutboxMessage(stored, 'o-1', 'replay.topic');
    expect(message).not.toHaveProperty('positionOf');
    expect(message.topic).toBe('replay.topic');
    expect(JSON.parse(message.payload)).toMatchObject({ id: stored.eventId, position: 4711 });
  });

  it('validates against the published body schema, and its payload against the catalogued data schema', () => {
    const ajv = addFormats(new Ajv2020({ strict: true }));
    const validateBody = ajv.compile(ORDER_EVENT_BODY_SCHEMA);
    const body = JSON.parse(committed(toOutboxMessage(live, 'o-1').payload, 17)) as Record<string, unknown>;
    expect([validateBody(body), validateBody.errors ?? null]).toEqual([true, null]);
    expect(validateBody({ ...body, aggregate_type: 'payment' })).toBe(false);
    const { position: _unassigned, ...withoutPosition } = body;
    expect(validateBody(withoutPosition)).toBe(false);
    expect(ajv.validate(ORDER_EVENT_CATALOG.OrderPlaced.dataSchema, body['payload'])).toBe(true);
  });
});

describe('parseEnvelope', () => {
  const expected = {
    eventId: stored.eventId,
    type: 'OrderPlaced',
    schemaVersion: placed.schemaVersion,
    orderId: 'o-1',
    streamId: 'order-o-1',
    version: 1,
    position: 4711,
    occurredAt: stored.metadata.occurredAt,
    data: placed.data,
  };

  it('reads the body OMS publishes', () => {
    expect(parseEnvelope(toOutboxMessage(stored, 'o-1').payload)).toEqual(expected);
    expect(parseEnvelope(committed(toOutboxMessage(live, 'o-1').payload, 9))).toMatchObject({ eventId: live.eventId, position: 9 });
  });

  it('reads the Go OMS fields when the previous names are gone (the release after next)', () => {
    const goOnly = JSON.parse(toOutboxMessage(stored, 'o-1').payload) as Record<string, unknown>;
    for (const alias of ['eventId', 'type', 'orderId', 'data']) delete goOnly[alias];
    expect(parseEnvelope(JSON.stringify(goOnly))).toEqual(expected);
  });

  it('still reads the body of the previous release (rolling deploy, old outbox rows, replays of those)', () => {
    // Exactly as the previous release wrote it: camelCase fields only, position 0 on live events.
    const previous = JSON.stringify({
      eventId: stored.eventId,
      type: 'OrderPlaced',
      schemaVersion: placed.schemaVersion,
      orderId: 'o-1',
      streamId: 'order-o-1',
      version: 1,
      position: 0,
      occurredAt: stored.metadata.occurredAt,
      data: placed.data,
    });
    expect(parseEnvelope(previous)).toEqual({ ...expected, position: 0 });
  });

  it.each([
    ['not JSON', 'message body is not JSON'],
    ['[1,2]', 'message body is not an object'],
    [JSON.stringify({ aggregate_type: 'payment', id: 'e' }), 'envelope field aggregate_type must be "order"'],
    [JSON.stringify({ ...JSON.parse(toOutboxMessage(stored, 'o-1').payload), id: '' }), 'envelope field id must be a non-empty string'],
    [JSON.stringify({ ...JSON.parse(toOutboxMessage(stored, 'o-1').payload), payload: 'x' }), 'envelope field payload must be an object'],
    [JSON.stringify({ ...JSON.parse(toOutboxMessage(stored, 'o-1').payload), version: 1.5 }), 'envelope field version must be an integer'],
    [JSON.stringify({ eventId: 'e', type: 'T', orderId: 'o', streamId: 's', occurredAt: 't', schemaVersion: 1, version: 1, position: 1 }), 'envelope field data must be an object'],
  ])('refuses %s: %s', (body, message) => {
    expect(() => parseEnvelope(body)).toThrow(MalformedEnvelopeError);
    expect(() => parseEnvelope(body)).toThrow(message);
  });
});

describe('docs/events.md', () => {
  // Keeps the consumer-facing page honest: every event type, schema version, payload field and body field.
  const doc = readFileSync(join(__dirname, '../../../../docs/events.md'), 'utf8');

  it('lists every catalogued event type with its schema version and payload fields', () => {
    for (const [type, contract] of Object.entries(ORDER_EVENT_CATALOG)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${type}\` |`));
      expect({ type, row: row !== undefined }).toEqual({ type, row: true });
      expect(row).toContain(`| ${contract.schemaVersion} |`);
      for (const field of Object.keys((contract.dataSchema as { properties: object }).properties)) expect(row).toContain(`\`${field}\``);
    }
  });

  it('describes every body field', () => {
    for (const field of Object.keys((ORDER_EVENT_BODY_SCHEMA as { properties: object }).properties)) expect(doc).toContain(`\`${field}\``);
  });
});
