import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SagaKind, SagaOutcome, SagaStatus } from '@oms/domain';
import { SAGA_EVENT_BODY_SCHEMA, SAGA_EVENT_TYPES, sagaEndEventType, sagaEventMessage } from './saga-event.body';

describe('saga lifecycle events', () => {
  it.each<[SagaKind, SagaStatus, SagaOutcome | undefined, boolean, string]>([
    ['fulfilment', 'COMPLETED', 'confirmed', false, 'saga.completed'],
    ['fulfilment', 'COMPLETED', 'nothing_to_do', false, 'saga.completed'],
    ['fulfilment', 'COMPENSATED', 'canceled', true, 'saga.failed'],
    ['fulfilment', 'COMPENSATED', 'canceled', false, 'saga.canceled'],
    ['fulfilment', 'COMPENSATION_FAILED', 'compensation_failed', true, 'saga.failed'],
    ['cancellation', 'COMPLETED', 'canceled', false, 'saga.canceled'],
    ['cancellation', 'COMPLETED', 'nothing_to_do', false, 'saga.completed'],
    ['cancellation', 'COMPENSATION_FAILED', 'compensation_failed', false, 'saga.failed'],
    ['refund', 'COMPLETED', 'refunded', false, 'saga.refunded'],
    ['refund', 'COMPENSATED', 'refund_declined', false, 'saga.failed'],
    ['refund', 'COMPLETED', undefined, false, 'saga.completed'],
    ['refund', 'COMPENSATED', undefined, false, 'saga.failed'],
  ])('a %s saga ending %s (%s, fulfilment failed: %s) is %s', (kind, status, outcome, fulfilmentFailed, type) => {
    expect(sagaEndEventType({ kind, status, outcome, fulfilmentFailed })).toBe(type);
  });

  it('is an outbox row keyed by order id with the Go OMS body and CloudEvents headers', () => {
    const message = sagaEventMessage(
      {
        type: 'saga.refunded',
        orderId: 'order-1',
        sagaId: 'saga-9',
        kind: 'refund',
        occurredAt: '2026-03-02T09:15:03.240Z',
        status: 'COMPLETED',
        outcome: 'refunded',
        reason: 'scratched',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      'saga.topic',
    );
    expect(message).toEqual({
      messageId: 'saga-9:saga.refunded',
      topic: 'saga.topic',
      key: 'order-1',
      payload: JSON.stringify({
        event_type: 'saga.refunded',
        order_id: 'order-1',
        timestamp: '2026-03-02T09:15:03.240Z',
        metadata: { saga_id: 'saga-9', saga_kind: 'refund', saga_status: 'COMPLETED', outcome: 'refunded', reason: 'scratched' },
      }),
      headers: {
        ce_id: 'saga-9:saga.refunded',
        ce_type: 'oms.saga.v1.refunded',
        ce_source: 'oms/saga-orchestrator',
        ce_subject: 'order-1',
        ce_time: '2026-03-02T09:15:03.240Z',
        ce_specversion: '1.0',
        content_type: 'application/json',
        schema_version: '1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    });
    const started = sagaEventMessage({ type: 'saga.started', orderId: 'order-1', sagaId: 'saga-9', kind: 'refund', occurredAt: '2026-03-02T09:15:03.002Z' });
    expect(started.topic).toBe('oms.saga.events');
    expect(JSON.parse(started.payload)).toEqual({ event_type: 'saga.started', order_id: 'order-1', timestamp: '2026-03-02T09:15:03.002Z', metadata: { saga_id: 'saga-9', saga_kind: 'refund' } });
    expect(started.headers).not.toHaveProperty('traceparent');
  });
});

describe('docs/events.md on saga events', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/events.md'), 'utf8');

  it('describes every saga event type, body field and metadata key', () => {
    for (const type of SAGA_EVENT_TYPES) expect(doc).toContain(`| \`${type}\` |`);
    const properties = SAGA_EVENT_BODY_SCHEMA['properties'] as Record<string, { properties?: object }>;
    for (const field of Object.keys(properties)) expect(doc).toContain(`| \`${field}\` |`);
    for (const key of Object.keys(properties['metadata']?.properties ?? {})) expect(doc).toContain(`\`${key}\``);
  });
});
