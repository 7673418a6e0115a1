import {
  ConcurrencyError,
  DomainError,
  EventStore,
  SystemClock,
  UuidV7IdGenerator,
  orderStreamId,
  type AppendRequest,
  type AppendResult,
  type OrderCommand,
  type StoredEvent,
} from '@oms/domain';
import { IdempotentMutation, EventSourcedOrderStreams, PlaceOrderHandler } from '@oms/orders';
import type { StorageDrivers } from '../storage-drivers';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

const ids = new UuidV7IdGenerator();
const clock = new SystemClock();
let database: MigratedTestDatabase;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createMigratedTestDatabase('concurrency', { OMS_POSTGRES_POOL_MAX: '20' });
  drivers = await database.drivers();
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

/** The real event store, counting reads (one per executor attempt) and optionally hiding the newest event. */
class ObservedEventStore extends EventStore {
  reads = 0;
  constructor(
    private readonly inner: EventStore,
    private readonly stale = false,
  ) {
    super();
  }
  append(request: AppendRequest): Promise<AppendResult> {
    return this.inner.append(request);
  }
  async readStream(streamId: string): Promise<StoredEvent[]> {
    this.reads += 1;
    const events = await this.inner.readStream(streamId);
    return this.stale ? events.slice(0, -1) : events;
  }
  readAll(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    return this.inner.readAll(afterPosition, limit);
  }
}

async function placedOrderAwaitingPayment(executor: EventSourcedOrderStreams) {
  const orderId = ids.newId();
  const sagaId = ids.newId();
  await executor.execute(orderId, [
    { type: 'PlaceOrder', data: { orderId, customerId: ids.newId(), currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, unitPriceMinor: 500 }] } },
  ]);
  await executor.execute(orderId, [{ type: 'RequestPayment', data: { sagaId } }]);
  return { orderId, sagaId };
}

/** A command every order state accepts, so that 50 of them compete only on the stream version. */
const compensationFailed = (sagaId: string, i: number): OrderCommand => ({
  type: 'RecordCompensationFailed',
  data: { sagaId, step: 'release', reason: `writer-${i}` },
});

describe('concurrent commands on one order (PostgreSQL)', () => {
  it('loses no update: 50 concurrent commands leave a gapless stream with every winner once and no loser', async () => {
    const store = new ObservedEventStore(drivers.eventStore);
    const executor = new EventSourcedOrderStreams(store, drivers.unitOfWork, clock, ids);
    const { orderId, sagaId } = await placedOrderAwaitingPayment(executor);
    store.reads = 0;
    const retries = 5;

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => executor.execute(orderId, [compensationFailed(sagaId, i)], { maxConflictRetries: retries })),
    );

    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    const losers = results.flatMap((result, i) => (result.status === 'rejected' ? [{ i, error: result.reason as unknown }] : []));
    console.log(`50 concurrent commands: ${winners.length} committed, ${losers.length} rejected after ${retries} retries, ${store.reads} attempts`);
    expect(winners.length + losers.length).toBe(50);
    expect(winners.length).toBeGreaterThan(0);
    for (const { error } of losers) {
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: orderStreamId(orderId) });
    }
    // Bounded: no call made more than retries + 1 attempts.
    expect(store.reads).toBeLessThanOrEqual(50 * (retries + 1));

    const stream = await drivers.eventStore.readStream(orderStreamId(orderId));
    expect(stream.map((event) => event.version)).toEqual(Array.from({ length: 2 + winners.length }, (_, i) => i + 1));
    const reasons = stream.slice(2).map((event) => (event.data as { reason: string }).reason);
    expect([...reasons].sort()).toEqual(winners.map((i) => `writer-${i}`).sort());

    // Each winner's result reports exactly the event it appended.
    for (const i of winners) {
      const { events } = (results[i] as PromiseFulfilledResult<Awaited<ReturnType<EventSourcedOrderStreams['execute']>>>).value;
      expect(events).toHaveLength(1);
      expect(stream.find((event) => event.eventId === events[0].eventId)?.version).toBe(events[0].version);
    }

    // The projection and the outbox followed the stream, in stream order.
    await expect(drivers.projection.get(orderId)).resolves.toMatchObject({ version: stream.length });
    const { rows } = await database.sql.query<{ payload: string }>('SELECT payload FROM outbox WHERE key = $1 ORDER BY id', [orderId]);
    expect(rows.map((row) => (JSON.parse(row.payload) as { version: number }).version)).toEqual(stream.map((event) => event.version));
  });

  it('retries a conflicting command a bounded number of times, then answers ConcurrencyError with the actual version', async () => {
    const plain = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, clock, ids);
    const { orderId, sagaId } = await placedOrderAwaitingPayment(plain);
    await plain.execute(orderId, [compensationFailed(sagaId, 1)]);
    // Every attempt decides on a stale read, so every append conflicts in PostgreSQL.
    const stale = new ObservedEventStore(drivers.eventStore, true);
    const executor = new EventSourcedOrderStreams(stale, drivers.unitOfWork, clock, ids);

    const error = await executor.execute(orderId, [compensationFailed(sagaId, 0)], { maxConflictRetries: 3 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: orderStreamId(orderId), expectedVersion: 2, actualVersion: 3 });
    expect(stale.reads).toBe(4);
    await expect(drivers.eventStore.readStream(orderStreamId(orderId))).resolves.toHaveLength(3);
  });

  it('places a new order without reading its stream, and still refuses a stream that exists', async () => {
    const observed = new ObservedEventStore(drivers.eventStore);
    const executor = new EventSourcedOrderStreams(observed, drivers.unitOfWork, clock, ids);
    const place = (orderId: string) => ({
      type: 'PlaceOrder' as const,
      data: { orderId, customerId: 'c-1', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, unitPriceMinor: 500 }] },
    });
    const fresh = ids.newId();

    await executor.execute(fresh, [place(fresh)], { history: [] });
    expect(observed.reads).toBe(0);
    await expect(drivers.eventStore.readStream(orderStreamId(fresh))).resolves.toHaveLength(1);

    // A caller wrong about the stream being new: the append conflicts, the retry reads, and the
    // order decider refuses to place the order twice.
    const error = await executor.execute(fresh, [place(fresh)], { history: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(observed.reads).toBe(1);
    await expect(drivers.eventStore.readStream(orderStreamId(fresh))).resolves.toHaveLength(1);
  });
});

describe('concurrent requests with one idempotency key (PostgreSQL)', () => {
  it('lets exactly one of 20 identical begins start', async () => {
    const claim = { key: ids.newId(), scope: 'CreateOrder', requestHash: 'same-request', lockMs: 30_000 };
    const now = new Date();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => drivers.idempotency.begin(claim, now)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'in_flight')).toHaveLength(19);
  });

  it('creates exactly one order and one set of events for 20 concurrent CreateOrder calls; the others replay it or are told it is in flight', async () => {
    const executor = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, clock, ids);
    const mutation = new IdempotentMutation(drivers.idempotency, clock, database.config);
    const handler = new PlaceOrderHandler(executor, mutation, ids);
    const key = ids.newId();
    const customerId = ids.newId();
    const body = { customerId, currency: 'EUR', items: [{ sku: 'SKU-1', qty: 2, price: { currency: 'EUR', amountMinor: '750' } }] };
    const call = () => handler.handle({ transport: 'rest', idempotencyKey: key }, body);

    const results = await Promise.allSettled(Array.from({ length: 20 }, call));

    const answers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(answers.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    }
    // Every answer (the original and each replay) names the same order.
    const orderIds = new Set(answers.map((answer) => answer.body.order.id));
    expect(orderIds.size).toBe(1);
    const [orderId] = [...orderIds];
    expect(answers.every((answer) => answer.outcome === 'created')).toBe(true);

    const { rows } = await database.sql.query<{ stream_id: string }>(
      `SELECT DISTINCT e.stream_id FROM events e JOIN orders_view v ON e.stream_id = 'order-' || v.order_id WHERE v.customer_id = $1`,
      [customerId],
    );
    expect(rows).toEqual([{ stream_id: orderStreamId(orderId) }]);
    await expect(drivers.eventStore.readStream(orderStreamId(orderId))).resolves.toHaveLength(1);
    const outbox = await database.sql.query('SELECT 1 FROM outbox WHERE key = $1', [orderId]);
    expect(outbox.rowCount).toBe(1);

    // Once the first call finished, every retry replays the very same answer.
    const again = await Promise.all(Array.from({ length: 20 }, call));
    for (const answer of again) expect(answer).toEqual(answers[0]);
  });
});
