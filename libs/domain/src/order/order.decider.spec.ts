import { DomainError } from '../shared/domain-error';
import { given, orderHistory, stateOf, TEST_ORDER_ID, TEST_SAGA_ID, anOrderLine, aPlaceOrder } from '../testing';
import { decideOrder, evolveOrder, initialOrderState, orderEvent as e } from './order.decider';
import type { OrderCommand } from './order.commands';
import type { OrderEvent } from './order.events';

const O = TEST_ORDER_ID;
const S = TEST_SAGA_ID;
const TOTAL = 2500; // anOrderLine(): 2 x 1250
const cmd = <C extends OrderCommand>(type: C['type'], data: C['data']): C => ({ type, data }) as C;

const placed = orderHistory('PLACED');
const paymentRequested = orderHistory('PAYMENT_REQUESTED');
const reserved = orderHistory('RESERVED');
const paid = orderHistory('PAID');
const confirmed = orderHistory('CONFIRMED');
const refunded = orderHistory('REFUNDED');
const canceled = orderHistory('CANCELED');

const cancellationRequested = (sagaId: string, reason = 'changed my mind') =>
  e('OrderCancellationRequested', { orderId: O, sagaId, reason });
const paymentFailed = e('OrderPaymentFailed', { orderId: O, sagaId: S, reason: 'card declined' });
const released = (sagaId: string) => e('OrderStockReleased', { orderId: O, sagaId, reservationId: 'reservation-1' });
const refundRequested = (sagaId: string, amountMinor: number) =>
  e('OrderRefundRequested', { orderId: O, sagaId, amountMinor, reason: 'damaged' });
const refundedEvent = (sagaId: string, amountMinor: number, reason = 'damaged') =>
  e('OrderRefunded', { orderId: O, sagaId, refundId: 'refund-x', amountMinor, reason });

describe('initialOrderState / evolveOrder', () => {
  it('starts as a missing order at version 0', () => {
    expect(initialOrderState()).toMatchObject({ exists: false, version: 0, fulfilment: 'NONE', paidMinor: 0, refundedMinor: 0 });
  });

  it('increments the version by one per event', () => {
    const states = confirmed.reduce<number[]>((versions, _event, index) => [...versions, stateOf(...confirmed.slice(0, index + 1)).version], []);
    expect(states).toEqual([1, 2, 3, 4, 5]);
  });

  it('folds the happy path into a confirmed, paid order', () => {
    expect(stateOf(...confirmed)).toMatchObject({
      exists: true,
      orderId: O,
      status: 'CONFIRMED',
      fulfilment: 'DONE',
      fulfilmentSagaId: S,
      reservationId: 'reservation-1',
      paymentId: 'payment-1',
      paidMinor: TOTAL,
      refundedMinor: 0,
      totalMinor: TOTAL,
    });
  });

  it('does not mutate the state it is given', () => {
    const before = stateOf(...placed);
    const snapshot = JSON.stringify(before);
    evolveOrder(before, paymentRequested[1]);
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});

describe('PlaceOrder', () => {
  it('places a PENDING order with the computed total', () => {
    const command = aPlaceOrder({ items: [anOrderLine({ sku: 'A', qty: 3, unitPriceMinor: 199 }), anOrderLine({ sku: 'B', qty: 1, unitPriceMinor: 1000 })] });
    const state = given()
      .when(command)
      .then([
        e('OrderPlaced', {
          orderId: O,
          customerId: 'customer-1',
          currency: 'EUR',
          items: [
            { sku: 'A', qty: 3, unitPriceMinor: 199 },
            { sku: 'B', qty: 1, unitPriceMinor: 1000 },
          ],
          totalMinor: 1597,
        }),
      ]);
    expect(state).toMatchObject({ exists: true, status: 'PENDING', totalMinor: 1597, version: 1, fulfilment: 'NONE' });
  });

  it('accepts a free order (total 0)', () => {
    given().when(aPlaceOrder({ items: [anOrderLine({ unitPriceMinor: 0 })] })).then([
      e('OrderPlaced', { orderId: O, customerId: 'customer-1', currency: 'EUR', items: [anOrderLine({ unitPriceMinor: 0 })], totalMinor: 0 }),
    ]);
  });

  it('keeps only the known line fields', () => {
    const line = { ...anOrderLine(), note: 'not part of the contract' };
    const [event] = decideOrder(aPlaceOrder({ items: [line] }), initialOrderState());
    expect(event.type === 'OrderPlaced' && event.data.items[0]).toEqual(anOrderLine());
  });

  it('rejects a second PlaceOrder on an existing stream', () => {
    given(...placed).when(aPlaceOrder()).then('ORDER_ALREADY_EXISTS');
    given(...canceled).when(aPlaceOrder()).then('ORDER_ALREADY_EXISTS');
  });

  it('rejects a total beyond 2^53 - 1 with AMOUNT_OUT_OF_RANGE, line by line', () => {
    given()
      .when(aPlaceOrder({ items: [anOrderLine({ qty: 2, unitPriceMinor: Number.MAX_SAFE_INTEGER })] }))
      .then('AMOUNT_OUT_OF_RANGE');
  });

  it('rejects a sum of lines beyond 2^53 - 1 even when each line fits', () => {
    const half = Math.ceil(Number.MAX_SAFE_INTEGER / 2);
    given()
      .when(aPlaceOrder({ items: [anOrderLine({ sku: 'A', qty: 1, unitPriceMinor: half }), anOrderLine({ sku: 'B', qty: 1, unitPriceMinor: half })] }))
      .then('AMOUNT_OUT_OF_RANGE');
  });

  it('accepts a total of exactly 2^53 - 1', () => {
    const [event] = decideOrder(aPlaceOrder({ items: [anOrderLine({ qty: 1, unitPriceMinor: Number.MAX_SAFE_INTEGER })] }), initialOrderState());
    expect(event.type === 'OrderPlaced' && event.data.totalMinor).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('commands on a missing order', () => {
  it.each<OrderCommand>([
    cmd('RequestPayment', { sagaId: S }),
    cmd('RequestCancellation', { sagaId: 'c', reason: 'r' }),
    cmd('RequestRefund', { sagaId: 'r', reason: 'r' }),
    cmd('ConfirmOrder', { sagaId: S }),
  ])('$type -> ORDER_NOT_FOUND', (command) => {
    given().when(command).then('ORDER_NOT_FOUND');
  });
});

describe('RequestPayment', () => {
  it('starts the fulfilment saga for the whole total', () => {
    const state = given(...placed)
      .when(cmd('RequestPayment', { sagaId: S }))
      .then([e('OrderPaymentRequested', { orderId: O, sagaId: S, amountMinor: TOTAL, currency: 'EUR' })]);
    expect(state).toMatchObject({ status: 'PENDING', fulfilment: 'IN_PROGRESS', fulfilmentSagaId: S });
  });

  it('rejects a second request', () => {
    given(...paymentRequested).when(cmd('RequestPayment', { sagaId: 'saga-2' })).then('ORDER_PAYMENT_ALREADY_REQUESTED');
  });

  it.each([
    ['RESERVED', reserved],
    ['PAID', paid],
    ['CONFIRMED', confirmed],
    ['REFUNDED', refunded],
  ] as const)('rejects a %s order with ORDER_NOT_PAYABLE', (_status, history) => {
    given(...history).when(cmd('RequestPayment', { sagaId: 'saga-2' })).then('ORDER_NOT_PAYABLE');
  });

  it('rejects a CANCELED order with ORDER_ALREADY_CANCELED', () => {
    given(...canceled).when(cmd('RequestPayment', { sagaId: 'saga-2' })).then('ORDER_ALREADY_CANCELED');
  });

  it('rejects an empty saga id', () => {
    given(...placed).when(cmd('RequestPayment', { sagaId: '' })).thenViolations(['sagaId']);
  });
});

describe('fulfilment: reservation', () => {
  it('RecordStockReserved -> RESERVED with the reservation', () => {
    const state = given(...paymentRequested)
      .when(cmd('RecordStockReserved', { sagaId: S, reservationId: 'reservation-1' }))
      .then([e('OrderStockReserved', { orderId: O, sagaId: S, reservationId: 'reservation-1' })]);
    expect(state).toMatchObject({ status: 'RESERVED', reservationId: 'reservation-1' });
  });

  it('RecordStockReserved is still recorded while a cancellation is pending (the saga then releases it)', () => {
    given(...paymentRequested, cancellationRequested(S))
      .when(cmd('RecordStockReserved', { sagaId: S, reservationId: 'reservation-1' }))
      .then([e('OrderStockReserved', { orderId: O, sagaId: S, reservationId: 'reservation-1' })]);
  });

  it('RecordStockReservationFailed -> failed + CANCELED with the reason, nothing refunded', () => {
    const state = given(...paymentRequested)
      .when(cmd('RecordStockReservationFailed', { sagaId: S, reason: 'out of stock: OOS-1' }))
      .then([
        e('OrderStockReservationFailed', { orderId: O, sagaId: S, reason: 'out of stock: OOS-1' }),
        e('OrderCanceled', { orderId: O, reason: 'out of stock: OOS-1', refundedMinor: 0 }),
      ]);
    expect(state).toMatchObject({ status: 'CANCELED', fulfilment: 'DONE', version: 4 });
  });

  it.each([
    ['RecordStockReserved', cmd('RecordStockReserved', { sagaId: 'other-saga', reservationId: 'r' })],
    ['RecordStockReservationFailed', cmd('RecordStockReservationFailed', { sagaId: 'other-saga', reason: 'x' })],
  ] as const)('%s from another saga -> ILLEGAL_TRANSITION', (_name, command) => {
    given(...paymentRequested).when(command).then('ILLEGAL_TRANSITION');
  });

  it('a reservation without a requested payment -> ILLEGAL_TRANSITION', () => {
    given(...placed).when(cmd('RecordStockReserved', { sagaId: S, reservationId: 'r' })).then('ILLEGAL_TRANSITION');
  });

  it('a second reservation -> ILLEGAL_TRANSITION', () => {
    given(...reserved).when(cmd('RecordStockReserved', { sagaId: S, reservationId: 'r2' })).then('ILLEGAL_TRANSITION');
  });

  it('an empty reservation id -> VALIDATION_FAILED', () => {
    given(...paymentRequested).when(cmd('RecordStockReserved', { sagaId: S, reservationId: '' })).thenViolations(['reservationId']);
  });
});

describe('fulfilment: payment', () => {
  it('RecordPayment -> PAID with the payment', () => {
    const state = given(...reserved)
      .when(cmd('RecordPayment', { sagaId: S, paymentId: 'payment-1', amountMinor: TOTAL }))
      .then([e('OrderPaid', { orderId: O, sagaId: S, paymentId: 'payment-1', amountMinor: TOTAL })]);
    expect(state).toMatchObject({ status: 'PAID', paymentId: 'payment-1', paidMinor: TOTAL });
  });

  it('RecordPayment of 0 for a free order', () => {
    const free = orderHistory('RESERVED', { items: [anOrderLine({ unitPriceMinor: 0 })] });
    given(...free)
      .when(cmd('RecordPayment', { sagaId: S, paymentId: 'p', amountMinor: 0 }))
      .then([e('OrderPaid', { orderId: O, sagaId: S, paymentId: 'p', amountMinor: 0 })]);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('RecordPayment of %p -> VALIDATION_FAILED amountMinor', (amountMinor) => {
    given(...reserved).when(cmd('RecordPayment', { sagaId: S, paymentId: 'p', amountMinor })).thenViolations(['amountMinor']);
  });

  it('RecordPayment without a payment id -> VALIDATION_FAILED paymentId', () => {
    given(...reserved).when(cmd('RecordPayment', { sagaId: S, paymentId: '', amountMinor: TOTAL })).thenViolations(['paymentId']);
  });

  it('RecordPaymentFailed -> stays RESERVED, the fulfilment is marked failed', () => {
    const state = given(...reserved)
      .when(cmd('RecordPaymentFailed', { sagaId: S, reason: 'card declined' }))
      .then([paymentFailed]);
    expect(state).toMatchObject({ status: 'RESERVED', reservationId: 'reservation-1', fulfilmentFailure: { reason: 'card declined' } });
  });

  it('after a failed payment, neither a payment nor a second failure is accepted', () => {
    given(...reserved, paymentFailed).when(cmd('RecordPayment', { sagaId: S, paymentId: 'p', amountMinor: TOTAL })).then('ILLEGAL_TRANSITION');
    given(...reserved, paymentFailed).when(cmd('RecordPaymentFailed', { sagaId: S, reason: 'again' })).then('ILLEGAL_TRANSITION');
  });

  it.each([
    ['RecordPayment', cmd('RecordPayment', { sagaId: 'other-saga', paymentId: 'p', amountMinor: TOTAL })],
    ['RecordPaymentFailed', cmd('RecordPaymentFailed', { sagaId: 'other-saga', reason: 'x' })],
  ] as const)('%s from another saga -> ILLEGAL_TRANSITION', (_name, command) => {
    given(...reserved).when(command).then('ILLEGAL_TRANSITION');
  });

  it('payment failure compensation: release, then complete the cancellation', () => {
    const afterRelease = given(...reserved, paymentFailed)
      .when(cmd('RecordStockReleased', { sagaId: S, reservationId: 'reservation-1' }))
      .then([released(S)]);
    expect(afterRelease.reservationId).toBeUndefined();
    const final = given(...reserved, paymentFailed, released(S))
      .when(cmd('CompleteCancellation', { sagaId: S, reason: 'card declined' }))
      .then([e('OrderCanceled', { orderId: O, reason: 'card declined', refundedMinor: 0 })]);
    expect(final).toMatchObject({ status: 'CANCELED', fulfilment: 'DONE' });
  });

  it('the fulfilment saga may not complete a cancellation that nothing asked for', () => {
    given(...reserved).when(cmd('CompleteCancellation', { sagaId: S, reason: 'x' })).then('ILLEGAL_TRANSITION');
  });

  it('CompleteCancellation without a reason falls back to the failure reason', () => {
    given(...reserved, paymentFailed, released(S))
      .when(cmd('CompleteCancellation', { sagaId: S, reason: '' }))
      .then([e('OrderCanceled', { orderId: O, reason: 'card declined', refundedMinor: 0 })]);
  });
});

describe('RecordStockReleased', () => {
  it('rejects another reservation id', () => {
    given(...reserved, paymentFailed).when(cmd('RecordStockReleased', { sagaId: S, reservationId: 'other' })).then('ILLEGAL_TRANSITION');
  });

  it('rejects a release when no stock is held', () => {
    given(...reserved, paymentFailed, released(S)).when(cmd('RecordStockReleased', { sagaId: S, reservationId: 'reservation-1' })).then('ILLEGAL_TRANSITION');
  });

  it('rejects a release by the fulfilment saga while nothing failed or was canceled', () => {
    given(...reserved).when(cmd('RecordStockReleased', { sagaId: S, reservationId: 'reservation-1' })).then('ILLEGAL_TRANSITION');
  });

  it('accepts the cancellation saga releasing a confirmed order', () => {
    given(...confirmed, cancellationRequested('saga-cancel'))
      .when(cmd('RecordStockReleased', { sagaId: 'saga-cancel', reservationId: 'reservation-1' }))
      .then([released('saga-cancel')]);
  });

  it('is refused on a CANCELED order', () => {
    given(...canceled).when(cmd('RecordStockReleased', { sagaId: S, reservationId: 'reservation-1' })).then('ILLEGAL_TRANSITION');
  });
});

describe('ConfirmOrder', () => {
  it('PAID -> CONFIRMED, fulfilment DONE', () => {
    const state = given(...paid).when(cmd('ConfirmOrder', { sagaId: S })).then([e('OrderConfirmed', { orderId: O, sagaId: S })]);
    expect(state).toMatchObject({ status: 'CONFIRMED', fulfilment: 'DONE' });
  });

  it('a refund that finished first: recorded, status stays REFUNDED', () => {
    const history = [...paid, refundRequested('saga-refund', TOTAL), refundedEvent('saga-refund', TOTAL)];
    expect(stateOf(...history).status).toBe('REFUNDED');
    const state = given(...history).when(cmd('ConfirmOrder', { sagaId: S })).then([e('OrderConfirmed', { orderId: O, sagaId: S })]);
    expect(state).toMatchObject({ status: 'REFUNDED', fulfilment: 'DONE' });
  });

  it('with a refund still pending: confirms, the refund stays pending', () => {
    const state = given(...paid, refundRequested('saga-refund', 100)).when(cmd('ConfirmOrder', { sagaId: S })).then([e('OrderConfirmed', { orderId: O, sagaId: S })]);
    expect(state).toMatchObject({ status: 'CONFIRMED', pendingRefund: { sagaId: 'saga-refund', amountMinor: 100 } });
  });

  it('with a pending cancellation -> ILLEGAL_TRANSITION', () => {
    given(...paid, cancellationRequested(S)).when(cmd('ConfirmOrder', { sagaId: S })).then('ILLEGAL_TRANSITION');
  });

  it('from another saga -> ILLEGAL_TRANSITION', () => {
    given(...paid).when(cmd('ConfirmOrder', { sagaId: 'other-saga' })).then('ILLEGAL_TRANSITION');
  });

  it('twice -> ILLEGAL_TRANSITION', () => {
    given(...confirmed).when(cmd('ConfirmOrder', { sagaId: S })).then('ILLEGAL_TRANSITION');
  });

  it('a fully refunded order whose fulfilment is done -> ILLEGAL_TRANSITION', () => {
    given(...refunded).when(cmd('ConfirmOrder', { sagaId: S })).then('ILLEGAL_TRANSITION');
  });
});

describe('RequestCancellation', () => {
  const cancel = (sagaId = 'saga-cancel', reason = 'changed my mind') => cmd('RequestCancellation', { sagaId, reason });

  it('PENDING before payment: canceled at once, no saga', () => {
    const state = given(...placed).when(cancel()).then([e('OrderCanceled', { orderId: O, reason: 'changed my mind', refundedMinor: 0 })]);
    expect(state).toMatchObject({ status: 'CANCELED', fulfilment: 'NONE' });
  });

  it.each([
    ['PENDING', paymentRequested],
    ['RESERVED', reserved],
    ['PAID', paid],
  ] as const)('%s during fulfilment: handed to the fulfilment saga', (_status, history) => {
    const state = given(...history).when(cancel()).then([cancellationRequested(S)]);
    expect(state.pendingCancellation).toEqual({ sagaId: S, reason: 'changed my mind' });
    expect(state.status).toBe(stateOf(...history).status);
  });

  it('CONFIRMED: a cancellation saga with the command saga id', () => {
    const state = given(...confirmed).when(cancel()).then([cancellationRequested('saga-cancel')]);
    expect(state.pendingCancellation).toEqual({ sagaId: 'saga-cancel', reason: 'changed my mind' });
  });

  it('REFUNDED in full but stock still held: a cancellation saga to release it', () => {
    given(...refunded).when(cancel()).then([cancellationRequested('saga-cancel')]);
  });

  it('REFUNDED in part: a cancellation saga to refund the rest', () => {
    const history = [...confirmed, refundRequested('saga-refund', 1000), refundedEvent('saga-refund', 1000), released('x')];
    given(...history).when(cancel()).then([cancellationRequested('saga-cancel')]);
  });

  it('fully refunded and no stock held -> ORDER_NOT_CANCELLABLE', () => {
    // A stream whose stock was already given back, then refunded in full.
    const history = [...confirmed, released('saga-x'), refundRequested('saga-refund', TOTAL), refundedEvent('saga-refund', TOTAL)];
    expect(stateOf(...history)).toMatchObject({ status: 'REFUNDED', reservationId: undefined, refundedMinor: TOTAL });
    given(...history).when(cancel()).then('ORDER_NOT_CANCELLABLE');
  });

  it('already pending -> ORDER_NOT_CANCELLABLE', () => {
    given(...confirmed, cancellationRequested('saga-cancel')).when(cancel('saga-2')).then('ORDER_NOT_CANCELLABLE');
    given(...paymentRequested, cancellationRequested(S)).when(cancel('saga-2')).then('ORDER_NOT_CANCELLABLE');
  });

  it('while a refund is pending -> REFUND_IN_PROGRESS', () => {
    given(...confirmed, refundRequested('saga-refund', 100)).when(cancel()).then('REFUND_IN_PROGRESS');
  });

  it('CANCELED -> ORDER_ALREADY_CANCELED', () => {
    given(...canceled).when(cancel()).then('ORDER_ALREADY_CANCELED');
  });

  it('an empty saga id when a cancellation saga is needed -> VALIDATION_FAILED sagaId', () => {
    given(...confirmed).when(cancel('')).thenViolations(['sagaId']);
  });
});

describe('CompleteCancellation', () => {
  it('by the cancellation saga of a confirmed order: CANCELED with the refunded total', () => {
    const history = [...confirmed, cancellationRequested('saga-cancel'), released('saga-cancel'), refundedEvent('saga-cancel', TOTAL, 'changed my mind')];
    const state = given(...history)
      .when(cmd('CompleteCancellation', { sagaId: 'saga-cancel', reason: 'changed my mind' }))
      .then([e('OrderCanceled', { orderId: O, reason: 'changed my mind', refundedMinor: TOTAL })]);
    expect(state).toMatchObject({ status: 'CANCELED', pendingCancellation: undefined, refundedMinor: TOTAL, cancellationSagaId: 'saga-cancel' });
  });

  it('by the fulfilment saga after a mid-way cancellation (nothing reserved yet)', () => {
    given(...paymentRequested, cancellationRequested(S))
      .when(cmd('CompleteCancellation', { sagaId: S, reason: 'changed my mind' }))
      .then([e('OrderCanceled', { orderId: O, reason: 'changed my mind', refundedMinor: 0 })]);
  });

  it('without a reason falls back to the requested one', () => {
    given(...confirmed, cancellationRequested('saga-cancel', 'too late'))
      .when(cmd('CompleteCancellation', { sagaId: 'saga-cancel', reason: '' }))
      .then([e('OrderCanceled', { orderId: O, reason: 'too late', refundedMinor: 0 })]);
  });

  it('counts earlier refunds into refundedMinor', () => {
    const history = [...confirmed, refundRequested('saga-refund', 500), refundedEvent('saga-refund', 500), cancellationRequested('saga-cancel'), refundedEvent('saga-cancel', TOTAL - 500)];
    given(...history)
      .when(cmd('CompleteCancellation', { sagaId: 'saga-cancel', reason: 'r' }))
      .then([e('OrderCanceled', { orderId: O, reason: 'r', refundedMinor: TOTAL })]);
  });

  it('from a saga that is not cancelling -> ILLEGAL_TRANSITION', () => {
    given(...confirmed, cancellationRequested('saga-cancel')).when(cmd('CompleteCancellation', { sagaId: S, reason: 'r' })).then('ILLEGAL_TRANSITION');
    given(...confirmed).when(cmd('CompleteCancellation', { sagaId: 'saga-cancel', reason: 'r' })).then('ILLEGAL_TRANSITION');
  });

  it('on a CANCELED order -> ILLEGAL_TRANSITION', () => {
    given(...canceled).when(cmd('CompleteCancellation', { sagaId: S, reason: 'r' })).then('ILLEGAL_TRANSITION');
  });
});

describe('RequestRefund', () => {
  const refund = (amountMinor?: number, sagaId = 'saga-refund') =>
    cmd('RequestRefund', amountMinor === undefined ? { sagaId, reason: 'damaged' } : { sagaId, amountMinor, reason: 'damaged' });

  it.each([
    ['PAID', paid],
    ['CONFIRMED', confirmed],
  ] as const)('%s: no amount = everything not yet refunded', (_status, history) => {
    const state = given(...history).when(refund()).then([refundRequested('saga-refund', TOTAL)]);
    expect(state.pendingRefund).toEqual({ sagaId: 'saga-refund', amountMinor: TOTAL, reason: 'damaged' });
  });

  it('a partial amount', () => {
    given(...confirmed).when(refund(700)).then([refundRequested('saga-refund', 700)]);
  });

  it('REFUNDED in part: the rest', () => {
    const history = [...confirmed, refundRequested('saga-r1', 700), refundedEvent('saga-r1', 700)];
    given(...history).when(refund()).then([refundRequested('saga-refund', TOTAL - 700)]);
    given(...history).when(refund(TOTAL - 700)).then([refundRequested('saga-refund', TOTAL - 700)]);
  });

  it('more than paid - refunded -> REFUND_EXCEEDS_PAID_AMOUNT', () => {
    given(...confirmed).when(refund(TOTAL + 1)).then('REFUND_EXCEEDS_PAID_AMOUNT');
    const history = [...confirmed, refundRequested('saga-r1', 700), refundedEvent('saga-r1', 700)];
    given(...history).when(refund(TOTAL - 699)).then('REFUND_EXCEEDS_PAID_AMOUNT');
  });

  it.each([0, -5, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])('amount %p -> VALIDATION_FAILED amount.amountMinor', (amount) => {
    given(...confirmed).when(refund(amount)).thenViolations(['amount.amountMinor']);
  });

  it('while a refund is pending -> REFUND_IN_PROGRESS', () => {
    given(...confirmed, refundRequested('saga-r1', 100)).when(refund(100)).then('REFUND_IN_PROGRESS');
  });

  it('while a cancellation is pending -> REFUND_IN_PROGRESS', () => {
    given(...confirmed, cancellationRequested('saga-cancel')).when(refund(100)).then('REFUND_IN_PROGRESS');
  });

  it('nothing left to refund -> ORDER_NOT_REFUNDABLE', () => {
    given(...refunded).when(refund()).then('ORDER_NOT_REFUNDABLE');
    const free = orderHistory('CONFIRMED', { items: [anOrderLine({ unitPriceMinor: 0 })] });
    given(...free).when(refund()).then('ORDER_NOT_REFUNDABLE');
  });

  it.each([
    ['PENDING', placed],
    ['PENDING in fulfilment', paymentRequested],
    ['RESERVED', reserved],
  ] as const)('%s -> ORDER_NOT_REFUNDABLE', (_status, history) => {
    given(...history).when(refund()).then('ORDER_NOT_REFUNDABLE');
  });

  it('CANCELED -> ORDER_ALREADY_CANCELED', () => {
    given(...canceled).when(refund()).then('ORDER_ALREADY_CANCELED');
  });
});

describe('RecordRefund / RecordRefundFailed', () => {
  it('under a refund saga: REFUNDED, pending refund cleared', () => {
    const state = given(...confirmed, refundRequested('saga-refund', 700))
      .when(cmd('RecordRefund', { sagaId: 'saga-refund', refundId: 'refund-x', amountMinor: 700, reason: 'damaged' }))
      .then([refundedEvent('saga-refund', 700)]);
    expect(state).toMatchObject({ status: 'REFUNDED', refundedMinor: 700, pendingRefund: undefined });
  });

  it('under a cancellation: status unchanged until CompleteCancellation', () => {
    const state = given(...confirmed, cancellationRequested('saga-cancel'), released('saga-cancel'))
      .when(cmd('RecordRefund', { sagaId: 'saga-cancel', refundId: 'refund-x', amountMinor: TOTAL, reason: 'damaged' }))
      .then([refundedEvent('saga-cancel', TOTAL)]);
    expect(state).toMatchObject({ status: 'CONFIRMED', refundedMinor: TOTAL, pendingCancellation: { sagaId: 'saga-cancel' } });
  });

  it('under the fulfilment saga compensating a paid order', () => {
    given(...paid, cancellationRequested(S))
      .when(cmd('RecordRefund', { sagaId: S, refundId: 'refund-x', amountMinor: TOTAL, reason: 'damaged' }))
      .then([refundedEvent(S, TOTAL)]);
  });

  it('more than paid - refunded -> REFUND_EXCEEDS_PAID_AMOUNT', () => {
    given(...confirmed, refundRequested('saga-refund', 700))
      .when(cmd('RecordRefund', { sagaId: 'saga-refund', refundId: 'refund-x', amountMinor: TOTAL + 1, reason: 'r' }))
      .then('REFUND_EXCEEDS_PAID_AMOUNT');
  });

  it.each([0, -1, 2.5])('amount %p -> VALIDATION_FAILED amountMinor', (amountMinor) => {
    given(...confirmed, refundRequested('saga-refund', 700))
      .when(cmd('RecordRefund', { sagaId: 'saga-refund', refundId: 'refund-x', amountMinor, reason: 'r' }))
      .thenViolations(['amountMinor']);
  });

  it('without a refund id -> VALIDATION_FAILED refundId', () => {
    given(...confirmed, refundRequested('saga-refund', 700))
      .when(cmd('RecordRefund', { sagaId: 'saga-refund', refundId: '', amountMinor: 700, reason: 'r' }))
      .thenViolations(['refundId']);
  });

  it('from a saga with nothing pending -> ILLEGAL_TRANSITION', () => {
    given(...confirmed).when(cmd('RecordRefund', { sagaId: 'saga-refund', refundId: 'x', amountMinor: 1, reason: 'r' })).then('ILLEGAL_TRANSITION');
    given(...confirmed, refundRequested('saga-refund', 700))
      .when(cmd('RecordRefund', { sagaId: 'other', refundId: 'x', amountMinor: 1, reason: 'r' }))
      .then('ILLEGAL_TRANSITION');
  });

  it('RecordRefundFailed clears the pending refund, status unchanged', () => {
    const state = given(...confirmed, refundRequested('saga-refund', 700))
      .when(cmd('RecordRefundFailed', { sagaId: 'saga-refund', reason: 'card expired' }))
      .then([e('OrderRefundFailed', { orderId: O, sagaId: 'saga-refund', reason: 'card expired' })]);
    expect(state).toMatchObject({ status: 'CONFIRMED', pendingRefund: undefined, refundedMinor: 0 });
  });

  it('RecordRefundFailed from a cancellation saga or another saga -> ILLEGAL_TRANSITION', () => {
    given(...confirmed, cancellationRequested('saga-cancel')).when(cmd('RecordRefundFailed', { sagaId: 'saga-cancel', reason: 'r' })).then('ILLEGAL_TRANSITION');
    given(...confirmed, refundRequested('saga-refund', 700)).when(cmd('RecordRefundFailed', { sagaId: 'other', reason: 'r' })).then('ILLEGAL_TRANSITION');
  });
});

describe('RecordCompensationFailed', () => {
  const failed = (sagaId: string) => cmd('RecordCompensationFailed', { sagaId, step: 'release', reason: 'inventory refused' });
  const failedEvent = (sagaId: string) => e('OrderCompensationFailed', { orderId: O, sagaId, step: 'release', reason: 'inventory refused' });

  it('flags the order, status unchanged', () => {
    const state = given(...confirmed, cancellationRequested('saga-cancel')).when(failed('saga-cancel')).then([failedEvent('saga-cancel')]);
    expect(state).toMatchObject({ status: 'CONFIRMED', compensationFailed: true, pendingCancellation: { sagaId: 'saga-cancel' } });
  });

  it('by the fulfilment saga, also on a CANCELED order (a blind release that failed)', () => {
    const history = [...paymentRequested, e('OrderStockReservationFailed', { orderId: O, sagaId: S, reason: 'x' }), e('OrderCanceled', { orderId: O, reason: 'x', refundedMinor: 0 })];
    const state = given(...history).when(failed(S)).then([failedEvent(S)]);
    expect(state).toMatchObject({ status: 'CANCELED', compensationFailed: true });
  });

  it('by a refund saga that gave up', () => {
    given(...confirmed, refundRequested('saga-refund', 700)).when(failed('saga-refund')).then([failedEvent('saga-refund')]);
  });

  it('by a cancellation saga after the order was canceled', () => {
    const history = [...confirmed, cancellationRequested('saga-cancel'), e('OrderCanceled', { orderId: O, reason: 'r', refundedMinor: 0 })];
    given(...history).when(failed('saga-cancel')).then([failedEvent('saga-cancel')]);
  });

  it('by an unknown saga -> ILLEGAL_TRANSITION', () => {
    given(...confirmed).when(failed('stranger')).then('ILLEGAL_TRANSITION');
    given(...canceled).when(failed('stranger')).then('ILLEGAL_TRANSITION');
  });
});

describe('ResolveSaga', () => {
  const resolve = (sagaId: string, note = 'refunded by hand') => cmd('ResolveSaga', { sagaId, resolvedBy: 'ops-anna', note });
  const resolvedEvent = (sagaId: string, note = 'refunded by hand') =>
    e('OrderSagaResolved', { orderId: O, sagaId, resolvedBy: 'ops-anna', note, reason: `saga ${sagaId} resolved by ops-anna: ${note}` });
  const compensationFailed = (sagaId: string) => e('OrderCompensationFailed', { orderId: O, sagaId, step: 'refund', reason: 'refused' });

  it('drops the cancellation the saga held and its failure flag, status unchanged: a new cancel starts a fresh saga', () => {
    const history = [...confirmed, cancellationRequested('saga-cancel'), compensationFailed('saga-cancel')];
    const state = given(...history).when(resolve('saga-cancel')).then([resolvedEvent('saga-cancel')]);
    expect(state).toMatchObject({ status: 'CONFIRMED', compensationFailed: false, pendingCancellation: undefined });
    given(...history, resolvedEvent('saga-cancel'))
      .when(cmd('RequestCancellation', { sagaId: 'saga-cancel-2', reason: 'again' }))
      .then([e('OrderCancellationRequested', { orderId: O, sagaId: 'saga-cancel-2', reason: 'again' })]);
  });

  it('ends the fulfilment the saga drove, and drops only what that saga held', () => {
    const state = given(...paid, cancellationRequested(S), compensationFailed(S), refundRequested('saga-other', 1))
      .when(resolve(S))
      .then([resolvedEvent(S)]);
    expect(state).toMatchObject({ status: 'PAID', fulfilment: 'DONE', pendingCancellation: undefined, pendingRefund: { sagaId: 'saga-other' } });
  });

  it('drops a refund still pending of the saga resolved', () => {
    const state = given(...confirmed, refundRequested('saga-refund', 700)).when(resolve('saga-refund')).then([resolvedEvent('saga-refund')]);
    expect(state.pendingRefund).toBeUndefined();
  });

  it('is recorded on a CANCELED order too', () => {
    given(...canceled).when(resolve(S)).then([resolvedEvent(S)]);
  });

  it('needs who and why -> VALIDATION_FAILED naming them', () => {
    expect(() => decideOrder(cmd('ResolveSaga', { sagaId: S, resolvedBy: ' ', note: '' }), stateOf(...confirmed))).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        violations: [
          { field: 'resolvedBy', message: 'must not be empty' },
          { field: 'note', message: 'must not be empty' },
        ],
      }),
    );
  });
});

describe('a CANCELED order', () => {
  it.each<OrderCommand>([
    cmd('RequestPayment', { sagaId: 'x' }),
    cmd('RequestCancellation', { sagaId: 'x', reason: 'r' }),
    cmd('RequestRefund', { sagaId: 'x', reason: 'r' }),
  ])('client command $type -> ORDER_ALREADY_CANCELED', (command) => {
    given(...canceled).when(command).then('ORDER_ALREADY_CANCELED');
  });

  it.each<OrderCommand>([
    cmd('RecordStockReserved', { sagaId: S, reservationId: 'r' }),
    cmd('RecordStockReservationFailed', { sagaId: S, reason: 'r' }),
    cmd('RecordPayment', { sagaId: S, paymentId: 'p', amountMinor: 1 }),
    cmd('RecordPaymentFailed', { sagaId: S, reason: 'r' }),
    cmd('RecordStockReleased', { sagaId: S, reservationId: 'r' }),
    cmd('ConfirmOrder', { sagaId: S }),
    cmd('CompleteCancellation', { sagaId: S, reason: 'r' }),
    cmd('RecordRefund', { sagaId: S, refundId: 'f', amountMinor: 1, reason: 'r' }),
    cmd('RecordRefundFailed', { sagaId: S, reason: 'r' }),
  ])('saga command $type -> ILLEGAL_TRANSITION', (command) => {
    given(...canceled).when(command).then('ILLEGAL_TRANSITION');
  });
});

describe('errors', () => {
  it('are DomainErrors with a message naming the command and status', () => {
    let caught: unknown;
    try {
      decideOrder(cmd('RequestPayment', { sagaId: 'x' }), stateOf(...confirmed));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).message).toMatch(/RequestPayment.*CONFIRMED/);
  });
});

describe('a whole lifecycle through decide + evolve', () => {
  it('place -> pay -> reserve -> charge -> confirm -> partial refund -> cancel', () => {
    const commands: OrderCommand[] = [
      aPlaceOrder(),
      cmd('RequestPayment', { sagaId: S }),
      cmd('RecordStockReserved', { sagaId: S, reservationId: 'reservation-1' }),
      cmd('RecordPayment', { sagaId: S, paymentId: 'payment-1', amountMinor: TOTAL }),
      cmd('ConfirmOrder', { sagaId: S }),
      cmd('RequestRefund', { sagaId: 'saga-refund', amountMinor: 1000, reason: 'one broken' }),
      cmd('RecordRefund', { sagaId: 'saga-refund', refundId: 'refund-1', amountMinor: 1000, reason: 'one broken' }),
      cmd('RequestCancellation', { sagaId: 'saga-cancel', reason: 'return the rest' }),
      cmd('RecordStockReleased', { sagaId: 'saga-cancel', reservationId: 'reservation-1' }),
      cmd('RecordRefund', { sagaId: 'saga-cancel', refundId: 'refund-2', amountMinor: TOTAL - 1000, reason: 'return the rest' }),
      cmd('CompleteCancellation', { sagaId: 'saga-cancel', reason: 'return the rest' }),
    ];
    const all: OrderEvent[] = [];
    const final = commands.reduce((state, command) => {
      const events = decideOrder(command, state);
      all.push(...events);
      return events.reduce(evolveOrder, state);
    }, initialOrderState());
    expect(all.map((event) => event.type)).toEqual([
      'OrderPlaced',
      'OrderPaymentRequested',
      'OrderStockReserved',
      'OrderPaid',
      'OrderConfirmed',
      'OrderRefundRequested',
      'OrderRefunded',
      'OrderCancellationRequested',
      'OrderStockReleased',
      'OrderRefunded',
      'OrderCanceled',
    ]);
    expect(all.at(-1)).toEqual(e('OrderCanceled', { orderId: O, reason: 'return the rest', refundedMinor: TOTAL }));
    expect(final).toMatchObject({ status: 'CANCELED', version: 11, paidMinor: TOTAL, refundedMinor: TOTAL, reservationId: undefined });
  });
});
