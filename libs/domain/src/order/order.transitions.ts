import type { DomainErrorCode } from '../shared/domain-error';
import type { OrderCommandType } from './order.commands';
import type { OrderState } from './order.state';
import type { OrderStatus } from './order.status';

/** Where an order is in its life: `NEW` before its stream exists, then its status. */
export type OrderPhase = 'NEW' | OrderStatus;

export const orderPhaseOf = (state: OrderState): OrderPhase => (state.exists ? state.status : 'NEW');

/**
 * The transition table: for each phase, the commands that may be accepted there.
 * It is the first gate of decideOrder; a command outside its row is rejected with
 * `rejectionFor(phase, command)`. Inside a row, the rules in order.decider.ts still check
 * the finer state (fulfilment progress, pending sagas, saga ids, amounts).
 *
 * - NEW        PlaceOrder only.
 * - PENDING    pay; cancel; the fulfilment saga records the reservation outcome.
 * - RESERVED   cancel; the fulfilment saga records the payment outcome or a release.
 * - PAID       cancel, refund; confirm; release / refund outcomes of running sagas.
 * - CONFIRMED  cancel, refund; release / refund outcomes of running sagas.
 * - REFUNDED   like CONFIRMED, plus a late ConfirmOrder when a refund finished before it.
 * - CANCELED   terminal; only a failed compensation can still be recorded.
 * CompleteCancellation and RecordCompensationFailed belong to every live phase because a
 * cancellation (or the fulfilment saga's compensation) can end anywhere after PlaceOrder;
 * ResolveSaga (an operator closing a saga) to every phase after NEW, CANCELED included.
 */
export const ORDER_TRANSITIONS: { readonly [P in OrderPhase]: readonly OrderCommandType[] } = {
  NEW: ['PlaceOrder'],
  PENDING: [
    'RequestPayment',
    'RequestCancellation',
    'RecordStockReserved',
    'RecordStockReservationFailed',
    'CompleteCancellation',
    'RecordCompensationFailed',
    'ResolveSaga',
  ],
  RESERVED: [
    'RequestCancellation',
    'RecordPayment',
    'RecordPaymentFailed',
    'RecordStockReleased',
    'CompleteCancellation',
    'RecordCompensationFailed',
    'ResolveSaga',
  ],
  PAID: [
    'RequestCancellation',
    'RequestRefund',
    'ConfirmOrder',
    'RecordStockReleased',
    'CompleteCancellation',
    'RecordRefund',
    'RecordRefundFailed',
    'RecordCompensationFailed',
    'ResolveSaga',
  ],
  CONFIRMED: [
    'RequestCancellation',
    'RequestRefund',
    'RecordStockReleased',
    'CompleteCancellation',
    'RecordRefund',
    'RecordRefundFailed',
    'RecordCompensationFailed',
    'ResolveSaga',
  ],
  REFUNDED: [
    'RequestCancellation',
    'RequestRefund',
    'ConfirmOrder',
    'RecordStockReleased',
    'CompleteCancellation',
    'RecordRefund',
    'RecordRefundFailed',
    'RecordCompensationFailed',
    'ResolveSaga',
  ],
  CANCELED: ['RecordCompensationFailed', 'ResolveSaga'],
};

/** Commands clients send through the API; the rest are written by sagas. */
export const CLIENT_COMMANDS: readonly OrderCommandType[] = ['PlaceOrder', 'RequestPayment', 'RequestCancellation', 'RequestRefund'];

export const isAllowedIn = (phase: OrderPhase, command: OrderCommandType): boolean => ORDER_TRANSITIONS[phase].includes(command);

/**
 * The error code for a command outside its phase's row. On CANCELED a client command gets
 * ORDER_ALREADY_CANCELED (what the caller needs to know), a saga command ILLEGAL_TRANSITION
 * (a saga acting on a finished order is a bug or a stale step, not a user error).
 */
export function rejectionFor(phase: OrderPhase, command: OrderCommandType): DomainErrorCode {
  if (phase === 'NEW') return 'ORDER_NOT_FOUND';
  if (command === 'PlaceOrder') return 'ORDER_ALREADY_EXISTS';
  if (phase === 'CANCELED') return CLIENT_COMMANDS.includes(command) ? 'ORDER_ALREADY_CANCELED' : 'ILLEGAL_TRANSITION';
  if (command === 'RequestPayment') return 'ORDER_NOT_PAYABLE';
  if (command === 'RequestRefund') return 'ORDER_NOT_REFUNDABLE';
  if (command === 'RequestCancellation') return 'ORDER_NOT_CANCELLABLE';
  return 'ILLEGAL_TRANSITION';
}
