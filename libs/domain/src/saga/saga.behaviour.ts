import type { OrderCommand } from '../order/order.commands';
import type { OrderState } from '../order/order.state';
import type { SagaStatus } from '../ports/saga-store.port';
import type { PartnerCall, PartnerReply, SagaOutcome, SagaState, SagaStep } from './saga.types';

/** The next thing a saga does, given its own state and the order's. */
export type SagaAction<S extends SagaState> =
  | { readonly type: 'call'; readonly call: PartnerCall }
  | { readonly type: 'commands'; readonly commands: readonly OrderCommand[] }
  /** Change the saga state only (e.g. abandon a forward step) and plan again. */
  | { readonly type: 'update'; readonly state: S }
  /** Nothing to do until another saga finishes: look again after a while. */
  | { readonly type: 'wait' }
  | { readonly type: 'end'; readonly status: SagaStatus; readonly outcome: SagaOutcome };

/** What a definite answer or a given-up step changes. `end` finishes the saga right away. */
export interface SagaReaction<S extends SagaState> {
  readonly state: S;
  readonly commands: readonly OrderCommand[];
  readonly end?: { readonly status: SagaStatus; readonly outcome: SagaOutcome };
}

/** One saga kind's rules. Every function is pure. */
export interface SagaBehaviour<S extends SagaState> {
  plan(state: S, order: OrderState): SagaAction<S>;
  succeeded(state: S, call: PartnerCall, reply: PartnerReply, order: OrderState): SagaReaction<S>;
  rejected(state: S, call: PartnerCall, reason: string, order: OrderState): SagaReaction<S>;
  /** The step failed transiently too often or outlived its deadline. */
  gaveUp(state: S, step: SagaStep, reason: string, order: OrderState): SagaReaction<S>;
}

/** A compensation (or a refund, which cannot be undone) that cannot be completed: visible, never a loop. */
export function compensationFailed<S extends SagaState>(state: S, step: SagaStep, reason: string): SagaReaction<S> {
  return {
    state: { ...state, step, lastError: reason },
    commands: [{ type: 'RecordCompensationFailed', data: { sagaId: state.sagaId, step, reason } }],
    end: { status: 'COMPENSATION_FAILED', outcome: 'compensation_failed' },
  };
}

export const refundableMinor = (order: OrderState): number => order.paidMinor - order.refundedMinor;
