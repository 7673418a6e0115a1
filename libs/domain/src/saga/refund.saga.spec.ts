import { orderHistory, TEST_ORDER_ID } from '../testing';
import { failThroughOutage, sagaRun, TEST_POLICY } from './saga.spec-helpers';

const SAGA = 'saga-r-1';

function refundRequested(amountMinor?: number) {
  const run = sagaRun('refund', SAGA, orderHistory('CONFIRMED', { sagaId: 'saga-f-1' }));
  run.orderCommand({ type: 'RequestRefund', data: { sagaId: SAGA, reason: 'damaged', ...(amountMinor ? { amountMinor } : {}) } });
  return run;
}

describe('refund saga', () => {
  it('given a partial refund request, refunds that amount and the order becomes REFUNDED', () => {
    const run = refundRequested(700);

    const started = run.start();
    expect(started.call).toEqual({
      step: 'refund',
      request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId: 'payment-1', amountMinor: 700, currency: 'EUR' },
    });

    const done = run.succeed({ refundId: 'ref-1' });
    expect(done.orderCommands).toEqual([
      { type: 'RecordRefund', data: { sagaId: SAGA, refundId: 'ref-1', amountMinor: 700, reason: 'damaged' } },
    ]);
    expect(done.status).toBe('COMPLETED');
    expect(done.outcome).toBe('refunded');
    expect(run.order.status).toBe('REFUNDED');
    expect(run.order.refundedMinor).toBe(700);
  });

  it('given a declined refund, records the failure and leaves the order as it was', () => {
    const run = refundRequested();
    run.start();

    const declined = run.reject('card expired');

    expect(declined.orderCommands).toEqual([{ type: 'RecordRefundFailed', data: { sagaId: SAGA, reason: 'card expired' } }]);
    expect(declined.status).toBe('COMPENSATED');
    expect(declined.outcome).toBe('refund_declined');
    expect(run.order.status).toBe('CONFIRMED');
    expect(run.order.pendingRefund).toBeUndefined();
  });

  it('given a transient failure, retries the refund with the same key', () => {
    const run = refundRequested();
    run.start();
    run.fail('timeout');
    run.resume();
    run.succeed({ refundId: 'ref-1' });

    expect(run.calls.map((c) => c.request.idempotencyKey)).toEqual([`${SAGA}:refund`, `${SAGA}:refund`]);
    expect(run.order.status).toBe('REFUNDED');
  });

  it('given the payment partner failing transiently past maxAttempts, keeps the refund pending and retrying until it answers', () => {
    const run = refundRequested();
    run.start();

    const retries = failThroughOutage(run, TEST_POLICY.maxAttempts * 5, 'timeout');

    expect(retries.every(({ decision }) => decision.status === 'RUNNING' && decision.orderCommands.length === 0)).toBe(true);
    expect(run.order.pendingRefund?.sagaId).toBe(SAGA);
    const done = run.succeed({ refundId: 'ref-1' });
    expect(done.status).toBe('COMPLETED');
    expect(run.order.status).toBe('REFUNDED');
  });
});
