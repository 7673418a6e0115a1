/**
 * given / when / then over the pure saga decider, the way the orchestrator uses it: each
 * decision's order events are folded into the order (as their commit would), the saga state
 * carries over, time moves only when the test says so.
 *
 *   givenSaga('fulfilment', SAGA, orderHistory('PAYMENT_REQUESTED', { sagaId: SAGA }))
 *     .when(started())
 *     .then({ status: 'RUNNING', orderCommands: [], call: reserveCall })
 *     .when(succeeded({ reservationId: 'res-1' }))
 *     .then({ call: chargeCall, order: { status: 'RESERVED' } });
 *
 * Each `then` asserts and returns the saga as it now stands, to continue the story with.
 */
import type { OrderCommand } from '../order/order.commands';
import { decideOrderCommands, evolveOrder, initialOrderState } from '../order/order.decider';
import type { OrderEvent } from '../order/order.events';
import type { OrderState } from '../order/order.state';
import type { SagaKind } from '../ports/saga-store.port';
import { decideSaga } from '../saga/saga.decider';
import {
  initialSagaState,
  type PartnerCall,
  type PartnerReply,
  type SagaDecision,
  type SagaPolicy,
  type SagaState,
  type SagaTrigger,
} from '../saga/saga.types';

export const TEST_SAGA_POLICY: SagaPolicy = {
  maxAttempts: 3,
  retryBaseMs: 100,
  retryMaxMs: 1_000,
  stepDeadlineMs: 60_000,
  callTimeoutMs: 2_000,
};

export const TEST_SAGA_T0 = '2026-01-01T00:00:00.000Z';

/** An input to the saga: a trigger, or one built from the call it is waiting on (a partner's reply). */
export type SagaWhen = SagaTrigger | ((pending: PartnerCall) => SagaTrigger);

export const started = (): SagaTrigger => ({ type: 'Start' });
export const resumed = (): SagaTrigger => ({ type: 'Resume' });
export const succeeded =
  (result: PartnerReply): SagaWhen =>
  (call) => ({ type: 'CallSucceeded', call, result });
export const rejected =
  (reason: string): SagaWhen =>
  (call) => ({ type: 'CallRejected', call, reason });
export const failed =
  (error: string): SagaWhen =>
  (call) => ({ type: 'CallFailed', call, error });

/** What a decision is expected to be; only the keys given are checked. */
export interface SagaExpectation {
  readonly status?: SagaDecision['status'];
  readonly outcome?: SagaDecision['outcome'];
  readonly orderCommands?: SagaDecision['orderCommands'];
  /** The types of the order commands, in order. */
  readonly commandTypes?: readonly string[];
  readonly orderEvents?: SagaDecision['orderEvents'];
  /** The partner call asked for; `undefined` = none. */
  readonly call?: PartnerCall | undefined;
  readonly nextAttemptAt?: string | null;
  readonly deadlineAt?: string | null;
  /** Fields of the order after the decision's events. */
  readonly order?: Partial<OrderState>;
  /** Fields of the saga state after the decision. */
  readonly saga?: Partial<SagaState>;
}

export interface SagaGiven {
  readonly order: OrderState;
  readonly saga: SagaState;
  readonly now: string;
  /** The latest decision (throws before the first). */
  readonly decision: SagaDecision;
  /** Every order command the saga issued so far, in order. */
  readonly commands: readonly OrderCommand[];
  /** Every partner call the saga asked for so far, in order. */
  readonly calls: readonly PartnerCall[];
  /** Inputs that already happened, without asserting on them. */
  and(...inputs: SagaWhen[]): SagaGiven;
  /** A change of the order from outside the saga (the API, another saga), decided by the order decider. */
  andOrder(command: OrderCommand): SagaGiven;
  /** Order fields the API cannot reach directly (a situation built by hand). */
  withOrder(patch: Partial<OrderState>): SagaGiven;
  /** Time passes before the next input. */
  after(ms: number): SagaGiven;
  when(input: SagaWhen): SagaScenario;
}

export interface SagaScenario {
  readonly decision: SagaDecision;
  /**
   * Asserts the decision (and the order / saga after it) and returns the saga as it now stands;
   * `more` checks the rest. Do not `await` or return a scenario: the `then` name makes it look thenable.
   */
  then(expected: SagaExpectation, more?: (decision: SagaDecision, after: SagaGiven) => void): SagaGiven;
}

interface Story {
  readonly kind: SagaKind;
  readonly policy: SagaPolicy;
  readonly jitter: number;
  readonly order: OrderState;
  readonly saga: SagaState;
  readonly now: string;
  readonly decision?: SagaDecision;
  readonly commands: readonly OrderCommand[];
  readonly calls: readonly PartnerCall[];
}

const addMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

function decide(story: Story, input: SagaWhen): Story {
  const trigger = typeof input === 'function' ? input(pendingCall(story)) : input;
  const decision = decideSaga({ ...trigger, now: story.now, jitter: story.jitter }, story.saga, story.order, story.policy);
  return {
    ...story,
    decision,
    // The decision's events are what its commit appends: fold exactly those, deciding nothing again.
    order: decision.orderEvents.reduce(evolveOrder, story.order),
    saga: decision.state,
    commands: [...story.commands, ...decision.orderCommands],
    calls: decision.call ? [...story.calls, decision.call] : story.calls,
  };
}

function pendingCall(story: Story): PartnerCall {
  if (!story.decision?.call) throw new Error('the saga has no call in flight to reply to');
  return story.decision.call;
}

function check(decision: SagaDecision, after: Story, expected: SagaExpectation): void {
  const { order, saga, commandTypes, ...fields } = expected;
  for (const [key, value] of Object.entries(fields)) {
    expect({ [key]: decision[key as keyof SagaDecision] }).toEqual({ [key]: value });
  }
  if (commandTypes) expect(decision.orderCommands.map((command) => command.type)).toEqual(commandTypes);
  if (order) expect(after.order).toMatchObject(order);
  if (saga) expect(after.saga).toMatchObject(saga);
}

function given(story: Story): SagaGiven {
  return {
    order: story.order,
    saga: story.saga,
    now: story.now,
    get decision() {
      if (!story.decision) throw new Error('no decision yet');
      return story.decision;
    },
    commands: story.commands,
    calls: story.calls,
    and: (...inputs) => given(inputs.reduce(decide, story)),
    andOrder: (command) => given({ ...story, order: decideOrderCommands([command], story.order).state }),
    withOrder: (patch) => given({ ...story, order: { ...story.order, ...patch } }),
    after: (ms) => given({ ...story, now: addMs(story.now, ms) }),
    when(input) {
      const next = decide(story, input);
      const decision = next.decision as SagaDecision;
      return {
        decision,
        then(expected, more) {
          if (typeof expected === 'function') throw new Error('a saga scenario is not a promise: do not await or return it');
          check(decision, next, expected);
          const after = given(next);
          more?.(decision, after);
          return after;
        },
      };
    },
  };
}

/** A saga of `kind` over the order that `history` built, at TEST_SAGA_T0, before its first input. */
export function givenSaga(
  kind: SagaKind,
  sagaId: string,
  history: readonly OrderEvent[],
  options: { readonly policy?: SagaPolicy; readonly jitter?: number } = {},
): SagaGiven {
  const order = history.reduce(evolveOrder, initialOrderState());
  return given({
    kind,
    policy: options.policy ?? TEST_SAGA_POLICY,
    jitter: options.jitter ?? 0.5,
    order,
    saga: initialSagaState(kind, sagaId, order.orderId),
    now: TEST_SAGA_T0,
    commands: [],
    calls: [],
  });
}

/** One transient failure fed to a saga, and how long the saga chose to wait before retrying. */
export interface RetryStep {
  readonly decision: SagaDecision;
  readonly delayMs: number | null;
}

/**
 * Fails the pending call `failures` times, each time waiting until the retry is due and
 * resuming, as the sweep would; stops early when the saga ends or stops asking to retry.
 * Returns each failure's decision and delay, and the saga as it then stands.
 */
export function throughOutage(saga: SagaGiven, failures: number, error = 'unavailable'): { readonly steps: RetryStep[]; readonly saga: SagaGiven } {
  const steps: RetryStep[] = [];
  let current = saga;
  for (let i = 0; i < failures; i++) {
    current = current.and(failed(error));
    const { decision } = current;
    const delayMs = decision.nextAttemptAt === null ? null : Date.parse(decision.nextAttemptAt) - Date.parse(current.now);
    steps.push({ decision, delayMs });
    if (decision.status !== 'RUNNING' || delayMs === null) break;
    current = current.after(delayMs).and(resumed());
  }
  return { steps, saga: current };
}
