import { loadConfig } from '@oms/config';
import type { ConsumerConfig, Kafka, ProducerBatch } from 'kafkajs';
import { OMS_TOPICS } from '../topics';

// A kafkajs client that records what the driver asks of it, instead of dialling brokers.
const sent: ProducerBatch[] = [];
const consumers: ConsumerConfig[] = [];
const fakeKafka = {
  admin: () => ({
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => OMS_TOPICS.map((topic) => topic.name),
    fetchTopicMetadata: async () => ({ topics: OMS_TOPICS.map((topic) => ({ name: topic.name, partitions: Array.from({ length: topic.partitions }) })) }),
  }),
  producer: () => ({ connect: async () => undefined, disconnect: async () => undefined, sendBatch: async (batch: ProducerBatch) => void sent.push(batch) }),
  consumer: (config: ConsumerConfig) => {
    consumers.push(config);
    // Refuses to connect: the test only needs the configuration the member was created with.
    return { on: () => undefined, connect: async () => Promise.reject(new Error('not dialling')), disconnect: async () => undefined, events: {} };
  },
};
jest.mock('./kafka-client', () => ({ createKafkaClient: () => fakeKafka as unknown as Kafka }));

// Imported after jest.mock, so that the driver gets the recording client.
import { createKafkaDriver } from './kafka-driver';

describe('createKafkaDriver: batching, fetch sizes and waits, and in-flight work from OMS_KAFKA_*', () => {
  const config = loadConfig({
    OMS_BROKER_DRIVER: 'kafka',
    KAFKA_BROKERS: 'b-1:9092',
    OMS_KAFKA_PRODUCER_BATCH_SIZE: '2',
    OMS_KAFKA_CONSUMER_FETCH_MAX_BYTES: '2mb',
    OMS_KAFKA_CONSUMER_PARTITION_FETCH_MAX_BYTES: '256kb',
    OMS_KAFKA_CONSUMER_MAX_IN_FLIGHT: '3',
    OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT: '40ms',
  });

  it('sends a publish in produce requests of OMS_KAFKA_PRODUCER_BATCH_SIZE messages', async () => {
    const driver = await createKafkaDriver(config);
    await driver.publisher.publish(['a', 'b', 'c', 'd', 'e'].map((key) => ({ topic: 'oms.order.events', key, value: key, headers: {} })));
    expect(sent.map((batch) => batch.topicMessages?.[0]?.messages.map((m) => m.key))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    await driver.close();
  });

  it('creates consumer group members with the configured fetch sizes and fetch wait', async () => {
    const driver = await createKafkaDriver(config, { consumer: { joinTimeoutMs: 1_000 } });
    await expect(driver.consumer.subscribe({ groupId: 'g', topics: ['oms.order.events'], handle: async () => undefined })).rejects.toThrow('not dialling');
    expect(consumers[0]).toMatchObject({ groupId: 'g', maxBytes: 2 * 1024 * 1024, maxBytesPerPartition: 256 * 1024, maxWaitTimeInMs: 40 });
    // The member's bound on handlers running at once (the consumer keeps its options as given).
    expect((driver.consumer as unknown as { options: { maxInFlight: number } }).options.maxInFlight).toBe(3);
    await driver.close();
  });
});
