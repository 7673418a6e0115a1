import { randomUUID } from 'node:crypto';
import { loadConfig, type OmsConfig } from '@oms/config';
import type { ReceivedMessage } from '@oms/domain';
import { startKafkaMock, startKafkaProxy, testPki, type KafkaMock, type KafkaProxy, type TestPki } from '@oms/testing';
import { OMS_TOPICS } from '../topics';
import { createKafkaClient } from './kafka-client';
import { createKafkaDriver } from './kafka-driver';

// OMS against a secured cluster: the mock cluster (three brokers, so clients must follow the
// advertised addresses) behind the TLS / SASL proxy of @oms/testing (kafka-proxy.testing.ts), which
// rewrites those addresses to its own listeners (see kafka-proxy.testing.ts for why). Every client is
// built by createKafkaClient from OMS_KAFKA_* variables, as the apps build theirs.

jest.setTimeout(90_000);

const PASSWORD = 'correct horse battery staple';
/** A CA and one leaf it signed, for the proxy's server side and, in the mutual TLS case, the client. */
let pki: TestPki;
let mock: KafkaMock;
const proxies: KafkaProxy[] = [];

beforeAll(async () => {
  pki = testPki();
  mock = await startKafkaMock(OMS_TOPICS, { brokers: 3 });
}, 60_000);

afterAll(async () => {
  for (const proxy of proxies) await proxy.stop();
  await mock?.stop();
});

async function proxy(options: Omit<Parameters<typeof startKafkaProxy>[0], 'upstream'>): Promise<KafkaProxy> {
  const started = await startKafkaProxy({ upstream: mock.brokers, ...options });
  proxies.push(started);
  return started;
}

const serverTls = () => ({ cert: pki.cert, key: pki.key });

const configFor = (brokers: readonly string[], env: Record<string, string>): OmsConfig =>
  loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: brokers.join(','), OMS_KAFKA_IDEMPOTENT: 'false', OMS_KAFKA_CLIENT_ID: 'oms-tls-test', ...env });

/** What a refused connection surfaces, through kafkajs's wrapping errors. */
function errorChain(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { name, message, code, originalError, cause } = current as Record<string, unknown>;
    parts.push(`${String(name)}: ${String(message)}${code ? ` (${String(code)})` : ''}`);
    current = originalError ?? cause;
  }
  return parts.join(' <- ');
}

async function listTopicsWith(config: OmsConfig): Promise<string[]> {
  const admin = createKafkaClient(config, { connectionTimeoutMs: 5_000 }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/** Start-up check, publish and a consumer group round trip: Metadata, FindCoordinator, Produce, Fetch, commits. */
async function roundTrip(config: OmsConfig): Promise<void> {
  const driver = await createKafkaDriver(config, {
    consumer: { maxWaitTimeMs: 100, heartbeatIntervalMs: 300, sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 10_000 },
  });
  try {
    await driver.ping();
    const received: ReceivedMessage[] = [];
    const handle = await driver.consumer.subscribe({ groupId: `tls-${randomUUID()}`, topics: ['oms.order.events'], handle: async (m) => void received.push(m) });
    const key = `order-${randomUUID()}`;
    await driver.publisher.publish([{ topic: 'oms.order.events', key, value: '{"secured":true}', headers: { ce_type: 'oms.order.v1.Test' } }]);
    const deadline = Date.now() + 30_000;
    while (!received.some((m) => m.key === key) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await handle.stop();
    expect(received.find((m) => m.key === key)).toMatchObject({ value: '{"secured":true}', headers: { ce_type: 'oms.order.v1.Test' } });
  } finally {
    await driver.close();
  }
}

describe('Kafka over TLS (mock cluster behind a TLS-terminating proxy)', () => {
  it('starts the driver, publishes and consumes through TLS only, trusting the CA from OMS_KAFKA_TLS_CA', async () => {
    const tls = await proxy({ tls: serverTls() });
    await roundTrip(configFor(tls.brokers, { OMS_KAFKA_TLS_ENABLED: 'true', OMS_KAFKA_TLS_CA: pki.ca }));
    // Every connection went through the proxy's listeners; the advertised addresses were all rewritten.
    expect(tls.errors()).toEqual([]);
    expect(tls.refusals()).toEqual([]);
    expect(tls.connections()).toBeGreaterThanOrEqual(3);
  });

  it('refuses a client that does not trust the CA, with a certificate error', async () => {
    const tls = await proxy({ tls: serverTls() });
    const refused = await listTopicsWith(configFor(tls.brokers, { OMS_KAFKA_TLS_ENABLED: 'true' })).then(
      () => 'connected',
      (error: unknown) => errorChain(error),
    );
    // Node's verification codes for a chain that does not lead to a trusted CA.
    expect(refused).toMatch(/\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    // The proxy saw TLS handshakes end, and no request ever reached the cluster.
    expect(tls.refusals().some((line) => line.startsWith('TLS:'))).toBe(true);
    expect(tls.connections()).toBe(0);
  });

  it('refuses a plaintext client on the TLS listener', async () => {
    const tls = await proxy({ tls: serverTls() });
    await expect(listTopicsWith(configFor(tls.brokers, {}))).rejects.toThrow();
    expect(tls.connections()).toBe(0);
  });

  it('presents the client certificate of OMS_KAFKA_TLS_CERT / _KEY to a cluster that requires mutual TLS', async () => {
    const mutual = await proxy({ tls: { ...serverTls(), ca: pki.ca, requireClientCertificate: true } });
    const trusted = { OMS_KAFKA_TLS_ENABLED: 'true', OMS_KAFKA_TLS_CA: pki.ca };
    const topics = await listTopicsWith(
      configFor(mutual.brokers, { ...trusted, OMS_KAFKA_TLS_CERT: pki.cert, OMS_KAFKA_TLS_KEY: pki.key }),
    );
    expect(topics).toEqual(expect.arrayContaining(['oms.order.events', 'oms.dlq', 'oms.saga.events']));
    await expect(listTopicsWith(configFor(mutual.brokers, trusted))).rejects.toThrow();
    expect(mutual.errors()).toEqual([]);
  });
});

describe('Kafka with SASL over TLS (the proxy performs the SASL exchange)', () => {
  let secured: KafkaProxy;
  const tlsEnv = () => ({ OMS_KAFKA_TLS_ENABLED: 'true', OMS_KAFKA_TLS_CA: pki.ca });

  beforeAll(async () => {
    secured = await proxy({
      tls: serverTls(),
      sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], users: { 'oms-relay': PASSWORD } },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('logs in with %s and works end to end', async (mechanism) => {
    const before = secured.logins().length;
    await roundTrip(
      configFor(secured.brokers, {
        ...tlsEnv(),
        OMS_KAFKA_SASL_MECHANISM: mechanism,
        OMS_KAFKA_SASL_USERNAME: 'oms-relay',
        OMS_KAFKA_SASL_PASSWORD: PASSWORD,
      }),
    );
    // One login per connection (admin, producer, consumer group members...), all as our user.
    const logins = secured.logins().slice(before);
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(new Set(logins)).toEqual(new Set(['oms-relay']));
    expect(secured.errors()).toEqual([]);
  });

  it.each(['plain', 'scram-sha-512'])('refuses a wrong password with %s', async (mechanism) => {
    const refused = await listTopicsWith(
      configFor(secured.brokers, {
        ...tlsEnv(),
        OMS_KAFKA_SASL_MECHANISM: mechanism,
        OMS_KAFKA_SASL_USERNAME: 'oms-relay',
        OMS_KAFKA_SASL_PASSWORD: 'not the password',
      }),
    ).then(
      () => 'connected',
      (error: unknown) => errorChain(error),
    );
    expect(refused).toMatch(/SASL|Authentication failed/);
    expect(refused).not.toContain('not the password');
    expect(secured.refusals().some((line) => line.startsWith(mechanism.toUpperCase()))).toBe(true);
  });

  it('refuses a client without SASL before any request reaches the cluster', async () => {
    const refusalsBefore = secured.refusals().length;
    await expect(listTopicsWith(configFor(secured.brokers, tlsEnv()))).rejects.toThrow();
    expect(secured.refusals().slice(refusalsBefore).some((line) => line.includes('before SASL authentication'))).toBe(true);
  });
});
