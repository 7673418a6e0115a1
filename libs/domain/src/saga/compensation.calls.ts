import type { OrderState } from '../order/order.state';
import { refundableMinor } from './saga.behaviour';
import { idempotencyKeyOf, type PartnerCall, type SagaState } from './saga.types';

type Saga = Pick<SagaState, 'sagaId' | 'orderId'>;

/** Release of a reservation (or of a reserve call's idempotency key, when the saga never learned the id). */
export const releaseCall = (saga: Saga, reservationId: string): PartnerCall => ({
  step: 'release',
  request: { idempotencyKey: idempotencyKeyOf(saga.sagaId, 'release'), orderId: saga.orderId, reservationId },
});

/** Refund of a payment (or of a charge call's idempotency key, when the saga never learned the id). */
export const refundCall = (saga: Saga, paymentId: string, amountMinor: number, currency: string): PartnerCall => ({
  step: 'refund',
  request: { idempotencyKey: idempotencyKeyOf(saga.sagaId, 'refund'), orderId: saga.orderId, paymentId, amountMinor, currency },
});

/**
 * The next undo of what the order still holds, in the order every saga undoes: release its
 * stock, then refund what was paid and not yet refunded; null when it holds nothing.
 */
export function compensationOf(saga: Saga, order: OrderState): PartnerCall | null {
  if (order.reservationId !== undefined) return releaseCall(saga, order.reservationId);
  if (refundableMinor(order) > 0 && order.paymentId !== undefined) return refundCall(saga, order.paymentId, refundableMinor(order), order.currency);
  return null;
}
