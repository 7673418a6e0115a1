/**
 * One saga step on the memory drivers: the order events it appends are exactly the ones its
 * decision produced (the order decider runs inside decideSaga only, never a second time on
 * the write path), and an order that moved under the step is decided again on a fresh read.
 */
import { Logger } from '@nestjs/common';
import {
  OrderStreams,
  SystemClock,
  UuidV7IdGenerator,
  initialSagaState,
  orderStreamId,
  type ChangeSet,
  type CommitResult,
  type EventMetadata,
  type LoadedOrder,
  type OrderCommand,
  type OrderEvent,
  type OrderWrite,
  type OrderWriteOptions,
  type PreparedOrderChange,
  type SagaPolicy,
  type SagaRecord,
  type SagaState,
  type SagaTrigger,
} from '@oms/domain';
import { EventSourcedOrderStreams } from '@oms/orders';
import { createMemoryDrivers } from '@oms/storage';
import { SagaLifecycleEvents } from './saga-lifecycle.events';
import { NoopSagaMetrics } from './saga-metrics';
import { SagaStep } from './saga-step';

const POLICY: SagaPolicy = { maxAttempts: 3, retryBaseMs: 100, retryMaxMs: 1_000, stepDeadlineMs: 60_000, callTimeoutMs: 2_000 };

/** The real order streams, counting what the saga step asks of them. */
class CountingOrderStreams extends OrderStreams {
  loads = 0;
  decided: (readonly OrderCommand[])[] = [];
  recorded: (readonly OrderEvent[])[] = [];
  /** Runs once, right after the first load: a writer that moves the order under the step. */
  afterFirstLoad?: () => Promise<void>;

  constructor(private readonly inner: OrderStreams) {
    super();
  }
  async load(orderId: string): Promise<LoadedOrder> {
    const loaded = await this.inner.load(orderId);
    this.loads++;
    const moveOrder = this.afterFirstLoad;
    this.afterFirstLoad = undefined;
    await moveOrder?.();
    return loaded;
  }
  decide(order: LoadedOrder, commands: readonly OrderCommand[], metadata?: Partial<EventMetadata>): PreparedOrderChange {
    this.decided.push(commands);
    return this.inner.decide(order, commands, metadata);
  }
  record(order: LoadedOrder, events: readonly OrderEvent[], metadata?: Partial<EventMetadata>): PreparedOrderChange {
    this.recorded.push(events);
    return this.inner.record(order, events, metadata);
  }
  commit(change: ChangeSet): Promise<CommitResult> {
    return this.inner.commit(change);
  }
  write<T>(orderId: string, attempt: (order: LoadedOrder) => OrderWrite<T>, options?: OrderWriteOptions): Promise<T> {
    return this.inner.write(orderId, attempt, options);
  }
  execute(orderId: string, commands: readonly OrderCommand[], options?: OrderWriteOptions) {
    return this.inner.execute(orderId, commands, options);
  }
}

async function reservedOrderAwaitingItsCharge() {
  const clock = new SystemClock();
  const drivers = createMemoryDrivers({ clock });
  const real = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, clock, new UuidV7IdGenerator());
  const orders = new CountingOrderStreams(real);
  const orderId = 'order-step-1';
  const sagaId = 'saga-step-1';
  await real.execute(orderId, [
    { type: 'PlaceOrder', data: { orderId, customerId: 'c-1', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 2, unitPriceMinor: 750 }] } },
    { type: 'RequestPayment', data: { sagaId } },
    { type: 'RecordStockReserved', data: { sagaId, reservationId: 'res-1' } },
  ]);
  const now = clock.now();
  const state: SagaState = { ...initialSagaState('fulfilment', sagaId, orderId), step: 'charge', stepStartedAt: now.toISOString() };
  const record: SagaRecord<SagaState> = {
    sagaId,
    orderId,
    kind: 'fulfilment',
    status: 'RUNNING',
    state,
    version: 0,
    nextAttemptAt: now,
    deadlineAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await drivers.unitOfWork.commit({ saga: record }, now);
  const charged: SagaTrigger = {
    type: 'CallSucceeded',
    call: { step: 'charge', request: { idempotencyKey: `${sagaId}:charge`, orderId, amountMinor: 1_500, currency: 'EUR' } },
    result: { paymentId: 'pay-1' },
  };
  const step = new SagaStep(drivers.sagas, orders, clock, POLICY, new NoopSagaMetrics(), new SagaLifecycleEvents('oms.saga.events'));
  const stream = async () => (await drivers.eventStore.readStream(orderStreamId(orderId))).map(({ type, schemaVersion, data }) => ({ type, schemaVersion, data }));
  /** Outbox rows in commit order: [topic, event type]. */
  const outbox = async () =>
    (await drivers.outbox.fetchPending(Array.from({ length: 16 }, (_, i) => i), 1_000))
      .sort((a, b) => a.id - b.id)
      .map((row) => [row.topic, (JSON.parse(row.payload) as { event_type: string }).event_type]);
  return { drivers, real, orders, orderId, sagaId, step, charged, stream, outbox };
}

/** The customer cancels between the step's read of the order and its commit; the saga's version before the step. */
async function cancelledDuringTheStep(fixture: Awaited<ReturnType<typeof reservedOrderAwaitingItsCharge>>): Promise<number> {
  const { drivers, real, orders, orderId, sagaId } = fixture;
  orders.afterFirstLoad = async () => {
    await real.execute(orderId, [{ type: 'RequestCancellation', data: { sagaId: 'unused', reason: 'changed my mind' } }]);
  };
  return (await drivers.sagas.get(sagaId))?.version as number;
}

beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

describe('SagaStep', () => {
  it('decides once: it appends exactly the order events of its decision, and asks the write path to decide nothing', async () => {
    const { orders, sagaId, step, charged, stream, outbox } = await reservedOrderAwaitingItsCharge();

    const outcome = await step.run(sagaId, charged);

    if (outcome.type !== 'committed') throw new Error(`expected a committed step, got ${outcome.type}`);
    expect(outcome.decision.orderEvents.map((event) => event.type)).toEqual(['OrderPaid', 'OrderConfirmed']);
    expect(orders.decided).toEqual([]); // the order decider ran inside decideSaga, and only there
    expect(orders.recorded).toHaveLength(1);
    expect(orders.recorded[0]).toBe(outcome.decision.orderEvents);
    expect((await stream()).slice(3)).toEqual(outcome.decision.orderEvents);
    expect(outcome.decision.status).toBe('COMPLETED');
    // The final transition's commit carries the saga's end event, after the order events it appended.
    expect((await outbox()).slice(-3)).toEqual([
      ['oms.order.events', 'OrderPaid'],
      ['oms.order.events', 'OrderConfirmed'],
      ['oms.saga.events', 'saga.completed'],
    ]);
  });

  it('decides again on a fresh read when the order moved under a decision that appends no order event', async () => {
    const fixture = await reservedOrderAwaitingItsCharge();
    const { drivers, orders, sagaId, step, charged } = fixture;
    // The charge failed for now: alone, that decision only schedules a retry (no order event).
    const failed: SagaTrigger = { type: 'CallFailed', call: charged.call, error: 'payment partner unavailable' };
    const before = await cancelledDuringTheStep(fixture);

    const outcome = await step.run(sagaId, failed);

    if (outcome.type !== 'committed') throw new Error(`expected a committed step, got ${outcome.type}`);
    expect(orders.loads).toBe(2);
    expect(orders.recorded[0]).toEqual([]); // the stale decision: no order event, refused by the order's version
    expect(outcome.decision.call?.step).not.toBe('charge'); // decided on the cancellation: no second charge attempt
    expect((await drivers.sagas.get(sagaId))?.version).toBe(before + 1);
  });

  it('decides again on a fresh read when the order moved under it, appending only the second decision', async () => {
    const fixture = await reservedOrderAwaitingItsCharge();
    const { drivers, orders, sagaId, step, charged, stream, outbox } = fixture;
    // Between the step's read and its commit, the customer cancels: the append at the version read conflicts.
    const before = await cancelledDuringTheStep(fixture);

    const outcome = await step.run(sagaId, charged);

    if (outcome.type !== 'committed') throw new Error(`expected a committed step, got ${outcome.type}`);
    expect(orders.loads).toBe(2);
    expect(orders.decided).toEqual([]);
    expect(orders.recorded).toHaveLength(2);
    expect(orders.recorded[0]?.map((event) => event.type)).toEqual(['OrderPaid', 'OrderConfirmed']); // decided on the stale read, never appended
    expect(orders.recorded[1]).toBe(outcome.decision.orderEvents);
    expect(outcome.decision.orderEvents.map((event) => event.type)).toEqual(['OrderPaid']); // a cancellation is pending: no confirmation
    expect(outcome.decision.call?.step).toBe('release');
    expect((await stream()).map((event) => event.type)).toEqual([
      'OrderPlaced',
      'OrderPaymentRequested',
      'OrderStockReserved',
      'OrderCancellationRequested',
      'OrderPaid',
    ]);
    expect((await drivers.sagas.get(sagaId))?.version).toBe(before + 1); // one saga write: the second decision's
    expect((await outbox()).filter(([topic]) => topic === 'oms.saga.events')).toEqual([]); // still running: no end event
  });
});
