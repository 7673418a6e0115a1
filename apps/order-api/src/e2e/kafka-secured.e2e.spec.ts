import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OMS_TOPICS } from '@oms/messaging';
import { createTestDatabase, startKafkaMock, startKafkaProxy, testPki, type KafkaMock, type KafkaProxy, type TestDatabase, type TestPki } from '@oms/testing';
import { anOrder, buildApp, call, startApp, waitFor, waitUntilReady, type AppProcess } from './built-app';

// The built outbox-relay and saga-orchestrator against a Kafka cluster that only speaks TLS
// and SASL (SCRAM-SHA-512), the way MSK or Confluent Cloud expose one: an order created and
// paid over REST on the built order-api ends CONFIRMED, so its events went relay -> broker ->
// saga through the secured listeners.
//
// The cluster is librdkafka's mock (tools/kafka-mock, three brokers) behind the proxy of
// libs/testing/src/kafka-proxy.testing.ts: it terminates TLS with a certificate from a CA made
// by openssl here, performs the SASL exchange itself, and rewrites the broker addresses in
// Metadata and FindCoordinator answers to its own listeners. Kafka clients connect to the
// addresses the cluster advertises, not only to the bootstrap list, and the mock can only
// advertise its plaintext ports, so without that rewrite the apps would leave the proxy after
// their first Metadata answer (and fail, speaking TLS to a plaintext port). The apps get the CA
// and the password as files (OMS_KAFKA_TLS_CA_FILE, OMS_KAFKA_SASL_PASSWORD_FILE), as from a
// Kubernetes Secret; neither app may print the password.

jest.setTimeout(300_000);

const PASSWORDS = { 'oms-relay': 'relay-pw-3f9c1e7a', 'oms-saga': 'saga-pw-b8d2a640' } as const;

let pki: TestPki;
/** The files the apps read: the CA and one password per user. */
let secretsDir: string;
let caFile: string;
let database: TestDatabase;
let mock: KafkaMock;
let proxy: KafkaProxy;
const running: AppProcess[] = [];

beforeAll(async () => {
  pki = testPki();
  secretsDir = mkdtempSync(join(tmpdir(), 'oms-kafka-e2e-'));
  caFile = join(secretsDir, 'ca.crt');
  writeFileSync(caFile, pki.ca);
  database = await createTestDatabase('kafka_secured');
  mock = await startKafkaMock(OMS_TOPICS, { brokers: 3 });
  proxy = await startKafkaProxy({
    upstream: mock.brokers,
    tls: { cert: pki.cert, key: pki.key },
    sasl: { mechanisms: ['SCRAM-SHA-512'], users: PASSWORDS },
  });
}, 120_000);

afterAll(async () => {
  for (const app of running) await app.stop('SIGKILL');
  await proxy?.stop();
  await mock?.stop();
  await database?.drop();
  if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
});

/** The Kafka variables of one app: TLS trusting the test CA, SASL as `user`, secrets from files. */
function securedKafka(user: keyof typeof PASSWORDS): Record<string, string> {
  const passwordFile = join(secretsDir, `${user}.password`);
  writeFileSync(passwordFile, `${PASSWORDS[user]}\n`);
  return {
    OMS_BROKER_DRIVER: 'kafka',
    KAFKA_BROKERS: proxy.brokers.join(','),
    OMS_KAFKA_IDEMPOTENT: 'false', // the mock cluster has no idempotent producer
    OMS_KAFKA_TLS_ENABLED: 'true',
    OMS_KAFKA_TLS_CA_FILE: caFile,
    OMS_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    OMS_KAFKA_SASL_USERNAME: user,
    OMS_KAFKA_SASL_PASSWORD_FILE: passwordFile,
  };
}

async function start(app: 'order-api' | 'outbox-relay' | 'saga-orchestrator', env: Record<string, string>): Promise<AppProcess> {
  const started = await startApp(buildApp(app), {
    LOG_LEVEL: 'info',
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: database.dsn,
    OMS_OUTBOX_POLL_INTERVAL: '20ms',
    OMS_SAGA_SWEEP_INTERVAL: '200ms',
    OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
    ...env,
  });
  running.push(started);
  await waitUntilReady(started, 90_000);
  return started;
}

it('runs a relay and a saga over TLS + SASL/SCRAM: an order paid over REST ends CONFIRMED', async () => {
  const api = await start('order-api', { OMS_POSTGRES_AUTO_MIGRATE: 'true' });
  const relay = await start('outbox-relay', securedKafka('oms-relay'));
  const saga = await start('saga-orchestrator', securedKafka('oms-saga'));

  const created = await call(api.httpUrl, 'POST', '/v1/orders', anOrder('cust-kafka-tls'), { 'idempotency-key': `tls-create-${process.pid}` });
  expect(created.status).toBe(201);
  const orderId = created.body['order'].id as string;
  const paid = await call(api.httpUrl, 'POST', `/v1/orders/${orderId}/pay`, undefined, { 'idempotency-key': `tls-pay-${process.pid}` });
  expect(paid.status).toBe(202);

  const confirmed = await waitFor(
    'the order to be CONFIRMED by the saga',
    async () => {
      const order = (await call(api.httpUrl, 'GET', `/v1/orders/${orderId}`)).body;
      return order['order']?.status === 'ORDER_STATUS_CONFIRMED' ? order : undefined;
    },
    90_000,
    100,
  );
  expect(confirmed['timeline'].map((event: { type: string }) => event.type)).toEqual([
    'OrderPlaced',
    'OrderPaymentRequested',
    'OrderStockReserved',
    'OrderPaid',
    'OrderConfirmed',
  ]);

  // Both apps logged in as themselves over TLS, and every address they dialled was the proxy's.
  expect(new Set(proxy.logins())).toEqual(new Set(['oms-relay', 'oms-saga']));
  expect(proxy.refusals()).toEqual([]);
  expect(proxy.errors()).toEqual([]);

  // The password reaches the broker, never the logs or the health answer.
  for (const app of [relay, saga]) {
    const health = await (await fetch(`${app.opsUrl}/healthz`)).text();
    for (const password of Object.values(PASSWORDS)) {
      expect(health).not.toContain(password);
      expect(app.output()).not.toContain(password);
    }
  }
  for (const app of [saga, relay, api]) expect((await app.stop('SIGTERM')).code).toBe(0);
});

it('runs the built migrator\'s topics check over TLS + SASL: partitions and replicas match, configs are unknown on the mock', async () => {
  const migrator = await startApp(buildApp('migrator'), securedKafka('oms-relay'), ['topics', 'check']);
  const exit = await migrator.exited;
  const output = migrator.output();
  expect({ code: exit.code, output }).toEqual({ code: 0, output: expect.stringContaining('0 missing topic(s), 0 setting(s) drifted') });
  expect(output).toContain('  replication factor  ok (3)');
  expect(output).toMatch(/min\.insync\.replicas unknown, declared 2/);
  expect(output).not.toContain(PASSWORDS['oms-relay']);
});
