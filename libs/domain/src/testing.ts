/**
 * Builders and a given/when/then helper for tests of the order domain and of the libraries
 * built on it. Deterministic: fixed ids and times, a clock that stands still, no random.
 */
import type { EventMetadata, StoredEvent } from './events/stored-event';
import type { OrderCommand, PlaceOrder } from './order/order.commands';
import { decideOrder, evolveOrder, initialOrderState, orderEvent } from './order/order.decider';
import { orderStreamId, type OrderEvent, type OrderLine, type OrderPlaced } from './order/order.events';
import type { OrderState } from './order/order.state';
import { Clock } from './ports/clock.port';
import { DomainError, type DomainErrorCode } from './shared/domain-error';

export const TEST_ORDER_ID = 'order-1';
export const TEST_CUSTOMER_ID = 'customer-1';
export const TEST_SAGA_ID = 'saga-fulfilment-1';
export const TEST_OCCURRED_AT = '2026-01-01T00:00:00.000Z';

/** A clock that says `time` until a test moves it. */
export class FixedClock extends Clock {
  constructor(public time: Date = new Date(TEST_OCCURRED_AT)) {
    super();
  }
  now(): Date {
    return this.time;
  }
}

export const anOrderLine = (overrides: Partial<OrderLine> = {}): OrderLine => ({
  sku: 'SKU-1',
  qty: 2,
  unitPriceMinor: 1250,
  ...overrides,
});

export const aPlaceOrder = (overrides: Partial<PlaceOrder['data']> = {}): PlaceOrder => ({
  type: 'PlaceOrder',
  data: {
    orderId: TEST_ORDER_ID,
    customerId: TEST_CUSTOMER_ID,
    currency: 'EUR',
    items: [anOrderLine()],
    ...overrides,
  },
});

/** OrderPlaced with `totalMinor` computed from the items unless given. */
export const anOrderPlaced = (overrides: Partial<OrderPlaced['data']> = {}): OrderPlaced => {
  const items = overrides.items ?? [anOrderLine()];
  return orderEvent('OrderPlaced', {
    orderId: TEST_ORDER_ID,
    customerId: TEST_CUSTOMER_ID,
    currency: 'EUR',
    items,
    totalMinor: items.reduce((sum, line) => sum + line.qty * line.unitPriceMinor, 0),
    ...overrides,
  });
};

export type OrderStage =
  | 'PLACED'
  | 'PAYMENT_REQUESTED'
  | 'RESERVED'
  | 'PAID'
  | 'CONFIRMED'
  | 'REFUNDED'
  | 'CANCELED';

export interface OrderHistoryOptions {
  readonly orderId?: string;
  readonly customerId?: string;
  readonly items?: readonly OrderLine[];
  readonly currency?: string;
  readonly sagaId?: string;
  readonly reservationId?: string;
  readonly paymentId?: string;
}

/**
 * The events that bring an order to a stage along the happy path: PLACED -> PAYMENT_REQUESTED
 * -> RESERVED -> PAID -> CONFIRMED; REFUNDED = CONFIRMED then a full refund; CANCELED = PLACED
 * then canceled before payment.
 */
export function orderHistory(stage: OrderStage, options: OrderHistoryOptions = {}): OrderEvent[] {
  const orderId = options.orderId ?? TEST_ORDER_ID;
  const sagaId = options.sagaId ?? TEST_SAGA_ID;
  const placed = anOrderPlaced({
    orderId,
    customerId: options.customerId ?? TEST_CUSTOMER_ID,
    currency: options.currency ?? 'EUR',
    ...(options.items ? { items: options.items } : {}),
  });
  const total = placed.data.totalMinor;
  const steps: OrderEvent[] = [placed];
  if (stage === 'PLACED') return steps;
  if (stage === 'CANCELED') return [...steps, orderEvent('OrderCanceled', { orderId, reason: 'customer request', refundedMinor: 0 })];
  steps.push(orderEvent('OrderPaymentRequested', { orderId, sagaId, amountMinor: total, currency: placed.data.currency }));
  if (stage === 'PAYMENT_REQUESTED') return steps;
  steps.push(orderEvent('OrderStockReserved', { orderId, sagaId, reservationId: options.reservationId ?? 'reservation-1' }));
  if (stage === 'RESERVED') return steps;
  steps.push(orderEvent('OrderPaid', { orderId, sagaId, paymentId: options.paymentId ?? 'payment-1', amountMinor: total }));
  if (stage === 'PAID') return steps;
  steps.push(orderEvent('OrderConfirmed', { orderId, sagaId }));
  if (stage === 'CONFIRMED') return steps;
  const refundSagaId = `${sagaId}-refund`;
  steps.push(
    orderEvent('OrderRefundRequested', { orderId, sagaId: refundSagaId, amountMinor: total, reason: 'customer request' }),
    orderEvent('OrderRefunded', { orderId, sagaId: refundSagaId, refundId: 'refund-1', amountMinor: total, reason: 'customer request' }),
  );
  return steps;
}

export interface StoredEventsOptions {
  /** Version of the first event (default 1). */
  readonly fromVersion?: number;
  /** Global position of the first event (default = its version). */
  readonly fromPosition?: number;
  /** Time of the first event; each next one is one second later (default TEST_OCCURRED_AT). */
  readonly startAt?: string;
  readonly metadata?: Partial<EventMetadata>;
}

/** Wraps order events as they would come back from the event store of `order-<orderId>`. */
export function storedEvents(orderId: string, ...events: OrderEvent[]): StoredEvent[] {
  return storedEventsWith(orderId, {}, ...events);
}

export function storedEventsWith(orderId: string, options: StoredEventsOptions, ...events: OrderEvent[]): StoredEvent[] {
  const fromVersion = options.fromVersion ?? 1;
  const fromPosition = options.fromPosition ?? fromVersion;
  const start = Date.parse(options.startAt ?? TEST_OCCURRED_AT);
  return events.map((event, index) => ({
    eventId: `${orderId}-event-${fromVersion + index}`,
    streamId: orderStreamId(orderId),
    version: fromVersion + index,
    position: fromPosition + index,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: { occurredAt: new Date(start + index * 1000).toISOString(), ...options.metadata },
  }));
}

export const stateOf = (...events: OrderEvent[]): OrderState => events.reduce(evolveOrder, initialOrderState());

/** What a decision produced: the events, or the DomainError it threw. */
export type Decision = { readonly events: OrderEvent[] } | { readonly error: DomainError };

export interface OrderScenario {
  readonly state: OrderState;
  readonly decision: Decision;
  /**
   * Asserts the command produced exactly these events (array) or was rejected with this code
   * (string), and returns the state after the produced events.
   * Do not `await` or return the scenario from a test: the `then` name makes it look thenable.
   */
  then(expected: readonly OrderEvent[] | DomainErrorCode): OrderState;
  /** Asserts a VALIDATION_FAILED rejection naming exactly these fields (any order), each with a message. */
  thenViolations(fields: readonly string[]): void;
}

/** given(...history).when(command).then(events | errorCode), with jest's `expect`. */
export function given(...history: OrderEvent[]): { readonly state: OrderState; when(command: OrderCommand): OrderScenario } {
  const state = stateOf(...history);
  return {
    state,
    when(command) {
      let decision: Decision;
      try {
        decision = { events: decideOrder(command, state) };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        decision = { error };
      }
      const describe = (): string =>
        'events' in decision ? `events ${JSON.stringify(decision.events.map((e) => e.type))}` : `${decision.error.code}: ${decision.error.message}`;
      return {
        state,
        decision,
        then(expected) {
          if (typeof expected === 'function') throw new Error('a scenario is not a promise: do not await or return it');
          if (typeof expected === 'string') {
            if (!('error' in decision)) throw new Error(`expected ${expected} but got ${describe()}`);
            expect(decision.error.code).toBe(expected);
            return state;
          }
          if (!('events' in decision)) throw new Error(`expected events but got ${describe()}`);
          expect(decision.events).toEqual(expected);
          return decision.events.reduce(evolveOrder, state);
        },
        thenViolations(fields) {
          if (!('error' in decision)) throw new Error(`expected VALIDATION_FAILED but got ${describe()}`);
          expect(decision.error.code).toBe('VALIDATION_FAILED');
          expect(decision.error.violations.map((v) => v.field).sort()).toEqual([...fields].sort());
          for (const violation of decision.error.violations) expect(violation.message).not.toBe('');
        },
      };
    },
  };
}

export * from './testing/saga-scenario';
