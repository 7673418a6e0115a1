import { createServer } from 'node:net';
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

describe('tools/kafka-mock --port', () => {
  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise<void>((done) => server.close(() => done()));
    return port;
  }

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
