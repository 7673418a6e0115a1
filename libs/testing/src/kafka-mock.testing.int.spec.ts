import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port';
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

  it('fails over: the broker leading every partition and coordinating the group goes down, another takes over, nothing is lost', async () => {
    mock = await startKafkaMock([{ name: 'oms.test.failover', partitions: 4 }], { brokers: 3 });
    const group = `failover-${process.pid}`;
    await mock.setLeaders([1]);
    await mock.setCoordinator(group, 1);
    const kafka = new Kafka({ clientId: 'kafka-mock-failover', brokers: mock.brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
    const admin = kafka.admin();
    await admin.connect();
    const leaders = async () => (await admin.fetchTopicMetadata({ topics: ['oms.test.failover'] })).topics[0].partitions.map((partition) => partition.leader);
    expect(await leaders()).toEqual([1, 1, 1, 1]);
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
    const seen = new Set<string>();
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: ['oms.test.failover'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.add(String(message.value)) });
      const send = (from: number) =>
        producer.send({ topic: 'oms.test.failover', messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `m${from + i}` })) });
      await send(0);
      await mock.setBrokerDown(1, true);
      await mock.setLeaders([2, 3]);
      await mock.setCoordinator(group, 2);
      await send(20);
      const deadline = Date.now() + 45_000;
      while (seen.size < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen.size).toBe(40);
      expect(await leaders()).toEqual([2, 3, 2, 3]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('answers a command it does not know with an error', async () => {
    mock = await startKafkaMock([]);
    await expect(mock.setBrokerDown(99, true)).rejects.toThrow(/kafka-mock "down 99"/);
  });
});

describe('tools/kafka-mock --port', () => {
  async function topicsAt(brokers: string[]): Promise<string[]> {
    const admin = new Kafka({ clientId: 'kafka-mock-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).sort();
    } finally {
      await admin.disconnect();
    }
  }

  it('listens on the given port, and a restart keeps the address clients were given', async () => {
    const port = await freePort();
    const first = await startKafkaMock([{ name: 'fixed.a', partitions: 2 }], { port });
    try {
      expect(first.brokers).toEqual([`127.0.0.1:${port}`]);
      expect(await topicsAt(first.brokers)).toEqual(['fixed.a']);
    } finally {
      await first.stop();
    }
    const second = await startKafkaMock([{ name: 'fixed.b', partitions: 1 }], { port });
    try {
      expect(second.brokers).toEqual([`127.0.0.1:${port}`]);
      expect(await topicsAt([`127.0.0.1:${port}`])).toEqual(['fixed.b']);
    } finally {
      await second.stop();
    }
  });

  it('refuses a port in use, saying which, instead of aborting', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startKafkaMock([{ name: 'x', partitions: 1 }], { port })).rejects.toThrow(
        `kafka-mock exited with code 1: kafka-mock: 127.0.0.1:${port} is already in use (--port ${port})`,
      );
    } finally {
      taken.close();
    }
  });
});
