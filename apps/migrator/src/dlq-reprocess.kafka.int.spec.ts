/**
 * Poison messages end to end on the Kafka-protocol test broker and PostgreSQL: the saga
 * orchestrator (SagasModule behind its broker transport, with the outbox relay) meets an
 * `@EventPattern` handler that throws on a well-formed message. The message is retried
 * OMS_KAFKA_CONSUMER_MAX_RETRIES times, dead-lettered once with the Go OMS's headers, the next
 * message of its key is handled and the group's commit point passes both; then
 * `migrator dlq reprocess --execute` brings it back and the saga inbox drops a repeat.
 */
import { randomUUID } from 'node:crypto';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, type OmsConfig } from '@oms/config';
import type { EventEnvelope } from '@oms/contracts';
import { ConcurrencyError, Inbox, OrderStreams, SagaStore, UnitOfWork } from '@oms/domain';
import { createKafkaClient, KafkaGroupReader, MessagingModule, OMS_TOPICS, type RawRecord } from '@oms/messaging';
import { OmsMetrics, PlatformModule } from '@oms/observability';
import { OrderWriteModule } from '@oms/orders';
import { InProcessInventory, PartnersModule } from '@oms/partners';
import { PrometheusRelayMetrics, RelayModule } from '@oms/relay';
import { PrometheusSagaMetrics, SagaEventsTransport, SagaMetrics, SagasModule, SagaTriggers } from '@oms/sagas';
import { StorageModule } from '@oms/storage';
import { createTestDatabase, testKafka, type TestDatabase, type TestKafka } from '@oms/testing';
import { EXIT_OK, runMigratorCli } from './migrator.cli';

jest.setTimeout(180_000);

const MAX_RETRIES = 2;
const ORDERS_TOPIC = 'oms.order.events';

/**
 * The saga handlers' entry points (SagaTriggers, which the `@EventPattern` controller calls),
 * failing for chosen (order, event type) pairs; every call recorded.
 */
class PoisonedTriggers {
  readonly poisoned = new Set<string>();
  readonly calls: { orderId: string; type: string; eventId: string; failed: boolean }[] = [];

  constructor(triggers: SagaTriggers) {
    const start = triggers.start.bind(triggers);
    const cancel = triggers.cancel.bind(triggers);
    triggers.start = async (kind, envelope) => {
      this.check(envelope);
      return start(kind, envelope);
    };
    triggers.cancel = async (envelope) => {
      this.check(envelope);
      return cancel(envelope);
    };
  }

  attempts(eventId: string): number {
    return this.calls.filter((call) => call.eventId === eventId).length;
  }

  private check(envelope: EventEnvelope): void {
    const failed = this.poisoned.has(`${envelope.orderId}/${envelope.type}`);
    this.calls.push({ orderId: envelope.orderId, type: envelope.type, eventId: envelope.eventId, failed });
    if (failed) throw new Error(`injected failure: ${envelope.type} of order ${envelope.orderId}`);
  }
}

/**
 * What became of each commit that carried a message's saga inbox entry, per message id: written,
 * or refused (the entry, or the saga it would start, was there already: nothing was written).
 * The saga reads no inbox first; that write is its dedup check.
 */
class InboxWrites {
  readonly outcomes = new Map<string, ('written' | 'refused')[]>();

  constructor(unitOfWork: UnitOfWork) {
    const commit = unitOfWork.commit.bind(unitOfWork);
    unitOfWork.commit = async (change, now) => {
      const messageId = change.inbox?.messageId;
      try {
        const result = await commit(change, now);
        if (messageId) this.record(messageId, 'written');
        return result;
      } catch (error) {
        if (messageId && error instanceof ConcurrencyError) this.record(messageId, 'refused');
        throw error;
      }
    };
  }

  of(messageId: string): ('written' | 'refused')[] {
    return this.outcomes.get(messageId) ?? [];
  }

  private record(messageId: string, outcome: 'written' | 'refused'): void {
    this.outcomes.set(messageId, [...this.of(messageId), outcome]);
  }
}

/** The saga orchestrator with the outbox relay in one process, as saga-orchestrator and outbox-relay compose them. */
@Module({})
class OrchestratorWithRelay {
  static forRoot(config: OmsConfig) {
    return {
      module: OrchestratorWithRelay,
      imports: [
        PlatformModule.forRoot({ config, appName: 'saga-orchestrator', exit: () => undefined }),
        StorageModule.forRoot(),
        MessagingModule.forRoot(),
        OrderWriteModule.forRoot(),
        RelayModule.forRoot({ metrics: PrometheusRelayMetrics }),
        PartnersModule.forRoot(),
        SagasModule.forRoot({ metrics: { provide: SagaMetrics, useClass: PrometheusSagaMetrics } }),
      ],
    };
  }
}

let kafka: TestKafka;
let database: TestDatabase;
let config: OmsConfig;
let env: Record<string, string>;
let app: INestMicroservice;
let triggers: PoisonedTriggers;
let inbox: InboxWrites;

beforeAll(async () => {
  kafka = await testKafka({ topics: OMS_TOPICS });
  database = await createTestDatabase('dlq_reprocess');
  // A dead-letter topic and consumer groups of this test only, so a shared broker's other letters stay out of it.
  const dlqTopic = `oms.dlq.test-${randomUUID()}`;
  if (kafka.mock) await kafka.mock.createTopic(dlqTopic, 3);
  else await createTopic(kafka.brokers, dlqTopic);
  env = {
    OMS_BROKER_DRIVER: 'kafka',
    KAFKA_BROKERS: kafka.brokers.join(','),
    OMS_KAFKA_IDEMPOTENT: 'false',
    OMS_KAFKA_DLQ_TOPIC: dlqTopic,
    OMS_KAFKA_CONSUMER_MAX_RETRIES: String(MAX_RETRIES),
    OMS_KAFKA_CONSUMER_RETRY_DELAY: '50ms',
    OMS_KAFKA_CONSUMER_MAX_RETRY_DELAY: '200ms',
    OMS_SAGA_CONSUMER_GROUP: `oms-saga-test-${randomUUID()}`,
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: database.dsn,
    OMS_POSTGRES_AUTO_MIGRATE: 'true',
    OMS_OUTBOX_POLL_INTERVAL: '20ms',
    OMS_SAGA_SWEEP_INTERVAL: '100ms',
    OMS_METRICS_ADDR: '127.0.0.1:0',
    LOG_LEVEL: 'silent',
  };
  config = loadConfig(env, { appName: 'saga-orchestrator' });

  app = await NestFactory.createMicroservice(OrchestratorWithRelay.forRoot(config), {
    inject: [SagaEventsTransport],
    useFactory: (strategy: SagaEventsTransport) => ({ strategy }),
    logger: false,
    abortOnError: false,
  });
  // Before listen(): the transport subscribes there, and the handlers hold these same instances.
  triggers = new PoisonedTriggers(app.get(SagaTriggers));
  inbox = new InboxWrites(app.get(UnitOfWork));
  await app.listen();
}, 180_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await kafka?.stop();
});

async function createTopic(brokers: string[], topic: string): Promise<void> {
  const admin = createKafkaClient(loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: brokers.join(',') })).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function migrator(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigratorCli(argv, loadConfig(env, { appName: 'migrator' }), { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Every retained message of a topic, read in a throwaway group that commits nothing. */
async function topicRecords(topic: string): Promise<RawRecord[]> {
  const reader = await KafkaGroupReader.open(config, { topic, groupId: `test-reader-${randomUUID()}`, fromBeginning: true });
  try {
    return await reader.read();
  } finally {
    await reader.close();
  }
}

const headersOf = (record: RawRecord): Record<string, string> =>
  Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')]));

const statusOf = async (orderId: string) => (await app.get(OrderStreams).load(orderId)).state.status;

const placeAndPay = (orderId: string, sagaId: string) =>
  app.get(OrderStreams).execute(orderId, [
    { type: 'PlaceOrder', data: { orderId, customerId: 'c-dlq', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, unitPriceMinor: 700 }] } },
    { type: 'RequestPayment', data: { sagaId } },
  ]);

it('retries a throwing handler, dead-letters it once with the Go OMS headers, moves its key on, and replays it harmlessly', async () => {
  const x = `order-x-${randomUUID()}`;
  const y = `order-y-${randomUUID()}`;
  triggers.poisoned.add(`${x}/OrderPaymentRequested`);
  triggers.poisoned.add(`${y}/OrderPaymentRequested`);

  // Order x: its payment request is poison; the cancellation right behind it is the next message of its key.
  const xPaid = await placeAndPay(x, `saga-x-${randomUUID()}`);
  const xPaymentRequested = xPaid.events.find((event) => event.type === 'OrderPaymentRequested')!;
  const xCancel = await app.get(OrderStreams).execute(x, [{ type: 'RequestCancellation', data: { sagaId: 'unused', reason: 'changed my mind' } }]);
  const xCancellationRequested = xCancel.events[0];
  // Order y: its payment request is poison and nothing follows it.
  const yPaid = await placeAndPay(y, `saga-y-${randomUUID()}`);
  const yPaymentRequested = yPaid.events.find((event) => event.type === 'OrderPaymentRequested')!;

  // 1. Two letters on the dead-letter topic, one per poison message.
  const letters = await until('both poison messages are dead-lettered', async () => {
    const found = await topicRecords(config.broker.kafka.dlqTopic);
    return found.length >= 2 ? found : undefined;
  });
  expect(letters).toHaveLength(2);
  const xLetter = letters.find((letter) => letter.key?.toString() === x)!;
  const headers = headersOf(xLetter);
  expect(headers).toMatchObject({
    'x-retry-count': String(MAX_RETRIES),
    'x-original-topic': ORDERS_TOPIC,
    'x-error-message': `injected failure: OrderPaymentRequested of order ${x}`,
    oms_consumer_group: config.saga.consumerGroup,
    oms_consumer: 'saga-orchestrator',
    ce_id: xPaymentRequested.eventId,
    ce_type: 'oms.order.v1.OrderPaymentRequested',
    ce_subject: x,
  });
  expect(headers['x-failed-at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  expect(headers['oms_source_partition']).toMatch(/^\d+$/);
  // The original bytes: the body the relay published.
  const published = (await topicRecords(ORDERS_TOPIC)).filter((record) => record.key?.toString() === x);
  const original = published.find((record) => headersOf(record)['ce_id'] === xPaymentRequested.eventId)!;
  expect(xLetter.value?.equals(original.value!)).toBe(true);
  expect(headers['oms_source_offset']).toBe(original.offset);

  // 2. First attempt + MAX_RETRIES retries each, then the next message of x's key was handled.
  expect(triggers.attempts(xPaymentRequested.eventId)).toBe(MAX_RETRIES + 1);
  await until('order x is canceled by the message behind the poison one', async () => (await statusOf(x)) === 'CANCELED');
  const lastPoisonAttempt = triggers.calls.map((call) => call.eventId).lastIndexOf(xPaymentRequested.eventId);
  const cancellationHandled = triggers.calls.findIndex((call) => call.eventId === xCancellationRequested.eventId);
  expect(cancellationHandled).toBeGreaterThan(lastPoisonAttempt);
  expect(triggers.attempts(yPaymentRequested.eventId)).toBe(MAX_RETRIES + 1);
  expect(await statusOf(y)).toBe('PENDING');

  // 3. The group's commit point passed the poison message and the one behind it.
  const lastOfX = published.reduce((max, record) => (BigInt(record.offset) > BigInt(max.offset) ? record : max));
  const admin = createKafkaClient(config).admin();
  await admin.connect();
  try {
    await until('the saga group committed past the last message of order x', async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: config.saga.consumerGroup, topics: [ORDERS_TOPIC] });
      const committed = offsets?.partitions.find((p) => p.partition === lastOfX.partition)?.offset ?? '-1';
      return BigInt(committed) > BigInt(lastOfX.offset);
    });
  } finally {
    await admin.disconnect();
  }
  const counted = await app.get(OmsMetrics).registry.getSingleMetricAsString('oms_consumer_dead_letters_total');
  expect(counted).toContain(`oms_consumer_dead_letters_total{topic="${ORDERS_TOPIC}",consumer="saga-orchestrator"} 2`);

  // 4. The cause is fixed; a dry run lists both letters and changes nothing.
  triggers.poisoned.clear();
  const dry = await migrator('dlq', 'reprocess');
  expect(dry.code).toBe(EXIT_OK);
  expect(dry.out.filter((line) => line.startsWith('replay '))).toHaveLength(2);
  expect(dry.out.at(-1)).toMatch(/^dry run: 2 letter\(s\) would be replayed, 0 left out; nothing published/);
  expect(triggers.attempts(yPaymentRequested.eventId)).toBe(MAX_RETRIES + 1);

  // 5. --execute brings them back: y's payment runs its saga now; x's is recorded in the inbox,
  //    the saga it asks for exists already (the cancellation took its id).
  const executed = await migrator('dlq', 'reprocess', '--execute');
  expect(executed.code).toBe(EXIT_OK);
  expect(executed.out.at(-1)).toMatch(/^2 letter\(s\) replayed to their original topics, 0 left out; group oms-dlq-reprocess committed at /);
  await until('order y is confirmed', async () => (await statusOf(y)) === 'CONFIRMED');
  // x: the saga it asks for exists, so no insert is tried and its entry is written alone; y: written with its saga.
  await until('the replayed letters are in the inbox', async () =>
    inbox.of(xPaymentRequested.eventId).includes('written') && inbox.of(yPaymentRequested.eventId).includes('written'),
  );
  expect(inbox.of(xPaymentRequested.eventId)).toEqual(['written']);
  expect(inbox.of(yPaymentRequested.eventId)).toEqual(['written']);
  expect(await statusOf(x)).toBe('CANCELED');
  expect(await app.get(SagaStore).listByOrder(x)).toHaveLength(1);
  // The relay published each saga's lifecycle on oms.saga.events, keyed by order, in order.
  const sagaEventsOf = async (orderId: string) =>
    (await topicRecords(config.broker.kafka.sagaTopic))
      .filter((record) => record.key?.toString() === orderId)
      .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
      .map((record) => {
        const body = JSON.parse(record.value?.toString() ?? '{}') as { event_type: string; order_id: string; metadata: { saga_kind: string } };
        return [body.event_type, body.metadata.saga_kind, body.order_id === orderId];
      });
  const yEvents = await until('order y\'s saga events are on the saga topic', async () => {
    const events = await sagaEventsOf(y);
    return events.length >= 2 ? events : undefined;
  });
  expect(yEvents).toEqual([
    ['saga.started', 'fulfilment', true],
    ['saga.completed', 'fulfilment', true],
  ]);
  expect(await sagaEventsOf(x)).toEqual([
    ['saga.started', 'cancellation', true],
    ['saga.canceled', 'cancellation', true],
  ]);
  const reservations = app.get(InProcessInventory).effects().reservations;

  // 6. The group remembers: the next run finds nothing. Replaying everything again is harmless:
  //    the inbox drops both repeats, no saga starts, nothing is reserved again.
  const again = await migrator('dlq', 'reprocess', '--execute');
  expect(again.out).toEqual([expect.stringMatching(/^nothing to read on oms\.dlq\.test-.* after the offsets committed by group oms-dlq-reprocess/)]);
  const repeat = await migrator('dlq', 'reprocess', '--execute', '--from-beginning');
  expect(repeat.out.at(-1)).toMatch(/^2 letter\(s\) replayed/);
  // Each repeat: its saga exists, so only the entry alone is tried, and refused: nothing is driven again.
  await until('the inbox dropped both repeats', async () =>
    inbox.of(xPaymentRequested.eventId).length === 2 && inbox.of(yPaymentRequested.eventId).length === 2,
  );
  expect(inbox.of(xPaymentRequested.eventId)).toEqual(['written', 'refused']);
  expect(inbox.of(yPaymentRequested.eventId)).toEqual(['written', 'refused']);
  for (const { eventId } of [xPaymentRequested, yPaymentRequested]) await expect(app.get(Inbox).has('saga-orchestrator', eventId)).resolves.toBe(true);
  expect(await app.get(SagaStore).listByOrder(y)).toHaveLength(1);
  expect(app.get(InProcessInventory).effects().reservations).toBe(reservations);
  expect(await topicRecords(config.broker.kafka.dlqTopic)).toHaveLength(2);
});
