// Unit tests of the e2e audit (no I/O): each check passes on a consistent run and fails on the
// defect it exists to catch.   node --test tools/e2e/
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCrashes,
  checkIdempotency,
  checkLeftovers,
  checkPartnerEffects,
  checkSagaEvents,
  checkTerminalStates,
  checkTopicCompleteness,
  checkTopicOrder,
} from './lib/audit.mjs';

let nextPosition = 1;
const event = (orderId, version, type, data = {}) => ({ eventId: `${orderId}-e${version}`, streamId: `order-${orderId}`, version, position: String(nextPosition++), type, data });
const message = (stored, offset, partition = 0) => ({
  topic: 'oms.order.events',
  partition,
  offset,
  key: stored.streamId.slice('order-'.length),
  eventId: stored.eventId,
  ceId: stored.eventId,
  type: stored.type,
  ceType: `oms.order.v1.${stored.type}`,
  version: stored.version,
  position: Number(stored.position),
});

// A confirmed order (a) and one canceled after confirmation (b).
const a = [
  event('a', 1, 'OrderPlaced'),
  event('a', 2, 'OrderPaymentRequested'),
  event('a', 3, 'OrderStockReserved'),
  event('a', 4, 'OrderPaid', { amountMinor: 100 }),
  event('a', 5, 'OrderConfirmed'),
];
const b = [
  event('b', 1, 'OrderPlaced'),
  event('b', 2, 'OrderPaymentRequested'),
  event('b', 3, 'OrderStockReserved'),
  event('b', 4, 'OrderPaid', { amountMinor: 50 }),
  event('b', 5, 'OrderConfirmed'),
  event('b', 6, 'OrderCancellationRequested'),
  event('b', 7, 'OrderStockReleased'),
  event('b', 8, 'OrderRefunded', { amountMinor: 50 }),
  event('b', 9, 'OrderCanceled'),
];
const store = [...a, ...b];
const finalStatus = new Map([
  ['a', 'CONFIRMED'],
  ['b', 'CANCELED'],
]);
const stats = {
  inventory: { reservations: 2, releases: 1, held: 1 },
  payment: { charges: 2, chargedMinor: 150, refunds: 1, refundedMinor: 50 },
};

describe('checkTopicOrder', () => {
  it('passes in order, with exact repeats of earlier versions dropped', () => {
    const records = [...a.map((e, i) => message(e, i)), message(a[0], 10), message(a[1], 11), ...b.map((e, i) => message(e, i, 3))];
    const result = checkTopicOrder(store, records);
    assert.equal(result.check.ok, true, result.check.detail);
    assert.equal(result.duplicates, 2);
  });

  it('fails when a version overtakes an earlier one', () => {
    const swapped = [a[0], a[2], a[1], a[3], a[4]].map((e, i) => message(e, i));
    const result = checkTopicOrder(store, [...swapped, ...b.map((e, i) => message(e, i, 3))]);
    assert.equal(result.check.ok, false);
    assert.match(result.check.detail, /a: versions on the topic 1,3,2,4,5/);
  });

  it('fails when a version is missing', () => {
    const result = checkTopicOrder(store, [...a.slice(0, 4).map((e, i) => message(e, i)), ...b.map((e, i) => message(e, i, 3))]);
    assert.equal(result.check.ok, false);
  });

  it('fails when a message carries another event id than the store for its version', () => {
    const records = [...a.map((e, i) => message(e, i)), ...b.map((e, i) => message(e, i, 3))];
    records[1] = { ...records[1], eventId: 'other', ceId: 'other' };
    assert.equal(checkTopicOrder(store, records).check.ok, false);
  });

  it('fails when a live message lacks the position the store gave its event', () => {
    const records = [...a.map((e, i) => message(e, i)), ...b.map((e, i) => message(e, i, 3))];
    records[2] = { ...records[2], position: 0 };
    assert.match(checkTopicOrder(store, records).check.detail, /a v3: position 0, store has 3/);
  });

  it('fails when one order is spread over two partitions', () => {
    const records = [...a.map((e, i) => message(e, i, i < 2 ? 0 : 1)), ...b.map((e, i) => message(e, i, 3))];
    assert.match(checkTopicOrder(store, records).check.detail, /partitions 0,1/);
  });
});

describe('checkTopicCompleteness', () => {
  it('fails on a committed event that never reached the topic', () => {
    const records = store.slice(1).map((e, i) => message(e, i));
    const result = checkTopicCompleteness(store, records);
    assert.equal(result.ok, false);
    assert.match(result.detail, /missing order-a v1 OrderPlaced/);
    assert.equal(checkTopicCompleteness(store, store.map((e, i) => message(e, i))).ok, true);
  });
});

describe('checkPartnerEffects', () => {
  it('passes when the counters match the store', () => {
    const result = checkPartnerEffects(store, finalStatus, stats);
    assert.equal(result.ok, true, result.detail);
  });

  it('fails on a second charge, a missing release and a refund above the charges', () => {
    assert.match(checkPartnerEffects(store, finalStatus, { ...stats, payment: { ...stats.payment, charges: 3 } }).detail, /charges 3 != OrderPaid 2/);
    assert.match(
      checkPartnerEffects(store, finalStatus, { ...stats, inventory: { reservations: 2, releases: 0, held: 2 } }).detail,
      /releases 0 != reservations of CANCELED orders 1/,
    );
    assert.match(
      checkPartnerEffects(store, finalStatus, { ...stats, payment: { ...stats.payment, refunds: 3, refundedMinor: 200 } }).detail,
      /refunds 3 > charges 2/,
    );
  });

  it('fails when a CANCELED order kept its stock', () => {
    const withoutRelease = store.filter((e) => e.type !== 'OrderStockReleased');
    assert.match(checkPartnerEffects(withoutRelease, finalStatus, stats).detail, /b \(CANCELED\): 1 reservations, 0 releases/);
  });
});

describe('checkTerminalStates', () => {
  it('fails on an order in the wrong state', () => {
    const orders = [
      { index: 0, kind: 'plain', id: 'a', errors: [] },
      { index: 1, kind: 'cancel-after-confirm', id: 'b', errors: [] },
    ];
    assert.equal(checkTerminalStates(orders, finalStatus).ok, true);
    assert.equal(checkTerminalStates(orders, new Map([['a', 'CONFIRMED'], ['b', 'CONFIRMED']])).ok, false);
  });
});

describe('checkIdempotency', () => {
  it('wants exactly one completed row per key used', () => {
    const keys = new Set(['k1', 'k2']);
    assert.equal(checkIdempotency([{ key: 'k1', status: 'completed' }, { key: 'k2', status: 'completed' }], keys).ok, true);
    assert.equal(checkIdempotency([{ key: 'k1', status: 'completed' }], keys).ok, false);
    assert.equal(checkIdempotency([{ key: 'k1', status: 'completed' }, { key: 'k2', status: 'in_flight' }], keys).ok, false);
    assert.equal(
      checkIdempotency([{ key: 'k1', status: 'completed' }, { key: 'k1', status: 'completed' }, { key: 'k2', status: 'completed' }], keys).ok,
      false,
    );
  });
});

describe('checkLeftovers and checkCrashes', () => {
  it('fail on pending outbox rows, dead letters, stuck sagas and a kill that did not happen', () => {
    const clean = { outbox: { pending: 0, failed: 0, sent: 9 }, dlqMessages: 0, sagas: { COMPLETED: 2, COMPENSATED: 1 } };
    assert.equal(checkLeftovers(clean).ok, true);
    assert.equal(checkLeftovers({ ...clean, outbox: { pending: 1, failed: 0, sent: 8 } }).ok, false);
    assert.equal(checkLeftovers({ ...clean, dlqMessages: 1 }).ok, false);
    assert.equal(checkLeftovers({ ...clean, sagas: { COMPLETED: 2, RUNNING: 1 } }).ok, false);
    const quiet = { unexpectedExits: () => [] };
    assert.equal(checkCrashes({ kills: [], processes: [quiet] }).ok, false);
    const kill = { name: 'saga-1', signal: 'SIGKILL', inFlightOrders: 3, restartedReady: true };
    assert.equal(checkCrashes({ kills: [kill], processes: [quiet] }).ok, true);
    assert.equal(checkCrashes({ kills: [{ ...kill, restartedReady: false }], processes: [quiet] }).ok, false);
    assert.equal(checkCrashes({ kills: [kill], processes: [{ unexpectedExits: () => [{ code: 1, signal: null }] }] }).ok, false);
  });
});

describe('checkSagaEvents', () => {
  const sagas = [
    { saga_id: 's-a', order_id: 'a', kind: 'fulfilment', status: 'COMPLETED' },
    { saga_id: 's-b', order_id: 'b', kind: 'fulfilment', status: 'COMPENSATED' },
  ];
  const sagaEvent = (sagaId, orderId, type, offset, partition = 0) => ({
    topic: 'oms.saga.events',
    partition,
    offset,
    key: orderId,
    ceId: `${sagaId}:${type}`,
    type,
    sagaOrderId: orderId,
    sagaId,
  });
  const clean = [
    sagaEvent('s-a', 'a', 'saga.started', 0),
    sagaEvent('s-b', 'b', 'saga.started', 0, 1),
    sagaEvent('s-a', 'a', 'saga.completed', 1),
    sagaEvent('s-b', 'b', 'saga.failed', 1, 1),
  ];

  it('passes on started then one allowed end per saga, repeats counted once', () => {
    assert.equal(checkSagaEvents(sagas, clean).ok, true);
    assert.equal(checkSagaEvents(sagas, [...clean, { ...clean[2], offset: 2 }]).ok, true);
  });

  it('fails on a missing end, an end its status does not allow, an end before the start, a wrong key and an unknown saga', () => {
    assert.equal(checkSagaEvents(sagas, clean.slice(0, 3)).ok, false);
    assert.equal(checkSagaEvents(sagas, [...clean.slice(0, 3), sagaEvent('s-b', 'b', 'saga.completed', 1, 1)]).ok, false);
    assert.equal(checkSagaEvents(sagas, [sagaEvent('s-a', 'a', 'saga.completed', 0), sagaEvent('s-a', 'a', 'saga.started', 1), ...clean.slice(1, 2), clean[3]]).ok, false);
    assert.equal(checkSagaEvents(sagas, [{ ...clean[0], key: 'x' }, ...clean.slice(1)]).ok, false);
    assert.equal(checkSagaEvents(sagas, [...clean, sagaEvent('s-z', 'z', 'saga.started', 5)]).ok, false);
  });
});
