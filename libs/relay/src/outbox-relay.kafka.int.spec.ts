import { randomUUID } from 'node:crypto';
import { loadConfig, type OmsConfig } from '@oms/config';
import type { Outbox, ReceivedMessage } from '@oms/domain';
import { createKafkaDriver, OMS_TOPICS, type MessagingDriver } from '@oms/messaging';
import { createMemoryDrivers } from '@oms/storage';
import { startKafkaMock, type KafkaMock } from '@oms/testing';
import { OutboxRelay, type RelayLogger } from './outbox-relay';
import type { RelayOptions } from './relay.options';
import { RecordingMetrics } from './testing';

const TOPIC = 'oms.order.events';
const silentLogger: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The outage is real: the test takes the broker down and up, so it needs a broker it controls,
// tools/kafka-mock. startKafkaMock throws, naming what to install, when it cannot be built.
describe('OutboxRelay over Kafka (librdkafka mock cluster)', () => {
  let mock: KafkaMock;
  let driver: MessagingDriver;
  let config: Pick<OmsConfig, 'broker'>;

  beforeAll(async () => {
    mock = await startKafkaMock(OMS_TOPICS);
    config = loadConfig({
      OMS_BROKER_DRIVER: 'kafka',
      KAFKA_BROKERS: mock.brokers.join(','),
      OMS_KAFKA_CLIENT_ID: 'relay-test',
      OMS_KAFKA_IDEMPOTENT: 'false',
      OMS_KAFKA_ORDERS_TOPIC: TOPIC,
    });
    driver = await createKafkaDriver(config, {
      consumer: { maxWaitTimeMs: 100, heartbeatIntervalMs: 300, sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 10_000 },
    });
  }, 60_000);

  afterAll(async () => {
    await driver?.close();
    await mock?.stop();
  }, 60_000);

  it('keeps every key in order through a 20 s broker outage, dead-letters nothing, loses nothing', async () => {
    const storage = createMemoryDrivers({ partitions: 4 });
    const metrics = new RecordingMetrics();
    const options: RelayOptions = {
      partitions: 4,
      batchSize: 10,
      pollIntervalMs: 20,
      retryDelayMs: 50,
      maxRetryDelayMs: 500,
      maxAttempts: 2,
      retentionMs: 60 * 60 * 1000,
      pruneIntervalMs: 60 * 60 * 1000,
      pruneBatchSize: 100,
      statsIntervalMs: 60 * 60 * 1000,
      deadLetterTopic: 'oms.dlq',
    };
    // Counts refusals the relay records (an outage must record none).
    let recordedFailures = 0;
    const outbox: Outbox = Object.assign(Object.create(storage.outbox) as Outbox, {
      recordFailure: async (id: number, error: string, deadLetter: boolean) => {
        recordedFailures++;
        return storage.outbox.recordFailure(id, error, deadLetter);
      },
    });
    const relay = new OutboxRelay({ outbox, publisher: driver.publisher, options, metrics, logger: silentLogger });
    const keys = Array.from({ length: 6 }, () => `order-${randomUUID()}`);
    const commitRound = async (seq: number): Promise<void> => {
      for (const key of keys) {
        const messageId = randomUUID();
        await storage.unitOfWork.commit(
          { outbox: [{ messageId, topic: TOPIC, key, payload: `${key}#${seq}`, headers: { ce_id: messageId } }] },
          new Date(),
        );
      }
    };

    relay.start();
    try {
      for (let seq = 0; seq < 5; seq++) await commitRound(seq);
      await until('the first rounds are published', async () => (await storage.outbox.stats()).pending === 0, 30_000);

      await mock.setBrokerDown(1, true);
      const outageStarted = Date.now();
      for (let seq = 5; seq < 10; seq++) await commitRound(seq);
      await until('publishing fails during the outage', () => metrics.attempts.failed > 0, 60_000);
      // The broker stays away for 20 s while the relay keeps retrying (maxAttempts is 2: an
      // outage must not count as attempts, or everything would have been dead-lettered).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20_000 - (Date.now() - outageStarted))));
      expect((await storage.outbox.stats()).pending).toBeGreaterThan(0);
      expect(metrics.attempts.failed).toBeGreaterThan(2);
      await mock.setBrokerDown(1, false);

      await until('everything is published after recovery', async () => (await storage.outbox.stats()).pending === 0, 90_000);
    } finally {
      await relay.stop();
    }
    expect(recordedFailures).toBe(0);
    expect(metrics.attempts.dlq_failed + metrics.attempts.retry_error).toBe(0);
    expect(metrics.deadLetteredTotal).toBe(0);

    const received: ReceivedMessage[] = [];
    const wanted = new Set(keys);
    const consumer = await driver.consumer.subscribe({
      groupId: `relay-check-${randomUUID()}`,
      topics: [TOPIC],
      handle: async (message) => {
        if (wanted.has(message.key)) received.push(message);
      },
    });
    try {
      const distinct = (): number => new Set(received.map((m) => m.value)).size;
      await until('the consumer has every event', () => distinct() >= keys.length * 10, 60_000);
    } finally {
      await consumer.stop();
    }
    for (const key of keys) {
      // At least once: a publish cut by the outage may have been written and then sent again.
      const values = received.filter((m) => m.key === key).map((m) => m.value);
      const firstSeen = values.filter((value, index) => values.indexOf(value) === index);
      expect(firstSeen).toEqual(Array.from({ length: 10 }, (_, seq) => `${key}#${seq}`));
    }
  }, 240_000);
});
