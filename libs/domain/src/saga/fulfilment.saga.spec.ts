import { orderHistory, TEST_ORDER_ID } from '../testing';
import { retryDelayMs } from './saga.backoff';
import { commandTypes, failThroughOutage, sagaRun, T0, TEST_POLICY } from './saga.spec-helpers';

const SAGA = 'saga-f-1';
const TOTAL = 2500; // orderHistory's default line: 2 x 1250
const paymentRequested = () => orderHistory('PAYMENT_REQUESTED', { sagaId: SAGA });
const atMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('fulfilment saga', () => {
  it('given a payment request, reserves, charges and confirms the order', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());

    const started = run.start();
    expect(started.status).toBe('RUNNING');
    expect(started.orderCommands).toEqual([]);
    expect(started.call).toEqual({
      step: 'reserve',
      request: { idempotencyKey: `${SAGA}:reserve`, orderId: TEST_ORDER_ID, items: run.order.items },
    });
    expect(started.nextAttemptAt).toBe(atMs(T0, TEST_POLICY.callTimeoutMs));

    const reserved = run.succeed({ reservationId: 'res-1' });
    expect(reserved.orderCommands).toEqual([{ type: 'RecordStockReserved', data: { sagaId: SAGA, reservationId: 'res-1' } }]);
    expect(reserved.call).toEqual({
      step: 'charge',
      request: { idempotencyKey: `${SAGA}:charge`, orderId: TEST_ORDER_ID, amountMinor: TOTAL, currency: 'EUR' },
    });
    expect(run.order.status).toBe('RESERVED');

    const paid = run.succeed({ paymentId: 'pay-1' });
    expect(paid.orderCommands).toEqual([
      { type: 'RecordPayment', data: { sagaId: SAGA, paymentId: 'pay-1', amountMinor: TOTAL } },
      { type: 'ConfirmOrder', data: { sagaId: SAGA } },
    ]);
    expect(paid.call).toBeUndefined();
    expect(paid.status).toBe('COMPLETED');
    expect(paid.outcome).toBe('confirmed');
    expect(paid.nextAttemptAt).toBeNull();
    expect(run.order.status).toBe('CONFIRMED');
  });

  it('given an out-of-stock SKU, the refusal cancels the order with its reason and nothing is undone', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();

    const refused = run.reject('out of stock: OOS-1');

    expect(refused.orderCommands).toEqual([
      { type: 'RecordStockReservationFailed', data: { sagaId: SAGA, reason: 'out of stock: OOS-1' } },
    ]);
    expect(refused.call).toBeUndefined();
    expect(refused.status).toBe('COMPENSATED');
    expect(refused.outcome).toBe('canceled');
    expect(run.order.status).toBe('CANCELED');
    expect(run.calls.map((c) => c.step)).toEqual(['reserve']);
  });

  it('given a declined charge, releases the stock and then completes the cancellation', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.succeed({ reservationId: 'res-1' });

    const declined = run.reject('amount above limit');
    expect(declined.orderCommands).toEqual([{ type: 'RecordPaymentFailed', data: { sagaId: SAGA, reason: 'amount above limit' } }]);
    expect(declined.call).toEqual({
      step: 'release',
      request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId: 'res-1' },
    });
    expect(declined.status).toBe('RUNNING');

    const released = run.succeed({});
    expect(released.orderCommands).toEqual([
      { type: 'RecordStockReleased', data: { sagaId: SAGA, reservationId: 'res-1' } },
      { type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'amount above limit' } },
    ]);
    expect(released.status).toBe('COMPENSATED');
    expect(released.outcome).toBe('canceled');
    expect(run.order.status).toBe('CANCELED');
    expect(run.order.reservationId).toBeUndefined();
  });

  it('given a transient reserve failure, retries later with the same idempotency key, then succeeds', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested(), { jitter: 0.25 });
    run.start();

    const failed = run.fail('inventory unavailable');
    expect(failed.status).toBe('RUNNING');
    expect(failed.call).toBeUndefined();
    expect(failed.orderCommands).toEqual([]);
    expect(failed.nextAttemptAt).toBe(atMs(T0, retryDelayMs(1, 0.25, TEST_POLICY)));
    expect(run.saga.attempts).toBe(1);

    run.advance(1_000);
    const retried = run.resume();
    expect(retried.call?.step).toBe('reserve');
    expect(run.saga.attempts).toBe(1);

    run.succeed({ reservationId: 'res-1' });
    expect(run.order.status).toBe('RESERVED');
    expect(run.saga.attempts).toBe(0);
    expect(run.calls.map((c) => c.request.idempotencyKey)).toEqual([`${SAGA}:reserve`, `${SAGA}:reserve`, `${SAGA}:charge`]);
  });

  it('keeps every idempotency key stable across retries and a crash-resume', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.succeed({ reservationId: 'res-1' });
    run.fail('timeout');
    run.resume();
    run.resume(); // the process died with the call in flight; the sweep repeats it
    run.fail('timeout');
    run.resume();

    const charges = run.calls.filter((c) => c.step === 'charge');
    expect(charges).toHaveLength(4);
    expect(new Set(charges.map((c) => c.request.idempotencyKey))).toEqual(new Set([`${SAGA}:charge`]));
    expect(run.saga.attempts).toBe(2);
  });

  it('given reserve retries exhausted, cancels the order and releases blind by the reserve key', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.fail('timeout');
    run.resume();
    run.fail('timeout');
    run.resume();

    const gaveUp = run.fail('timeout');
    expect(commandTypes(gaveUp.orderCommands)).toEqual(['RecordStockReservationFailed']);
    const reason = (gaveUp.orderCommands[0] as { data: { reason: string } }).data.reason;
    expect(reason).toMatch(/^inventory unavailable: timeout after 3 failed attempt/);
    expect(run.order.status).toBe('CANCELED');
    expect(gaveUp.call).toEqual({
      step: 'release',
      request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId: `${SAGA}:reserve` },
    });

    const done = run.succeed({});
    expect(done.orderCommands).toEqual([]);
    expect(done.status).toBe('COMPENSATED');
    expect(done.outcome).toBe('canceled');
  });

  it('given charge retries exhausted, releases the stock, refunds blind by the charge key and cancels', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.succeed({ reservationId: 'res-1' });
    run.fail('timeout');
    run.resume();
    run.fail('timeout');
    run.resume();

    const gaveUp = run.fail('timeout');
    expect(commandTypes(gaveUp.orderCommands)).toEqual(['RecordPaymentFailed']);
    expect(gaveUp.call).toEqual({
      step: 'release',
      request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId: 'res-1' },
    });

    const released = run.succeed({});
    expect(commandTypes(released.orderCommands)).toEqual(['RecordStockReleased']);
    expect(released.call).toEqual({
      step: 'refund',
      request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId: `${SAGA}:charge`, amountMinor: TOTAL, currency: 'EUR' },
    });

    const refunded = run.succeed({ refundId: 'ref-1' });
    expect(commandTypes(refunded.orderCommands)).toEqual(['CompleteCancellation']);
    expect(refunded.status).toBe('COMPENSATED');
    expect(run.order.status).toBe('CANCELED');
    expect(run.order.refundedMinor).toBe(0);
  });

  it('given a release failing transiently past maxAttempts and the step deadline, keeps retrying with the same key until it succeeds', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.succeed({ reservationId: 'res-1' });
    run.reject('amount above limit');
    const outage = TEST_POLICY.stepDeadlineMs / TEST_POLICY.retryMaxMs + TEST_POLICY.maxAttempts * 10;

    const retries = failThroughOutage(run, outage, 'timeout');

    expect(retries).toHaveLength(outage);
    for (const { decision, delayMs } of retries) {
      expect(decision.status).toBe('RUNNING');
      expect(decision.orderCommands).toEqual([]);
      expect(decision.deadlineAt).toBeNull();
      expect(delayMs).toBeGreaterThan(0);
      expect(delayMs).toBeLessThanOrEqual(TEST_POLICY.retryMaxMs);
    }
    expect(Date.parse(run.now) - Date.parse(T0)).toBeGreaterThan(TEST_POLICY.stepDeadlineMs);
    expect(run.decision.call?.step).toBe('release');
    expect(new Set(run.calls.filter((c) => c.step === 'release').map((c) => c.request.idempotencyKey))).toEqual(new Set([`${SAGA}:release`]));
    expect(run.order.compensationFailed).toBe(false);

    const released = run.succeed({});
    expect(commandTypes(released.orderCommands)).toEqual(['RecordStockReleased', 'CompleteCancellation']);
    expect(released.status).toBe('COMPENSATED');
    expect(run.order.status).toBe('CANCELED');
  });

  it('given a release refused by the partner, ends in COMPENSATION_FAILED at once', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.succeed({ reservationId: 'res-1' });
    run.reject('amount above limit');

    const refused = run.reject('unknown reservation');

    expect(commandTypes(refused.orderCommands)).toEqual(['RecordCompensationFailed']);
    expect(refused.status).toBe('COMPENSATION_FAILED');
  });

  it('given a cancellation requested while the charge is in flight, records the charge then releases, refunds and cancels', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.succeed({ reservationId: 'res-1' });
    run.orderCommand({ type: 'RequestCancellation', data: { sagaId: 'ignored', reason: 'changed my mind' } });
    expect(run.order.pendingCancellation).toEqual({ sagaId: SAGA, reason: 'changed my mind' });

    const charged = run.succeed({ paymentId: 'pay-1' });
    expect(commandTypes(charged.orderCommands)).toEqual(['RecordPayment']);
    expect(charged.call?.step).toBe('release');

    const released = run.succeed({});
    expect(commandTypes(released.orderCommands)).toEqual(['RecordStockReleased']);
    expect(released.call).toEqual({
      step: 'refund',
      request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId: 'pay-1', amountMinor: TOTAL, currency: 'EUR' },
    });

    const refunded = run.succeed({ refundId: 'ref-1' });
    expect(refunded.orderCommands).toEqual([
      { type: 'RecordRefund', data: { sagaId: SAGA, refundId: 'ref-1', amountMinor: TOTAL, reason: 'changed my mind' } },
      { type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'changed my mind' } },
    ]);
    expect(refunded.status).toBe('COMPENSATED');
    expect(run.order.status).toBe('CANCELED');
    expect(run.order.refundedMinor).toBe(TOTAL);
    expect(run.commands.some((c) => c.type === 'ConfirmOrder')).toBe(false);
  });

  it('given a cancellation observed while a reserve retry waits, abandons the reserve and releases blind', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.start();
    run.fail('timeout');
    run.orderCommand({ type: 'RequestCancellation', data: { sagaId: 'ignored', reason: 'too slow' } });

    const resumed = run.resume();
    expect(resumed.call).toEqual({
      step: 'release',
      request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId: `${SAGA}:reserve` },
    });
    expect(run.saga).toMatchObject({ step: 'release', attempts: 0, unconfirmed: ['reserve'] });

    const done = run.succeed({});
    expect(done.orderCommands).toEqual([{ type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'too slow' } }]);
    expect(done.status).toBe('COMPENSATED');
    expect(run.order.status).toBe('CANCELED');
  });

  it('given a cancellation before any call, completes the cancellation without touching the partners', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    run.orderCommand({ type: 'RequestCancellation', data: { sagaId: 'ignored', reason: 'oops' } });

    const started = run.start();

    expect(started.orderCommands).toEqual([{ type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'oops' } }]);
    expect(started.call).toBeUndefined();
    expect(started.status).toBe('COMPENSATED');
  });

  it('gives a step up at its deadline even with attempts left', () => {
    const policy = { ...TEST_POLICY, maxAttempts: 100, stepDeadlineMs: 5_000 };
    const run = sagaRun('fulfilment', SAGA, paymentRequested(), { policy });
    run.start();
    run.fail('timeout');
    run.advance(5_000);

    const resumed = run.resume();

    expect(commandTypes(resumed.orderCommands)).toEqual(['RecordStockReservationFailed']);
    expect(resumed.call?.step).toBe('release');
    expect(run.order.status).toBe('CANCELED');
  });

  it('reports the step deadline while a step is pending', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    expect(run.start().deadlineAt).toBe(atMs(T0, TEST_POLICY.stepDeadlineMs));
  });

  it('ignores a reply to a step that is no longer pending (a slower replica, a repeated call)', () => {
    const run = sagaRun('fulfilment', SAGA, paymentRequested());
    const reserve = run.start().call;
    if (!reserve) throw new Error('expected a reserve call');
    run.succeed({ reservationId: 'res-1' });

    const stale = run.feed({ type: 'CallSucceeded', call: reserve, result: { reservationId: 'res-2' } });

    expect(stale.orderCommands).toEqual([]);
    expect(stale.call?.step).toBe('charge');
    expect(run.order.reservationId).toBe('res-1');
  });

  it('ends without doing anything when the order runs another fulfilment saga', () => {
    const run = sagaRun('fulfilment', 'someone-else', paymentRequested());
    const started = run.start();
    expect(started.status).toBe('COMPLETED');
    expect(started.outcome).toBe('nothing_to_do');
    expect(started.call).toBeUndefined();
  });

  it('is a pure function: the same input gives the same decision', () => {
    const a = sagaRun('fulfilment', SAGA, paymentRequested());
    const b = sagaRun('fulfilment', SAGA, paymentRequested());
    a.start();
    b.start();
    expect(a.fail('x')).toEqual(b.fail('x'));
    expect(JSON.parse(JSON.stringify(a.saga))).toEqual(a.saga);
  });
});
