import { TEST_ORDER_ID, TEST_SAGA_POLICY as POLICY, failed, givenSaga, orderHistory, rejected, resumed, started, succeeded, throughOutage } from '../testing';

const SAGA = 'saga-r-1';

const refundRequested = (amountMinor?: number) =>
  givenSaga('refund', SAGA, orderHistory('CONFIRMED', { sagaId: 'saga-f-1' })).andOrder({
    type: 'RequestRefund',
    data: { sagaId: SAGA, reason: 'damaged', ...(amountMinor ? { amountMinor } : {}) },
  });

describe('refund saga', () => {
  it('given a partial refund request, refunds that amount and the order becomes REFUNDED', () => {
    refundRequested(700)
      .when(started())
      .then({
        call: {
          step: 'refund',
          request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId: 'payment-1', amountMinor: 700, currency: 'EUR' },
        },
      })
      .when(succeeded({ refundId: 'ref-1' }))
      .then({
        orderCommands: [{ type: 'RecordRefund', data: { sagaId: SAGA, refundId: 'ref-1', amountMinor: 700, reason: 'damaged' } }],
        status: 'COMPLETED',
        outcome: 'refunded',
        order: { status: 'REFUNDED', refundedMinor: 700 },
      });
  });

  it('given a declined refund, records the failure and leaves the order as it was', () => {
    refundRequested()
      .and(started())
      .when(rejected('card expired'))
      .then(
        {
          orderCommands: [{ type: 'RecordRefundFailed', data: { sagaId: SAGA, reason: 'card expired' } }],
          status: 'COMPENSATED',
          outcome: 'refund_declined',
          order: { status: 'CONFIRMED' },
        },
        (_, after) => expect(after.order.pendingRefund).toBeUndefined(),
      );
  });

  it('given a transient failure, retries the refund with the same key', () => {
    const saga = refundRequested().and(started(), failed('timeout'), resumed(), succeeded({ refundId: 'ref-1' }));

    expect(saga.calls.map((c) => c.request.idempotencyKey)).toEqual([`${SAGA}:refund`, `${SAGA}:refund`]);
    expect(saga.order.status).toBe('REFUNDED');
  });

  it('given the payment partner failing transiently past maxAttempts, keeps the refund pending and retrying until it answers', () => {
    const { steps, saga } = throughOutage(refundRequested().and(started()), POLICY.maxAttempts * 5, 'timeout');

    expect(steps.every(({ decision }) => decision.status === 'RUNNING' && decision.orderCommands.length === 0)).toBe(true);
    expect(saga.order.pendingRefund?.sagaId).toBe(SAGA);
    saga.when(succeeded({ refundId: 'ref-1' })).then({ status: 'COMPLETED', order: { status: 'REFUNDED' } });
  });
});
