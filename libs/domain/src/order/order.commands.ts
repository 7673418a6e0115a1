import type { OrderLine } from './order.events';

/**
 * Commands are imperative. The first five come from clients through the API; the
 * `Record*` ones are issued by sagas to write partner outcomes into the order stream.
 * Ids (order, saga) are generated at the edge and arrive on the command.
 */
interface CommandOf<TType extends string, TData> {
  readonly type: TType;
  readonly data: TData;
}

export type PlaceOrder = CommandOf<
  'PlaceOrder',
  { orderId: string; customerId: string; currency: string; items: readonly OrderLine[] }
>;
export type RequestPayment = CommandOf<'RequestPayment', { sagaId: string }>;
export type RequestCancellation = CommandOf<'RequestCancellation', { sagaId: string; reason: string }>;
/** `amountMinor` absent = refund everything not yet refunded. */
export type RequestRefund = CommandOf<'RequestRefund', { sagaId: string; amountMinor?: number; reason: string }>;

export type RecordStockReserved = CommandOf<'RecordStockReserved', { sagaId: string; reservationId: string }>;
export type RecordStockReservationFailed = CommandOf<'RecordStockReservationFailed', { sagaId: string; reason: string }>;
export type RecordPayment = CommandOf<'RecordPayment', { sagaId: string; paymentId: string; amountMinor: number }>;
export type RecordPaymentFailed = CommandOf<'RecordPaymentFailed', { sagaId: string; reason: string }>;
export type RecordStockReleased = CommandOf<'RecordStockReleased', { sagaId: string; reservationId: string }>;
export type ConfirmOrder = CommandOf<'ConfirmOrder', { sagaId: string }>;
export type CompleteCancellation = CommandOf<'CompleteCancellation', { sagaId: string; reason: string }>;
export type RecordRefund = CommandOf<
  'RecordRefund',
  { sagaId: string; refundId: string; amountMinor: number; reason: string }
>;
export type RecordRefundFailed = CommandOf<'RecordRefundFailed', { sagaId: string; reason: string }>;
export type RecordCompensationFailed = CommandOf<
  'RecordCompensationFailed',
  { sagaId: string; step: string; reason: string }
>;

/** An operator closes a saga of the order (admin resolve); `resolvedBy` and `note` are required. */
export type ResolveSaga = CommandOf<'ResolveSaga', { sagaId: string; resolvedBy: string; note: string }>;

export type OrderCommand =
  | PlaceOrder
  | RequestPayment
  | RequestCancellation
  | RequestRefund
  | RecordStockReserved
  | RecordStockReservationFailed
  | RecordPayment
  | RecordPaymentFailed
  | RecordStockReleased
  | ConfirmOrder
  | CompleteCancellation
  | RecordRefund
  | RecordRefundFailed
  | RecordCompensationFailed
  | ResolveSaga;

export type OrderCommandType = OrderCommand['type'];
