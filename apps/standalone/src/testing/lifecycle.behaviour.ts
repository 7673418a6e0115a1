import type { OmsConfig } from '@oms/config';
import { REQUIRED_METRICS } from '@oms/observability/testing';
import { anOrderBody, grpcClient, metricTotal, rest, startOms, waitForSagaEvents, waitForStatus, type RunningOms } from './lifecycle.scenarios';

/** The metric names dashboards and alerts rely on; each must be exported (the pool one by drivers that have a pool). */
const EXPORTED_METRICS = REQUIRED_METRICS.filter((name) => name !== 'oms_db_pool_connections');

/** Metrics the lifecycles above must have moved. */
const MOVED_METRICS = [
  'oms_saga_started_total',
  'oms_saga_completed_total',
  'oms_saga_failed_total',
  'oms_saga_canceled_total',
  'oms_saga_refunded_total',
  'oms_saga_duration_seconds',
  'oms_saga_step_duration_seconds',
  'oms_timeline_events_total',
  'oms_outbox_events_total',
  'oms_outbox_publish_attempts_total',
  'oms_http_requests_total',
  'oms_http_request_duration_seconds',
  'oms_grpc_requests_total',
  'oms_grpc_request_duration_seconds',
];

let keys = 0;
const key = (name: string) => `${name}-${process.pid}-${++keys}`;

/**
 * The acceptance lifecycle of OMS, run against a whole process (API + relay + sagas + partners)
 * on the storage driver of `config`: every client-visible path over REST and gRPC.
 */
/** Creating and migrating a database and starting every module takes seconds on a shared machine. */
const START_TIMEOUT_MS = 60_000;

export function describeOrderLifecycle(
  name: string,
  config: () => Promise<{ config: OmsConfig; cleanup(): Promise<void> }>,
  /** Metrics only this storage driver exports (e.g. the connection pool). */
  driverMetrics: readonly string[] = [],
): void {
  describe(`order lifecycle on ${name}`, () => {
    let oms: RunningOms;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const prepared = await config();
      cleanup = prepared.cleanup;
      oms = await startOms(prepared.config);
    }, START_TIMEOUT_MS);
    afterAll(async () => {
      await oms?.close();
      await cleanup?.();
    }, START_TIMEOUT_MS);

    async function placed(sku = 'SKU-1'): Promise<string> {
      const created = await rest(oms, 'POST', '/v1/orders', anOrderBody(sku), key('create'));
      expect(created.status).toBe(201);
      return created.body['order'].id as string;
    }

    it('create -> pay -> CONFIRMED with the whole timeline in order', async () => {
      const created = await rest(oms, 'POST', '/v1/orders', anOrderBody(), key('create'));
      expect(created.status).toBe(201);
      expect(created.body['order']).toMatchObject({
        status: 'ORDER_STATUS_PENDING',
        amount: { currency: 'EUR', amountMinor: '3000' },
        version: '1',
      });
      const id = created.body['order'].id as string;
      const paid = await rest(oms, 'POST', `/v1/orders/${id}/pay`, undefined, key('pay'));
      expect(paid.status).toBe(202);
      expect(paid.body).toEqual({ orderId: id, status: expect.stringMatching(/^ORDER_STATUS_/) });

      const got = await waitForStatus(oms, id, 'ORDER_STATUS_CONFIRMED');
      expect(got['order'].status).toBe('ORDER_STATUS_CONFIRMED');
      expect(got['timeline'].map((entry: { type: string }) => entry.type)).toEqual([
        'OrderPlaced',
        'OrderPaymentRequested',
        'OrderStockReserved',
        'OrderPaid',
        'OrderConfirmed',
      ]);
      // oms.saga.events: the fulfilment saga started, then completed.
      expect(await waitForSagaEvents(oms, id, 2)).toEqual([
        ['saga.started', 'fulfilment'],
        ['saga.completed', 'fulfilment'],
      ]);
      expect(oms.sagaEvents.get(id)?.[1]?.metadata).toMatchObject({ saga_status: 'COMPLETED', outcome: 'confirmed' });
    });

    it('an out-of-stock SKU ends CANCELED with the reason', async () => {
      const id = await placed('OOS-LAMP');
      expect((await rest(oms, 'POST', `/v1/orders/${id}/pay`, undefined, key('pay'))).status).toBe(202);
      const got = await waitForStatus(oms, id, 'ORDER_STATUS_CANCELED');
      expect(got['order'].status).toBe('ORDER_STATUS_CANCELED');
      const canceled = got['timeline'].find((entry: { type: string }) => entry.type === 'OrderCanceled');
      expect(canceled.reason).toContain('out of stock: OOS-LAMP');
      expect(await waitForSagaEvents(oms, id, 2)).toEqual([
        ['saga.started', 'fulfilment'],
        ['saga.failed', 'fulfilment'],
      ]);
      expect(oms.sagaEvents.get(id)?.[1]?.metadata).toMatchObject({ outcome: 'canceled', reason: expect.stringContaining('out of stock: OOS-LAMP') });
    });

    it('cancel of a CONFIRMED order ends CANCELED with the refund on the timeline', async () => {
      const id = await placed();
      await rest(oms, 'POST', `/v1/orders/${id}/pay`, undefined, key('pay'));
      expect((await waitForStatus(oms, id, 'ORDER_STATUS_CONFIRMED'))['order'].status).toBe('ORDER_STATUS_CONFIRMED');
      const cancel = await rest(oms, 'POST', `/v1/orders/${id}/cancel`, { reason: 'customer changed mind' }, key('cancel'));
      expect(cancel.status).toBe(202);
      const got = await waitForStatus(oms, id, 'ORDER_STATUS_CANCELED');
      expect(got['order'].status).toBe('ORDER_STATUS_CANCELED');
      const types = got['timeline'].map((entry: { type: string }) => entry.type);
      expect(types.slice(-4)).toEqual(['OrderCancellationRequested', 'OrderStockReleased', 'OrderRefunded', 'OrderCanceled']);
      // Everything paid came back: the refunded total is the order total.
      expect(got['refunded']).toEqual({ currency: got['order'].currency, amountMinor: got['order'].amount.amountMinor });
      expect(await waitForSagaEvents(oms, id, 4)).toEqual([
        ['saga.started', 'fulfilment'],
        ['saga.completed', 'fulfilment'],
        ['saga.started', 'cancellation'],
        ['saga.canceled', 'cancellation'],
      ]);
      expect(oms.sagaEvents.get(id)?.[3]?.metadata).toMatchObject({ outcome: 'canceled', reason: 'customer changed mind' });
    });

    it('a partial refund of a CONFIRMED order ends REFUNDED', async () => {
      const id = await placed();
      await rest(oms, 'POST', `/v1/orders/${id}/pay`, undefined, key('pay'));
      await waitForStatus(oms, id, 'ORDER_STATUS_CONFIRMED');
      const refund = await rest(
        oms,
        'POST',
        `/v1/orders/${id}/refund`,
        { amount: { currency: 'EUR', amountMinor: '1000' }, reason: 'scratched' },
        key('refund'),
      );
      expect(refund.status).toBe(202);
      const got = await waitForStatus(oms, id, 'ORDER_STATUS_REFUNDED');
      expect(got['order'].status).toBe('ORDER_STATUS_REFUNDED');
      expect(got['refunded']).toEqual({ currency: 'EUR', amountMinor: '1000' });
      expect(got['timeline'].slice(-2).map((entry: { type: string; reason: string }) => [entry.type, entry.reason])).toEqual([
        ['OrderRefundRequested', 'scratched'],
        ['OrderRefunded', 'scratched'],
      ]);
      expect(await waitForSagaEvents(oms, id, 4)).toEqual([
        ['saga.started', 'fulfilment'],
        ['saga.completed', 'fulfilment'],
        ['saga.started', 'refund'],
        ['saga.refunded', 'refund'],
      ]);
    });

    it('idempotency: replay, other body 422, no key 400', async () => {
      const k = key('idem');
      const first = await rest(oms, 'POST', '/v1/orders', anOrderBody(), k);
      const again = await rest(oms, 'POST', '/v1/orders', anOrderBody(), k);
      expect(again.status).toBe(first.status);
      expect(again.text).toBe(first.text);
      const other = await rest(oms, 'POST', '/v1/orders', anOrderBody('SKU-9'), k);
      expect(other.status).toBe(422);
      expect(other.contentType).toContain('application/problem+json');
      const missing = await rest(oms, 'POST', '/v1/orders', anOrderBody());
      expect(missing.status).toBe(400);
      expect(missing.text.toLowerCase()).toContain('idempotency-key');
    });

    it('three invalid fields -> 400 naming all three; unknown order -> 404', async () => {
      const bad = await rest(
        oms,
        'POST',
        '/v1/orders',
        { customerId: '', currency: 'EUR', items: [{ sku: 'A', qty: 0, price: { currency: 'USD', amountMinor: '10' } }] },
        key('bad'),
      );
      expect(bad.status).toBe(400);
      const fields = (bad.body['errors'] as { field: string }[]).map((error) => error.field).sort();
      expect(fields).toEqual(expect.arrayContaining(['customerId', 'items[0].qty', 'items[0].price.currency']));
      const unknown = await rest(oms, 'GET', '/v1/orders/00000000-0000-7000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.contentType).toContain('application/problem+json');
    });

    it('the same lifecycle through gRPC with a client built from the .proto', async () => {
      const client = grpcClient(oms);
      try {
        const { order } = await client.call('CreateOrder', anOrderBody(), key('g-create'));
        expect(order.status).toBe('ORDER_STATUS_PENDING');
        const paid = await client.call('PayOrder', { orderId: order.id }, key('g-pay'));
        expect(paid.orderId).toBe(order.id);
        await waitForStatus(oms, order.id, 'ORDER_STATUS_CONFIRMED');
        const got = await client.call('GetOrder', { orderId: order.id });
        expect(got.order.status).toBe('ORDER_STATUS_CONFIRMED');
        expect(got.timeline.map((entry: { type: string }) => entry.type)).toContain('OrderConfirmed');

        await client.call('RefundOrder', { orderId: order.id, amount: { currency: 'EUR', amountMinor: '500' }, reason: 'dent' }, key('g-refund'));
        await waitForStatus(oms, order.id, 'ORDER_STATUS_REFUNDED');
        await client.call('CancelOrder', { orderId: order.id, reason: 'return' }, key('g-cancel'));
        const canceled = await waitForStatus(oms, order.id, 'ORDER_STATUS_CANCELED');
        expect(canceled['order'].status).toBe('ORDER_STATUS_CANCELED');
        expect(await waitForSagaEvents(oms, order.id, 6)).toEqual([
          ['saga.started', 'fulfilment'],
          ['saga.completed', 'fulfilment'],
          ['saga.started', 'refund'],
          ['saga.refunded', 'refund'],
          ['saga.started', 'cancellation'],
          ['saga.canceled', 'cancellation'],
        ]);

        const list = await client.call('ListOrders', { customerId: 'cust-lifecycle', pageSize: 2, filterStatuses: ['ORDER_STATUS_CANCELED'] });
        expect(list.orders.length).toBeGreaterThan(0);
        expect(list.orders.every((o: { status: string }) => o.status === 'ORDER_STATUS_CANCELED')).toBe(true);
      } finally {
        client.close();
      }
    });

    it('exports every operator metric on /metrics, non-zero where the lifecycles moved it', async () => {
      // Gauges read periodically (consumer lag, the pool) appear within their reporting interval.
      let exposition = '';
      for (const deadline = Date.now() + 6_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        const response = await fetch(`${oms.opsUrl}/metrics`);
        expect(response.status).toBe(200);
        exposition = await response.text();
        if (metricTotal(exposition, 'oms_kafka_consumer_lag') !== undefined) break;
      }
      const missing = [...EXPORTED_METRICS, ...driverMetrics].filter((name) => metricTotal(exposition, name) === undefined);
      expect(missing).toEqual([]);
      const unmoved = MOVED_METRICS.filter((name) => !(metricTotal(exposition, name)! > 0));
      expect(unmoved).toEqual([]);
      for (const path of ['/livez', '/readyz', '/healthz']) expect((await fetch(`${oms.opsUrl}${path}`)).status).toBe(200);
    });
  });
}
