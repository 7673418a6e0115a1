import { orderHistory, TEST_ORDER_ID } from '../testing';
import { failThroughOutage, sagaRun, TEST_POLICY } from './saga.spec-helpers';

const FULFILMENT = 'saga-f-1';
const SAGA = 'saga-c-1';
const TOTAL = 2500;

/** A CONFIRMED order (stock still held, fully paid) on which a cancellation was requested. */
function cancelRequested(extra: (run: ReturnType<typeof sagaRun>) => void = () => undefined) {
  const run = sagaRun('cancellation', SAGA, orderHistory('CONFIRMED', { sagaId: FULFILMENT }));
  extra(run);
  run.orderCommand({ type: 'RequestCancellation', data: { sagaId: SAGA, reason: 'customer request' } });
  return run;
}

describe('cancellation saga', () => {
  it('given stock held and a payment, releases, refunds paid - refunded, then completes the cancellation', () => {
    const run = cancelRequested();

    const started = run.start();
    expect(started.call).toEqual({
      step: 'release',
      request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId: 'reservation-1' },
    });

    const released = run.succeed({});
    expect(released.orderCommands).toEqual([{ type: 'RecordStockReleased', data: { sagaId: SAGA, reservationId: 'reservation-1' } }]);
    expect(released.call).toEqual({
      step: 'refund',
      request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId: 'payment-1', amountMinor: TOTAL, currency: 'EUR' },
    });

    const refunded = run.succeed({ refundId: 'ref-1' });
    expect(refunded.orderCommands).toEqual([
      { type: 'RecordRefund', data: { sagaId: SAGA, refundId: 'ref-1', amountMinor: TOTAL, reason: 'customer request' } },
      { type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'customer request' } },
    ]);
    expect(refunded.status).toBe('COMPLETED');
    expect(refunded.outcome).toBe('canceled');
    expect(run.order.status).toBe('CANCELED');
    expect(run.order.refundedMinor).toBe(TOTAL);
  });

  it('given no stock held, only refunds', () => {
    const run = cancelRequested((r) => r.patchOrder({ reservationId: undefined }));

    const started = run.start();
    expect(started.call?.step).toBe('refund');

    run.succeed({ refundId: 'ref-1' });
    expect(run.calls.map((c) => c.step)).toEqual(['refund']);
    expect(run.decision.status).toBe('COMPLETED');
    expect(run.order.status).toBe('CANCELED');
  });

  it('given a partial refund already made, refunds only what is left', () => {
    const run = cancelRequested((r) => {
      r.orderCommand({ type: 'RequestRefund', data: { sagaId: 'saga-r-1', amountMinor: 1000, reason: 'scratch' } });
      r.orderCommand({ type: 'RecordRefund', data: { sagaId: 'saga-r-1', refundId: 'ref-0', amountMinor: 1000, reason: 'scratch' } });
    });
    run.start();
    run.succeed({});

    expect(run.decision.call?.request).toMatchObject({ amountMinor: TOTAL - 1000 });
    run.succeed({ refundId: 'ref-1' });
    expect(run.order.status).toBe('CANCELED');
    expect(run.order.refundedMinor).toBe(TOTAL);
  });

  it('given a refused release, ends in COMPENSATION_FAILED and flags the order', () => {
    const run = cancelRequested();
    run.start();

    const refused = run.reject('reservation already shipped');

    expect(refused.orderCommands).toEqual([
      { type: 'RecordCompensationFailed', data: { sagaId: SAGA, step: 'release', reason: 'release refused: reservation already shipped' } },
    ]);
    expect(refused.status).toBe('COMPENSATION_FAILED');
    expect(run.order.compensationFailed).toBe(true);
  });

  it('given a refund failing transiently past maxAttempts, keeps retrying with the same key, then completes the cancellation', () => {
    const run = cancelRequested();
    run.start();
    run.succeed({});

    const retries = failThroughOutage(run, TEST_POLICY.maxAttempts * 5, 'timeout');

    expect(retries.map(({ decision }) => decision.status)).toEqual(Array(TEST_POLICY.maxAttempts * 5).fill('RUNNING'));
    expect(Math.max(...retries.map(({ delayMs }) => delayMs ?? Infinity))).toBeLessThanOrEqual(TEST_POLICY.retryMaxMs);
    expect(run.commands.map((c) => c.type)).not.toContain('RecordCompensationFailed');
    const done = run.succeed({ refundId: 'ref-1' });
    expect(done.status).toBe('COMPLETED');
    expect(run.order.status).toBe('CANCELED');
    expect(new Set(run.calls.filter((c) => c.step === 'refund').map((c) => c.request.idempotencyKey))).toEqual(new Set([`${SAGA}:refund`]));
  });

  it('waits while a refund saga is in flight, so the same money is never refunded twice', () => {
    const run = cancelRequested();
    run.patchOrder({ pendingRefund: { sagaId: 'saga-r-1', amountMinor: 100, reason: 'x' } });

    const waiting = run.start();

    expect(waiting.status).toBe('RUNNING');
    expect(waiting.call).toBeUndefined();
    expect(waiting.nextAttemptAt).not.toBeNull();
  });

  it('ends without doing anything when the order carries no cancellation of this saga', () => {
    const run = sagaRun('cancellation', SAGA, orderHistory('CONFIRMED', { sagaId: FULFILMENT }));
    const started = run.start();
    expect(started.status).toBe('COMPLETED');
    expect(started.outcome).toBe('nothing_to_do');
    expect(started.orderCommands).toEqual([]);
  });
});
