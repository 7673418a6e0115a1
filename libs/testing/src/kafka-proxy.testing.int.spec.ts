import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { startKafkaMock, type KafkaMock } from './kafka-mock.testing';
import { startKafkaProxy, type KafkaProxy } from './kafka-proxy.testing';
import { testPki, type TestPki } from './tls.testing';

// The proxy itself, with a bare kafkajs client: a two-broker mock cluster, so a client that did not
// follow the rewritten addresses would leave the proxy (and fail on TLS). The apps' own client
// factory is proven through it in libs/messaging (kafka-security.int.spec.ts).

jest.setTimeout(60_000);

let mock: KafkaMock;
let pki: TestPki;
const proxies: KafkaProxy[] = [];

beforeAll(async () => {
  pki = testPki();
  mock = await startKafkaMock([{ name: 'proxied', partitions: 4 }, { name: 'long-polled', partitions: 2 }], { brokers: 2 });
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.stop();
  await mock?.stop();
});

async function proxy(options: Omit<Parameters<typeof startKafkaProxy>[0], 'upstream'>): Promise<KafkaProxy> {
  const started = await startKafkaProxy({ upstream: mock.brokers, ...options });
  proxies.push(started);
  return started;
}

const client = (brokers: string[], extra: Partial<KafkaConfig> = {}) =>
  new Kafka({ clientId: 'proxy-test', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 1, initialRetryTime: 100 }, ...extra });

/** Produce, then consume in a new group: Metadata, FindCoordinator, JoinGroup, Fetch and commits through the proxy. */
async function roundTrip(kafka: Kafka): Promise<string[]> {
  const producer = kafka.producer();
  await producer.connect();
  const key = randomUUID();
  await producer.send({ topic: 'proxied', messages: [{ key, value: 'through the proxy' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `proxy-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: ['proxied'], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void (message.key?.toString() === key && seen.push(String(message.value))) });
  const deadline = Date.now() + 30_000;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await consumer.disconnect();
  return seen;
}

describe('the Kafka test proxy', () => {
  it('answers a waiting Fetch when a message is produced, not when its wait ends (longPollFetch)', async () => {
    const front = await proxy({ longPollFetch: true });
    const kafka = client(front.brokers);
    // A wait far longer than the test's bound: the mock alone would hold the Fetch for all of it.
    const consumer = kafka.consumer({ groupId: `long-poll-${randomUUID()}`, maxWaitTimeInMs: 8_000 });
    const received: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ['long-polled'], fromBeginning: true });
    await consumer.run({ eachMessage: async () => void received.push(Date.now()) });
    try {
      const heldBy = Date.now() + 20_000;
      while (front.longPolls().held === 0 && Date.now() < heldBy) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(front.longPolls().held).toBeGreaterThan(0);
      const producer = kafka.producer();
      await producer.connect();
      const producedAt = Date.now();
      await producer.send({ topic: 'long-polled', messages: [{ key: 'k', value: 'wakes the fetch' }] });
      await producer.disconnect();
      while (received.length === 0 && Date.now() < producedAt + 4_000) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toHaveLength(1);
      expect(front.longPolls().wokenByProduce).toBeGreaterThan(0);
      expect(front.errors()).toEqual([]);
    } finally {
      await consumer.disconnect();
    }
  });

  it('serves TLS and SCRAM-SHA-512, and rewrites every advertised broker to its own listeners', async () => {
    const secured = await proxy({ tls: { cert: pki.cert, key: pki.key }, sasl: { mechanisms: ['SCRAM-SHA-512'], users: { alice: 's3cret' } } });
    expect(secured.brokers).toHaveLength(2);
    expect(secured.brokers.every((address) => !mock.brokers.includes(address))).toBe(true);
    const kafka = client([secured.brokers[0]], {
      ssl: { ca: [pki.ca] },
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' },
    });
    await expect(roundTrip(kafka)).resolves.toEqual(['through the proxy']);
    // Given one bootstrap address, the client still reached the other broker: through the proxy.
    expect(secured.connections()).toBeGreaterThanOrEqual(2);
    expect(secured.logins().every((user) => user === 'alice')).toBe(true);
    expect(secured.errors()).toEqual([]);
  });

  it.each<[string, SASLOptions]>([
    ['a wrong password', { mechanism: 'plain', username: 'alice', password: 'wrong' }],
    ['an unknown user', { mechanism: 'scram-sha-256', username: 'mallory', password: 's3cret' }],
    ['a mechanism the proxy does not offer', { mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' }],
  ])('refuses %s over SASL_PLAINTEXT', async (_what, sasl) => {
    const plain = await proxy({ sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256'], users: { alice: 's3cret' } } });
    const admin = client(plain.brokers, { sasl }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|not supported|Authentication failed/);
    await admin.disconnect();
    expect(plain.logins()).toEqual([]);
  });

  it('refuses a request before login, and a client that does not trust its CA', async () => {
    const secured = await proxy({ tls: { cert: pki.cert, key: pki.key }, sasl: { mechanisms: ['PLAIN'], users: { alice: 's3cret' } } });
    // connect() only exchanges ApiVersions, which Kafka allows before a login; listing topics does not.
    const noSasl = client(secured.brokers, { ssl: { ca: [pki.ca] } }).admin();
    await expect(noSasl.connect().then(() => noSasl.listTopics())).rejects.toThrow();
    await noSasl.disconnect();
    expect(secured.refusals().some((line) => line.includes('before SASL authentication'))).toBe(true);
    const untrusted = client(secured.brokers, { ssl: true, sasl: { mechanism: 'plain', username: 'alice', password: 's3cret' } }).admin();
    await expect(untrusted.connect()).rejects.toThrow(/certificate/);
    expect(secured.refusals().some((line) => line.startsWith('TLS:'))).toBe(true);
  });

  it('dials the given address instead of each broker, still mapping answers by the broker', async () => {
    // A plain TCP relay per broker, standing in for a fault proxy: counts what passes through it.
    const relays: Server[] = [];
    const relayed: number[] = [];
    const sockets = new Set<Socket>();
    const dial: Record<string, string> = {};
    for (const [index, address] of mock.brokers.entries()) {
      relayed.push(0);
      const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
      const relay = createServer((socket) => {
        relayed[index] += 1;
        const upstream = connect({ host, port });
        socket.pipe(upstream).pipe(socket);
        for (const end of [socket, upstream]) {
          sockets.add(end);
          end.on('error', () => (socket.destroy(), upstream.destroy()));
        }
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      relays.push(relay);
      dial[address] = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
    }
    try {
      const plain = await proxy({ dial });
      await expect(roundTrip(client([plain.brokers[0]]))).resolves.toEqual(['through the proxy']);
      expect(relayed.every((count) => count > 0)).toBe(true);
      expect(plain.errors()).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      for (const relay of relays) {
        await new Promise((resolve) => relay.close(resolve));
      }
    }
  });

  it('requires a client certificate signed by its CA for mutual TLS', async () => {
    const mutual = await proxy({ tls: { cert: pki.cert, key: pki.key, ca: pki.ca, requireClientCertificate: true } });
    const withCertificate = client(mutual.brokers, { ssl: { ca: [pki.ca], cert: pki.cert, key: pki.key } }).admin();
    await withCertificate.connect();
    await expect(withCertificate.listTopics()).resolves.toContain('proxied');
    await withCertificate.disconnect();
    const without = client(mutual.brokers, { ssl: { ca: [pki.ca] } }).admin();
    await expect(without.connect()).rejects.toThrow();
  });
});
