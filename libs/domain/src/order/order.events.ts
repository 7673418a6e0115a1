/**
 * Order events: past tense, each with the schema version it is written at.
 * Adding one: see STYLE.md "Adding an event type — the touch list".
 */
export interface OrderLine {
  readonly sku: string;
  readonly qty: number;
  /** Price of one unit, in minor units of the order currency. */
  readonly unitPriceMinor: number;
}

interface EventOf<TType extends string, TData, TVersion extends number = 1> {
  readonly type: TType;
  readonly schemaVersion: TVersion;
  readonly data: TData;
}

export type OrderPlaced = EventOf<
  'OrderPlaced',
  { orderId: string; customerId: string; currency: string; items: readonly OrderLine[]; totalMinor: number }
>;
export type OrderPaymentRequested = EventOf<
  'OrderPaymentRequested',
  { orderId: string; sagaId: string; amountMinor: number; currency: string }
>;
export type OrderStockReserved = EventOf<'OrderStockReserved', { orderId: string; sagaId: string; reservationId: string }>;
export type OrderStockReservationFailed = EventOf<
  'OrderStockReservationFailed',
  { orderId: string; sagaId: string; reason: string }
>;
export type OrderPaid = EventOf<'OrderPaid', { orderId: string; sagaId: string; paymentId: string; amountMinor: number }>;
export type OrderPaymentFailed = EventOf<'OrderPaymentFailed', { orderId: string; sagaId: string; reason: string }>;
export type OrderStockReleased = EventOf<'OrderStockReleased', { orderId: string; sagaId: string; reservationId: string }>;
export type OrderConfirmed = EventOf<'OrderConfirmed', { orderId: string; sagaId: string }>;
export type OrderCancellationRequested = EventOf<
  'OrderCancellationRequested',
  { orderId: string; sagaId: string; reason: string }
>;
/** v2 added `reason` and `refundedMinor`; v1 events are upcast on read (order.upcasters.ts). */
export type OrderCanceled = EventOf<'OrderCanceled', { orderId: string; reason: string; refundedMinor: number }, 2>;
export type OrderRefundRequested = EventOf<
  'OrderRefundRequested',
  { orderId: string; sagaId: string; amountMinor: number; reason: string }
>;
export type OrderRefunded = EventOf<
  'OrderRefunded',
  { orderId: string; sagaId: string; refundId: string; amountMinor: number; reason: string }
>;
export type OrderRefundFailed = EventOf<'OrderRefundFailed', { orderId: string; sagaId: string; reason: string }>;
/** A compensation gave up: the order needs an operator. Counted and alerted on. */
export type OrderCompensationFailed = EventOf<
  'OrderCompensationFailed',
  { orderId: string; sagaId: string; step: string; reason: string }
>;

/**
 * An operator closed one of the order's sagas by hand (admin resolve): who, which saga and why.
 * `reason` says all three for the timeline. The saga's pending work on the order is dropped.
 */
export type OrderSagaResolved = EventOf<
  'OrderSagaResolved',
  { orderId: string; sagaId: string; resolvedBy: string; note: string; reason: string }
>;

export type OrderEvent =
  | OrderPlaced
  | OrderPaymentRequested
  | OrderStockReserved
  | OrderStockReservationFailed
  | OrderPaid
  | OrderPaymentFailed
  | OrderStockReleased
  | OrderConfirmed
  | OrderCancellationRequested
  | OrderCanceled
  | OrderRefundRequested
  | OrderRefunded
  | OrderRefundFailed
  | OrderCompensationFailed
  | OrderSagaResolved;

export type OrderEventType = OrderEvent['type'];

/** Current schema version of every event type: new events are always written at this version. */
export const ORDER_EVENT_SCHEMA_VERSIONS: { readonly [K in OrderEventType]: Extract<OrderEvent, { type: K }>['schemaVersion'] } = {
  OrderPlaced: 1,
  OrderPaymentRequested: 1,
  OrderStockReserved: 1,
  OrderStockReservationFailed: 1,
  OrderPaid: 1,
  OrderPaymentFailed: 1,
  OrderStockReleased: 1,
  OrderConfirmed: 1,
  OrderCancellationRequested: 1,
  OrderCanceled: 2,
  OrderRefundRequested: 1,
  OrderRefunded: 1,
  OrderRefundFailed: 1,
  OrderCompensationFailed: 1,
  OrderSagaResolved: 1,
};

export const orderStreamId = (orderId: string): string => `order-${orderId}`;
