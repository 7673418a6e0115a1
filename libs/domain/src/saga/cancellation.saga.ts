import type { OrderState } from '../order/order.state';
import { compensationOf } from './compensation.calls';
import { compensationFailed, refundableMinor, type SagaAction, type SagaBehaviour, type SagaReaction } from './saga.behaviour';
import { assertNever, type CancellationSagaState, type PartnerCall, type PartnerReply, type SagaStep } from './saga.types';

/**
 * Cancellation of an order whose fulfilment is over (CONFIRMED, or REFUNDED with something
 * left): release the stock if still held, refund paid - refunded, then CompleteCancellation.
 * Runs only while the order's pendingCancellation carries this saga's id. A refund saga still
 * in flight is waited for, so the two never refund the same money. Its steps cannot be undone:
 * a refused step ends in COMPENSATION_FAILED; a transient failure is retried until answered.
 */
type State = CancellationSagaState;

function plan(state: State, order: OrderState): SagaAction<State> {
  if (!order.exists) return { type: 'end', status: 'COMPLETED', outcome: 'nothing_to_do' };
  if (order.status === 'CANCELED') return { type: 'end', status: 'COMPLETED', outcome: 'canceled' };
  const pending = order.pendingCancellation;
  if (pending?.sagaId !== state.sagaId) return { type: 'end', status: 'COMPLETED', outcome: 'nothing_to_do' };
  if (order.pendingRefund !== undefined) return { type: 'wait' };
  const undo = compensationOf(state, order);
  if (undo) return { type: 'call', call: undo };
  return { type: 'commands', commands: [{ type: 'CompleteCancellation', data: { sagaId: state.sagaId, reason: pending.reason } }] };
}

function succeeded(state: State, call: PartnerCall, reply: PartnerReply, order: OrderState): SagaReaction<State> {
  const sagaId = state.sagaId;
  switch (call.step) {
    case 'release':
      if (order.reservationId !== undefined && order.reservationId === call.request.reservationId) {
        return { state, commands: [{ type: 'RecordStockReleased', data: { sagaId, reservationId: order.reservationId } }] };
      }
      return { state, commands: [] };
    case 'refund':
      if (reply.refundId && call.request.amountMinor <= refundableMinor(order)) {
        const reason = order.pendingCancellation?.reason ?? 'canceled';
        return {
          state,
          commands: [{ type: 'RecordRefund', data: { sagaId, refundId: reply.refundId, amountMinor: call.request.amountMinor, reason } }],
        };
      }
      return compensationFailed(state, 'refund', 'refund reply without a refund id');
    case 'reserve':
    case 'charge':
      // Never issued by this saga; a stray reply changes nothing.
      return { state, commands: [] };
    default:
      return assertNever(call);
  }
}

const rejected = (state: State, call: PartnerCall, reason: string): SagaReaction<State> =>
  compensationFailed(state, call.step, `${call.step} refused: ${reason}`);

const gaveUp = (state: State, step: SagaStep, reason: string): SagaReaction<State> =>
  compensationFailed(state, step, `${step} gave up: ${reason}`);

export const cancellationSaga: SagaBehaviour<CancellationSagaState> = { plan, succeeded, rejected, gaveUp };
