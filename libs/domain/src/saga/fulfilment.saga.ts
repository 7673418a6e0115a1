import type { OrderState } from '../order/order.state';
import { compensationOf, refundCall, releaseCall } from './compensation.calls';
import { compensationFailed, type SagaAction, type SagaBehaviour, type SagaReaction } from './saga.behaviour';
import {
  assertNever,
  idempotencyKeyOf,
  type FulfilmentSagaState,
  type PartnerCall,
  type PartnerReply,
  type SagaStep,
  type UnconfirmedStep,
} from './saga.types';

/**
 * Fulfilment: reserve stock -> charge -> confirm.
 *
 * - Reservation refused -> RecordStockReservationFailed (the order is canceled with the reason).
 * - Charge declined -> RecordPaymentFailed, release the stock, CompleteCancellation.
 * - A cancellation requested mid-way (pendingCancellation carries this saga's id) switches to
 *   compensation: release the stock if held, refund paid - refunded, CompleteCancellation.
 * - A forward step given up after retries may still have happened at the partner, so it is
 *   undone blind: a release / refund that names the forward step's idempotency key as the
 *   reservation / payment id (partners resolve either; an unknown one is a no-op success).
 * - A compensation (release, refund) is retried until the partner answers; a refusal ends in
 *   COMPENSATION_FAILED.
 * Every decision reads the order state passed in, never the order of arrival of messages.
 */
type State = FulfilmentSagaState;

const withUnconfirmed = (state: State, step: UnconfirmedStep): State =>
  state.unconfirmed.includes(step) ? state : { ...state, unconfirmed: [...state.unconfirmed, step] };
const withoutUnconfirmed = (state: State, step: UnconfirmedStep): State => ({
  ...state,
  unconfirmed: state.unconfirmed.filter((s) => s !== step),
});

function blindCompensation(state: State, order: OrderState): PartnerCall | null {
  if (state.unconfirmed.includes('reserve')) return releaseCall(state, idempotencyKeyOf(state.sagaId, 'reserve'));
  if (state.unconfirmed.includes('charge')) return refundCall(state, idempotencyKeyOf(state.sagaId, 'charge'), order.totalMinor, order.currency);
  return null;
}

function plan(state: State, order: OrderState): SagaAction<State> {
  if (!order.exists || order.fulfilmentSagaId !== state.sagaId) return { type: 'end', status: 'COMPLETED', outcome: 'nothing_to_do' };

  if (order.status === 'CANCELED') {
    const blind = blindCompensation(state, order);
    if (blind) return { type: 'call', call: blind };
    return { type: 'end', status: 'COMPENSATED', outcome: 'canceled' };
  }

  const cancellation = order.pendingCancellation?.sagaId === state.sagaId ? order.pendingCancellation.reason : null;
  const reason = cancellation ?? state.compensation?.reason ?? order.fulfilmentFailure?.reason ?? null;
  if (reason !== null) {
    // A forward call sent but never answered may have happened: remember to undo it.
    if (state.step === 'reserve' || state.step === 'charge') {
      return {
        type: 'update',
        state: { ...withUnconfirmed(state, state.step), step: null, attempts: 0, stepStartedAt: null, lastError: null },
      };
    }
    const undo = compensationOf(state, order);
    if (undo) return { type: 'call', call: undo };
    const blind = blindCompensation(state, order);
    if (blind) return { type: 'call', call: blind };
    return { type: 'commands', commands: [{ type: 'CompleteCancellation', data: { sagaId: state.sagaId, reason } }] };
  }

  if (order.fulfilment === 'DONE') return { type: 'end', status: 'COMPLETED', outcome: 'confirmed' };
  if (order.paymentId !== undefined) return { type: 'commands', commands: [{ type: 'ConfirmOrder', data: { sagaId: state.sagaId } }] };
  if (order.reservationId !== undefined) {
    return {
      type: 'call',
      call: {
        step: 'charge',
        request: {
          idempotencyKey: idempotencyKeyOf(state.sagaId, 'charge'),
          orderId: state.orderId,
          amountMinor: order.totalMinor,
          currency: order.currency,
        },
      },
    };
  }
  return {
    type: 'call',
    call: {
      step: 'reserve',
      request: { idempotencyKey: idempotencyKeyOf(state.sagaId, 'reserve'), orderId: state.orderId, items: order.items },
    },
  };
}

function succeeded(state: State, call: PartnerCall, reply: PartnerReply, order: OrderState): SagaReaction<State> {
  const sagaId = state.sagaId;
  switch (call.step) {
    case 'reserve':
      // Only a reservation the order can still take is recorded; any other is undone blind.
      if (reply.reservationId && order.status === 'PENDING' && order.reservationId === undefined) {
        return { state, commands: [{ type: 'RecordStockReserved', data: { sagaId, reservationId: reply.reservationId } }] };
      }
      return { state: withUnconfirmed(state, 'reserve'), commands: [] };
    case 'charge':
      if (reply.paymentId && order.status === 'RESERVED' && order.paymentId === undefined) {
        return {
          state,
          commands: [{ type: 'RecordPayment', data: { sagaId, paymentId: reply.paymentId, amountMinor: call.request.amountMinor } }],
        };
      }
      return { state: withUnconfirmed(state, 'charge'), commands: [] };
    case 'release':
      if (order.reservationId !== undefined && call.request.reservationId === order.reservationId) {
        return { state, commands: [{ type: 'RecordStockReleased', data: { sagaId, reservationId: order.reservationId } }] };
      }
      return { state: withoutUnconfirmed(state, 'reserve'), commands: [] };
    case 'refund':
      if (order.paymentId !== undefined && call.request.paymentId === order.paymentId && reply.refundId) {
        const reason = order.pendingCancellation?.reason ?? state.compensation?.reason ?? 'canceled';
        return {
          state,
          commands: [
            { type: 'RecordRefund', data: { sagaId, refundId: reply.refundId, amountMinor: call.request.amountMinor, reason } },
          ],
        };
      }
      return { state: withoutUnconfirmed(state, 'charge'), commands: [] };
    default:
      return assertNever(call);
  }
}

function rejected(state: State, call: PartnerCall, reason: string): SagaReaction<State> {
  const sagaId = state.sagaId;
  switch (call.step) {
    case 'reserve':
      return { state, commands: [{ type: 'RecordStockReservationFailed', data: { sagaId, reason } }] };
    case 'charge':
      return {
        state: { ...state, compensation: { reason } },
        commands: [{ type: 'RecordPaymentFailed', data: { sagaId, reason } }],
      };
    case 'release':
    case 'refund':
      return compensationFailed(state, call.step, `${call.step} refused: ${reason}`);
    default:
      return assertNever(call);
  }
}

function gaveUp(state: State, step: SagaStep, reason: string, order: OrderState): SagaReaction<State> {
  const sagaId = state.sagaId;
  switch (step) {
    case 'reserve': {
      const why = `inventory unavailable: ${reason}`;
      // The order is canceled now; the reservation that may exist is released blind afterwards.
      if (order.status === 'PENDING' && order.pendingCancellation === undefined) {
        return { state: withUnconfirmed(state, 'reserve'), commands: [{ type: 'RecordStockReservationFailed', data: { sagaId, reason: why } }] };
      }
      return { state: { ...withUnconfirmed(state, 'reserve'), compensation: state.compensation ?? { reason: why } }, commands: [] };
    }
    case 'charge': {
      const why = `payment unavailable: ${reason}`;
      return {
        state: { ...withUnconfirmed(state, 'charge'), compensation: state.compensation ?? { reason: why } },
        commands: order.status === 'RESERVED' ? [{ type: 'RecordPaymentFailed', data: { sagaId, reason: why } }] : [],
      };
    }
    case 'release':
    case 'refund':
      return compensationFailed(state, step, `${step} gave up: ${reason}`);
    default:
      return assertNever(step);
  }
}

export const fulfilmentSaga: SagaBehaviour<FulfilmentSagaState> = { plan, succeeded, rejected, gaveUp };
