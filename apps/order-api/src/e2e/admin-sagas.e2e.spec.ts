import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@oms/testing';
import { anOrder, buildApp, call, startApp, waitFor, waitUntilReady, type AppProcess } from './built-app';

// The operator's path through a partner outage, on the built apps: the standalone OMS on
// PostgreSQL calling partner-mocks over gRPC, and the migrator CLI. The payment provider refuses
// refunds; two orders canceled mid-charge end in COMPENSATION_FAILED. Both are listed by
// GET /v1/admin/sagas and by `migrator sagas list`; once the provider recovers, one is retried
// and ends COMPENSATED (order CANCELED, refunded), the other is resolved by hand and its order
// timeline says who and why. Without the token the admin API answers 401, with another 403.

jest.setTimeout(240_000);

const TOKEN = `e2e-admin-token-${process.pid}-0123456789`;
const PARTNER_LATENCY_MS = 800;

let database: TestDatabase;
const started: AppProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase('admin_sagas');
});
afterAll(async () => {
  for (const app of started) await app.stop('SIGKILL');
  await database?.drop();
});

async function sagaStep(orderId: string): Promise<string | null | undefined> {
  const client = new Client({ connectionString: database.dsn });
  await client.connect();
  try {
    const { rows } = await client.query<{ step: string | null }>(`SELECT state->>'step' AS step FROM sagas WHERE order_id = $1`, [orderId]);
    return rows[0]?.step;
  } finally {
    await client.end();
  }
}

it('lists a compensation the partner refused, retries it after the partner recovers, resolves another; 401 / 403 without the token', async () => {
  const [standaloneMain, partnersMain, migratorMain] = [buildApp('standalone'), buildApp('partner-mocks'), buildApp('migrator')];
  const partners = await startApp(partnersMain, { LOG_LEVEL: 'warn' });
  started.push(partners);
  await waitUntilReady(partners);
  const faults = (settings: Record<string, unknown>) => call(partners.httpUrl, 'POST', '/faults', settings);
  expect((await faults({ latencyMs: PARTNER_LATENCY_MS, refuseRefunds: true })).status).toBe(200);

  const postgres = { OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: database.dsn };
  const oms = await startApp(standaloneMain, {
    ...postgres,
    LOG_LEVEL: 'info',
    OMS_POSTGRES_AUTO_MIGRATE: 'true',
    OMS_BROKER_DRIVER: 'memory',
    OMS_PARTNER_DRIVER: 'grpc',
    OMS_PARTNER_INVENTORY_ADDR: partners.grpcAddress,
    OMS_PARTNER_PAYMENT_ADDR: partners.grpcAddress,
    OMS_SAGA_CALL_TIMEOUT: '5s',
    OMS_SAGA_SWEEP_INTERVAL: '200ms',
    OMS_OUTBOX_POLL_INTERVAL: '20ms',
    OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0',
    OMS_ADMIN_TOKEN: TOKEN,
  });
  started.push(oms);
  await waitUntilReady(oms);
  const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(oms.httpUrl, method, path, body, { authorization: `Bearer ${TOKEN}`, ...headers });

  // Two orders, each canceled while its charge is in flight: the saga takes the payment, releases
  // the stock, and the refund is refused -> COMPENSATION_FAILED.
  const failedOrder = async (name: string): Promise<string> => {
    const created = await call(oms.httpUrl, 'POST', '/v1/orders', anOrder(`cust-${name}`), { 'idempotency-key': `${name}-create` });
    expect(created.status).toBe(201);
    const orderId = created.body['order'].id as string;
    expect((await call(oms.httpUrl, 'POST', `/v1/orders/${orderId}/pay`, undefined, { 'idempotency-key': `${name}-pay` })).status).toBe(202);
    await waitFor(`the charge of ${name} in flight`, async () => ((await sagaStep(orderId)) === 'charge' ? true : undefined), 30_000, 20);
    const cancel = await call(oms.httpUrl, 'POST', `/v1/orders/${orderId}/cancel`, { reason: 'customer changed mind' }, { 'idempotency-key': `${name}-cancel` });
    expect(cancel.status).toBe(202);
    return orderId;
  };
  const [retried, resolved] = await Promise.all([failedOrder('retried'), failedOrder('resolved')]);

  const failed = await waitFor(
    'both sagas in COMPENSATION_FAILED',
    async () => {
      const listed = await admin('GET', '/v1/admin/sagas?status=COMPENSATION_FAILED');
      const sagas = listed.body['sagas'] as Record<string, unknown>[];
      return sagas.length === 2 ? sagas : undefined;
    },
    60_000,
    200,
  );
  expect(failed.map((saga) => saga['orderId']).sort()).toEqual([retried, resolved].sort());
  for (const saga of failed) {
    expect(saga).toMatchObject({
      kind: 'fulfilment',
      status: 'COMPENSATION_FAILED',
      step: 'refund',
      lastError: 'refund refused: refunds are refused by the payment provider',
      nextAttemptAt: null,
    });
  }
  const sagaOf = (orderId: string) => failed.find((saga) => saga['orderId'] === orderId)?.['id'] as string;
  const shown = await admin('GET', `/v1/admin/sagas/${sagaOf(retried)}`);
  expect(shown.body['history'].map((entry: { type: string }) => entry.type)).toContain('OrderCompensationFailed');
  expect(JSON.stringify(shown.body['history'])).toContain('refunds are refused by the payment provider');

  const cli = await startApp(migratorMain, postgres, ['sagas', 'list', '--status', 'COMPENSATION_FAILED']);
  started.push(cli);
  expect((await cli.exited).code).toBe(0);
  const lines = cli.output().trim().split('\n');
  for (const orderId of [retried, resolved]) {
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${sagaOf(orderId)} order ${orderId} fulfilment COMPENSATION_FAILED `)));
  }
  expect(lines.at(-1)).toBe('2 saga(s)');

  expect((await call(oms.httpUrl, 'GET', '/v1/admin/sagas')).status).toBe(401);
  const forbidden = await call(oms.httpUrl, 'POST', `/v1/admin/sagas/${sagaOf(retried)}/retry`, undefined, {
    authorization: `Bearer ${TOKEN}-wrong`,
    'idempotency-key': 'retry-forbidden',
  });
  expect(forbidden.status).toBe(403);
  expect(forbidden.body).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });

  // The provider recovers: the retried compensation refunds and the saga ends COMPENSATED.
  expect((await faults({ latencyMs: 0, refuseRefunds: false })).status).toBe(200);
  const retry = await admin('POST', `/v1/admin/sagas/${sagaOf(retried)}/retry`, undefined, { 'idempotency-key': 'retry-1' });
  expect(retry.status).toBe(202);
  expect(retry.body['saga']).toMatchObject({ status: 'RUNNING' });
  const compensated = await waitFor(
    'the retried saga to end',
    async () => {
      const saga = (await admin('GET', `/v1/admin/sagas/${sagaOf(retried)}`)).body['saga'];
      return saga['status'] === 'RUNNING' ? undefined : saga;
    },
    30_000,
    200,
  );
  expect(compensated['status']).toBe('COMPENSATED');
  const canceled = await call(oms.httpUrl, 'GET', `/v1/orders/${retried}`);
  expect(canceled.body['order']['status']).toBe('ORDER_STATUS_CANCELED');
  expect(canceled.body['refunded']).toEqual({ currency: 'EUR', amountMinor: '1250' });

  const resolve = await admin(
    'POST',
    `/v1/admin/sagas/${sagaOf(resolved)}/resolve`,
    { note: 'refunded by bank transfer, ticket OPS-42', operator: 'ops-anna' },
    { 'idempotency-key': 'resolve-1' },
  );
  expect(resolve.status).toBe(200);
  expect(resolve.body['saga']).toMatchObject({ status: 'RESOLVED' });
  const timeline = (await call(oms.httpUrl, 'GET', `/v1/orders/${resolved}`)).body['timeline'] as { type: string; reason: string }[];
  expect(timeline.at(-1)).toMatchObject({
    type: 'OrderSagaResolved',
    reason: `saga ${sagaOf(resolved)} resolved by ops-anna: refunded by bank transfer, ticket OPS-42`,
  });
  expect((await admin('GET', '/v1/admin/sagas?status=COMPENSATION_FAILED')).body['sagas']).toEqual([]);
  expect(oms.output()).not.toContain(TOKEN);
});
