import { loadConfig } from '@oms/config';
import { testKafka, type TestKafka } from '@oms/testing';
import { logLevel } from 'kafkajs';
import { createKafkaClient } from './kafka-client';

// The queue every kafkajs connection uses; the fix is installed on it by createKafkaClient.
const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: { checkPendingRequests(): void } };

const TOPIC = 'idle-timer';
let kafka: TestKafka | undefined;

beforeAll(async () => {
  kafka = await testKafka({ topics: [{ name: TOPIC, partitions: 1 }] });
}, 60_000);

afterAll(async () => {
  await kafka?.stop();
});

describe('kafkajs connections at rest (the idle timer fix)', () => {
  it('leaves the empty request queue of an idle connection alone, and still sends what comes later', async () => {
    if (!kafka) throw new Error('no Kafka broker: see the error of beforeAll');
    const config = loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: kafka.brokers.join(',') });
    const producer = createKafkaClient(config, { logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: TOPIC, messages: [{ key: 'k', value: 'before' }] });
      const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');

      // Unfixed, each connection that has sent a request checks its (empty) queue every millisecond.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const idleChecks = checks.mock.calls.length;

      await producer.send({ topic: TOPIC, messages: [{ key: 'k', value: 'after' }] });
      checks.mockRestore();
      expect(idleChecks).toBeLessThanOrEqual(5);
    } finally {
      await producer.disconnect();
    }
  });
});
