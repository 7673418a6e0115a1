import { PassThrough } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { initialSagaState, OrderStreams, UnitOfWork, type SagaRecord } from '@oms/domain';
import { createOrderApi } from './order-api.app';
import { testConfig } from './testing/order-api.test-app';

type Json = Record<string, any>;

const TOKEN = 'admin-token-0123456789abcdef';
const WRONG = 'admin-token-0123456789abcdeX';

/** The admin API of order-api in process (memory drivers); sagas are written as the orchestrator would. */
describe('order-api admin API (memory drivers)', () => {
  let app: NestFastifyApplication;
  let logs = '';
  let keys = 0;
  const newKey = () => `admin-${++keys}`;

  beforeAll(async () => {
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    app = await createOrderApi(testConfig({ OMS_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'debug' }), { logger: false, logDestination: destination });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  async function call(method: 'GET' | 'POST', url: string, options: { body?: unknown; key?: string; token?: string | null } = {}) {
    const token = options.token === undefined ? TOKEN : options.token;
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    });
    return { status: response.statusCode, headers: response.headers, json: () => JSON.parse(response.body) as Json };
  }

  /** A CONFIRMED order whose cancellation saga could not refund: COMPENSATION_FAILED, as the orchestrator leaves it. */
  async function failedCancellation(): Promise<{ orderId: string; sagaId: string }> {
    const created = await call('POST', '/v1/orders', {
      token: null,
      key: newKey(),
      body: { customerId: 'c-admin', currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1, price: { currency: 'EUR', amountMinor: '700' } }] },
    });
    const orderId = created.json()['order'].id as string;
    expect((await call('POST', `/v1/orders/${orderId}/pay`, { token: null, key: newKey() })).status).toBe(202);
    const orders = app.get(OrderStreams);
    const fulfilment = (await orders.load(orderId)).state.fulfilmentSagaId as string;
    await orders.execute(orderId, [
      { type: 'RecordStockReserved', data: { sagaId: fulfilment, reservationId: 'res-1' } },
      { type: 'RecordPayment', data: { sagaId: fulfilment, paymentId: 'pay-1', amountMinor: 700 } },
      { type: 'ConfirmOrder', data: { sagaId: fulfilment } },
    ]);
    expect((await call('POST', `/v1/orders/${orderId}/cancel`, { token: null, key: newKey(), body: { reason: 'changed mind' } })).status).toBe(202);
    const sagaId = (await orders.load(orderId)).state.pendingCancellation?.sagaId as string;
    await orders.execute(orderId, [
      { type: 'RecordStockReleased', data: { sagaId, reservationId: 'res-1' } },
      { type: 'RecordCompensationFailed', data: { sagaId, step: 'refund', reason: 'refund refused: account closed' } },
    ]);
    const now = new Date();
    const saga: SagaRecord = {
      sagaId,
      orderId,
      kind: 'cancellation',
      status: 'COMPENSATION_FAILED',
      state: { ...initialSagaState('cancellation', sagaId, orderId), lastError: 'refund refused: account closed' },
      version: 0,
      nextAttemptAt: null,
      deadlineAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await app.get(UnitOfWork).commit({ saga }, now);
    return { orderId, sagaId };
  }

  it('refuses a request without a bearer token (401, WWW-Authenticate) and with another token (403), as problem+json', async () => {
    const missing = await call('GET', '/v1/admin/sagas', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="oms-admin"');
    expect(missing.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const wrong = await call('POST', '/v1/admin/sagas/x/retry', { token: WRONG, key: newKey() });
    expect(wrong.status).toBe(403);
    expect(wrong.json()).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    expect((await call('GET', '/v1/admin/sagas', { token: TOKEN.slice(0, -1) })).status).toBe(403);
    expect(JSON.stringify(wrong.json())).not.toContain(TOKEN.slice(0, 12));
  });

  it('lists sagas by status with id, order, kind, step, attempts, last error and next attempt; pages bound to their filters', async () => {
    const first = await failedCancellation();
    const second = await failedCancellation();
    const page = await call('GET', '/v1/admin/sagas?status=COMPENSATION_FAILED&pageSize=1');
    expect(page.status).toBe(200);
    const body = page.json();
    expect(body.sagas).toHaveLength(1);
    expect(body.sagas[0]).toEqual({
      id: expect.any(String),
      orderId: expect.any(String),
      kind: 'cancellation',
      status: 'COMPENSATION_FAILED',
      step: null,
      attempts: 0,
      lastError: 'refund refused: account closed',
      nextAttemptAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(body.nextPageToken).not.toBe('');
    const rest = await call('GET', `/v1/admin/sagas?status=COMPENSATION_FAILED&pageSize=100&pageToken=${body.nextPageToken}`);
    const ids = [body.sagas[0].id, ...rest.json().sagas.map((saga: Json) => saga.id)];
    expect(ids).toEqual(expect.arrayContaining([first.sagaId, second.sagaId]));
    expect(new Set(ids).size).toBe(ids.length);

    const otherFilter = await call('GET', `/v1/admin/sagas?status=RUNNING&pageToken=${body.nextPageToken}`);
    expect(otherFilter.status).toBe(400);
    expect(otherFilter.json().errors).toEqual([{ field: 'pageToken', message: 'was issued for other status / olderThan filters' }]);
    const recent = await call('GET', '/v1/admin/sagas?status=COMPENSATION_FAILED&olderThan=1h');
    expect(recent.json().sagas.map((saga: Json) => saga.id)).not.toContain(first.sagaId);
    const invalid = await call('GET', '/v1/admin/sagas?status=STUCK&olderThan=soon&pageSize=0x');
    expect(invalid.status).toBe(400);
    expect(invalid.json().errors.map((error: Json) => error.field)).toEqual(['status', 'olderThan', 'pageSize']);
  });

  it("lists one order's sagas on one page (the console's order page), with the other filters still applied", async () => {
    const { sagaId, orderId } = await failedCancellation();
    await failedCancellation();
    const ofOrder = await call('GET', `/v1/admin/sagas?orderId=${orderId}`);
    expect(ofOrder.status).toBe(200);
    expect(ofOrder.json()).toEqual({ sagas: [expect.objectContaining({ id: sagaId, orderId })], nextPageToken: '' });
    expect((await call('GET', `/v1/admin/sagas?orderId=${orderId}&status=RUNNING`)).json().sagas).toEqual([]);
    expect((await call('GET', '/v1/admin/sagas?orderId=no-such-order')).json().sagas).toEqual([]);
    const invalid = await call('GET', `/v1/admin/sagas?orderId=${'x'.repeat(300)}`);
    expect(invalid.status).toBe(400);
    expect(invalid.json().errors.map((error: Json) => error.field)).toEqual(['orderId']);
  });

  it('shows a saga with its state and the order events it wrote', async () => {
    const { sagaId, orderId } = await failedCancellation();
    const shown = await call('GET', `/v1/admin/sagas/${sagaId}`);
    expect(shown.status).toBe(200);
    expect(shown.json().saga).toMatchObject({ id: sagaId, orderId, status: 'COMPENSATION_FAILED', version: 1, state: { kind: 'cancellation' } });
    expect(shown.json().history.map((entry: Json) => entry.type)).toEqual(['OrderCancellationRequested', 'OrderStockReleased', 'OrderCompensationFailed']);
    expect((await call('GET', '/v1/admin/sagas/no-such-saga')).status).toBe(404);
  });

  it('retries a COMPENSATION_FAILED saga: RUNNING and due now (202); the same key replays, another saga under it is 422', async () => {
    const { sagaId } = await failedCancellation();
    const key = newKey();
    const retried = await call('POST', `/v1/admin/sagas/${sagaId}/retry`, { key });
    expect(retried.status).toBe(202);
    // The failed step starts afresh.
    expect(retried.json().saga).toMatchObject({ id: sagaId, status: 'RUNNING', step: null, attempts: 0, lastError: null, nextAttemptAt: expect.any(String) });
    expect(Date.parse(retried.json().saga.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    const replay = await call('POST', `/v1/admin/sagas/${sagaId}/retry`, { key });
    expect(replay.status).toBe(202);
    expect(replay.json()).toEqual(retried.json());
    const { sagaId: other } = await failedCancellation();
    expect((await call('POST', `/v1/admin/sagas/${other}/retry`, { key })).status).toBe(422);
    expect((await call('POST', `/v1/admin/sagas/${sagaId}/retry`)).status).toBe(400);
  });

  it('resolves a saga with a note: RESOLVED, and the order timeline says who and why; resolving or retrying it then is 409', async () => {
    const { sagaId, orderId } = await failedCancellation();
    const resolved = await call('POST', `/v1/admin/sagas/${sagaId}/resolve`, { key: newKey(), body: { note: 'refunded by bank transfer', operator: 'ops-anna' } });
    expect(resolved.status).toBe(200);
    expect(resolved.json().saga).toMatchObject({ id: sagaId, status: 'RESOLVED', nextAttemptAt: null });
    const order = await call('GET', `/v1/orders/${orderId}`, { token: null });
    expect(order.json().timeline.at(-1)).toMatchObject({
      type: 'OrderSagaResolved',
      reason: `saga ${sagaId} resolved by ops-anna: refunded by bank transfer`,
    });
    const again = await call('POST', `/v1/admin/sagas/${sagaId}/resolve`, { key: newKey(), body: { note: 'twice' } });
    expect(again.status).toBe(409);
    expect(again.json().code).toBe('ILLEGAL_TRANSITION');
    expect((await call('POST', `/v1/admin/sagas/${sagaId}/retry`, { key: newKey() })).status).toBe(409);
    const noNote = await call('POST', `/v1/admin/sagas/${sagaId}/resolve`, { key: newKey(), body: { operator: 'x' } });
    expect(noNote.status).toBe(400);
    expect(noNote.json().errors).toEqual([{ field: 'note', message: 'is required' }]);
  });

  it('lists and reprocesses outbox dead letters', async () => {
    expect((await call('GET', '/v1/admin/dead-letters')).json()).toEqual({ deadLetters: [], remaining: 0 });
    const reprocessed = await call('POST', '/v1/admin/dead-letters/reprocess', { key: newKey(), body: { limit: 5 } });
    expect(reprocessed.status).toBe(202);
    expect(reprocessed.json()).toEqual({ deadLetters: [], remaining: 0 });
    expect((await call('GET', '/v1/admin/dead-letters?pageSize=5000')).status).toBe(400);
  });

  it('never logs the admin token', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(WRONG);
  });
});

describe('order-api admin API without OMS_ADMIN_TOKEN', () => {
  it('does not exist (404)', async () => {
    const app = await createOrderApi(testConfig(), { logger: false });
    await app.init();
    try {
      const response = await app.inject({ method: 'GET', url: '/v1/admin/sagas', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
