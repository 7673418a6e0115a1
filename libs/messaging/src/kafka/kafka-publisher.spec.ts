import type { BrokerMessage } from '@oms/domain';
import type { Kafka, ProducerBatch } from 'kafkajs';
import { messageSize } from '../message-size';
import { KafkaPublisher, produceBatches } from './kafka-publisher';

const message = (key: string, value: string, topic = 'orders'): BrokerMessage => ({ topic, key, value, headers: {} });

/** A kafkajs client whose producer records every sendBatch and acknowledges it after a tick. */
function recordingKafka() {
  const sent: ProducerBatch[] = [];
  let inFlight = 0;
  let overlapped = false;
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async (batch: ProducerBatch) => {
      overlapped ||= inFlight > 0;
      inFlight++;
      sent.push(batch);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return [];
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sent, overlapped: () => overlapped };
}

describe('produce batches (OMS_KAFKA_PRODUCER_BATCH_SIZE / _BATCH_BYTES)', () => {
  it('splits by count and by bytes, in order; a message larger than the byte cap goes alone', () => {
    const small = Array.from({ length: 5 }, (_, i) => message(`k${i}`, 'x'.repeat(10)));
    expect(produceBatches(small, 2, Infinity).map((batch) => batch.map((m) => m.key))).toEqual([['k0', 'k1'], ['k2', 'k3'], ['k4']]);
    const size = messageSize(small[0]);
    expect(produceBatches(small, 100, size * 3).map((batch) => batch.length)).toEqual([3, 2]);
    const big = message('big', 'y'.repeat(200));
    expect(produceBatches([small[0], big, small[1]], 100, size * 2).map((batch) => batch.map((m) => m.key))).toEqual([['k0'], ['big'], ['k1']]);
    expect(produceBatches([], 1, 1)).toEqual([]);
  });

  it('publishes a large batch as several produce requests, one after another, keeping each key in order', async () => {
    const { kafka, sent, overlapped } = recordingKafka();
    const publisher = new KafkaPublisher(kafka, { idempotent: false, batchSize: 3 });
    const messages = Array.from({ length: 8 }, (_, i) => message(`order-${i % 2}`, `v${i}`, i % 4 === 3 ? 'dlq' : 'orders'));
    await publisher.publish(messages);

    expect(sent).toHaveLength(3);
    expect(overlapped()).toBe(false);
    expect(sent.every((batch) => batch.acks === -1)).toBe(true);
    const values = sent.flatMap((batch) => batch.topicMessages?.flatMap((t) => t.messages.map((m) => String(m.value))) ?? []);
    expect(values.sort()).toEqual(messages.map((m) => m.value).sort());
    // Per key, across requests: the publication order.
    const perKey = (key: string) =>
      sent.flatMap((batch) => batch.topicMessages?.flatMap((t) => t.messages.filter((m) => m.key === key).map((m) => String(m.value))) ?? []);
    expect(perKey('order-0')).toEqual(['v0', 'v2', 'v4', 'v6']);
    expect(perKey('order-1')).toEqual(['v1', 'v3', 'v5', 'v7']);
    await publisher.close();
  });
});
