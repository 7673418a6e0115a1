import { Kafka, logLevel } from 'kafkajs';
import { kafkaMockUnavailable, startKafkaMock, type KafkaMock } from './kafka-mock.testing';

// Building the tool the first time takes a few seconds on a shared machine.
jest.setTimeout(60_000);

describe('tools/kafka-mock', () => {
  let mock: KafkaMock | undefined;

  afterEach(async () => {
    await mock?.stop();
    mock = undefined;
  });

  it('can be built here (CI installs librdkafka-dev and gcc)', () => {
    expect(kafkaMockUnavailable()).toBeUndefined();
  });

  it('serves the Kafka protocol with the topics it was started with and those created later', async () => {
    mock = await startKafkaMock([{ name: 'oms.test.a', partitions: 3 }]);
    expect(mock.brokers.length).toBeGreaterThan(0);
    await mock.createTopic('oms.test.b', 2);
    const admin = new Kafka({ clientId: 'kafka-mock-test', brokers: mock.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['oms.test.a', 'oms.test.b'] });
      expect(topics.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual([
        ['oms.test.a', 3],
        ['oms.test.b', 2],
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('answers a command it does not know with an error', async () => {
    mock = await startKafkaMock([]);
    await expect(mock.setBrokerDown(99, true)).rejects.toThrow(/kafka-mock "down 99"/);
  });
});
