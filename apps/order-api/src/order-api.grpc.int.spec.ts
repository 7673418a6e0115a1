import { Metadata, credentials, loadPackageDefinition, makeGenericClientConstructor, status, type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import { service as healthService } from 'grpc-health-check';
import { ERROR_CODE_METADATA, orderServiceClientConstructor } from '@oms/orders';
import { startTestOrderApi, type TestOrderApi } from './testing/order-api.test-app';

type Json = Record<string, any>;
type Unary = (request: Json, metadata: Metadata, callback: (error: ServiceError | null, response: Json) => void) => void;

describe('order-api over gRPC oms.v1.OrderService (memory drivers)', () => {
  let api: TestOrderApi;
  let client: Client & Record<string, Unary>;
  let keyCounter = 0;

  beforeAll(async () => {
    api = await startTestOrderApi();
    const OrderService = orderServiceClientConstructor();
    client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
  });
  afterAll(async () => {
    client.close();
    await api.close();
  });

  function call(method: string, request: Json, key: string | null = `grpc-key-${++keyCounter}`): Promise<Json> {
    const metadata = new Metadata();
    if (key !== null) metadata.set('idempotency-key', key);
    return new Promise((resolve, reject) =>
      client[method](request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  async function callError(method: string, request: Json, key?: string | null): Promise<ServiceError> {
    try {
      await call(method, request, key);
    } catch (error) {
      return error as ServiceError;
    }
    throw new Error(`${method} unexpectedly succeeded`);
  }

  const anOrder = (customerId = 'grpc-cust') => ({
    customerId,
    currency: 'USD',
    items: [{ sku: 'SKU-1', qty: 3, price: { currency: 'USD', amountMinor: '250' } }],
  });

  /** Drives the fulfilment saga's outcomes directly (no saga runs in this process). */
  async function confirm(orderId: string): Promise<void> {
    const loaded = await api.orders.load(orderId);
    const sagaId = loaded?.state.fulfilmentSagaId as string;
    await api.orders.execute(orderId, [
      { type: 'RecordStockReserved', data: { sagaId, reservationId: 'res-1' } },
      { type: 'RecordPayment', data: { sagaId, paymentId: 'pay-1', amountMinor: loaded?.state.totalMinor as number } },
      { type: 'ConfirmOrder', data: { sagaId } },
    ]);
  }

  it('creates, gets and lists orders', async () => {
    const { order } = await call('CreateOrder', anOrder());
    expect(order).toMatchObject({
      customerId: 'grpc-cust',
      status: 'ORDER_STATUS_PENDING',
      amount: { currency: 'USD', amountMinor: '750' },
      version: '1',
      currency: 'USD',
      items: [{ sku: 'SKU-1', qty: 3, price: { currency: 'USD', amountMinor: '250' } }],
    });
    const got = await call('GetOrder', { orderId: order.id }, null);
    expect(got.order).toEqual(order);
    expect(got.timeline).toEqual([{ type: 'OrderPlaced', reason: '', unixTime: expect.stringMatching(/^\d+$/) }]);

    await call('CreateOrder', anOrder());
    const first = await call('ListOrders', { customerId: 'grpc-cust', pageSize: 1, filterStatuses: ['ORDER_STATUS_PENDING'] }, null);
    expect(first.orders).toHaveLength(1);
    expect(first.nextPageToken).not.toBe('');
    // A token pages the query it came from: same customer, same filter.
    const second = await call(
      'ListOrders',
      { customerId: 'grpc-cust', pageSize: 1, pageToken: first.nextPageToken, filterStatuses: ['ORDER_STATUS_PENDING'] },
      null,
    );
    expect(second.orders).toHaveLength(1);
    expect(second.orders[0].id).not.toBe(first.orders[0].id);
    expect(second.nextPageToken).toBe('');
  });

  it('pays, refunds partially and cancels through the whole lifecycle', async () => {
    const { order } = await call('CreateOrder', anOrder('grpc-life'));
    expect(await call('PayOrder', { orderId: order.id })).toEqual({ orderId: order.id, status: 'ORDER_STATUS_PENDING' });
    await confirm(order.id);
    expect((await call('GetOrder', { orderId: order.id }, null)).order.status).toBe('ORDER_STATUS_CONFIRMED');

    const refund = await call('RefundOrder', { orderId: order.id, amount: { currency: 'USD', amountMinor: '100' }, reason: 'damaged' });
    expect(refund).toEqual({ orderId: order.id, status: 'ORDER_STATUS_CONFIRMED' });
    const timeline = (await call('GetOrder', { orderId: order.id }, null)).timeline;
    expect(timeline.at(-1)).toMatchObject({ type: 'OrderRefundRequested', reason: 'damaged' });

    const other = (await call('CreateOrder', anOrder('grpc-life'))).order;
    expect(await call('CancelOrder', { orderId: other.id, reason: 'no longer needed' })).toEqual({
      orderId: other.id,
      status: 'ORDER_STATUS_CANCELED',
    });
  });

  it('replays a create with the same key, and answers ALREADY_EXISTS for the key with another request', async () => {
    const first = await call('CreateOrder', anOrder('grpc-replay'), 'same-grpc-key');
    const again = await call('CreateOrder', anOrder('grpc-replay'), 'same-grpc-key');
    expect(again).toEqual(first);
    const reused = await callError('CreateOrder', anOrder('grpc-other'), 'same-grpc-key');
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    expect(reused.metadata.get(ERROR_CODE_METADATA)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('answers INVALID_ARGUMENT naming every invalid field and the missing key', async () => {
    const error = await callError(
      'CreateOrder',
      { customerId: '', currency: 'USD', items: [{ sku: 'A', qty: 0, price: { currency: 'EUR', amountMinor: '1' } }] },
      null,
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    for (const field of ['idempotency-key', 'customerId', 'items[0].qty', 'items[0].price.currency']) {
      expect(error.details).toContain(field);
    }
    const refund = await callError('RefundOrder', { orderId: 'x', amount: { currency: 'USD', amountMinor: '0' } });
    expect(refund.code).toBe(status.INVALID_ARGUMENT);
    expect(refund.details).toContain('amount.amountMinor');
    const list = await callError('ListOrders', { customerId: 'c', pageSize: 501 }, null);
    expect(list.code).toBe(status.INVALID_ARGUMENT);
    expect(list.details).toContain('pageSize');
  });

  it('answers NOT_FOUND and FAILED_PRECONDITION', async () => {
    expect((await callError('GetOrder', { orderId: 'missing' }, null)).code).toBe(status.NOT_FOUND);
    expect((await callError('PayOrder', { orderId: 'missing' })).code).toBe(status.NOT_FOUND);
    const { order } = await call('CreateOrder', anOrder('grpc-pre'));
    expect((await callError('RefundOrder', { orderId: order.id, reason: 'r' })).code).toBe(status.FAILED_PRECONDITION);
  });

  it('serves grpc.health.v1.Health', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Record<string, any>;
    const answer = await new Promise<Json>((resolve, reject) =>
      health['check']({ service: 'oms.v1.OrderService' }, (error: Error | null, response: Json) => (error ? reject(error) : resolve(response))),
    );
    health['close']();
    expect(answer['status']).toBe('SERVING');
  });

  it('serves server reflection, so grpcurl works without the .proto', async () => {
    const reflectionProto = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
    const root = loadPackageDefinition(loadSync(reflectionProto, { keepCase: false, defaults: true, oneofs: true }));
    const v1 = ((root['grpc'] as GrpcObject)['reflection'] as GrpcObject)['v1'] as GrpcObject;
    const Reflection = v1['ServerReflection'] as ServiceClientConstructor;
    const reflection = new Reflection(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Record<string, any>;
    const services = await new Promise<string[]>((resolve, reject) => {
      const stream = reflection['ServerReflectionInfo']();
      stream.on('data', (response: Json) => {
        resolve((response['listServicesResponse']?.service ?? []).map((service: Json) => service['name']));
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ listServices: '' });
    });
    reflection['close']();
    expect(services).toContain('oms.v1.OrderService');
  });

  it('rejects a refund in another currency than the order', async () => {
    const { order } = await call('CreateOrder', anOrder('grpc-currency'));
    await call('PayOrder', { orderId: order.id });
    await confirm(order.id);
    const error = await callError('RefundOrder', { orderId: order.id, amount: { currency: 'EUR', amountMinor: '100' }, reason: 'r' });
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('amount.currency');
  });
});
