import { EventStore, IdempotencyStore, orderStreamId } from '@oms/domain';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

/**
 * A status change (pay, cancel, refund) reads its order with the idempotency claim, in one
 * round trip: no stream read of its own, on PostgreSQL and on the memory drivers alike, and the
 * order it decides on is the one it read (a pay on a paid order is still refused).
 */
describe.each(['postgres', 'memory'] as const)('a status change reads its order with the claim (%s)', (driver) => {
  let database: TestDatabase | undefined;
  let api: TestOrderApi;
  let streamReads: string[];

  beforeAll(async () => {
    if (driver === 'postgres') database = await createTestDatabase('status_change_reads');
    api = await startTestOrderApi(
      testConfig(database ? { OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: database.dsn, OMS_POSTGRES_AUTO_MIGRATE: 'true' } : {}),
    );
    const events = api.app.get(EventStore);
    const readStream = events.readStream.bind(events);
    events.readStream = (streamId: string) => {
      streamReads.push(streamId);
      return readStream(streamId);
    };
  });
  beforeEach(() => {
    streamReads = [];
  });
  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  async function post(url: string, key: string, body: unknown) {
    const response = await api.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      payload: JSON.stringify(body),
    });
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  }

  async function create(key: string): Promise<string> {
    const created = await post('/v1/orders', key, {
      customerId: 'cust-reads',
      currency: 'EUR',
      items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '700' } }],
    });
    expect(created.status).toBe(201);
    return created.body['order'].id as string;
  }

  it('pays on the order read with the claim, without reading the stream again', async () => {
    const orderId = await create(`reads-${driver}-create`);

    const paid = await post(`/v1/orders/${orderId}/pay`, `reads-${driver}-pay`, {});
    expect(paid).toEqual({ status: 202, body: { orderId, status: 'ORDER_STATUS_PENDING' } });
    // The claim read the order (it decided on the placed order, so the pay was accepted) ...
    expect(streamReads).toEqual([]);

    // ... and a second pay under a new key decides on the order as the claim read it: refused.
    const again = await post(`/v1/orders/${orderId}/pay`, `reads-${driver}-pay-again`, {});
    expect(again).toMatchObject({ status: 409, body: { code: 'ORDER_PAYMENT_ALREADY_REQUESTED' } });
    expect(streamReads).toEqual([]);

    // A replay of the first pay reads nothing at all: it is the stored answer.
    expect(await post(`/v1/orders/${orderId}/pay`, `reads-${driver}-pay`, {})).toEqual(paid);
    expect(streamReads).toEqual([]);
  });

  it('decides again on the order read afresh when it moved after the claim', async () => {
    const orderId = await create(`reads-${driver}-create-moved`);
    // Another writer requests the payment right after this request's claim read the order.
    const idempotency = api.app.get(IdempotencyStore);
    const begin = idempotency.begin.bind(idempotency);
    idempotency.begin = async (...args) => {
      idempotency.begin = begin;
      const begun = await begin(...args);
      await api.orders.execute(orderId, [{ type: 'RequestPayment', data: { sagaId: 'saga-elsewhere' } }]);
      streamReads = [];
      return begun;
    };

    const paid = await post(`/v1/orders/${orderId}/pay`, `reads-${driver}-pay-moved`, {});
    // The append of the claim's decision met the moved stream; the retry read it and refused.
    expect(paid).toMatchObject({ status: 409, body: { code: 'ORDER_PAYMENT_ALREADY_REQUESTED' } });
    expect(streamReads).toEqual([orderStreamId(orderId)]);
  });
});
