import { TEST_ORDER_ID, TEST_SAGA_POLICY as POLICY, givenSaga, orderHistory, rejected, started, succeeded, throughOutage, type SagaGiven } from '../testing';

const FULFILMENT = 'saga-f-1';
const SAGA = 'saga-c-1';
const TOTAL = 2500;

/** A CONFIRMED order (stock still held, fully paid) on which a cancellation was requested. */
function cancelRequested(before: (saga: SagaGiven) => SagaGiven = (saga) => saga): SagaGiven {
  return before(givenSaga('cancellation', SAGA, orderHistory('CONFIRMED', { sagaId: FULFILMENT }))).andOrder({
    type: 'RequestCancellation',
    data: { sagaId: SAGA, reason: 'customer request' },
  });
}

describe('cancellation saga', () => {
  it('given stock held and a payment, releases, refunds paid - refunded, then completes the cancellation', () => {
    cancelRequested()
      .when(started())
      .then({ call: { step: 'release', request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId: 'reservation-1' } } })
      .when(succeeded({}))
      .then({
        orderCommands: [{ type: 'RecordStockReleased', data: { sagaId: SAGA, reservationId: 'reservation-1' } }],
        call: {
          step: 'refund',
          request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId: 'payment-1', amountMinor: TOTAL, currency: 'EUR' },
        },
      })
      .when(succeeded({ refundId: 'ref-1' }))
      .then({
        orderCommands: [
          { type: 'RecordRefund', data: { sagaId: SAGA, refundId: 'ref-1', amountMinor: TOTAL, reason: 'customer request' } },
          { type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'customer request' } },
        ],
        status: 'COMPLETED',
        outcome: 'canceled',
        order: { status: 'CANCELED', refundedMinor: TOTAL },
      });
  });

  it('given no stock held, only refunds', () => {
    cancelRequested((saga) => saga.withOrder({ reservationId: undefined }))
      .when(started())
      .then({}, (decision) => expect(decision.call?.step).toBe('refund'))
      .when(succeeded({ refundId: 'ref-1' }))
      .then({ status: 'COMPLETED', order: { status: 'CANCELED' } }, (_, after) => expect(after.calls.map((c) => c.step)).toEqual(['refund']));
  });

  it('given a partial refund already made, refunds only what is left', () => {
    cancelRequested((saga) =>
      saga
        .andOrder({ type: 'RequestRefund', data: { sagaId: 'saga-r-1', amountMinor: 1000, reason: 'scratch' } })
        .andOrder({ type: 'RecordRefund', data: { sagaId: 'saga-r-1', refundId: 'ref-0', amountMinor: 1000, reason: 'scratch' } }),
    )
      .and(started())
      .when(succeeded({}))
      .then({}, (decision) => expect(decision.call?.request).toMatchObject({ amountMinor: TOTAL - 1000 }))
      .when(succeeded({ refundId: 'ref-1' }))
      .then({ order: { status: 'CANCELED', refundedMinor: TOTAL } });
  });

  it('given a refused release, ends in COMPENSATION_FAILED and flags the order', () => {
    cancelRequested()
      .and(started())
      .when(rejected('reservation already shipped'))
      .then({
        orderCommands: [
          { type: 'RecordCompensationFailed', data: { sagaId: SAGA, step: 'release', reason: 'release refused: reservation already shipped' } },
        ],
        status: 'COMPENSATION_FAILED',
        order: { compensationFailed: true },
      }, (decision) =>
        // The step and why it failed stay on the saga, for operators; no timer runs.
        expect(decision).toMatchObject({
          state: { step: 'release', lastError: 'release refused: reservation already shipped', stepStartedAt: null },
          nextAttemptAt: null,
        }),
      );
  });

  it('given a refund failing transiently past maxAttempts, keeps retrying with the same key, then completes the cancellation', () => {
    const refunding = cancelRequested().and(started(), succeeded({}));

    const { steps, saga } = throughOutage(refunding, POLICY.maxAttempts * 5, 'timeout');

    expect(steps.map(({ decision }) => decision.status)).toEqual(Array(POLICY.maxAttempts * 5).fill('RUNNING'));
    expect(Math.max(...steps.map(({ delayMs }) => delayMs ?? Infinity))).toBeLessThanOrEqual(POLICY.retryMaxMs);
    expect(saga.commands.map((c) => c.type)).not.toContain('RecordCompensationFailed');
    saga
      .when(succeeded({ refundId: 'ref-1' }))
      .then({ status: 'COMPLETED', order: { status: 'CANCELED' } }, (_, after) =>
        expect(new Set(after.calls.filter((c) => c.step === 'refund').map((c) => c.request.idempotencyKey))).toEqual(new Set([`${SAGA}:refund`])),
      );
  });

  it('waits while a refund saga is in flight, so the same money is never refunded twice', () => {
    cancelRequested()
      .withOrder({ pendingRefund: { sagaId: 'saga-r-1', amountMinor: 100, reason: 'x' } })
      .when(started())
      .then({ status: 'RUNNING', call: undefined }, (decision) => expect(decision.nextAttemptAt).not.toBeNull());
  });

  it('ends without doing anything when the order carries no cancellation of this saga', () => {
    givenSaga('cancellation', SAGA, orderHistory('CONFIRMED', { sagaId: FULFILMENT }))
      .when(started())
      .then({ status: 'COMPLETED', outcome: 'nothing_to_do', orderCommands: [] });
  });
});
