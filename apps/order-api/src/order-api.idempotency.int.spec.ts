import { Metadata, credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODE_METADATA, orderServiceClientConstructor } from '@oms/orders';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

type Json = Record<string, any>;
type Unary = (request: Json, metadata: Metadata, callback: (error: ServiceError | null, response: Json) => void) => void;

/**
 * One idempotency key space (ADR 0023): a key names one request, so reusing it for another
 * operation, order or body is 422 / ALREADY_EXISTS naming the operation it was first used for,
 * while the same request still replays. On PostgreSQL and on the memory drivers alike.
 */
describe.each(['postgres', 'memory'] as const)('one idempotency key space over REST and gRPC (%s)', (driver) => {
  let database: TestDatabase | undefined;
  let api: TestOrderApi;
  let client: Client & Record<string, Unary>;
  let keys = 0;
  const newKey = () => `key-space-${driver}-${++keys}`;

  beforeAll(async () => {
    if (driver === 'postgres') database = await createTestDatabase('idem_key_space_api');
    api = await startTestOrderApi(
      testConfig(database ? { OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: database.dsn, OMS_POSTGRES_AUTO_MIGRATE: 'true' } : {}),
    );
    const OrderService = orderServiceClientConstructor();
    client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
    await database?.drop();
  });

  const anOrder = (customerId: string) => ({
    customerId,
    currency: 'EUR',
    items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '700' } }],
  });

  async function rest(url: string, key: string | string[], body: unknown = {}) {
    const response = await api.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      payload: JSON.stringify(body),
    });
    return { status: response.statusCode, type: response.headers['content-type'], body: response.json() as Json };
  }
  const restCreate = async (customerId: string): Promise<string> => {
    const created = await rest('/v1/orders', newKey(), anOrder(customerId));
    expect(created.status).toBe(201);
    return created.body['order'].id as string;
  };
  const statusOf = async (orderId: string) => (JSON.parse((await api.app.inject({ method: 'GET', url: `/v1/orders/${orderId}` })).body) as Json)['order'].status as string;

  function grpc(method: string, request: Json, keys: string[]): Promise<{ ok: true; body: Json } | { ok: false; error: ServiceError }> {
    const metadata = new Metadata();
    for (const key of keys) metadata.add('idempotency-key', key);
    return new Promise((resolve) =>
      client[method](request, metadata, (error, body) => resolve(error ? { ok: false, error } : { ok: true, body })),
    );
  }
  const grpcError = async (method: string, request: Json, keys: string[]): Promise<ServiceError> => {
    const outcome = await grpc(method, request, keys);
    if (outcome.ok) throw new Error(`${method} unexpectedly succeeded`);
    return outcome.error;
  };

  it('REST: create with K is 201; pay of A, pay of B and cancel with K are 422 naming CreateOrder; the create replays', async () => {
    const [orderA, orderB] = [await restCreate('key-space-a'), await restCreate('key-space-b')];
    const key = newKey();
    const created = await rest('/v1/orders', key, anOrder('key-space-c'));
    expect(created.status).toBe(201);

    const answers = [
      await rest(`/v1/orders/${orderA}/pay`, key),
      await rest(`/v1/orders/${orderB}/pay`, key),
      await rest(`/v1/orders/${orderA}/cancel`, key, { reason: 'reused key' }),
    ];
    expect([created.status, ...answers.map((answer) => answer.status)]).toEqual([201, 422, 422, 422]);
    for (const answer of answers) {
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', detail: expect.stringContaining('already used for CreateOrder') });
    }
    // Nothing ran under the reused key: both orders are as created.
    expect([await statusOf(orderA), await statusOf(orderB)]).toEqual(['ORDER_STATUS_PENDING', 'ORDER_STATUS_PENDING']);
    // The same request replays the original answer, byte for byte.
    const replayed = await rest('/v1/orders', key, anOrder('key-space-c'));
    expect([replayed.status, replayed.body]).toEqual([201, created.body]);
    // Another body under the key is refused too.
    expect((await rest('/v1/orders', key, anOrder('key-space-other'))).status).toBe(422);
  });

  it('REST: a key first used to pay A replays for A and is 422 naming PayOrder for B', async () => {
    const [orderA, orderB] = [await restCreate('key-space-pay-a'), await restCreate('key-space-pay-b')];
    const key = newKey();
    const paid = await rest(`/v1/orders/${orderA}/pay`, key);
    expect(paid.status).toBe(202);
    const other = await rest(`/v1/orders/${orderB}/pay`, key);
    expect([other.status, other.body['detail']]).toEqual([422, expect.stringContaining('already used for PayOrder')]);
    expect(other.body['detail']).not.toContain(orderA);
    expect(await rest(`/v1/orders/${orderA}/pay`, key)).toEqual(paid);
    expect(await statusOf(orderB)).toBe('ORDER_STATUS_PENDING');
  });

  it('REST: a repeated Idempotency-Key header (joined "a, b", or a list) is 400 naming the header', async () => {
    for (const key of ['k-1, k-2', ['k-1', 'k-2']]) {
      const answer = await rest('/v1/orders', key, anOrder('key-space-twice'));
      expect(answer.status).toBe(400);
      expect(answer.body['errors']).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(/once/) }]);
    }
  });

  it('gRPC: CreateOrder with K is OK; PayOrder of A and B and CancelOrder with K are ALREADY_EXISTS naming CreateOrder; the create replays', async () => {
    const [orderA, orderB] = [await restCreate('key-space-grpc-a'), await restCreate('key-space-grpc-b')];
    const key = newKey();
    const created = await grpc('CreateOrder', anOrder('key-space-grpc-c'), [key]);
    expect(created.ok).toBe(true);
    for (const [method, request] of [
      ['PayOrder', { orderId: orderA }],
      ['PayOrder', { orderId: orderB }],
      ['CancelOrder', { orderId: orderA, reason: 'reused key' }],
    ] as const) {
      const error = await grpcError(method, request, [key]);
      expect(error.code).toBe(status.ALREADY_EXISTS);
      expect(error.details).toMatch(/already used for CreateOrder/);
      expect(error.metadata.get(ERROR_CODE_METADATA)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    }
    expect([await statusOf(orderA), await statusOf(orderB)]).toEqual(['ORDER_STATUS_PENDING', 'ORDER_STATUS_PENDING']);
    expect(await grpc('CreateOrder', anOrder('key-space-grpc-c'), [key])).toEqual(created);
    // A key is shared by both transports: REST refuses it for another request as well.
    expect((await rest(`/v1/orders/${orderA}/pay`, key)).status).toBe(422);
  });

  it('gRPC: idempotency-key metadata given twice, or joined "a, b", is INVALID_ARGUMENT naming it', async () => {
    for (const keys of [['k-1', 'k-2'], ['k-1, k-2'], ['k-1,k-2']]) {
      const error = await grpcError('CreateOrder', anOrder('key-space-grpc-twice'), keys);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/idempotency-key: must be given once/);
    }
  });
});
