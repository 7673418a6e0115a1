import fc from 'fast-check';
import { DomainError } from '../shared/domain-error';
import { aPlaceOrder, orderHistory, storedEvents, TEST_ORDER_ID, TEST_SAGA_ID, type OrderStage } from '../testing';
import type { OrderCommand } from './order.commands';
import { decideOrder, evolveOrder, initialOrderState, orderEvent } from './order.decider';
import type { OrderEvent } from './order.events';
import { rehydrateOrder } from './order.rehydrate';
import type { OrderState } from './order.state';

/**
 * Random command sequences (valid or not) against the decider: whatever is accepted, the
 * order's invariants hold and the stream rehydrates to the same state.
 */
const TOTAL = 2500;
const sagas = fc.oneof(
  { arbitrary: fc.constant(TEST_SAGA_ID), weight: 4 },
  { arbitrary: fc.constantFrom('saga-cancel', 'saga-refund'), weight: 3 },
  { arbitrary: fc.constant('saga-other'), weight: 1 },
);
/** Start from a random point of the happy path so that deep states are explored too. */
type Start = OrderStage | 'NEW' | 'PARTLY_REFUNDED';
const start = fc.constantFrom<Start>('NEW', 'PLACED', 'PAYMENT_REQUESTED', 'RESERVED', 'PAID', 'CONFIRMED', 'PARTLY_REFUNDED', 'REFUNDED');
const historyOf = (stage: Start): OrderEvent[] => {
  if (stage === 'NEW') return [];
  if (stage !== 'PARTLY_REFUNDED') return orderHistory(stage);
  const data = { orderId: TEST_ORDER_ID, sagaId: 'saga-r0', amountMinor: 1000, reason: 'r0' };
  return [...orderHistory('CONFIRMED'), orderEvent('OrderRefundRequested', data), orderEvent('OrderRefunded', { ...data, refundId: 'refund-0' })];
};
const reason = fc.constantFrom('r1', 'r2', '');
/** Amounts around the edges (the total, the partial refund of the start, one too many) and anywhere. */
const amount = fc.oneof(fc.constantFrom(-1, 0, 1, 1000, TOTAL - 1000, TOTAL - 1, TOTAL, TOTAL + 1), fc.integer({ min: -5, max: TOTAL + 5 }));

const command: fc.Arbitrary<OrderCommand> = fc.oneof(
  fc.constant(aPlaceOrder()),
  sagas.map((sagaId) => ({ type: 'RequestPayment', data: { sagaId } }) as const),
  fc.record({ sagaId: sagas, reason }).map((data) => ({ type: 'RequestCancellation', data }) as const),
  fc
    .record({ sagaId: sagas, reason, amountMinor: fc.option(amount, { nil: undefined }) })
    .map(({ amountMinor, ...rest }) => ({ type: 'RequestRefund', data: amountMinor === undefined ? rest : { ...rest, amountMinor } }) as const),
  sagas.map((sagaId) => ({ type: 'RecordStockReserved', data: { sagaId, reservationId: 'reservation-1' } }) as const),
  fc.record({ sagaId: sagas, reason }).map((data) => ({ type: 'RecordStockReservationFailed', data }) as const),
  sagas.map((sagaId) => ({ type: 'RecordPayment', data: { sagaId, paymentId: 'payment-1', amountMinor: TOTAL } }) as const),
  fc.record({ sagaId: sagas, reason }).map((data) => ({ type: 'RecordPaymentFailed', data }) as const),
  sagas.map((sagaId) => ({ type: 'RecordStockReleased', data: { sagaId, reservationId: 'reservation-1' } }) as const),
  sagas.map((sagaId) => ({ type: 'ConfirmOrder', data: { sagaId } }) as const),
  fc.record({ sagaId: sagas, reason }).map((data) => ({ type: 'CompleteCancellation', data }) as const),
  fc
    .record({ sagaId: sagas, reason, amountMinor: amount })
    .map((data) => ({ type: 'RecordRefund', data: { ...data, refundId: 'refund-1' } }) as const),
  fc.record({ sagaId: sagas, reason }).map((data) => ({ type: 'RecordRefundFailed', data }) as const),
  fc.record({ sagaId: sagas, reason }).map((data) => ({ type: 'RecordCompensationFailed', data: { ...data, step: 'release' } }) as const),
);

function checkInvariants(state: OrderState, events: readonly OrderEvent[]): void {
  expect(state.version).toBe(events.length);
  expect(state.refundedMinor).toBeGreaterThanOrEqual(0);
  expect(state.refundedMinor).toBeLessThanOrEqual(state.paidMinor);
  expect(state.paidMinor).toBeLessThanOrEqual(state.totalMinor);
  expect(state.pendingRefund !== undefined && state.pendingCancellation !== undefined).toBe(false);
  if (state.status === 'CONFIRMED') expect(state).toMatchObject({ fulfilment: 'DONE', paymentId: 'payment-1' });
  if (state.status === 'REFUNDED') expect(state.refundedMinor).toBeGreaterThan(0);
  if (state.status === 'PAID') expect(state.paidMinor).toBe(TOTAL);
  if (state.pendingRefund) expect(state.pendingRefund.amountMinor).toBeLessThanOrEqual(state.paidMinor - state.refundedMinor);
}

describe('order decider properties', () => {
  it('keeps its invariants under any sequence of commands', () => {
    fc.assert(
      fc.property(start, fc.array(command, { maxLength: 40 }), (stage, commands) => {
        const events: OrderEvent[] = historyOf(stage);
        let state = events.reduce(evolveOrder, initialOrderState());
        let canceledAt = -1;
        for (const next of commands) {
          let decided: OrderEvent[];
          try {
            decided = decideOrder(next, state);
          } catch (error) {
            // Rejections are domain errors, never crashes.
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          expect(decided.length).toBeGreaterThan(0);
          if (canceledAt >= 0) expect(decided.map((event) => event.type)).toEqual(['OrderCompensationFailed']);
          for (const event of decided) {
            state = evolveOrder(state, event);
            events.push(event);
            checkInvariants(state, events);
          }
          if (state.status === 'CANCELED' && canceledAt < 0) canceledAt = events.length;
        }
        expect(rehydrateOrder(storedEvents(TEST_ORDER_ID, ...events))).toEqual(state);
      }),
      { numRuns: 400, seed: 20260101 },
    );
  });

  it('explores the whole lifecycle (the generator reaches every status)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(start, fc.array(command, { maxLength: 40 }), (stage, commands) => {
        let state = historyOf(stage).reduce(evolveOrder, initialOrderState());
        for (const next of commands) {
          try {
            state = decideOrder(next, state).reduce(evolveOrder, state);
          } catch {
            continue;
          }
          if (state.exists) seen.add(`${state.status}${state.pendingCancellation ? '+cancel' : ''}${state.pendingRefund ? '+refund' : ''}`);
        }
      }),
      { numRuns: 400, seed: 20260101 },
    );
    // Seen after an accepted command: every status, and the pending sagas on top.
    for (const expected of ['PENDING', 'PENDING+cancel', 'RESERVED', 'RESERVED+cancel', 'PAID', 'PAID+cancel', 'PAID+refund', 'CONFIRMED', 'CONFIRMED+cancel', 'CONFIRMED+refund', 'REFUNDED', 'REFUNDED+cancel', 'REFUNDED+refund', 'CANCELED']) {
      expect(seen).toContain(expected);
    }
  });
});
