// The checks of the run, as pure functions over what the run collected (unit-tested in audit.test.mjs).
import { EXPECTED_STATUS } from './workload.mjs';

const EXAMPLES = 5;
const check = (name, problems, detail) => ({ name, ok: problems.length === 0, detail: problems.length ? problems.slice(0, EXAMPLES).join('; ') + (problems.length > EXAMPLES ? `; ... ${problems.length} in all` : '') : detail });

const ORDER_STREAM_PREFIX = 'order-';
const sum = (values) => values.reduce((total, value) => total + value, 0);

/** Store events grouped by order id, each list sorted by version. */
export function eventsByOrder(storeEvents) {
  const byOrder = new Map();
  for (const event of storeEvents) {
    if (!event.streamId.startsWith(ORDER_STREAM_PREFIX)) continue;
    const orderId = event.streamId.slice(ORDER_STREAM_PREFIX.length);
    if (!byOrder.has(orderId)) byOrder.set(orderId, []);
    byOrder.get(orderId).push(event);
  }
  for (const events of byOrder.values()) events.sort((a, b) => a.version - b.version);
  return byOrder;
}

/** Every request of the workload got its expected answer. */
export function checkWorkload(orders) {
  const problems = orders.flatMap((order) => order.errors.map((error) => `order #${order.index} (${order.kind}${order.id ? ` ${order.id}` : ''}): ${error}`));
  return check('every create / pay / cancel request accepted', problems, `${orders.length} orders placed and paid`);
}

/** Each order ended in the status its kind expects. */
export function checkTerminalStates(orders, finalStatus) {
  const problems = [];
  for (const order of orders) {
    if (!order.id) continue;
    const status = finalStatus.get(order.id) ?? 'UNKNOWN';
    if (status !== EXPECTED_STATUS[order.kind]) problems.push(`${order.id} (${order.kind}) is ${status}, expected ${EXPECTED_STATUS[order.kind]}`);
  }
  if (orders.some((order) => !order.id)) problems.push(`${orders.filter((order) => !order.id).length} orders were never created`);
  return check('every order reached its expected terminal state', problems, `${orders.length} orders terminal as expected`);
}

/**
 * Per order, the topic shows the store's events in stream order: reading the order's messages in
 * offset order and dropping exact repeats of a version already seen (at-least-once delivery),
 * the versions are 1..n with nothing missing, nothing out of order, and each message carries
 * the store's event id, type, position and key for its version.
 */
export function checkTopicOrder(storeEvents, records) {
  const byOrder = eventsByOrder(storeEvents);
  const messagesByKey = new Map();
  for (const record of records) {
    if (!messagesByKey.has(record.key)) messagesByKey.set(record.key, []);
    messagesByKey.get(record.key).push(record);
  }
  const problems = [];
  let duplicates = 0;
  for (const [orderId, events] of byOrder) {
    const messages = messagesByKey.get(orderId) ?? [];
    const partitions = new Set(messages.map((message) => message.partition));
    if (partitions.size > 1) problems.push(`${orderId}: messages on partitions ${[...partitions].join(',')} (one key must map to one partition)`);
    const ordered = [...messages].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const seen = new Map();
    const firstSeen = [];
    for (const message of ordered) {
      const expected = events.find((event) => event.version === message.version);
      if (!expected) {
        problems.push(`${orderId}: message at offset ${message.offset} has version ${message.version}, which the store does not have`);
        continue;
      }
      if (message.eventId !== expected.eventId || message.ceId !== expected.eventId) {
        problems.push(`${orderId} v${message.version}: event id ${message.eventId} / ce_id ${message.ceId}, store has ${expected.eventId}`);
      }
      if (message.ceType !== `oms.order.v1.${expected.type}` || message.type !== expected.type) {
        problems.push(`${orderId} v${message.version}: type ${message.type} / ce_type ${message.ceType}, store has ${expected.type}`);
      }
      // Live events carry the position the store gave them in the commit, like replays do.
      if (expected.position !== undefined && Number(message.position) !== Number(expected.position)) {
        problems.push(`${orderId} v${message.version}: position ${message.position}, store has ${expected.position}`);
      }
      if (seen.has(message.version)) {
        duplicates += 1;
        continue;
      }
      seen.set(message.version, message.eventId);
      firstSeen.push(message.version);
    }
    const complete = firstSeen.length === events.length && firstSeen.every((version, i) => version === i + 1);
    if (!complete) problems.push(`${orderId}: versions on the topic ${firstSeen.join(',') || '(none)'}, store has 1..${events.length}`);
  }
  return { check: check('per order, the topic shows versions 1..n in stream order (exact repeats dropped)', problems, `${byOrder.size} orders in order, ${duplicates} duplicate deliveries`), duplicates };
}

/** Every committed event reached the topic, and nothing reached it that the store does not hold. */
export function checkTopicCompleteness(storeEvents, records) {
  const onTopic = new Set(records.map((record) => record.eventId));
  const inStore = new Set(storeEvents.map((event) => event.eventId));
  const missing = storeEvents.filter((event) => !onTopic.has(event.eventId)).map((event) => `missing ${event.streamId} v${event.version} ${event.type}`);
  const foreign = [...onTopic].filter((id) => !inStore.has(id)).map((id) => `on the topic but not in the store: ${id}`);
  return check('every committed event is on the topic, and only those', [...missing, ...foreign], `${inStore.size} events, all on the topic`);
}

/**
 * The partner's effect counters against the store: charges = OrderPaid; each reservation of an
 * order that ended CANCELED released exactly once, those of CONFIRMED orders still held; refunds
 * never exceed charges (count and amount) and match OrderRefunded.
 */
export function checkPartnerEffects(storeEvents, finalStatus, stats) {
  const byOrder = eventsByOrder(storeEvents);
  const all = [...byOrder.values()].flat();
  const ofType = (type) => all.filter((event) => event.type === type);
  const problems = [];
  const paid = ofType('OrderPaid');
  const paidMinor = sum(paid.map((event) => Number(event.data.amountMinor)));
  const refunded = ofType('OrderRefunded');
  const refundedMinor = sum(refunded.map((event) => Number(event.data.amountMinor)));
  const { inventory, payment } = stats;

  if (payment.charges !== paid.length) problems.push(`charges ${payment.charges} != OrderPaid ${paid.length}`);
  if (payment.chargedMinor !== paidMinor) problems.push(`chargedMinor ${payment.chargedMinor} != sum of OrderPaid ${paidMinor}`);
  if (payment.refunds > payment.charges) problems.push(`refunds ${payment.refunds} > charges ${payment.charges}`);
  if (payment.refundedMinor > payment.chargedMinor) problems.push(`refundedMinor ${payment.refundedMinor} > chargedMinor ${payment.chargedMinor}`);
  if (payment.refunds !== refunded.length) problems.push(`refunds ${payment.refunds} != OrderRefunded ${refunded.length}`);
  if (payment.refundedMinor !== refundedMinor) problems.push(`refundedMinor ${payment.refundedMinor} != sum of OrderRefunded ${refundedMinor}`);

  let reservedCanceled = 0;
  let reservedConfirmed = 0;
  let reservations = 0;
  for (const [orderId, events] of byOrder) {
    const count = (type) => events.filter((event) => event.type === type).length;
    const reserved = count('OrderStockReserved');
    const released = count('OrderStockReleased');
    reservations += reserved;
    const status = finalStatus.get(orderId);
    if (reserved > 1) problems.push(`${orderId}: ${reserved} OrderStockReserved`);
    if (status === 'CANCELED') {
      reservedCanceled += reserved;
      if (released !== reserved) problems.push(`${orderId} (CANCELED): ${reserved} reservations, ${released} releases`);
    } else if (status === 'CONFIRMED') {
      reservedConfirmed += reserved;
      if (released !== 0) problems.push(`${orderId} (CONFIRMED): ${released} releases`);
    }
    const paidHere = sum(events.filter((event) => event.type === 'OrderPaid').map((event) => Number(event.data.amountMinor)));
    const refundedHere = sum(events.filter((event) => event.type === 'OrderRefunded').map((event) => Number(event.data.amountMinor)));
    if (refundedHere > paidHere) problems.push(`${orderId}: refunded ${refundedHere} of ${paidHere} paid`);
    if (status === 'CANCELED' && refundedHere !== paidHere) problems.push(`${orderId} (CANCELED): paid ${paidHere}, refunded ${refundedHere}`);
  }
  if (inventory.reservations !== reservations) problems.push(`reservations ${inventory.reservations} != OrderStockReserved ${reservations}`);
  if (inventory.releases !== reservedCanceled) problems.push(`releases ${inventory.releases} != reservations of CANCELED orders ${reservedCanceled}`);
  if (inventory.held !== reservedConfirmed) problems.push(`held ${inventory.held} != reservations of CONFIRMED orders ${reservedConfirmed}`);
  return check(
    'partner effects match the store (charges, reservations released once, refunds <= charges)',
    problems,
    `charges ${payment.charges} (${payment.chargedMinor}), reservations ${inventory.reservations}, releases ${inventory.releases}, held ${inventory.held}, refunds ${payment.refunds} (${payment.refundedMinor})`,
  );
}

/** One idempotency row per key the workload used, none left in flight. */
export function checkIdempotency(rows, keysUsed) {
  const problems = [];
  const byKey = new Map();
  for (const row of rows) byKey.set(row.key, (byKey.get(row.key) ?? 0) + 1);
  for (const key of keysUsed) {
    const count = byKey.get(key) ?? 0;
    if (count !== 1) problems.push(`key ${key}: ${count} rows`);
  }
  for (const key of byKey.keys()) if (!keysUsed.has(key)) problems.push(`row for a key never used: ${key}`);
  const inFlight = rows.filter((row) => row.status !== 'completed');
  if (inFlight.length) problems.push(`${inFlight.length} rows not completed (e.g. ${inFlight[0].key}: ${inFlight[0].status})`);
  return check('idempotency: one completed row per key used', problems, `${rows.length} rows for ${keysUsed.size} keys`);
}

/** The end events a saga may publish, by its final status (sagaEndEventType, libs/contracts). */
const SAGA_ENDS = {
  COMPLETED: ['saga.completed', 'saga.canceled', 'saga.refunded'],
  COMPENSATED: ['saga.failed', 'saga.canceled'],
  COMPENSATION_FAILED: ['saga.failed'],
};

/**
 * oms.saga.events against the sagas table: every saga published saga.started, then exactly one end
 * event its final status allows, keyed by its order (one partition per order, started before the
 * end); nothing about a saga that does not exist. Repeats of one message (at-least-once) count once.
 */
export function checkSagaEvents(sagaRows, records) {
  const problems = [];
  const bySaga = new Map();
  const seen = new Set();
  for (const record of [...records].sort((x, y) => x.partition - y.partition || x.offset - y.offset)) {
    if (seen.has(record.ceId)) continue;
    seen.add(record.ceId);
    if (!bySaga.has(record.sagaId)) bySaga.set(record.sagaId, []);
    bySaga.get(record.sagaId).push(record);
  }
  for (const saga of sagaRows) {
    const events = bySaga.get(saga.saga_id) ?? [];
    bySaga.delete(saga.saga_id);
    const types = events.map((record) => record.type);
    const ends = SAGA_ENDS[saga.status] ?? [];
    if (types.length !== 2 || types[0] !== 'saga.started' || !ends.includes(types[1])) {
      problems.push(`saga ${saga.saga_id} (${saga.kind}, ${saga.status}): [${types.join(', ')}], expected [saga.started, one of ${ends.join('|')}]`);
    }
    const wrongKey = events.find((record) => record.key !== saga.order_id || record.sagaOrderId !== saga.order_id);
    if (wrongKey) problems.push(`saga ${saga.saga_id}: ${wrongKey.type} keyed ${wrongKey.key} for order ${wrongKey.sagaOrderId}, not ${saga.order_id}`);
    if (new Set(events.map((record) => record.partition)).size > 1) problems.push(`saga ${saga.saga_id}: its events are on several partitions`);
  }
  for (const [sagaId, events] of bySaga) problems.push(`${events.length} saga events of unknown saga ${sagaId}`);
  const count = sagaRows.length;
  return check('saga events: started, then one end per saga, keyed by order', problems, `${count} sagas, ${seen.size} saga events`);
}

/** Nothing left behind: outbox drained, no dead letters, every saga finished. */
export function checkLeftovers({ outbox, dlqMessages, sagas }) {
  const problems = [];
  if (outbox.pending) problems.push(`${outbox.pending} outbox rows still pending`);
  if (outbox.failed) problems.push(`${outbox.failed} outbox rows failed`);
  if (dlqMessages) problems.push(`${dlqMessages} messages on the dead-letter topic`);
  for (const [status, count] of Object.entries(sagas)) {
    if (!['COMPLETED', 'COMPENSATED'].includes(status)) problems.push(`${count} sagas ${status}`);
  }
  const sagaSummary = Object.entries(sagas).map(([status, count]) => `${status} ${count}`).join(', ');
  return check('outbox drained, no dead letters, every saga finished', problems, `outbox sent ${outbox.sent}; sagas ${sagaSummary || 'none'}`);
}

/** The crash really happened mid-run, the victims came back, and nothing else died. */
export function checkCrashes({ kills, processes, startupFailures = [] }) {
  const problems = [];
  if (kills.length === 0) problems.push('no process was killed');
  for (const kill of kills) {
    if (kill.signal !== 'SIGKILL') problems.push(`${kill.name} ended by ${kill.signal ?? `exit ${kill.code}`}, not SIGKILL`);
    if (!kill.restartedReady) problems.push(`${kill.name} did not come back ready after the restart`);
    if (!(kill.inFlightOrders > 0)) problems.push(`${kill.name} was killed with no order in flight`);
  }
  for (const process_ of processes) {
    for (const exit of process_.unexpectedExits().filter((end) => !end.startupFailure)) problems.push(`${process_.name} exited on its own (${exit.signal ?? `code ${exit.code}`})`);
  }
  return check(
    'kill -9 mid-run: victims restarted, no other process died',
    problems,
    kills.map((kill) => `${kill.name} killed with ${kill.inFlightOrders} orders in flight`).join('; ') +
      (startupFailures.length ? `; restarts that failed and were retried: ${startupFailures.join(' | ')}` : ''),
  );
}
