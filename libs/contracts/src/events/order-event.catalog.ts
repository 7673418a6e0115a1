import { ORDER_EVENT_SCHEMA_VERSIONS, type OrderEventType } from '@oms/domain';
import { ORDER_EVENTS_TOPIC, ceType } from './event-envelope';

/**
 * The published order events: topic, CloudEvents type, current schema version and a JSON
 * Schema (2020-12) of `data` for each. Consumers outside OMS validate against these; the
 * mapped type makes a new event type a compile error here until it is catalogued.
 */
export interface OrderEventContract {
  readonly topic: string;
  readonly ceType: string;
  readonly schemaVersion: number;
  readonly dataSchema: Readonly<Record<string, unknown>>;
}

const id = { type: 'string', minLength: 1 } as const;
const text = { type: 'string' } as const;
const minor = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const line = {
  type: 'object',
  required: ['sku', 'qty', 'unitPriceMinor'],
  properties: { sku: id, qty: { type: 'integer', minimum: 1 }, unitPriceMinor: minor },
} as const;

function data(properties: Record<string, unknown>): Readonly<Record<string, unknown>> {
  return { type: 'object', required: Object.keys(properties), properties };
}

const DATA_SCHEMAS: { readonly [K in OrderEventType]: Readonly<Record<string, unknown>> } = {
  OrderPlaced: data({ orderId: id, customerId: id, currency: { type: 'string', pattern: '^[A-Z]{3}$' }, items: { type: 'array', minItems: 1, items: line }, totalMinor: minor }),
  OrderPaymentRequested: data({ orderId: id, sagaId: id, amountMinor: minor, currency: { type: 'string', pattern: '^[A-Z]{3}$' } }),
  OrderStockReserved: data({ orderId: id, sagaId: id, reservationId: id }),
  OrderStockReservationFailed: data({ orderId: id, sagaId: id, reason: text }),
  OrderPaid: data({ orderId: id, sagaId: id, paymentId: id, amountMinor: minor }),
  OrderPaymentFailed: data({ orderId: id, sagaId: id, reason: text }),
  OrderStockReleased: data({ orderId: id, sagaId: id, reservationId: id }),
  OrderConfirmed: data({ orderId: id, sagaId: id }),
  OrderCancellationRequested: data({ orderId: id, sagaId: id, reason: text }),
  OrderCanceled: data({ orderId: id, reason: text, refundedMinor: minor }),
  OrderRefundRequested: data({ orderId: id, sagaId: id, amountMinor: minor, reason: text }),
  OrderRefunded: data({ orderId: id, sagaId: id, refundId: id, amountMinor: minor, reason: text }),
  OrderRefundFailed: data({ orderId: id, sagaId: id, reason: text }),
  OrderCompensationFailed: data({ orderId: id, sagaId: id, step: id, reason: text }),
  OrderSagaResolved: data({ orderId: id, sagaId: id, resolvedBy: id, note: id, reason: text }),
};

function contractOf(type: OrderEventType): OrderEventContract {
  return {
    topic: ORDER_EVENTS_TOPIC,
    ceType: ceType(type),
    schemaVersion: ORDER_EVENT_SCHEMA_VERSIONS[type],
    dataSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', title: type, ...DATA_SCHEMAS[type] },
  };
}

export const ORDER_EVENT_CATALOG: Readonly<Record<OrderEventType, OrderEventContract>> = (() => {
  const catalog = {} as Record<OrderEventType, OrderEventContract>;
  for (const type of Object.keys(DATA_SCHEMAS) as OrderEventType[]) catalog[type] = contractOf(type);
  return catalog;
})();
