import type { ReceivedMessage } from '@oms/domain';
import { DLQ_HEADERS, consumerDeadLetter, deadLetterOrigin, isDeadLetterHeader, withoutDeadLetterHeaders } from './dead-letter';

const received: ReceivedMessage = {
  topic: 'oms.order.events',
  key: 'order-1',
  value: '{"id":"e-1"}',
  headers: { ce_id: 'e-1', ce_type: 'oms.order.v1.OrderPaymentRequested', traceparent: '00-abc-def-01' },
  partition: 4,
  offset: '17',
};
const failure = {
  topic: 'oms.dlq',
  reason: 'boom',
  retries: 3,
  failedAt: new Date('2026-03-01T10:00:00.000Z'),
  groupId: 'oms-saga-orchestrator',
  consumer: 'saga-orchestrator',
};

describe('consumer dead letters', () => {
  it('keep key, value and the original headers, and add the Go OMS four and ours', () => {
    expect(consumerDeadLetter(received, failure)).toEqual({
      topic: 'oms.dlq',
      key: 'order-1',
      value: '{"id":"e-1"}',
      headers: {
        ce_id: 'e-1',
        ce_type: 'oms.order.v1.OrderPaymentRequested',
        traceparent: '00-abc-def-01',
        'x-retry-count': '3',
        'x-original-topic': 'oms.order.events',
        'x-error-message': 'boom',
        'x-failed-at': '2026-03-01T10:00:00.000Z',
        oms_source_partition: '4',
        oms_source_offset: '17',
        oms_consumer_group: 'oms-saga-orchestrator',
        oms_consumer: 'saga-orchestrator',
      },
    });
  });

  it('cut a long error, and replace the dead-letter headers of a replayed letter that fails again', () => {
    const again = consumerDeadLetter(
      { ...received, headers: { ...received.headers, [DLQ_HEADERS.retryCount]: '3', oms_error: 'old', oms_source_topic: 'x' } },
      { ...failure, reason: 'e'.repeat(5_000), retries: 0 },
    );
    expect(again.headers[DLQ_HEADERS.errorMessage]).toHaveLength(1_000);
    expect(again.headers[DLQ_HEADERS.retryCount]).toBe('0');
    expect(again.headers).not.toHaveProperty('oms_error');
    expect(again.headers).not.toHaveProperty('oms_source_topic');
  });

  it('tell where a letter came from, also a letter of the previous release; an outbox letter names no original topic', () => {
    const letter = consumerDeadLetter(received, failure);
    expect(deadLetterOrigin(letter.headers)).toEqual({
      originalTopic: 'oms.order.events',
      error: 'boom',
      retries: 3,
      failedAt: new Date('2026-03-01T10:00:00.000Z'),
    });
    expect(deadLetterOrigin({ oms_error: 'not JSON', oms_source_topic: 'oms.order.events' })).toEqual({
      originalTopic: 'oms.order.events',
      error: 'not JSON',
      retries: undefined,
      failedAt: undefined,
    });
    expect(deadLetterOrigin({ dlq_original_topic: 'oms.order.events', dlq_reason: 'too large' })).toBeNull();
    // The relay's letters carry the Go OMS headers too, yet are replayed from the outbox, not the topic.
    expect(deadLetterOrigin({ 'x-original-topic': 'oms.order.events', 'x-error-message': 'too large', dlq_source: 'outbox-relay' })).toBeNull();
    expect(withoutDeadLetterHeaders(letter.headers)).toEqual(received.headers);
    expect(isDeadLetterHeader('x-failed-at')).toBe(true);
    expect(isDeadLetterHeader('ce_id')).toBe(false);
  });
});
