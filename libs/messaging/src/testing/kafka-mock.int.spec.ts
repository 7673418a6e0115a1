import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaMockAvailable, startKafkaMock } from './kafka-mock';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function topicsAt(brokers: string[]): Promise<string[]> {
  const admin = new Kafka({ clientId: 'oms-kafka-mock-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).sort();
  } finally {
    await admin.disconnect();
  }
}

if (!kafkaMockAvailable()) {
  // As the Kafka driver tests: the tool needs Debian's librdkafka-dev and cc, which CI installs.
  console.warn('tools/kafka-mock tests skipped: it cannot be built here (needs Debian librdkafka-dev and cc)');
}

(kafkaMockAvailable() ? describe : describe.skip)('tools/kafka-mock --port', () => {
  jest.setTimeout(60_000);

  it('listens on the given port, and a restart keeps the address clients were given', async () => {
    const port = await freePort();
    const first = await startKafkaMock([{ name: 'fixed.a', partitions: 2, retentionMs: 1 }], { port });
    try {
      expect(first.brokers).toEqual([`127.0.0.1:${port}`]);
      expect(await topicsAt(first.brokers)).toEqual(['fixed.a']);
    } finally {
      await first.stop();
    }
    const second = await startKafkaMock([{ name: 'fixed.b', partitions: 1, retentionMs: 1 }], { port });
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
      await expect(startKafkaMock([{ name: 'x', partitions: 1, retentionMs: 1 }], { port })).rejects.toThrow(
        `kafka-mock exited with code 1: kafka-mock: 127.0.0.1:${port} is already in use (--port ${port})`,
      );
    } finally {
      taken.close();
    }
  });
});
