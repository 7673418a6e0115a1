import { Metadata, credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { orderServiceClientConstructor } from '@oms/orders';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { Client as PgClient } from 'pg';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

type Json = Record<string, any>;

describe('ListOrders paging while orders are written (PostgreSQL)', () => {
  let database: TestDatabase;
  let api: TestOrderApi;
  let sql: PgClient;
  let keys = 0;

  beforeAll(async () => {
    database = await createTestDatabase('list_paging');
    api = await startTestOrderApi(
      testConfig({ OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: database.dsn, OMS_POSTGRES_AUTO_MIGRATE: 'true' }),
    );
    sql = new PgClient({ connectionString: database.dsn });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await database?.drop();
  });

  const create = async (customerId: string): Promise<string> => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': `paging-${++keys}` },
      payload: { customerId, currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '100' } }] },
    });
    expect(response.statusCode).toBe(201);
    return (response.json() as Json)['order'].id as string;
  };
  const cancel = async (orderId: string): Promise<void> => {
    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/orders/${orderId}/cancel`,
      headers: { 'content-type': 'application/json', 'idempotency-key': `paging-${++keys}` },
      payload: {},
    });
    expect(response.statusCode).toBe(202);
  };
  const list = (query: string) => api.app.inject({ method: 'GET', url: `/v1/orders?${query}` });
  /** The keyset order of the projection itself: newest first, ties by order id descending. */
  const storedOrder = async (customerId: string, status?: string): Promise<string[]> => {
    const { rows } = await sql.query<{ order_id: string }>(
      `SELECT order_id FROM orders_view WHERE customer_id = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, order_id DESC`,
      [customerId, status ?? null],
    );
    return rows.map((row) => row.order_id);
  };

  /** Reads every page, creating orders between requests; returns the ids in page order. */
  async function pageThrough(customerId: string, filter: string, between: () => Promise<void>): Promise<{ seen: string[]; pages: number }> {
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const response = await list(`customerId=${customerId}&pageSize=4${filter}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      expect(response.statusCode).toBe(200);
      const body = response.json() as Json;
      expect(body['orders'].length).toBeLessThanOrEqual(4);
      seen.push(...body['orders'].map((order: Json) => order['id'] as string));
      token = body['nextPageToken'] as string;
      pages += 1;
      await between();
    } while (token !== '' && pages < 50);
    return { seen, pages };
  }

  it('stays complete and duplicate-free while orders are inserted between page requests', async () => {
    const customerId = 'cust-paging';
    for (let i = 0; i < 23; i++) await create(customerId);
    const before = await storedOrder(customerId);
    const inserted: string[] = [];

    const { seen, pages } = await pageThrough(customerId, '', async () => {
      inserted.push(await create(customerId), await create(customerId));
      await create('cust-paging-neighbour');
    });

    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    expect(seen.filter((id) => before.includes(id))).toEqual(before); // every order that existed, in keyset order
    // Orders created after the listing began are newer than its cursor: no page shows them.
    expect(seen.filter((id) => inserted.includes(id))).toEqual([]);
    expect(seen).toHaveLength(before.length);
    expect(pages).toBe(Math.ceil(before.length / 4));
  });

  it('stays complete with a status filter while matching and other orders are inserted', async () => {
    const customerId = 'cust-paging-filter';
    for (let i = 0; i < 14; i++) {
      const id = await create(customerId);
      if (i % 3 === 0) await cancel(id);
    }
    const pendingBefore = await storedOrder(customerId, 'PENDING');
    expect(pendingBefore.length).toBeGreaterThan(4);

    const { seen } = await pageThrough(customerId, '&filterStatuses=ORDER_STATUS_PENDING', async () => {
      await create(customerId);
      await cancel(await create(customerId));
    });

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(pendingBefore);
  });

  it('refuses a page token for another customer or another filter: 400 naming pageToken, INVALID_ARGUMENT over gRPC', async () => {
    const customerId = 'cust-token';
    for (let i = 0; i < 3; i++) await create(customerId);
    await create('cust-token-other');
    const first = (await list(`customerId=${customerId}&pageSize=1&filterStatuses=ORDER_STATUS_PENDING`)).json() as Json;
    const token = encodeURIComponent(first['nextPageToken'] as string);
    expect(token).not.toBe('');

    for (const query of [
      `customerId=cust-token-other&pageSize=1&filterStatuses=ORDER_STATUS_PENDING&pageToken=${token}`,
      `customerId=${customerId}&pageSize=1&pageToken=${token}`,
      `customerId=${customerId}&pageSize=1&filterStatuses=ORDER_STATUS_CANCELED&pageToken=${token}`,
    ]) {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'pageToken', message: expect.stringContaining('another customerId or filterStatuses') }],
      });
    }
    // The same query goes on.
    const second = await list(`customerId=${customerId}&pageSize=1&filterStatuses=ORDER_STATUS_PENDING&pageToken=${token}`);
    expect(second.statusCode).toBe(200);

    const OrderService = orderServiceClientConstructor();
    const client = new OrderService(`127.0.0.1:${api.grpcPort}`, credentials.createInsecure()) as Client & Record<string, any>;
    try {
      const error = await new Promise<ServiceError | null>((resolve) =>
        client['ListOrders'](
          { customerId: 'cust-token-other', pageSize: 1, pageToken: first['nextPageToken'], filterStatuses: ['ORDER_STATUS_PENDING'] },
          new Metadata(),
          (failure: ServiceError | null) => resolve(failure),
        ),
      );
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.details).toMatch(/pageToken|page_token/);
    } finally {
      client.close();
    }
  });
});
