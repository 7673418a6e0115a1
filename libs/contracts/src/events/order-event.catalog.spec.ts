import Ajv2020 from 'ajv/dist/2020';
import { ORDER_EVENT_SCHEMA_VERSIONS, decideOrder, evolveOrder, initialOrderState, type OrderCommand, type OrderEventType } from '@oms/domain';
import { ORDER_EVENT_CATALOG } from './order-event.catalog';

describe('order event catalog', () => {
  const ajv = new Ajv2020({ strict: true });

  it('catalogues every order event type at its current schema version on oms.order.events', () => {
    for (const type of Object.keys(ORDER_EVENT_SCHEMA_VERSIONS) as OrderEventType[]) {
      expect(ORDER_EVENT_CATALOG[type]).toMatchObject({
        topic: 'oms.order.events',
        ceType: `oms.order.v1.${type}`,
        schemaVersion: ORDER_EVENT_SCHEMA_VERSIONS[type],
      });
    }
  });

  it('has schemas that accept a real event and refuse a broken one', () => {
    const placed = ajv.compile(ORDER_EVENT_CATALOG.OrderPlaced.dataSchema);
    const valid = { orderId: 'o1', customerId: 'c1', currency: 'EUR', items: [{ sku: 'A', qty: 2, unitPriceMinor: 100 }], totalMinor: 200 };
    expect(placed(valid)).toBe(true);
    expect(placed({ ...valid, totalMinor: '200' })).toBe(false);
    expect(placed({ ...valid, items: [] })).toBe(false);
    const canceled = ajv.compile(ORDER_EVENT_CATALOG.OrderCanceled.dataSchema);
    expect(canceled({ orderId: 'o1', reason: 'out of stock', refundedMinor: 0 })).toBe(true);
    expect(canceled({ orderId: 'o1' })).toBe(false);
  });

  it('compiles every schema in strict mode', () => {
    for (const contract of Object.values(ORDER_EVENT_CATALOG)) expect(() => ajv.compile(contract.dataSchema)).not.toThrow();
  });

  it('accepts every event the order decider produces along a whole lifecycle', () => {
    const sagaId = 's1';
    const commands: OrderCommand[] = [
      { type: 'PlaceOrder', data: { orderId: 'o1', customerId: 'c1', currency: 'EUR', items: [{ sku: 'A', qty: 2, unitPriceMinor: 150 }] } },
      { type: 'RequestPayment', data: { sagaId } },
      { type: 'RecordStockReserved', data: { sagaId, reservationId: 'r1' } },
      { type: 'RecordPayment', data: { sagaId, paymentId: 'p1', amountMinor: 300 } },
      { type: 'ConfirmOrder', data: { sagaId } },
      { type: 'RequestRefund', data: { sagaId: 's2', amountMinor: 100, reason: 'damaged' } },
      { type: 'RecordRefund', data: { sagaId: 's2', refundId: 'f1', amountMinor: 100, reason: 'damaged' } },
    ];
    let state = initialOrderState();
    const seen: string[] = [];
    for (const command of commands) {
      for (const event of decideOrder(command, state)) {
        const validate = ajv.compile(ORDER_EVENT_CATALOG[event.type].dataSchema);
        expect([event.type, validate(event.data), validate.errors ?? null]).toEqual([event.type, true, null]);
        expect(event.schemaVersion).toBe(ORDER_EVENT_CATALOG[event.type].schemaVersion);
        seen.push(event.type);
        state = evolveOrder(state, event);
      }
    }
    expect(seen).toEqual(['OrderPlaced', 'OrderPaymentRequested', 'OrderStockReserved', 'OrderPaid', 'OrderConfirmed', 'OrderRefundRequested', 'OrderRefunded']);
  });
});
