import { randomUUID } from 'node:crypto';
import { loadConfig, type OmsConfig } from '@oms/config';
import { Partitioners } from 'kafkajs';
import { testKafka, type KafkaMock, type TestKafka } from '@oms/testing';
import { describeMessageBrokerContract } from '../contract/message-broker.contract';
import { OMS_TOPICS, type TopicSpec } from '../topics';
import { createKafkaClient } from './kafka-client';
import { createKafkaDriver } from './kafka-driver';
import { KafkaStartupError } from './kafka-startup.errors';
import { ensureKafkaTopics, MissingTopicsError } from './kafka-topics';

const MAX_MESSAGE_BYTES = 64 * 1024;

const brokerConfig = (brokers: string[]): Pick<OmsConfig, 'broker'> =>
  loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: brokers.join(','), OMS_KAFKA_CLIENT_ID: 'oms-test', OMS_KAFKA_IDEMPOTENT: 'false' });

/**
 * Creates topics: through our own mock's stdin, else the admin API, else (a broker without
 * CreateTopics) by auto-creation on a metadata request.
 */
async function prepareTopics(brokers: string[], topics: readonly TopicSpec[], mock?: KafkaMock): Promise<void> {
  if (mock) {
    for (const topic of topics) {
      await mock.createTopic(topic.name, topic.partitions).catch((error: Error) => {
        if (!/already exists/i.test(error.message)) throw error;
      });
    }
    return;
  }
  const kafka = createKafkaClient(brokerConfig(brokers));
  const admin = kafka.admin();
  await admin.connect();
  try {
    try {
      await ensureKafkaTopics(admin, topics);
      return;
    } catch {
      // fall through to auto-creation
    }
    const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (const topic of topics) {
        await producer.send({ topic: topic.name, acks: -1, messages: [] }).catch(() => undefined);
      }
    } finally {
      await producer.disconnect();
    }
    const metadata = await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
    for (const spec of topics) {
      const found = metadata.topics.find((topic) => topic.name === spec.name);
      if (found?.partitions.length !== spec.partitions) {
        throw new Error(`topic ${spec.name} has ${found?.partitions.length ?? 0} partitions, the test needs ${spec.partitions}`);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

// OMS_TEST_KAFKA_BROKERS, Testcontainers or tools/kafka-mock; when none can be had, beforeAll
// throws saying what is missing and every test here fails.
let kafka: TestKafka | undefined;

beforeAll(async () => {
  kafka = await testKafka({ topics: OMS_TOPICS });
}, 60_000);

afterAll(async () => {
  await kafka?.stop();
});

function broker(): { brokers: string[]; mock?: KafkaMock } {
  if (!kafka) throw new Error('no Kafka broker: see the error of beforeAll');
  return kafka;
}

describeMessageBrokerContract(
  'kafka',
  async (topics) => {
    const { brokers, mock } = broker();
    await prepareTopics(brokers, topics, mock);
    const driver = await createKafkaDriver(brokerConfig(brokers), {
      checkTopics: false,
      publisher: { maxMessageBytes: MAX_MESSAGE_BYTES },
      consumer: { maxWaitTimeMs: 100, heartbeatIntervalMs: 300, sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 10_000, redeliveryDelayMs: 20 },
    });
    return { publisher: driver.publisher, consumer: driver.consumer, cleanup: () => driver.close() };
  },
  { deliveryTimeoutMs: 30_000, testTimeoutMs: 90_000, maxMessageBytes: MAX_MESSAGE_BYTES },
);

describe('Kafka driver start-up', () => {
  it('starts when the OMS topics exist and answers ping', async () => {
    const { brokers, mock } = broker();
    await prepareTopics(brokers, OMS_TOPICS, mock);
    const driver = await createKafkaDriver(brokerConfig(brokers));
    try {
      await expect(driver.ping()).resolves.toBeUndefined();
    } finally {
      await driver.close();
    }
  }, 30_000);

  it('refuses to start when a topic is missing, naming it', async () => {
    const config = brokerConfig(broker().brokers);
    const missing = `missing.${randomUUID()}`;
    const withMissingDlq = { broker: { ...config.broker, kafka: { ...config.broker.kafka, dlqTopic: missing } } };
    const starting = createKafkaDriver(withMissingDlq);
    await expect(starting).rejects.toBeInstanceOf(MissingTopicsError);
    await expect(starting).rejects.toThrow(missing);
  }, 30_000);

  it('checks the idempotent producer at start-up: the mock cannot serve one, and the message names the setting', async () => {
    const { brokers, mock } = broker();
    await prepareTopics(brokers, OMS_TOPICS, mock);
    const config = brokerConfig(brokers);
    const idempotent = { broker: { ...config.broker, kafka: { ...config.broker.kafka, idempotent: true } } };
    const starting = createKafkaDriver(idempotent);
    if (mock) {
      // librdkafka's mock has no InitProducerId: without this check every publish would fail later instead.
      await expect(starting).rejects.toBeInstanceOf(KafkaStartupError);
      await expect(starting).rejects.toThrow(/idempotent producer could not start \(KafkaJSBrokerNotFound.*OMS_KAFKA_IDEMPOTENT=false/);
    } else {
      // A real broker serves the idempotent producer: the same start succeeds.
      const driver = await starting;
      await driver.close();
    }
  }, 30_000);

  it('names KAFKA_BROKERS when no broker answers', async () => {
    const starting = createKafkaDriver(brokerConfig(['127.0.0.1:1']), { connectionTimeoutMs: 200 });
    await expect(starting).rejects.toBeInstanceOf(KafkaStartupError);
    await expect(starting).rejects.toThrow(/^cannot reach the Kafka brokers 127\.0\.0\.1:1 \(KAFKA_BROKERS\): .*ECONNREFUSED/);
  }, 60_000);
});
