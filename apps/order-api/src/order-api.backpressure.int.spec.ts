import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Outbox } from '@oms/domain';
import { HealthRegistry } from '@oms/observability';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

// Real PostgreSQL on a shared machine: creating and migrating a database takes seconds.
jest.setTimeout(60_000);

const MAX_PENDING = 5;

describe('order-api readiness follows the outbox backlog (PostgreSQL)', () => {
  let database: TestDatabase;
  let api: TestOrderApi;

  beforeAll(async () => {
    database = await createTestDatabase('backpressure');
    api = await startTestOrderApi(
      testConfig({
        OMS_STORAGE_DRIVER: 'postgres',
        OMS_POSTGRES_DSN: database.dsn,
        OMS_POSTGRES_AUTO_MIGRATE: 'true',
        OMS_OUTBOX_MAX_PENDING: String(MAX_PENDING),
      }),
    );
    api.app.get(HealthRegistry).markStarted(); // what startObservability does, without signal handlers
  });
  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const readyz = async () => {
    const response = await fetch(`${api.opsUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; details?: Record<string, any> } };
  };
  const createOrder = async (n: number) => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': `backlog-${n}` },
      payload: { customerId: 'c-backlog', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '100' } }] },
    });
    expect(response.statusCode).toBe(201);
  };

  it('turns 503 naming outbox_backlog when more than OMS_OUTBOX_MAX_PENDING rows wait, and 200 once they drain', async () => {
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body.details?.['outbox_backlog']).toMatchObject({ status: 'up', pending: 0, maxPending: MAX_PENDING });

    // No relay runs here: every accepted order leaves its outbox rows pending.
    for (let n = 0; n < MAX_PENDING + 1; n++) await createOrder(n);
    const outbox = api.app.get(Outbox);
    expect((await outbox.stats()).pending).toBeGreaterThan(MAX_PENDING);

    const backlogged = await readyz();
    expect(backlogged.status).toBe(503);
    expect(backlogged.body.status).toBe('error');
    expect(backlogged.body.details?.['outbox_backlog']).toMatchObject({
      status: 'down',
      pending: (await outbox.stats()).pending,
      maxPending: MAX_PENDING,
      oldestPendingAt: expect.any(String),
    });
    expect(backlogged.body.details?.['database']).toMatchObject({ status: 'up' });

    // The relay catches up: publish-and-mark-sent as it would.
    const partitions = Array.from({ length: api.app.get<OmsConfig>(OMS_CONFIG).outbox.partitions }, (_, i) => i);
    const rows = await outbox.fetchPending(partitions, 1_000);
    await outbox.markSent(rows.map((row) => row.id));

    const drained = await readyz();
    expect(drained.status).toBe(200);
    expect(drained.body.details?.['outbox_backlog']).toMatchObject({ status: 'up', pending: 0 });
  });

  it('lists the check in /healthz as a readiness check', async () => {
    const health = (await (await fetch(`${api.opsUrl}/healthz`)).json()) as { app: string; details: Record<string, any> };
    expect(health.app).toBe('order-api');
    expect(health.details['outbox_backlog']).toMatchObject({ readiness: true });
  });
});
