import type { OrderCommand } from '../order/order.commands';
import { decideOrderCommands } from '../order/order.decider';
import type { OrderEvent } from '../order/order.events';
import type { OrderState } from '../order/order.state';
import { cancellationSaga } from './cancellation.saga';
import { fulfilmentSaga } from './fulfilment.saga';
import { refundSaga } from './refund.saga';
import { retryDelayMs } from './saga.backoff';
import type { SagaBehaviour, SagaReaction } from './saga.behaviour';
import { assertNever, type PartnerCall, type SagaDecision, type SagaInput, type SagaPolicy, type SagaState, type SagaStep } from './saga.types';

/**
 * The saga decider: pure, no clock, no random (both arrive on the input).
 *
 * 1. The input is folded in: a definite answer to the pending step yields order commands; a
 *    transient failure schedules a retry (capped exponential backoff with jitter). A forward
 *    step (reserve, charge) is given up after maxAttempts or the step deadline and the saga
 *    compensates; a compensating step (release, refund) is never given up on a transient
 *    failure — it retries every retryMaxMs at most until the partner answers, since giving up
 *    would leave stock held or money kept. Only a refusal ends a saga in COMPENSATION_FAILED.
 *    Replies to a step that is no longer pending are ignored (a replica was slower, or a crash
 *    repeated the call).
 * 2. The order commands are decided by the order decider itself, on the order as read, and the
 *    saga plans its next action from the state they lead to, until it needs a partner call, must
 *    wait, or has ended. The decision carries those order events: the caller appends exactly
 *    them (at the version it read) with the saga state in ONE transaction, deciding nothing again.
 */
const MAX_PLAN_ROUNDS = 16;

function behaviourOf(state: SagaState): SagaBehaviour<SagaState> {
  switch (state.kind) {
    case 'fulfilment':
      return fulfilmentSaga as SagaBehaviour<SagaState>;
    case 'cancellation':
      return cancellationSaga as SagaBehaviour<SagaState>;
    case 'refund':
      return refundSaga as SagaBehaviour<SagaState>;
    default:
      return assertNever(state);
  }
}

const addMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

const isPending = (state: SagaState, call: PartnerCall): boolean =>
  state.step === call.step && call.request.idempotencyKey === `${state.sagaId}:${call.step}`;

/** Steps that undo or pay back: retried until the partner answers (ADR 0007). */
const RETRIED_UNTIL_ANSWERED: ReadonlySet<SagaStep> = new Set<SagaStep>(['release', 'refund']);

const stepDeadline = (state: SagaState, policy: SagaPolicy): string | null =>
  state.stepStartedAt === null || (state.step !== null && RETRIED_UNTIL_ANSWERED.has(state.step))
    ? null
    : addMs(state.stepStartedAt, policy.stepDeadlineMs);

const pastDeadline = (state: SagaState, now: string, policy: SagaPolicy): boolean => {
  const deadline = stepDeadline(state, policy);
  return deadline !== null && Date.parse(now) >= Date.parse(deadline);
};

const mayGiveUp = (state: SagaState, now: string, policy: SagaPolicy): boolean =>
  state.step !== null &&
  !RETRIED_UNTIL_ANSWERED.has(state.step) &&
  (state.attempts >= policy.maxAttempts || pastDeadline(state, now, policy));

const stepCleared = <S extends SagaState>(state: S): S => ({ ...state, step: null, attempts: 0, stepStartedAt: null, lastError: null });

export function decideSaga(input: SagaInput, sagaState: SagaState, order: OrderState, policy: SagaPolicy): SagaDecision {
  const behaviour = behaviourOf(sagaState);
  const { now } = input;
  let state = sagaState;
  let projected = order;
  const commands: OrderCommand[] = [];
  const events: OrderEvent[] = [];

  const emit = (more: readonly OrderCommand[]): void => {
    const decided = decideOrderCommands(more, projected);
    commands.push(...more);
    events.push(...decided.events);
    projected = decided.state;
  };
  const ended = (reaction: SagaReaction<SagaState>, status: SagaDecision['status'], outcome: SagaDecision['outcome']): SagaDecision => ({
    // A failed compensation keeps the step and why it failed: what an operator reads first.
    state: status === 'COMPENSATION_FAILED' ? { ...reaction.state, stepStartedAt: null } : stepCleared(reaction.state),
    status,
    orderCommands: commands,
    orderEvents: events,
    nextAttemptAt: null,
    deadlineAt: null,
    outcome,
  });
  /** Applies a reaction; returns a final decision when it ended the saga. */
  const react = (reaction: SagaReaction<SagaState>): SagaDecision | null => {
    emit(reaction.commands);
    state = stepCleared(reaction.state);
    return reaction.end ? ended(reaction, reaction.end.status, reaction.end.outcome) : null;
  };
  const giveUp = (step: SagaStep, reason: string): SagaDecision | null =>
    react(behaviour.gaveUp(state, step, `${reason} after ${state.attempts} failed attempt(s)`, projected));

  switch (input.type) {
    case 'Start':
    case 'Resume':
      break;
    case 'CallSucceeded': {
      if (!isPending(state, input.call)) break;
      const done = react(behaviour.succeeded(state, input.call, input.result, projected));
      if (done) return done;
      break;
    }
    case 'CallRejected': {
      if (!isPending(state, input.call)) break;
      const done = react(behaviour.rejected(state, input.call, input.reason, projected));
      if (done) return done;
      break;
    }
    case 'CallFailed': {
      if (!isPending(state, input.call)) break;
      state = { ...state, attempts: state.attempts + 1, lastError: input.error };
      if (mayGiveUp(state, now, policy)) {
        const done = giveUp(input.call.step, input.error);
        if (done) return done;
        break;
      }
      return {
        state,
        status: 'RUNNING',
        orderCommands: [],
        orderEvents: [],
        nextAttemptAt: addMs(now, retryDelayMs(state.attempts, input.jitter, policy)),
        deadlineAt: stepDeadline(state, policy),
      };
    }
    default:
      return assertNever(input);
  }

  for (let round = 0; round < MAX_PLAN_ROUNDS; round++) {
    const action = behaviour.plan(state, projected);
    switch (action.type) {
      case 'call': {
        if (state.step === action.call.step && pastDeadline(state, now, policy)) {
          const done = giveUp(action.call.step, state.lastError ?? 'step deadline exceeded');
          if (done) return done;
          continue;
        }
        if (state.step !== action.call.step) {
          state = { ...state, step: action.call.step, attempts: 0, stepStartedAt: now, lastError: null };
        }
        return {
          state,
          status: 'RUNNING',
          orderCommands: commands,
          orderEvents: events,
          call: action.call,
          // The lease of the call in flight: if this process dies, the sweep repeats the call (same key) then.
          nextAttemptAt: addMs(now, policy.callTimeoutMs),
          deadlineAt: stepDeadline(state, policy),
        };
      }
      case 'commands':
        emit(action.commands);
        continue;
      case 'update':
        state = action.state;
        continue;
      case 'wait':
        return {
          state,
          status: 'RUNNING',
          orderCommands: commands,
          orderEvents: events,
          nextAttemptAt: addMs(now, policy.retryMaxMs),
          deadlineAt: null,
        };
      case 'end':
        return ended({ state, commands: [] }, action.status, action.outcome);
      default:
        return assertNever(action);
    }
  }
  throw new Error(`saga ${state.sagaId} did not settle after ${MAX_PLAN_ROUNDS} planning rounds`);
}
