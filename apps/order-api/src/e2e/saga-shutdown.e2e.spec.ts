import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { anOrder, buildApp, call, startApp, waitFor, waitUntilReady, type AppProcess } from './built-app';

// SIGTERM to a process running sagas (the built standalone app: API, relay and the saga
// orchestrator's SagasModule, on PostgreSQL) while a partner call is in flight (slow partner).
// The step must finish and commit, or be left for the recovery sweep; never half-done: the
// saga row and the order stream agree afterwards. A second process then resumes the saga
// from the database and the order ends CONFIRMED with every event exactly once.

jest.setTimeout(240_000);

const PARTNER_LATENCY_MS = 1_500;
const SHUTDOWN_TIMEOUT_MS = 10_000;

let database: TestDatabase;
const started: AppProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase('saga_shutdown');
});
afterAll(async () => {
  for (const app of started) await app.stop('SIGKILL');
  await database?.drop();
});

async function query<T extends object>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

interface SagaRow {
  readonly status: string;
  readonly state: { readonly step: string | null; readonly kind: string };
  readonly next_attempt_at: Date | null;
}

const sagaOf = async (orderId: string): Promise<SagaRow | undefined> =>
  (await query<SagaRow>(`SELECT status, state, next_attempt_at FROM sagas WHERE order_id = $1`, [orderId]))[0];
const streamOf = async (orderId: string): Promise<string[]> =>
  (await query<{ type: string }>(`SELECT type FROM events WHERE stream_id = $1 ORDER BY version`, [`order-${orderId}`])).map((row) => row.type);

async function startStandalone(main: string): Promise<AppProcess> {
  const app = await startApp(main, {
    LOG_LEVEL: 'debug',
    OMS_STORAGE_DRIVER: 'postgres',
    OMS_POSTGRES_DSN: database.dsn,
    OMS_POSTGRES_AUTO_MIGRATE: 'true',
    OMS_BROKER_DRIVER: 'memory',
    OMS_PARTNER_LATENCY: `${PARTNER_LATENCY_MS}ms`,
    OMS_SAGA_CALL_TIMEOUT: '5s',
    OMS_SAGA_SWEEP_INTERVAL: '200ms',
    OMS_OUTBOX_POLL_INTERVAL: '20ms',
    OMS_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
    OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
  });
  started.push(app);
  await waitUntilReady(app);
  return app;
}

it('SIGTERM mid-step: the step is finished or left for the sweep, never half-done; a second process completes it', async () => {
  const main = buildApp('standalone');
  const first = await startStandalone(main);

  const created = await call(first.httpUrl, 'POST', '/v1/orders', anOrder('cust-saga-shutdown'), { 'idempotency-key': `saga-create-${process.pid}` });
  expect(created.status).toBe(201);
  const orderId = created.body['order'].id as string;
  const paid = await call(first.httpUrl, 'POST', `/v1/orders/${orderId}/pay`, undefined, { 'idempotency-key': `saga-pay-${process.pid}` });
  expect(paid.status).toBe(202);

  // The saga's first call (reserve) is waiting on the slow partner; it is made before the saga is written.
  await waitFor('the reserve call in flight', async () => (/saga [^" ]+ reserve called/.test(first.output()) ? true : undefined), 30_000, 20);
  await new Promise((done) => setTimeout(done, PARTNER_LATENCY_MS / 3));
  const signalAt = Date.now();
  const exit = await first.stop('SIGTERM');

  expect(exit.code).toBe(0);
  expect(exit.at - signalAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  // The call in flight was awaited (the partner answers after its latency), not cut off.
  expect(exit.at - signalAt).toBeGreaterThanOrEqual(PARTNER_LATENCY_MS / 2);
  // The step's success line is at debug (the app runs at debug here), so info has no line per order.
  expect(first.output()).toMatch(/"step":"reserve","result":"succeeded"/);

  // Never half-done: the saga row and the order stream tell the same story.
  const saga = await sagaOf(orderId);
  const stream = await streamOf(orderId);
  expect(saga?.status).toBe('RUNNING');
  expect(saga?.next_attempt_at).not.toBeNull(); // the sweep will pick it up
  expect(stream.slice(0, 2)).toEqual(['OrderPlaced', 'OrderPaymentRequested']);
  if (stream.includes('OrderStockReserved')) {
    // The reserve outcome was committed with the saga and its next step; no new call was started.
    expect(saga?.state.step).toBe('charge');
    expect(stream).toEqual(['OrderPlaced', 'OrderPaymentRequested', 'OrderStockReserved']);
  } else {
    // Nothing of the outcome was committed: the sweep repeats the call with the same key.
    expect(saga?.state.step).toBe('reserve');
    expect(stream).toEqual(['OrderPlaced', 'OrderPaymentRequested']);
  }

  // A second process resumes the saga from the database.
  const second = await startStandalone(main);
  await waitFor(
    'the order to be CONFIRMED by the second process',
    async () => ((await call(second.httpUrl, 'GET', `/v1/orders/${orderId}`)).body['order']?.status === 'ORDER_STATUS_CONFIRMED' ? true : undefined),
    30_000,
    100,
  );
  expect(await streamOf(orderId)).toEqual(['OrderPlaced', 'OrderPaymentRequested', 'OrderStockReserved', 'OrderPaid', 'OrderConfirmed']);
  expect((await sagaOf(orderId))?.status).toBe('COMPLETED');
  expect((await second.stop('SIGTERM')).code).toBe(0);
});
