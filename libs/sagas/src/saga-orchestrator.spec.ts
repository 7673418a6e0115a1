/**
 * The orchestrator on the memory drivers (no I/O): events from the outbox are handed to the
 * consumer as the relay would, sagas run against the in-process partners, and the recovery
 * sweep is ticked by hand with a clock the test moves.
 */
import { Logger } from '@nestjs/common';
import { loadConfig, type OmsConfig } from '@oms/config';
import { DEAD_LETTER_TOPIC, type SagaEventBody } from '@oms/contracts';
import {
  Clock,
  PartnerUnavailableError,
  UnitOfWork,
  UuidV7IdGenerator,
  type ChangeSet,
  type CommitResult,
  type OrderEvent,
  type OrderLine,
  type ReceivedMessage,
  type SagaKind,
  type SagaState,
  type SagaStep,
} from '@oms/domain';
import { MemoryBroker } from '@oms/messaging';
import { EventSourcedOrderStreams } from '@oms/orders';
import { createMemoryDrivers, type StorageDrivers } from '@oms/storage';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { BrokerTransport } from './edge/broker.transport';
import { OrderEventsController } from './edge/order-events.controller';
import { DLQ_ERROR_HEADER, SagaDeadLetters } from './saga-dead-letters';
import { InProcessInventory, InProcessPayment } from '@oms/partners';
import { SagaMetrics, type SagaStepResult } from './saga-metrics';
import { SagaRecoverySweep } from './saga-recovery.sweep';
import { FirstCallNotRecordedError, SagaRunner } from './saga-runner';
import { SagaTriggers } from './saga-triggers';

/** What Nest does at start-up for a transport: its handlers are the controller's `@EventPattern` methods. */
function registerEventHandlers(transport: BrokerTransport, controller: object): void {
  const prototype = Object.getPrototypeOf(controller) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = prototype[name];
    const patterns = typeof method === 'function' ? (Reflect.getMetadata(PATTERN_METADATA, method) as string[] | undefined) : undefined;
    for (const pattern of patterns ?? []) transport.addHandler(pattern, async (data: unknown) => (method as (data: unknown) => unknown).call(controller, data), true);
  }
}

class TestClock extends Clock {
  private ms = Date.parse('2026-03-01T10:00:00.000Z');
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Lets a test make the next commit whose change set matches fail (or the next `crashes` of them), as if the process died there. */
class CrashableUnitOfWork extends UnitOfWork {
  crashWhen?: (change: ChangeSet) => boolean;
  crashes = 1;
  constructor(private readonly inner: UnitOfWork) {
    super();
  }
  async commit(change: ChangeSet, now: Date): Promise<CommitResult> {
    if (this.crashWhen?.(change)) {
      if (--this.crashes <= 0) {
        this.crashWhen = undefined;
        this.crashes = 1;
      }
      throw new Error('process died before the commit');
    }
    return this.inner.commit(change, now);
  }
}

class RecordingMetrics extends SagaMetrics {
  readonly seen: string[] = [];
  started(kind: SagaKind) {
    this.seen.push(`started:${kind}`);
  }
  completed(kind: SagaKind) {
    this.seen.push(`completed:${kind}`);
  }
  failed(kind: SagaKind) {
    this.seen.push(`failed:${kind}`);
  }
  canceled(kind: SagaKind) {
    this.seen.push(`canceled:${kind}`);
  }
  refunded(kind: SagaKind) {
    this.seen.push(`refunded:${kind}`);
  }
  compensationFailed(kind: SagaKind, step: SagaStep | null) {
    this.seen.push(`compensationFailed:${kind}:${step}`);
  }
  stepFinished(step: SagaStep, result: SagaStepResult) {
    this.seen.push(`step:${step}:${result}`);
  }
  active(count: number) {
    this.activeCount = count;
  }
  activeCount = -1;
  deadLettered() {
    this.seen.push('deadLettered');
  }
  readonly driveWaits: number[] = [];
  driveWaited(waitMs: number) {
    this.driveWaits.push(waitMs);
  }
}

const config: OmsConfig = loadConfig(
  {
    OMS_SAGA_SWEEP_INTERVAL: '0',
    OMS_SAGA_MAX_ATTEMPTS: '3',
    OMS_SAGA_RETRY_BASE: '100ms',
    OMS_SAGA_RETRY_MAX: '1s',
    OMS_SAGA_CALL_TIMEOUT: '2s',
    OMS_PAYMENT_DECLINE_ABOVE_MINOR: '100000',
  },
  { appName: 'saga-orchestrator-test' },
);

function orchestrator() {
  const clock = new TestClock();
  const drivers: StorageDrivers = createMemoryDrivers({ clock });
  const unitOfWork = new CrashableUnitOfWork(drivers.unitOfWork);
  const ids = new UuidV7IdGenerator();
  const orders = new EventSourcedOrderStreams(drivers.eventStore, unitOfWork, clock, ids);
  const inventory = new InProcessInventory({ latencyMs: 0, errorRate: 0 });
  const payment = new InProcessPayment({ latencyMs: 0, errorRate: 0, declineAboveMinor: config.partners.paymentDeclineAboveMinor });
  const broker = new MemoryBroker();
  const metrics = new RecordingMetrics();
  const newRunner = () => new SagaRunner(config, drivers.sagas, unitOfWork, orders, inventory, payment, clock, metrics);
  const runner = newRunner();
  const deadLetters = new SagaDeadLetters(config, broker, metrics);
  const consumer = new BrokerTransport(broker, {
    groupId: config.saga.consumerGroup,
    topics: [config.broker.kafka.ordersTopic],
    deadLetter: (message, reason) => deadLetters.publish(message, reason),
  });
  registerEventHandlers(consumer, new OrderEventsController(new SagaTriggers(runner)));
  const sweep = new SagaRecoverySweep(config, drivers.sagas, runner, clock, metrics);
  const delivered: ReceivedMessage[] = [];
  /** Bodies published to the saga topic, in outbox order. */
  const sagaEvents: { key: string; body: SagaEventBody; headers: Record<string, string> }[] = [];

  /** Moves every pending outbox row to its topic, as the relay would; the consumer gets the order events it subscribes to. */
  async function deliver(): Promise<number> {
    const partitions = Array.from({ length: config.outbox.partitions }, (_, i) => i);
    const rows = await drivers.outbox.fetchPending(partitions, 1_000);
    await drivers.outbox.markSent(rows.map((row) => row.id));
    for (const row of rows) {
      if (row.topic === config.broker.kafka.sagaTopic) {
        sagaEvents.push({ key: row.key, body: JSON.parse(row.payload) as SagaEventBody, headers: { ...row.headers } });
        continue;
      }
      const message: ReceivedMessage = {
        topic: row.topic,
        key: row.key,
        value: row.payload,
        headers: row.headers,
        partition: row.partition,
        offset: String(row.id),
      };
      delivered.push(message);
      await consumer.handleMessage(message);
    }
    return rows.length;
  }

  /** Lets the sagas run and delivers what they wrote, until nothing new happens. */
  async function settle(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      await runner.idle();
      if ((await deliver()) === 0) return;
    }
    throw new Error('the orders did not settle');
  }

  /** Lets the clock pass and ticks the recovery sweep, as its timer would. */
  async function sweepAfter(ms: number): Promise<number> {
    clock.advance(ms);
    const driven = await sweep.sweepOnce();
    await runner.idle();
    await settle();
    return driven;
  }

  let orderCount = 0;
  async function placeAndPay(items: readonly OrderLine[]): Promise<{ orderId: string; sagaId: string }> {
    const orderId = `order-${++orderCount}`;
    const sagaId = `saga-pay-${orderCount}`;
    await orders.execute(orderId, [
      { type: 'PlaceOrder', data: { orderId, customerId: 'c-1', currency: 'EUR', items } },
      { type: 'RequestPayment', data: { sagaId } },
    ]);
    return { orderId, sagaId };
  }

  async function order(orderId: string) {
    const loaded = await orders.load(orderId);
    if (!loaded) throw new Error(`order ${orderId} not found`);
    return { state: loaded.state, events: loaded.events.map((e) => e.type), data: loaded.events.map((e) => ({ type: e.type, data: e.data }) as OrderEvent) };
  }

  /** The saga lifecycle events of one order, as `event_type` with the metadata that matters. */
  const sagaEventsOf = (orderId: string) =>
    sagaEvents
      .filter((event) => event.key === orderId)
      .map(({ body }) => [body.event_type, body.metadata.saga_kind, body.metadata.outcome ?? null, body.metadata.reason ?? null]);

  return { clock, drivers, unitOfWork, orders, inventory, payment, broker, metrics, runner, newRunner, consumer, sweep, delivered, sagaEvents, sagaEventsOf, deliver, settle, sweepAfter, placeAndPay, order };
}

/** The idempotency keys of the reserve calls the partner gets from now on. */
function recordReserves(oms: ReturnType<typeof orchestrator>): string[] {
  const reserve = oms.inventory.reserve.bind(oms.inventory);
  const reserves: string[] = [];
  oms.inventory.reserve = async (request) => {
    reserves.push(request.idempotencyKey);
    return reserve(request);
  };
  return reserves;
}

beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

const sku = (name: string, qty = 1, unitPriceMinor = 1_000): OrderLine => ({ sku: name, qty, unitPriceMinor });

describe('saga orchestrator (memory drivers, in-process partners)', () => {
  it('drives a paid order to CONFIRMED, reserving and charging once', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1', 2)]);

    await oms.settle();

    const { state, events } = await oms.order(orderId);
    expect(state.status).toBe('CONFIRMED');
    expect(events).toEqual(['OrderPlaced', 'OrderPaymentRequested', 'OrderStockReserved', 'OrderPaid', 'OrderConfirmed']);
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 0, held: 1 });
    expect(oms.payment.effects()).toMatchObject({ charges: 1, chargedMinor: 2_000 });
    const saga = await oms.drivers.sagas.get(sagaId);
    expect(saga).toMatchObject({ kind: 'fulfilment', status: 'COMPLETED', nextAttemptAt: null, orderId });
    // The reserve call is made before the saga is written; the start is counted once committed with its outcome.
    expect(oms.metrics.seen).toEqual(['step:reserve:succeeded', 'started:fulfilment', 'step:charge:succeeded', 'completed:fulfilment']);
    expect(oms.metrics.driveWaits).toHaveLength(2); // through free slots: the start (reserve), then the drive (charge)
  });

  it('writes the saga twice for a confirmed order: the start commit carries the reserve call and its outcome', async () => {
    const oms = orchestrator();
    const sagaWrites: (string | null)[] = [];
    oms.unitOfWork.crashWhen = (change) => {
      if (change.saga) sagaWrites.push((change.saga.state as SagaState).step);
      return false;
    };
    const { orderId } = await oms.placeAndPay([sku('SKU-1')]);

    await oms.settle();

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    // start + reserved + charge step in one commit, then paid + confirmed.
    expect(sagaWrites).toEqual(['charge', null]);
  });

  it('reads the order and the saga row once, together, the inbox never, for a confirmed order: each step decides on what the last one committed', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    const streamReads = jest.spyOn(oms.drivers.eventStore, 'readStream');
    const sagaReads = jest.spyOn(oms.drivers.sagas, 'get');
    const bothReads = jest.spyOn(oms.drivers.sagas, 'getOrReadStream');
    const inboxReads = jest.spyOn(oms.drivers.inbox, 'has');

    await oms.settle();

    expect(bothReads.mock.calls).toEqual([[sagaId, `order-${orderId}`]]);
    expect({ stream: streamReads.mock.calls.length, saga: sagaReads.mock.calls.length, inbox: inboxReads.mock.calls.length }).toEqual({ stream: 0, saga: 0, inbox: 0 });
    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
  });

  it('decides again on a fresh read when the order moved while the step it had in hand was waiting for a partner', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    // While the charge is in flight, another writer appends to the order: the drive's copy of it is stale.
    const charge = oms.payment.charge.bind(oms.payment);
    oms.payment.charge = async (request) => {
      await oms.orders.execute(orderId, [{ type: 'RequestCancellation', data: { sagaId: 'saga-cancel-1', reason: 'changed my mind' } }]);
      return charge(request);
    };
    const streamReads = jest.spyOn(oms.drivers.eventStore, 'readStream');

    await oms.settle();

    // The start's read, then the fresh one after the charge's commit found the stream moved.
    expect(streamReads.mock.calls.filter(([streamId]) => streamId === `order-${orderId}`).length).toBeGreaterThanOrEqual(2);
    expect((await oms.order(orderId)).state.status).toBe('CANCELED');
    expect(await oms.drivers.sagas.get(sagaId)).toMatchObject({ status: 'COMPENSATED' });
    expect(oms.payment.effects()).toMatchObject({ charges: 1, refunds: 1 });
  });

  it('once shutdown began, commits the start without its first call, which the sweep of another process makes', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    const reserves = recordReserves(oms);
    oms.runner.drain(); // shutdown began: the messages still in hand start their sagas without a call
    await oms.deliver();
    await oms.runner.stop();
    expect(await oms.drivers.sagas.get(sagaId)).toMatchObject({ status: 'RUNNING', state: { step: 'reserve' } });
    expect(reserves).toEqual([]);

    const successor = oms.newRunner();
    const sweep = new SagaRecoverySweep(config, oms.drivers.sagas, successor, oms.clock, oms.metrics);
    oms.clock.advance(config.saga.callTimeoutMs - 1);
    expect(await sweep.sweepOnce()).toBe(0); // the first call's lease holds
    oms.clock.advance(1);
    expect(await sweep.sweepOnce()).toBe(1);
    await successor.idle();

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(reserves).toEqual([`${sagaId}:reserve`]);
  });

  it('makes the first call again under its key when the process died before committing its outcome: one reservation', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    const reserves = recordReserves(oms);
    // The start's commit with the outcome, then the start without it: nothing reaches the store.
    oms.unitOfWork.crashWhen = (change) => change.saga?.version === 0;
    oms.unitOfWork.crashes = 2;

    // The handler fails, so the message is not acknowledged: the broker delivers it again (never
    // dead-lettered: the saga transport does not count this failure, see sagas.module.spec.ts).
    await expect(oms.deliver()).rejects.toThrow(FirstCallNotRecordedError);
    expect(await oms.drivers.sagas.get(sagaId)).toBeNull();
    const paymentRequested = oms.delivered.find((m) => JSON.parse(m.value).type === 'OrderPaymentRequested');
    if (!paymentRequested) throw new Error('OrderPaymentRequested was not delivered');
    await oms.consumer.handleMessage(paymentRequested);
    await oms.settle();

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(reserves).toEqual([`${sagaId}:reserve`, `${sagaId}:reserve`]);
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 0, held: 1 });
    expect(oms.metrics.seen.filter((m) => m.startsWith('started:'))).toEqual(['started:fulfilment']);
  });

  it("commits the start without the first call's outcome when that commit failed, and a drive decides the outcome: one call", async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    const reserves = recordReserves(oms);
    oms.unitOfWork.crashWhen = (change) => change.saga?.version === 0 && (change.append?.events.length ?? 0) > 0;

    await oms.settle();

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(reserves).toEqual([`${sagaId}:reserve`]);
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 0, held: 1 });
    expect(oms.metrics.seen.filter((m) => m.startsWith('started:'))).toEqual(['started:fulfilment']);
  });

  it('decides the first call again on a fresh read when the order moved during it, and releases what it reserved', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    const reserve = oms.inventory.reserve.bind(oms.inventory);
    oms.inventory.reserve = async (request) => {
      oms.inventory.reserve = reserve;
      // While the reservation is in flight, the customer cancels: the start's copy of the order is stale.
      await oms.orders.execute(orderId, [{ type: 'RequestCancellation', data: { sagaId: 'saga-cancel-1', reason: 'changed my mind' } }]);
      return reserve(request);
    };
    const firstCommits: number[] = []; // events appended by each attempt of the start's commit
    oms.unitOfWork.crashWhen = (change) => {
      if (change.saga?.version === 0) firstCommits.push(change.append?.events.length ?? 0);
      return false;
    };

    await oms.settle();

    expect((await oms.order(orderId)).state.status).toBe('CANCELED');
    expect(await oms.drivers.sagas.get(sagaId)).toMatchObject({ status: 'COMPENSATED' });
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 1, held: 0 });
    expect(oms.payment.effects().charges).toBe(0);
    // Conflicted on the moved stream, then decided again on the fresh order: never the start without the outcome.
    expect(firstCommits).toEqual([1, 1]);
  });

  it('cancels an out-of-stock order with the reason and charges nothing', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1'), sku('OOS-7')]);

    await oms.settle();

    const { state, data } = await oms.order(orderId);
    expect(state.status).toBe('CANCELED');
    expect(data.find((e) => e.type === 'OrderCanceled')?.data).toMatchObject({ reason: 'out of stock: OOS-7' });
    expect(oms.payment.effects().charges).toBe(0);
    expect((await oms.drivers.sagas.get(sagaId))?.status).toBe('COMPENSATED');
    expect(oms.metrics.seen).toContain('canceled:fulfilment');
  });

  it('releases the stock of a declined payment and cancels the order', async () => {
    const oms = orchestrator();
    const { orderId } = await oms.placeAndPay([sku('SKU-1', 1, 100_001)]);

    await oms.settle();

    const { state, data } = await oms.order(orderId);
    expect(state.status).toBe('CANCELED');
    expect(data.find((e) => e.type === 'OrderCanceled')?.data).toMatchObject({ reason: 'amount above limit' });
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 1, held: 0 });
  });

  it('does not start a second saga for a redelivered event', async () => {
    const oms = orchestrator();
    const { orderId } = await oms.placeAndPay([sku('SKU-1')]);
    await oms.settle();
    const paymentRequested = oms.delivered.find((m) => JSON.parse(m.value).type === 'OrderPaymentRequested');
    if (!paymentRequested) throw new Error('OrderPaymentRequested was not delivered');
    const reserves = recordReserves(oms);
    const inserts: string[] = [];
    oms.unitOfWork.crashWhen = (change) => {
      if (change.saga?.version === 0) inserts.push(change.saga.sagaId);
      return false;
    };

    await oms.consumer.handleMessage(paymentRequested);
    await oms.consumer.handleMessage(paymentRequested);
    await oms.runner.idle();

    expect(reserves).toEqual([]); // its saga exists: no call, not even one the partner would dedupe
    expect(inserts).toEqual([]); // ... and no insert that must fail on the saga's key
    expect(await oms.drivers.sagas.listByOrder(orderId)).toHaveLength(1);
    expect(oms.inventory.effects().reservations).toBe(1);
    expect(oms.payment.effects().charges).toBe(1);
    expect(oms.metrics.seen.filter((m) => m.startsWith('started:'))).toEqual(['started:fulfilment']);
  });

  it('does not start a second saga when the same saga is asked for by another message', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    await oms.settle();

    expect(await oms.runner.start('fulfilment', sagaId, orderId, { consumer: 'saga-orchestrator', messageId: 'another-event' })).toBe(false);
    expect(await oms.drivers.sagas.listByOrder(orderId)).toHaveLength(1);
  });

  it('resumes a saga interrupted after its partner call through the sweep, without a second charge', async () => {
    const oms = orchestrator();
    const charges: string[] = [];
    const charge = oms.payment.charge.bind(oms.payment);
    oms.payment.charge = async (request) => {
      charges.push(request.idempotencyKey);
      return charge(request);
    };
    // The process dies right after the charge, before committing its outcome (RecordPayment).
    oms.unitOfWork.crashWhen = (change) => change.append?.events.some((e) => e.type === 'OrderPaid') ?? false;
    const { orderId } = await oms.placeAndPay([sku('SKU-1')]);

    await oms.settle();
    expect((await oms.order(orderId)).state.status).toBe('RESERVED');
    expect(oms.payment.effects().charges).toBe(1);

    expect(await oms.sweepAfter(config.saga.callTimeoutMs - 1)).toBe(0); // not due yet: the call's lease holds
    expect(await oms.sweepAfter(1)).toBe(1);

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(charges).toHaveLength(2);
    expect(new Set(charges).size).toBe(1);
    expect(oms.payment.effects()).toMatchObject({ charges: 1, chargedMinor: 1_000 });
  });

  it('retries a transient reserve failure after its backoff through the sweep', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('FLAKY-1')]);

    await oms.settle();
    expect((await oms.order(orderId)).state.status).toBe('PENDING');
    const waiting = await oms.drivers.sagas.get(sagaId);
    expect(waiting?.status).toBe('RUNNING');
    expect(waiting?.nextAttemptAt?.getTime()).toBeGreaterThan(oms.clock.now().getTime());

    await oms.sweepAfter(config.saga.retryMaxMs);

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(oms.inventory.effects().reservations).toBe(1);
  });

  it('compensates a cancellation requested while the charge is in flight: release, refund, CANCELED', async () => {
    const oms = orchestrator();
    let releaseCharge: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseCharge = resolve));
    const charge = oms.payment.charge.bind(oms.payment);
    let charging: () => void = () => undefined;
    const chargeStarted = new Promise<void>((resolve) => (charging = resolve));
    oms.payment.charge = async (request) => {
      charging();
      await gate;
      return charge(request);
    };
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1', 3)]);
    await oms.deliver();
    await chargeStarted;

    await oms.orders.execute(orderId, [{ type: 'RequestCancellation', data: { sagaId: 'unused', reason: 'changed my mind' } }]);
    await oms.deliver(); // wakes the fulfilment saga, queued behind its charge
    releaseCharge();
    await oms.settle();

    const { state, events, data } = await oms.order(orderId);
    expect(state.status).toBe('CANCELED');
    expect(events).toContain('OrderPaid');
    expect(events).toContain('OrderRefunded');
    expect(events).not.toContain('OrderConfirmed');
    expect(data.find((e) => e.type === 'OrderCanceled')?.data).toMatchObject({ reason: 'changed my mind', refundedMinor: 3_000 });
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 1, held: 0 });
    expect(oms.payment.effects()).toMatchObject({ charges: 1, refunds: 1, refundedMinor: 3_000 });
    expect(await oms.drivers.sagas.listByOrder(orderId)).toEqual([expect.objectContaining({ sagaId, status: 'COMPENSATED' })]);
  });

  it('cancels a confirmed order through a cancellation saga: release and refund', async () => {
    const oms = orchestrator();
    const { orderId } = await oms.placeAndPay([sku('SKU-1', 2)]);
    await oms.settle();

    await oms.orders.execute(orderId, [{ type: 'RequestCancellation', data: { sagaId: 'saga-cancel-1', reason: 'late delivery' } }]);
    await oms.settle();

    const { state, data } = await oms.order(orderId);
    expect(state.status).toBe('CANCELED');
    expect(data.find((e) => e.type === 'OrderRefunded')?.data).toMatchObject({ amountMinor: 2_000 });
    expect(oms.inventory.effects().held).toBe(0);
    expect(oms.payment.balanceOf(orderId)).toBe(0);
    expect((await oms.drivers.sagas.get('saga-cancel-1'))?.status).toBe('COMPLETED');
  });

  it('refunds part of a confirmed order through a refund saga', async () => {
    const oms = orchestrator();
    const { orderId } = await oms.placeAndPay([sku('SKU-1', 2)]);
    await oms.settle();

    await oms.orders.execute(orderId, [{ type: 'RequestRefund', data: { sagaId: 'saga-refund-1', amountMinor: 500, reason: 'scratched' } }]);
    await oms.settle();

    const { state } = await oms.order(orderId);
    expect(state.status).toBe('REFUNDED');
    expect(state.refundedMinor).toBe(500);
    expect(oms.payment.balanceOf(orderId)).toBe(1_500);
    expect(oms.metrics.seen).toContain('refunded:refund');
  });

  it('keeps retrying a failing release past maxAttempts and the step deadline, then compensates once the partner is back', async () => {
    const oms = orchestrator();
    const release = oms.inventory.release.bind(oms.inventory);
    let failures = 0;
    oms.inventory.release = async () => {
      failures++;
      throw new PartnerUnavailableError('inventory', 'inventory is down');
    };
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1', 1, 100_001)]);
    await oms.settle();

    const outageMs = config.saga.stepDeadlineMs + config.saga.retryMaxMs;
    for (let waited = 0; waited < outageMs; waited += config.saga.retryMaxMs) await oms.sweepAfter(config.saga.retryMaxMs);

    expect(failures).toBeGreaterThan(config.saga.maxAttempts);
    expect((await oms.drivers.sagas.get(sagaId))?.status).toBe('RUNNING');
    expect((await oms.order(orderId)).state.compensationFailed).toBe(false);
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 0, held: 1 });

    oms.inventory.release = release;
    expect(await oms.sweepAfter(config.saga.retryMaxMs)).toBe(1);
    await oms.settle();

    expect((await oms.drivers.sagas.get(sagaId))?.status).toBe('COMPENSATED');
    const { state, events } = await oms.order(orderId);
    expect(state.status).toBe('CANCELED');
    expect(events).not.toContain('OrderCompensationFailed');
    expect(oms.inventory.effects()).toEqual({ reservations: 1, releases: 1, held: 0 });
    expect(await oms.sweepAfter(60_000)).toBe(0);
    expect(oms.metrics.activeCount).toBe(0);
  });

  it('ends in COMPENSATION_FAILED when the partner refuses the release, flagging the order', async () => {
    const oms = orchestrator();
    oms.inventory.release = async () => ({ ok: false as const, reason: 'unknown reservation' });
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1', 1, 100_001)]);
    await oms.settle();

    expect((await oms.drivers.sagas.get(sagaId))?.status).toBe('COMPENSATION_FAILED');
    const { state, events } = await oms.order(orderId);
    expect(state.compensationFailed).toBe(true);
    expect(events).toContain('OrderCompensationFailed');
    expect(oms.metrics.seen).toContain('compensationFailed:fulfilment:release');
    expect(await oms.sweepAfter(60_000)).toBe(0);
    expect(oms.metrics.activeCount).toBe(0);
  });

  it('drives more sagas than its concurrency limit to their ends', async () => {
    const oms = orchestrator();
    const placed = [];
    for (let i = 0; i < 45; i++) placed.push(await oms.placeAndPay([sku(i % 3 === 0 ? 'OOS-1' : 'SKU-1')]));

    await oms.settle();

    const statuses = await Promise.all(placed.map(async ({ orderId }) => (await oms.order(orderId)).state.status));
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(30);
    expect(statuses.filter((s) => s === 'CANCELED')).toHaveLength(15);
    expect(oms.payment.effects().charges).toBe(30);
  });

  it('lets two replicas drive the same saga at once without acting twice', async () => {
    const oms = orchestrator();
    const other = oms.newRunner();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    await oms.runner.start('fulfilment', sagaId, orderId);

    await Promise.all([oms.runner.drive(sagaId), other.drive(sagaId)]);
    await oms.sweepAfter(config.saga.callTimeoutMs); // whichever backed off left nothing stranded

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(oms.inventory.effects().reservations).toBe(1);
    expect(oms.payment.effects().charges).toBe(1);
  });

  it('dead-letters a malformed message with the error and acknowledges it', async () => {
    const oms = orchestrator();
    const message: ReceivedMessage = {
      topic: config.broker.kafka.ordersTopic,
      key: 'order-x',
      value: '{not json',
      headers: { ce_id: 'e-1' },
      partition: 0,
      offset: '7',
    };

    await expect(oms.consumer.handleMessage(message)).resolves.toBeUndefined();
    await oms.consumer.handleMessage({ ...message, value: JSON.stringify({ ...envelopeOf('OrderPaymentRequested'), data: {} }) });

    const dead = oms.broker.messages(DEAD_LETTER_TOPIC);
    expect(dead).toHaveLength(2);
    expect(dead.map((m) => m.headers[DLQ_ERROR_HEADER])).toEqual(
      expect.arrayContaining(['message body is not JSON', expect.stringMatching(/has no data.sagaId/)]),
    );
    expect(dead.find((m) => m.value === '{not json')?.headers).toMatchObject({ ce_id: 'e-1', oms_source_offset: '7' });
    expect(oms.metrics.seen.filter((m) => m === 'deadLettered')).toHaveLength(2);
  });

  it('ignores events no saga reacts to', async () => {
    const oms = orchestrator();
    await oms.consumer.handleMessage({
      topic: config.broker.kafka.ordersTopic,
      key: 'order-x',
      value: JSON.stringify(envelopeOf('OrderPlaced')),
      headers: {},
      partition: 0,
      offset: '1',
    });
    expect(oms.broker.messages(DEAD_LETTER_TOPIC)).toHaveLength(0);
    expect(await oms.drivers.sagas.countRunning()).toBe(0);
  });
});

describe('saga lifecycle events (oms.saga.events)', () => {
  it('writes saga.started in the commit that creates the saga and saga.completed in its final one, keyed by order id', async () => {
    const oms = orchestrator();
    const commits: { sagaVersion: number; status: string; outbox: string[] }[] = [];
    oms.unitOfWork.crashWhen = (change) => {
      if (change.saga) {
        const outbox = (change.outbox ?? []).map((row) => `${row.topic}:${(JSON.parse(row.payload) as { event_type: string }).event_type}`);
        commits.push({ sagaVersion: change.saga.version, status: change.saga.status, outbox });
      }
      return false;
    };
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);

    await oms.settle();

    expect(commits).toEqual([
      { sagaVersion: 0, status: 'RUNNING', outbox: ['oms.saga.events:saga.started', 'oms.order.events:OrderStockReserved'] },
      {
        sagaVersion: 1,
        status: 'COMPLETED',
        outbox: ['oms.order.events:OrderPaid', 'oms.order.events:OrderConfirmed', 'oms.saga.events:saga.completed'],
      },
    ]);
    const [started, completed] = oms.sagaEvents;
    expect(started).toEqual({
      key: orderId,
      body: { event_type: 'saga.started', order_id: orderId, timestamp: '2026-03-01T10:00:00.000Z', metadata: { saga_id: sagaId, saga_kind: 'fulfilment' } },
      headers: {
        ce_id: `${sagaId}:saga.started`,
        ce_type: 'oms.saga.v1.started',
        ce_source: 'oms/saga-orchestrator',
        ce_subject: orderId,
        ce_time: '2026-03-01T10:00:00.000Z',
        ce_specversion: '1.0',
        content_type: 'application/json',
        schema_version: '1',
      },
    });
    expect(completed?.body).toEqual({
      event_type: 'saga.completed',
      order_id: orderId,
      timestamp: '2026-03-01T10:00:00.000Z',
      metadata: { saga_id: sagaId, saga_kind: 'fulfilment', saga_status: 'COMPLETED', outcome: 'confirmed' },
    });
    expect(oms.sagaEvents).toHaveLength(2);
  });

  it('reports a failed payment, a cancellation midway, a cancellation and a refund, with the reason', async () => {
    const oms = orchestrator();
    const outOfStock = await oms.placeAndPay([sku('SKU-1'), sku('OOS-7')]);
    const declined = await oms.placeAndPay([sku('SKU-1', 1, 100_001)]);
    const confirmed = await oms.placeAndPay([sku('SKU-1', 2)]);
    await oms.settle();
    await oms.orders.execute(confirmed.orderId, [{ type: 'RequestRefund', data: { sagaId: 'saga-refund-9', amountMinor: 500, reason: 'scratched' } }]);
    await oms.settle();
    await oms.orders.execute(confirmed.orderId, [{ type: 'RequestCancellation', data: { sagaId: 'saga-cancel-9', reason: 'late delivery' } }]);
    await oms.settle();

    expect(oms.sagaEventsOf(outOfStock.orderId)).toEqual([
      ['saga.started', 'fulfilment', null, null],
      ['saga.failed', 'fulfilment', 'canceled', 'out of stock: OOS-7'],
    ]);
    expect(oms.sagaEventsOf(declined.orderId)).toEqual([
      ['saga.started', 'fulfilment', null, null],
      ['saga.failed', 'fulfilment', 'canceled', 'amount above limit'],
    ]);
    expect(oms.sagaEventsOf(confirmed.orderId)).toEqual([
      ['saga.started', 'fulfilment', null, null],
      ['saga.completed', 'fulfilment', 'confirmed', null],
      ['saga.started', 'refund', null, null],
      ['saga.refunded', 'refund', 'refunded', 'scratched'],
      ['saga.started', 'cancellation', null, null],
      ['saga.canceled', 'cancellation', 'canceled', 'late delivery'],
    ]);
  });

  it('reports a cancellation that stopped a payment midway as saga.canceled, and a refused compensation as saga.failed', async () => {
    const oms = orchestrator();
    let releaseCharge: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseCharge = resolve));
    const charge = oms.payment.charge.bind(oms.payment);
    let charging: () => void = () => undefined;
    const chargeStarted = new Promise<void>((resolve) => (charging = resolve));
    oms.payment.charge = async (request) => {
      charging();
      await gate;
      return charge(request);
    };
    const midway = await oms.placeAndPay([sku('SKU-1')]);
    await oms.deliver();
    await chargeStarted;
    await oms.orders.execute(midway.orderId, [{ type: 'RequestCancellation', data: { sagaId: 'unused', reason: 'changed my mind' } }]);
    await oms.deliver();
    releaseCharge();
    await oms.settle();
    expect(oms.sagaEventsOf(midway.orderId)).toEqual([
      ['saga.started', 'fulfilment', null, null],
      ['saga.canceled', 'fulfilment', 'canceled', 'changed my mind'],
    ]);

    oms.inventory.release = async () => ({ ok: false as const, reason: 'unknown reservation' });
    const refused = await oms.placeAndPay([sku('SKU-1', 1, 100_001)]);
    await oms.settle();
    expect(oms.sagaEventsOf(refused.orderId)).toEqual([
      ['saga.started', 'fulfilment', null, null],
      ['saga.failed', 'fulfilment', 'compensation_failed', 'release refused: unknown reservation'],
    ]);
  });

  it('writes no end event when the final commit fails, and exactly one once the sweep finishes the saga', async () => {
    const oms = orchestrator();
    oms.unitOfWork.crashWhen = (change) => change.saga?.status === 'COMPLETED';
    const { orderId } = await oms.placeAndPay([sku('SKU-1')]);
    await oms.settle();
    expect(oms.sagaEventsOf(orderId)).toEqual([['saga.started', 'fulfilment', null, null]]);

    await oms.sweepAfter(config.saga.callTimeoutMs);

    expect((await oms.order(orderId)).state.status).toBe('CONFIRMED');
    expect(oms.sagaEventsOf(orderId)).toEqual([
      ['saga.started', 'fulfilment', null, null],
      ['saga.completed', 'fulfilment', 'confirmed', null],
    ]);
  });

  it('records a start event in the inbox when its saga exists already, so a repeat stops there', async () => {
    const oms = orchestrator();
    const { orderId, sagaId } = await oms.placeAndPay([sku('SKU-1')]);
    const paymentRequested = (await oms.orders.load(orderId)).events.find((event) => event.type === 'OrderPaymentRequested');
    if (!paymentRequested) throw new Error('OrderPaymentRequested was not written');
    // Another message started the saga under the same id first.
    await oms.runner.start('fulfilment', sagaId, orderId, { consumer: 'saga-orchestrator', messageId: 'another-message' });
    expect(await oms.drivers.inbox.has('saga-orchestrator', paymentRequested.eventId)).toBe(false);

    await oms.settle();

    expect(await oms.drivers.inbox.has('saga-orchestrator', paymentRequested.eventId)).toBe(true);
    expect(await oms.drivers.sagas.listByOrder(orderId)).toHaveLength(1);
  });
});

function envelopeOf(type: string) {
  return {
    eventId: `event-${type}`,
    type,
    schemaVersion: 1,
    orderId: 'order-x',
    streamId: 'order-order-x',
    version: 1,
    position: 1,
    occurredAt: '2026-03-01T10:00:00.000Z',
    data: { orderId: 'order-x' },
  };
}
