import { anOrderLine, orderHistory, stateOf, storedEvents, storedEventsWith, TEST_ORDER_ID } from '../testing';
import { orderEvent } from './order.decider';
import { orderViewOf, timelineOf } from './order.view';

describe('orderViewOf', () => {
  it('projects the state with the given times', () => {
    const items = [anOrderLine({ sku: 'A', qty: 1, unitPriceMinor: 300 }), anOrderLine({ sku: 'B', qty: 2, unitPriceMinor: 50 })];
    const state = stateOf(...orderHistory('PAID', { items, customerId: 'c-9', currency: 'JPY' }));
    expect(orderViewOf(state, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:03.000Z')).toEqual({
      orderId: TEST_ORDER_ID,
      customerId: 'c-9',
      status: 'PAID',
      currency: 'JPY',
      totalMinor: 400,
      items,
      version: 4,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:03.000Z',
    });
  });

  it('follows the status and version as events are added', () => {
    const view = orderViewOf(stateOf(...orderHistory('REFUNDED')), 'a', 'b');
    expect(view).toMatchObject({ status: 'REFUNDED', version: 7 });
  });
});

describe('timelineOf', () => {
  it('lists every event in stream order with type, reason and unix time', () => {
    const history = [...orderHistory('PAYMENT_REQUESTED'), orderEvent('OrderStockReservationFailed', { orderId: TEST_ORDER_ID, sagaId: 's', reason: 'out of stock: OOS-1' }), orderEvent('OrderCanceled', { orderId: TEST_ORDER_ID, reason: 'out of stock: OOS-1', refundedMinor: 0 })];
    const timeline = timelineOf(storedEventsWith(TEST_ORDER_ID, { startAt: '2026-03-01T12:00:00.750Z' }, ...history));
    expect(timeline).toEqual([
      { type: 'OrderPlaced', reason: '', unixTime: 1772366400, occurredAt: '2026-03-01T12:00:00.750Z' },
      { type: 'OrderPaymentRequested', reason: '', unixTime: 1772366401, occurredAt: '2026-03-01T12:00:01.750Z' },
      { type: 'OrderStockReservationFailed', reason: 'out of stock: OOS-1', unixTime: 1772366402, occurredAt: '2026-03-01T12:00:02.750Z' },
      { type: 'OrderCanceled', reason: 'out of stock: OOS-1', unixTime: 1772366403, occurredAt: '2026-03-01T12:00:03.750Z' },
    ]);
  });

  it('shows the reason of an upcast v1 cancellation', () => {
    const [placed] = storedEvents(TEST_ORDER_ID, ...orderHistory('PLACED'));
    const old = { ...placed, version: 2, position: 2, type: 'OrderCanceled', schemaVersion: 1, data: { orderId: TEST_ORDER_ID } };
    expect(timelineOf([placed, old]).map((entry) => entry.reason)).toEqual(['', 'unspecified']);
  });

  it('is empty for an empty stream', () => {
    expect(timelineOf([])).toEqual([]);
  });

  it('rounds unix time down to whole seconds, also before 1970', () => {
    const [event] = storedEventsWith(TEST_ORDER_ID, { startAt: '1969-12-31T23:59:59.500Z' }, ...orderHistory('PLACED'));
    expect(timelineOf([event])[0].unixTime).toBe(-1);
  });
});
