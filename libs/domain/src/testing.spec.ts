import { DomainError } from './shared/domain-error';
import { rehydrateOrder } from './order/order.rehydrate';
import {
  aPlaceOrder,
  anOrderLine,
  anOrderPlaced,
  given,
  orderHistory,
  stateOf,
  storedEvents,
  storedEventsWith,
  TEST_OCCURRED_AT,
  givenSaga,
  started,
  succeeded,
  type OrderStage,
} from './testing';

describe('domain test builders', () => {
  it('aPlaceOrder and anOrderPlaced agree and take overrides', () => {
    expect(aPlaceOrder({ currency: 'USD' }).data).toMatchObject({ orderId: 'order-1', currency: 'USD', items: [anOrderLine()] });
    expect(anOrderPlaced({ items: [anOrderLine({ qty: 3, unitPriceMinor: 100 })] }).data.totalMinor).toBe(300);
    expect(anOrderPlaced({ totalMinor: 1 }).data.totalMinor).toBe(1);
  });

  it.each<[OrderStage, string]>([
    ['PLACED', 'PENDING'],
    ['PAYMENT_REQUESTED', 'PENDING'],
    ['RESERVED', 'RESERVED'],
    ['PAID', 'PAID'],
    ['CONFIRMED', 'CONFIRMED'],
    ['REFUNDED', 'REFUNDED'],
    ['CANCELED', 'CANCELED'],
  ])('orderHistory(%s) reaches %s', (stage, status) => {
    expect(stateOf(...orderHistory(stage)).status).toBe(status);
  });

  it('orderHistory honours its options', () => {
    const state = stateOf(...orderHistory('PAID', { orderId: 'o-7', sagaId: 's-7', paymentId: 'p-7', reservationId: 'r-7' }));
    expect(state).toMatchObject({ orderId: 'o-7', fulfilmentSagaId: 's-7', paymentId: 'p-7', reservationId: 'r-7' });
  });

  it('storedEvents numbers versions and positions from 1, one second apart, in stream order-<id>', () => {
    const stored = storedEvents('o-1', ...orderHistory('RESERVED', { orderId: 'o-1' }));
    expect(stored.map((e) => [e.streamId, e.version, e.position, e.metadata.occurredAt])).toEqual([
      ['order-o-1', 1, 1, TEST_OCCURRED_AT],
      ['order-o-1', 2, 2, '2026-01-01T00:00:01.000Z'],
      ['order-o-1', 3, 3, '2026-01-01T00:00:02.000Z'],
    ]);
    expect(new Set(stored.map((e) => e.eventId)).size).toBe(3);
    expect(rehydrateOrder(stored).status).toBe('RESERVED');
  });

  it('storedEventsWith continues a stream and stamps metadata', () => {
    const [event] = storedEventsWith('o-1', { fromVersion: 5, fromPosition: 90, metadata: { correlationId: 'c' } }, ...orderHistory('PLACED'));
    expect(event).toMatchObject({ version: 5, position: 90, metadata: { correlationId: 'c', occurredAt: TEST_OCCURRED_AT } });
  });
});

describe('given / when / then', () => {
  it('fails when the events differ', () => {
    expect(() => given().when(aPlaceOrder()).then([])).toThrow();
  });

  it('fails when an error was expected but events came out, and the reverse', () => {
    expect(() => given().when(aPlaceOrder()).then('ORDER_NOT_FOUND')).toThrow(/expected ORDER_NOT_FOUND but got events/);
    expect(() => given(...orderHistory('PLACED')).when(aPlaceOrder()).then([])).toThrow(/expected events but got ORDER_ALREADY_EXISTS/);
  });

  it('fails on the wrong error code', () => {
    expect(() => given(...orderHistory('PLACED')).when(aPlaceOrder()).then('ORDER_NOT_FOUND')).toThrow();
  });

  it('thenViolations fails on a missing or extra field', () => {
    const scenario = given().when(aPlaceOrder({ customerId: '', currency: 'xx' }));
    expect(() => scenario.thenViolations(['customerId'])).toThrow();
    expect(() => scenario.thenViolations(['customerId', 'currency', 'items'])).toThrow();
    scenario.thenViolations(['currency', 'customerId']);
  });

  it('refuses to be used as a promise', () => {
    const scenario = given().when(aPlaceOrder());
    expect(() => (scenario.then as (value: unknown) => unknown)(() => undefined)).toThrow(/not a promise/);
  });

  it('lets non-domain errors through', () => {
    // A command without data is a programming error, not a rule violation: it must surface.
    const broken = { type: 'RequestPayment', data: null } as never;
    expect(() => given(...orderHistory('PLACED')).when(broken)).toThrow(TypeError);
    expect(() => given(...orderHistory('PLACED')).when(broken)).not.toThrow(DomainError);
  });
});

describe('givenSaga / when / then', () => {
  const fulfilment = () => givenSaga('fulfilment', 'saga-1', orderHistory('PAYMENT_REQUESTED', { sagaId: 'saga-1' }));

  it('passes on the decision it made, and carries the order and saga state into the next step', () => {
    const after = fulfilment().when(started()).then({ status: 'RUNNING', orderCommands: [] });
    expect(after.saga.step).toBe('reserve');
    expect(after.calls.map((c) => c.step)).toEqual(['reserve']);
    const reserved = after.when(succeeded({ reservationId: 'r-1' })).then({ order: { status: 'RESERVED', reservationId: 'r-1' } });
    expect(reserved.order.version).toBe(3);
  });

  it('fails on a wrong status, commands, call, order or saga field', () => {
    const scenario = fulfilment().when(started());
    expect(() => scenario.then({ status: 'COMPLETED' })).toThrow();
    expect(() => scenario.then({ orderCommands: [{ type: 'ConfirmOrder', data: { sagaId: 'saga-1' } }] })).toThrow();
    expect(() => scenario.then({ call: undefined })).toThrow();
    expect(() => scenario.then({ commandTypes: ['ConfirmOrder'] })).toThrow();
    expect(() => scenario.then({ order: { status: 'RESERVED' } })).toThrow();
    expect(() => scenario.then({ saga: { step: 'charge' } })).toThrow();
    expect(() => scenario.then({}, () => expect(1).toBe(2))).toThrow();
  });

  it('refuses a partner reply when no call is in flight, and being used as a promise', () => {
    expect(() => fulfilment().when(succeeded({}))).toThrow(/no call in flight/);
    const scenario = fulfilment().when(started());
    expect(() => (scenario.then as (value: unknown) => unknown)(() => undefined)).toThrow(/not a promise/);
  });
});
