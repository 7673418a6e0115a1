import { orderEvent } from '../order/order.decider';
import {
  TEST_ORDER_ID,
  TEST_SAGA_POLICY as POLICY,
  TEST_SAGA_T0 as T0,
  failed,
  givenSaga,
  orderHistory,
  rejected,
  resumed,
  started,
  succeeded,
  throughOutage,
} from '../testing';
import { retryDelayMs } from './saga.backoff';

const SAGA = 'saga-f-1';
const TOTAL = 2500; // orderHistory's default line: 2 x 1250
const atMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const fulfilment = (options: Parameters<typeof givenSaga>[3] = {}) =>
  givenSaga('fulfilment', SAGA, orderHistory('PAYMENT_REQUESTED', { sagaId: SAGA }), options);

const reserveCall = (items = fulfilment().order.items) => ({
  step: 'reserve' as const,
  request: { idempotencyKey: `${SAGA}:reserve`, orderId: TEST_ORDER_ID, items },
});
const chargeCall = { step: 'charge' as const, request: { idempotencyKey: `${SAGA}:charge`, orderId: TEST_ORDER_ID, amountMinor: TOTAL, currency: 'EUR' } };
const releaseCall = (reservationId: string) => ({
  step: 'release' as const,
  request: { idempotencyKey: `${SAGA}:release`, orderId: TEST_ORDER_ID, reservationId },
});
const refundCall = (paymentId: string) => ({
  step: 'refund' as const,
  request: { idempotencyKey: `${SAGA}:refund`, orderId: TEST_ORDER_ID, paymentId, amountMinor: TOTAL, currency: 'EUR' },
});

describe('fulfilment saga', () => {
  it('given a payment request, reserves, charges and confirms the order', () => {
    fulfilment()
      .when(started())
      .then({ status: 'RUNNING', orderCommands: [], orderEvents: [], call: reserveCall(), nextAttemptAt: atMs(T0, POLICY.callTimeoutMs) })
      .when(succeeded({ reservationId: 'res-1' }))
      .then({
        orderCommands: [{ type: 'RecordStockReserved', data: { sagaId: SAGA, reservationId: 'res-1' } }],
        orderEvents: [orderEvent('OrderStockReserved', { orderId: TEST_ORDER_ID, sagaId: SAGA, reservationId: 'res-1' })],
        call: chargeCall,
        order: { status: 'RESERVED' },
      })
      .when(succeeded({ paymentId: 'pay-1' }))
      .then(
        {
          orderCommands: [
            { type: 'RecordPayment', data: { sagaId: SAGA, paymentId: 'pay-1', amountMinor: TOTAL } },
            { type: 'ConfirmOrder', data: { sagaId: SAGA } },
          ],
          orderEvents: [
            orderEvent('OrderPaid', { orderId: TEST_ORDER_ID, sagaId: SAGA, paymentId: 'pay-1', amountMinor: TOTAL }),
            orderEvent('OrderConfirmed', { orderId: TEST_ORDER_ID, sagaId: SAGA }),
          ],
          call: undefined,
          status: 'COMPLETED',
          outcome: 'confirmed',
          nextAttemptAt: null,
          order: { status: 'CONFIRMED' },
        },
        // The events the decision carries are all the commit appends: the order moved by exactly them.
        (decision, after) => expect(after.order.version).toBe(3 + decision.orderEvents.length),
      );
  });

  it('given an out-of-stock SKU, the refusal cancels the order with its reason and nothing is undone', () => {
    fulfilment()
      .and(started())
      .when(rejected('out of stock: OOS-1'))
      .then(
        {
          orderCommands: [{ type: 'RecordStockReservationFailed', data: { sagaId: SAGA, reason: 'out of stock: OOS-1' } }],
          call: undefined,
          status: 'COMPENSATED',
          outcome: 'canceled',
          order: { status: 'CANCELED' },
        },
        (_, after) => expect(after.calls.map((c) => c.step)).toEqual(['reserve']),
      );
  });

  it('given a declined charge, releases the stock and then completes the cancellation', () => {
    fulfilment()
      .and(started(), succeeded({ reservationId: 'res-1' }))
      .when(rejected('amount above limit'))
      .then({
        orderCommands: [{ type: 'RecordPaymentFailed', data: { sagaId: SAGA, reason: 'amount above limit' } }],
        call: releaseCall('res-1'),
        status: 'RUNNING',
      })
      .when(succeeded({}))
      .then({
        orderCommands: [
          { type: 'RecordStockReleased', data: { sagaId: SAGA, reservationId: 'res-1' } },
          { type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'amount above limit' } },
        ],
        status: 'COMPENSATED',
        outcome: 'canceled',
        order: { status: 'CANCELED', reservationId: undefined },
      });
  });

  it('given a transient reserve failure, retries later with the same idempotency key, then succeeds', () => {
    fulfilment({ jitter: 0.25 })
      .and(started())
      .when(failed('inventory unavailable'))
      .then({
        status: 'RUNNING',
        call: undefined,
        orderCommands: [],
        nextAttemptAt: atMs(T0, retryDelayMs(1, 0.25, POLICY)),
        saga: { attempts: 1 },
      })
      .after(1_000)
      .when(resumed())
      .then({ saga: { attempts: 1 } }, (decision) => expect(decision.call?.step).toBe('reserve'))
      .when(succeeded({ reservationId: 'res-1' }))
      .then({ order: { status: 'RESERVED' }, saga: { attempts: 0 } }, (_, after) =>
        expect(after.calls.map((c) => c.request.idempotencyKey)).toEqual([`${SAGA}:reserve`, `${SAGA}:reserve`, `${SAGA}:charge`]),
      );
  });

  it('keeps every idempotency key stable across retries and a crash-resume', () => {
    const saga = fulfilment().and(
      started(),
      succeeded({ reservationId: 'res-1' }),
      failed('timeout'),
      resumed(),
      resumed(), // the process died with the call in flight; the sweep repeats it
      failed('timeout'),
      resumed(),
    );

    const charges = saga.calls.filter((c) => c.step === 'charge');
    expect(charges).toHaveLength(4);
    expect(new Set(charges.map((c) => c.request.idempotencyKey))).toEqual(new Set([`${SAGA}:charge`]));
    expect(saga.saga.attempts).toBe(2);
  });

  it('given reserve retries exhausted, cancels the order and releases blind by the reserve key', () => {
    fulfilment()
      .and(started(), failed('timeout'), resumed(), failed('timeout'), resumed())
      .when(failed('timeout'))
      .then({ commandTypes: ['RecordStockReservationFailed'], order: { status: 'CANCELED' }, call: releaseCall(`${SAGA}:reserve`) }, (decision) => {
        const reason = (decision.orderCommands[0] as { data: { reason: string } }).data.reason;
        expect(reason).toMatch(/^inventory unavailable: timeout after 3 failed attempt/);
      })
      .when(succeeded({}))
      .then({ orderCommands: [], status: 'COMPENSATED', outcome: 'canceled' });
  });

  it('given charge retries exhausted, releases the stock, refunds blind by the charge key and cancels', () => {
    fulfilment()
      .and(started(), succeeded({ reservationId: 'res-1' }), failed('timeout'), resumed(), failed('timeout'), resumed())
      .when(failed('timeout'))
      .then({ commandTypes: ['RecordPaymentFailed'], call: releaseCall('res-1') })
      .when(succeeded({}))
      .then({ commandTypes: ['RecordStockReleased'], call: refundCall(`${SAGA}:charge`) })
      .when(succeeded({ refundId: 'ref-1' }))
      .then({ commandTypes: ['CompleteCancellation'], status: 'COMPENSATED', order: { status: 'CANCELED', refundedMinor: 0 } });
  });

  it('given a release failing transiently past maxAttempts and the step deadline, keeps retrying with the same key until it succeeds', () => {
    const declined = fulfilment().and(started(), succeeded({ reservationId: 'res-1' }), rejected('amount above limit'));
    const outage = POLICY.stepDeadlineMs / POLICY.retryMaxMs + POLICY.maxAttempts * 10;

    const { steps, saga } = throughOutage(declined, outage, 'timeout');

    expect(steps).toHaveLength(outage);
    for (const { decision, delayMs } of steps) {
      expect(decision.status).toBe('RUNNING');
      expect(decision.orderCommands).toEqual([]);
      expect(decision.deadlineAt).toBeNull();
      expect(delayMs).toBeGreaterThan(0);
      expect(delayMs).toBeLessThanOrEqual(POLICY.retryMaxMs);
    }
    expect(Date.parse(saga.now) - Date.parse(T0)).toBeGreaterThan(POLICY.stepDeadlineMs);
    expect(saga.decision.call?.step).toBe('release');
    expect(new Set(saga.calls.filter((c) => c.step === 'release').map((c) => c.request.idempotencyKey))).toEqual(new Set([`${SAGA}:release`]));
    expect(saga.order.compensationFailed).toBe(false);

    saga
      .when(succeeded({}))
      .then({ commandTypes: ['RecordStockReleased', 'CompleteCancellation'], status: 'COMPENSATED', order: { status: 'CANCELED' } });
  });

  it('given a release refused by the partner, ends in COMPENSATION_FAILED at once', () => {
    fulfilment()
      .and(started(), succeeded({ reservationId: 'res-1' }), rejected('amount above limit'))
      .when(rejected('unknown reservation'))
      .then({ commandTypes: ['RecordCompensationFailed'], status: 'COMPENSATION_FAILED' });
  });

  it('given a cancellation requested while the charge is in flight, records the charge then releases, refunds and cancels', () => {
    const cancelling = fulfilment()
      .and(started(), succeeded({ reservationId: 'res-1' }))
      .andOrder({ type: 'RequestCancellation', data: { sagaId: 'ignored', reason: 'changed my mind' } });
    expect(cancelling.order.pendingCancellation).toEqual({ sagaId: SAGA, reason: 'changed my mind' });

    cancelling
      .when(succeeded({ paymentId: 'pay-1' }))
      .then({ commandTypes: ['RecordPayment'] }, (decision) => expect(decision.call?.step).toBe('release'))
      .when(succeeded({}))
      .then({ commandTypes: ['RecordStockReleased'], call: refundCall('pay-1') })
      .when(succeeded({ refundId: 'ref-1' }))
      .then(
        {
          orderCommands: [
            { type: 'RecordRefund', data: { sagaId: SAGA, refundId: 'ref-1', amountMinor: TOTAL, reason: 'changed my mind' } },
            { type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'changed my mind' } },
          ],
          status: 'COMPENSATED',
          order: { status: 'CANCELED', refundedMinor: TOTAL },
        },
        (_, after) => expect(after.commands.some((c) => c.type === 'ConfirmOrder')).toBe(false),
      );
  });

  it('given a cancellation observed while a reserve retry waits, abandons the reserve and releases blind', () => {
    fulfilment()
      .and(started(), failed('timeout'))
      .andOrder({ type: 'RequestCancellation', data: { sagaId: 'ignored', reason: 'too slow' } })
      .when(resumed())
      .then({ call: releaseCall(`${SAGA}:reserve`), saga: { step: 'release', attempts: 0, unconfirmed: ['reserve'] } })
      .when(succeeded({}))
      .then({
        orderCommands: [{ type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'too slow' } }],
        status: 'COMPENSATED',
        order: { status: 'CANCELED' },
      });
  });

  it('given a cancellation before any call, completes the cancellation without touching the partners', () => {
    fulfilment()
      .andOrder({ type: 'RequestCancellation', data: { sagaId: 'ignored', reason: 'oops' } })
      .when(started())
      .then({
        orderCommands: [{ type: 'CompleteCancellation', data: { sagaId: SAGA, reason: 'oops' } }],
        call: undefined,
        status: 'COMPENSATED',
      });
  });

  it('gives a step up at its deadline even with attempts left', () => {
    fulfilment({ policy: { ...POLICY, maxAttempts: 100, stepDeadlineMs: 5_000 } })
      .and(started(), failed('timeout'))
      .after(5_000)
      .when(resumed())
      .then({ commandTypes: ['RecordStockReservationFailed'], order: { status: 'CANCELED' } }, (decision) =>
        expect(decision.call?.step).toBe('release'),
      );
  });

  it('reports the step deadline while a step is pending', () => {
    fulfilment().when(started()).then({ deadlineAt: atMs(T0, POLICY.stepDeadlineMs) });
  });

  it('ignores a reply to a step that is no longer pending (a slower replica, a repeated call)', () => {
    const reserving = fulfilment().and(started());
    const reserve = reserving.decision.call;
    if (!reserve) throw new Error('expected a reserve call');

    reserving
      .and(succeeded({ reservationId: 'res-1' }))
      .when({ type: 'CallSucceeded', call: reserve, result: { reservationId: 'res-2' } })
      .then({ orderCommands: [], order: { reservationId: 'res-1' } }, (decision) => expect(decision.call?.step).toBe('charge'));
  });

  it('ends without doing anything when the order runs another fulfilment saga', () => {
    givenSaga('fulfilment', 'someone-else', orderHistory('PAYMENT_REQUESTED', { sagaId: SAGA }))
      .when(started())
      .then({ status: 'COMPLETED', outcome: 'nothing_to_do', call: undefined });
  });

  it('is a pure function: the same input gives the same decision', () => {
    const a = fulfilment().and(started());
    const b = fulfilment().and(started());
    expect(a.when(failed('x')).decision).toEqual(b.when(failed('x')).decision);
    const after = a.and(failed('x'));
    expect(JSON.parse(JSON.stringify(after.saga))).toEqual(after.saga);
  });
});
