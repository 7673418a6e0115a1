/**
 * A tiny harness for saga decider specs: it keeps the saga and order state between inputs,
 * applying each decision's order commands with the real order decider, as the orchestrator does.
 */
import type { OrderCommand } from '../order/order.commands';
import type { OrderEvent } from '../order/order.events';
import type { OrderState } from '../order/order.state';
import { stateOf } from '../testing';
import type { SagaKind } from '../ports/saga-store.port';
import { decideOrderCommands, evolveOrder } from '../order/order.decider';
import { decideSaga } from './saga.decider';
import { initialSagaState, type PartnerCall, type PartnerReply, type SagaDecision, type SagaPolicy, type SagaState, type SagaTrigger } from './saga.types';

export const TEST_POLICY: SagaPolicy = {
  maxAttempts: 3,
  retryBaseMs: 100,
  retryMaxMs: 1_000,
  stepDeadlineMs: 60_000,
  callTimeoutMs: 2_000,
};

export const T0 = '2026-01-01T00:00:00.000Z';

export interface SagaRun {
  readonly order: OrderState;
  readonly saga: SagaState;
  /** The latest decision. */
  readonly decision: SagaDecision;
  /** Every order command the saga issued so far, in order. */
  readonly commands: readonly OrderCommand[];
  /** Every partner call the saga asked for so far, in order. */
  readonly calls: readonly PartnerCall[];
  readonly now: string;
  start(): SagaDecision;
  resume(): SagaDecision;
  succeed(reply: PartnerReply): SagaDecision;
  reject(reason: string): SagaDecision;
  fail(error: string): SagaDecision;
  /** Feeds an arbitrary trigger (e.g. a stale reply). */
  feed(trigger: SagaTrigger): SagaDecision;
  advance(ms: number): void;
  /** A change of the order from outside the saga (the API, another saga). */
  orderCommand(command: OrderCommand): void;
  /** Replaces the order state (for situations the API cannot reach yet). */
  patchOrder(patch: Partial<OrderState>): void;
}

export function sagaRun(
  kind: SagaKind,
  sagaId: string,
  history: readonly OrderEvent[],
  options: { policy?: SagaPolicy; jitter?: number } = {},
): SagaRun {
  const policy = options.policy ?? TEST_POLICY;
  const jitter = options.jitter ?? 0.5;
  let order = stateOf(...history);
  let saga: SagaState = initialSagaState(kind, sagaId, order.orderId);
  let now = T0;
  let decision: SagaDecision | undefined;
  const commands: OrderCommand[] = [];
  const calls: PartnerCall[] = [];

  const feed = (trigger: SagaTrigger): SagaDecision => {
    const next = decideSaga({ ...trigger, now, jitter }, saga, order, policy);
    order = next.orderEvents.reduce(evolveOrder, order);
    saga = next.state;
    decision = next;
    commands.push(...next.orderCommands);
    if (next.call) calls.push(next.call);
    return next;
  };
  const pendingCall = (): PartnerCall => {
    if (!decision?.call) throw new Error('the saga has no call in flight');
    return decision.call;
  };

  return {
    get order() {
      return order;
    },
    get saga() {
      return saga;
    },
    get decision() {
      if (!decision) throw new Error('no decision yet');
      return decision;
    },
    commands,
    calls,
    get now() {
      return now;
    },
    start: () => feed({ type: 'Start' }),
    resume: () => feed({ type: 'Resume' }),
    succeed: (reply) => feed({ type: 'CallSucceeded', call: pendingCall(), result: reply }),
    reject: (reason) => feed({ type: 'CallRejected', call: pendingCall(), reason }),
    fail: (error) => feed({ type: 'CallFailed', call: pendingCall(), error }),
    feed,
    advance(ms) {
      now = new Date(Date.parse(now) + ms).toISOString();
    },
    orderCommand(command) {
      order = decideOrderCommands([command], order).state;
    },
    patchOrder(patch) {
      order = { ...order, ...patch };
    },
  };
}

export const commandTypes = (commands: readonly OrderCommand[]): string[] => commands.map((command) => command.type);

/** One transient failure fed to a saga, and how long the saga chose to wait before retrying. */
export interface RetryStep {
  readonly decision: SagaDecision;
  readonly delayMs: number | null;
}

/**
 * Fails the pending call `failures` times, each time waiting until the retry is due and
 * resuming, as the sweep would; stops early when the saga ends or stops asking to retry.
 */
export function failThroughOutage(run: SagaRun, failures: number, error = 'unavailable'): RetryStep[] {
  const steps: RetryStep[] = [];
  for (let i = 0; i < failures; i++) {
    const decision = run.fail(error);
    const delayMs = decision.nextAttemptAt === null ? null : Date.parse(decision.nextAttemptAt) - Date.parse(run.now);
    steps.push({ decision, delayMs });
    if (decision.status !== 'RUNNING' || delayMs === null) break;
    run.advance(delayMs);
    run.resume();
  }
  return steps;
}
