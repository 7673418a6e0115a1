import type { OrderCommand } from '../order/order.commands';
import type { OrderEvent } from '../order/order.events';
import type { ChargePayment, RefundPayment, ReleaseStock, ReserveStock } from '../ports/partners.port';
import type { SagaKind, SagaStatus } from '../ports/saga-store.port';

/**
 * Saga deciders share one shape: `decideSaga(input, state, order, policy) -> SagaDecision`.
 * The saga state is JSON (it is stored in SagaRecord.state); time and jitter arrive on the input.
 */

/** A partner call step. Its idempotency key is `${sagaId}:${step}`, so a retried step never acts twice. */
export type SagaStep = 'reserve' | 'charge' | 'release' | 'refund';

export type PartnerCall =
  | { readonly step: 'reserve'; readonly request: ReserveStock }
  | { readonly step: 'charge'; readonly request: ChargePayment }
  | { readonly step: 'release'; readonly request: ReleaseStock }
  | { readonly step: 'refund'; readonly request: RefundPayment };

/** What a partner answered on success (the id that matters for the step). */
export interface PartnerReply {
  readonly reservationId?: string;
  readonly paymentId?: string;
  readonly refundId?: string;
}

export type SagaTrigger =
  | { readonly type: 'Start' }
  /** Re-drive: after a crash, a timer, or a change of the order (e.g. a cancellation was requested). */
  | { readonly type: 'Resume' }
  | { readonly type: 'CallSucceeded'; readonly call: PartnerCall; readonly result: PartnerReply }
  /** A business refusal (out of stock, declined): retrying cannot help. */
  | { readonly type: 'CallRejected'; readonly call: PartnerCall; readonly reason: string }
  /** A transient failure (timeout, unavailable): the step may or may not have happened. */
  | { readonly type: 'CallFailed'; readonly call: PartnerCall; readonly error: string };

export interface SagaInstant {
  /** ISO-8601 instant of the decision. */
  readonly now: string;
  /** Uniform value in [0, 1) spreading retries of many sagas apart. */
  readonly jitter: number;
}

export type SagaInput = SagaTrigger & SagaInstant;

export interface SagaPolicy {
  /** Transient failures of a forward step before it is given up (compensations retry until answered). */
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** A forward step not finished this long after it began is given up, whatever its attempt count. */
  readonly stepDeadlineMs: number;
  /** How long a call may be in flight before the recovery sweep may repeat it. */
  readonly callTimeoutMs: number;
}

/** The step a saga is waiting on; `step` stays set until a definite answer (success or refusal) arrives. */
interface SagaStateBase {
  readonly sagaId: string;
  readonly orderId: string;
  readonly step: SagaStep | null;
  /** Transient failures of the current step. */
  readonly attempts: number;
  readonly stepStartedAt: string | null;
  readonly lastError: string | null;
}

/** A forward step that was sent but never answered: it may have happened, so it is undone blind. */
export type UnconfirmedStep = 'reserve' | 'charge';

export interface FulfilmentSagaState extends SagaStateBase {
  readonly kind: 'fulfilment';
  /** Set when a partner refused or a forward step was given up: the saga now undoes and cancels. */
  readonly compensation: { readonly reason: string } | null;
  readonly unconfirmed: readonly UnconfirmedStep[];
}

export interface CancellationSagaState extends SagaStateBase {
  readonly kind: 'cancellation';
}

export interface RefundSagaState extends SagaStateBase {
  readonly kind: 'refund';
  readonly result: 'refunded' | 'declined' | null;
}

export type SagaState = FulfilmentSagaState | CancellationSagaState | RefundSagaState;

/** How a finished saga ended, for metrics and logs. */
export type SagaOutcome = 'confirmed' | 'canceled' | 'refunded' | 'refund_declined' | 'compensation_failed' | 'nothing_to_do';

export interface SagaDecision {
  readonly state: SagaState;
  readonly status: SagaStatus;
  /** Order commands the saga issued, in this order (what it asked of the order). */
  readonly orderCommands: readonly OrderCommand[];
  /**
   * The order events those commands decided, on the order state the saga was given: appended
   * as they are, at that state's version, together with the new saga state.
   */
  readonly orderEvents: readonly OrderEvent[];
  /** The partner call to perform after that commit; its reply is the next input. */
  readonly call?: PartnerCall;
  /** When the recovery sweep should drive the saga again; null once it has ended. */
  readonly nextAttemptAt: string | null;
  /** End of the current step's deadline; null when no step is pending. */
  readonly deadlineAt: string | null;
  /** Set when the saga ended with this decision. */
  readonly outcome?: SagaOutcome;
}

export const idempotencyKeyOf = (sagaId: string, step: SagaStep): string => `${sagaId}:${step}`;

export function initialSagaState(kind: SagaKind, sagaId: string, orderId: string): SagaState {
  const base = { sagaId, orderId, step: null, attempts: 0, stepStartedAt: null, lastError: null };
  switch (kind) {
    case 'fulfilment':
      return { ...base, kind, compensation: null, unconfirmed: [] };
    case 'cancellation':
      return { ...base, kind };
    case 'refund':
      return { ...base, kind, result: null };
    default:
      return assertNever(kind);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
