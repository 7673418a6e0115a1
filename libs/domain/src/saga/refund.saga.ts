import type { OrderState } from '../order/order.state';
import { refundCall } from './compensation.calls';
import type { SagaAction, SagaBehaviour, SagaReaction } from './saga.behaviour';
import { assertNever, type PartnerCall, type PartnerReply, type RefundSagaState, type SagaStep } from './saga.types';

/**
 * Refund of the amount requested (full or partial) while the order's pendingRefund carries
 * this saga's id: success -> RecordRefund (order REFUNDED); refused -> RecordRefundFailed.
 * A transient failure is retried until the partner answers (the decider never gives a refund
 * up). A success reply without a refund id cannot be trusted: the saga ends in
 * COMPENSATION_FAILED (alerted on) and RecordRefundFailed clears the pending refund, its reason
 * saying the outcome is unknown. (The order decider accepts RecordCompensationFailed only from
 * fulfilment and cancellation sagas, so the order itself is not flagged.)
 */
type State = RefundSagaState;

function plan(state: State, order: OrderState): SagaAction<State> {
  const pending = order.pendingRefund;
  if (!order.exists || pending?.sagaId !== state.sagaId || order.paymentId === undefined) {
    switch (state.result) {
      case 'refunded':
        return { type: 'end', status: 'COMPLETED', outcome: 'refunded' };
      case 'declined':
        return { type: 'end', status: 'COMPENSATED', outcome: 'refund_declined' };
      case null:
        return { type: 'end', status: 'COMPLETED', outcome: 'nothing_to_do' };
      default:
        return assertNever(state.result);
    }
  }
  return { type: 'call', call: refundCall(state, order.paymentId, pending.amountMinor, order.currency) };
}

function succeeded(state: State, call: PartnerCall, reply: PartnerReply, order: OrderState): SagaReaction<State> {
  if (call.step !== 'refund' || order.pendingRefund?.sagaId !== state.sagaId) return { state, commands: [] };
  if (!reply.refundId) return failed(state, 'refund reply without a refund id');
  return {
    state: { ...state, result: 'refunded' },
    commands: [
      {
        type: 'RecordRefund',
        data: { sagaId: state.sagaId, refundId: reply.refundId, amountMinor: call.request.amountMinor, reason: order.pendingRefund.reason },
      },
    ],
  };
}

function rejected(state: State, call: PartnerCall, reason: string): SagaReaction<State> {
  if (call.step !== 'refund') return { state, commands: [] };
  return { state: { ...state, result: 'declined' }, commands: [{ type: 'RecordRefundFailed', data: { sagaId: state.sagaId, reason } }] };
}

function failed(state: State, reason: string): SagaReaction<State> {
  // The refund may have been paid out: the saga ends visibly (COMPENSATION_FAILED, alerted on)
  // and the pending refund is cleared so the order is not blocked.
  return {
    state: { ...state, step: 'refund', lastError: reason },
    commands: [{ type: 'RecordRefundFailed', data: { sagaId: state.sagaId, reason: `outcome unknown, check with the payment provider: ${reason}` } }],
    end: { status: 'COMPENSATION_FAILED', outcome: 'compensation_failed' },
  };
}

const gaveUp = (state: State, step: SagaStep, reason: string): SagaReaction<State> => failed(state, `${step} gave up: ${reason}`);

export const refundSaga: SagaBehaviour<RefundSagaState> = { plan, succeeded, rejected, gaveUp };
