import { randomUUID } from 'node:crypto';
import type { Outbox } from '@oms/domain';
import { FixedClock } from '@oms/domain/testing';
import { MemoryBroker } from '@oms/messaging';
import { OmsMetrics } from '@oms/observability';
import { createMemoryDrivers } from '@oms/storage';
import { OutboxRelay, type RelayLogger } from './outbox-relay';
import { PrometheusRelayMetrics } from './relay.metrics.prometheus';
import type { RelayOptions } from './relay.options';
import { ControlledPublisher } from './testing';

const TOPIC = 'oms.order.events';
const DLQ = 'oms.dlq';

const options: RelayOptions = {
  partitions: 2,
  batchSize: 10,
  pollIntervalMs: 5,
  retryDelayMs: 1,
  maxRetryDelayMs: 4,
  maxAttempts: 3,
  retentionMs: 60 * 60 * 1000,
  pruneIntervalMs: 60 * 60 * 1000,
  pruneBatchSize: 100,
  statsIntervalMs: 60 * 60 * 1000,
  deadLetterTopic: DLQ,
};

const silentLogger: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };


async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** oms_outbox_publish_attempts_total by result, as /metrics serves it. */
async function attempts(metrics: OmsMetrics): Promise<Record<string, number>> {
  const text = await metrics.expose();
  const byResult: Record<string, number> = {};
  for (const match of text.matchAll(/^oms_outbox_publish_attempts_total\{result="([^"]+)"\} (\S+)$/gm)) {
    byResult[match[1] as string] = Number(match[2]);
  }
  return byResult;
}

/** A relay on memory storage whose publishes (and outbox writes) a test can break. */
function setup(outboxOverride?: (outbox: Outbox) => Outbox) {
  const clock = new FixedClock();
  const drivers = createMemoryDrivers({ partitions: options.partitions, clock });
  const broker = new MemoryBroker();
  const publisher = new ControlledPublisher(broker);
  const metrics = new OmsMetrics();
  const relay = new OutboxRelay({
    outbox: outboxOverride ? outboxOverride(drivers.outbox) : drivers.outbox,
    publisher,
    options,
    metrics: new PrometheusRelayMetrics(metrics),
    clock,
    logger: silentLogger,
    random: () => 0.5,
  });
  const commit = async (key: string, ...values: string[]): Promise<void> => {
    const outbox = values.map((payload) => {
      const messageId = randomUUID();
      return { messageId, topic: TOPIC, key, payload, headers: { ce_id: messageId } };
    });
    await drivers.unitOfWork.commit({ outbox }, clock.now());
  };
  const pending = async (): Promise<number> => (await drivers.outbox.stats()).pending;
  return { drivers, broker, publisher, metrics, relay, commit, pending };
}

describe('oms_outbox_publish_attempts_total{result}: the Go OMS values, one per outbox row', () => {
  let running: OutboxRelay | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('counts published rows as sent, and nothing else, on a healthy broker', async () => {
    const t = setup();
    expect(await attempts(t.metrics)).toEqual({ sent: 0, failed: 0, dlq_failed: 0, retry_error: 0 });
    await t.commit('order-1', 'a', 'b', 'c');
    running = t.relay;
    t.relay.start();

    await until('the outbox is empty', async () => (await t.pending()) === 0);
    expect(await attempts(t.metrics)).toEqual({ sent: 3, failed: 0, dlq_failed: 0, retry_error: 0 });
  });

  it('counts every row of a publish that failed during an outage as failed, then the rows as sent', async () => {
    const t = setup();
    t.publisher.down = true;
    await t.commit('order-1', 'a', 'b');
    running = t.relay;
    t.relay.start();

    await until('a few failed attempts', async () => (await attempts(t.metrics)).failed >= 6);
    t.publisher.down = false;
    await until('the outbox is empty', async () => (await t.pending()) === 0);

    const counted = await attempts(t.metrics);
    expect(counted.failed % 2).toBe(0); // both rows, every time
    expect(counted).toMatchObject({ sent: 2, dlq_failed: 0, retry_error: 0 });
  });

  it('counts a dead-lettering that itself failed as dlq_failed; the row is dead-lettered once the topic answers', async () => {
    const t = setup();
    t.publisher.refuse = (message) => message.topic === TOPIC && message.value === 'poison';
    t.publisher.failOutage = (message) => message.topic === DLQ;
    await t.commit('order-p', 'poison');
    running = t.relay;
    t.relay.start();

    await until('dead-lettering failed twice', async () => (await attempts(t.metrics)).dlq_failed >= 2);
    expect(t.broker.messages(DLQ)).toEqual([]);
    expect(await t.pending()).toBe(1);

    t.publisher.failOutage = () => false;
    await until('the outbox is empty', async () => (await t.pending()) === 0);
    expect(t.broker.messages(DLQ).map((message) => message.value)).toEqual(['poison']);
    const counted = await attempts(t.metrics);
    expect(counted.failed).toBeGreaterThanOrEqual(options.maxAttempts);
    expect(counted.sent).toBe(0);
    expect(await t.metrics.expose()).toMatch(/^oms_outbox_dead_letters_total 1$/m);
  });

  it('counts a refused attempt the outbox could not record as retry_error, and still dead-letters the row later', async () => {
    let failRecords = 2;
    const t = setup((outbox) =>
      Object.assign(Object.create(outbox) as Outbox, {
        recordFailure: async (id: number, error: string, deadLetter: boolean) => {
          if (failRecords-- > 0) throw new Error('connection reset (simulated)');
          return outbox.recordFailure(id, error, deadLetter);
        },
      }),
    );
    t.publisher.refuse = (message) => message.topic === TOPIC && message.value === 'poison';
    await t.commit('order-r', 'poison');
    running = t.relay;
    t.relay.start();

    await until('the outbox is empty', async () => (await t.pending()) === 0, 10_000);
    const counted = await attempts(t.metrics);
    expect(counted.retry_error).toBe(2);
    // Two refusals went unrecorded, so the row needed maxAttempts + 2 refused publishes.
    expect(counted.failed).toBe(options.maxAttempts + 2);
    expect(counted.dlq_failed).toBe(0);
    expect(t.broker.messages(DLQ)).toHaveLength(1);
  });
});
