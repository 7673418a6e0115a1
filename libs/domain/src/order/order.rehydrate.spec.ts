import { EventSchemaError } from '../events/upcaster';
import { orderHistory, stateOf, storedEvents, TEST_ORDER_ID } from '../testing';
import { initialOrderState } from './order.decider';
import { rehydrateOrder, toOrderEvent } from './order.rehydrate';

describe('rehydrateOrder', () => {
  it('gives the initial state for an empty stream', () => {
    expect(rehydrateOrder([])).toEqual(initialOrderState());
  });

  it('folds a stored stream into the same state as its events', () => {
    const history = orderHistory('REFUNDED');
    expect(rehydrateOrder(storedEvents(TEST_ORDER_ID, ...history))).toEqual(stateOf(...history));
    expect(rehydrateOrder(storedEvents(TEST_ORDER_ID, ...history))).toMatchObject({ status: 'REFUNDED', version: history.length });
  });

  it('upcasts old events before folding them (OrderCanceled v1)', () => {
    const [placed] = storedEvents(TEST_ORDER_ID, ...orderHistory('PLACED'));
    const canceledV1 = { ...placed, eventId: 'e-2', version: 2, position: 2, type: 'OrderCanceled', schemaVersion: 1, data: { orderId: TEST_ORDER_ID } };
    const state = rehydrateOrder([placed, canceledV1]);
    expect(state).toMatchObject({ status: 'CANCELED', version: 2, refundedMinor: 0 });
    expect(toOrderEvent(canceledV1)).toEqual({
      type: 'OrderCanceled',
      schemaVersion: 2,
      data: { orderId: TEST_ORDER_ID, reason: 'unspecified', refundedMinor: 0 },
    });
  });

  it('drops the storage fields from the domain event', () => {
    const [stored] = storedEvents(TEST_ORDER_ID, ...orderHistory('PLACED'));
    expect(Object.keys(toOrderEvent(stored)).sort()).toEqual(['data', 'schemaVersion', 'type']);
  });

  it('refuses a stream with an event this build cannot read', () => {
    const [placed] = storedEvents(TEST_ORDER_ID, ...orderHistory('PLACED'));
    expect(() => rehydrateOrder([placed, { ...placed, version: 2, type: 'OrderPlaced', schemaVersion: 9 }])).toThrow(EventSchemaError);
  });
});
