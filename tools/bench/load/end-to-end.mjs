// Open-loop end to end: a new order arrives every 1/rate s (whether or not earlier ones are
// done): POST /v1/orders, then POST /v1/orders/{id}/pay. Latency runs from sending the pay
// request to the order being CONFIRMED, measured two ways:
//  - committed: recorded_at of the OrderConfirmed event (PostgreSQL now() of the committing
//    transaction; GET /v1/orders/{id} shows CONFIRMED from that commit on), read afterwards;
//  - on the bus: a Kafka consumer of oms.order.events (own consumer group) receiving the
//    OrderConfirmed message (adds the relay hop and the broker fetch).
import { randomUUID } from 'node:crypto';
import { omsKafkaClient } from '../../e2e/lib/oms-kafka.mjs';
import pg from 'pg';
import { loadOptions, printResult } from '../lib/load-process.mjs';
import { summarize } from '../lib/stats.mjs';
import { ApiClient, wallClockMs } from './http-client.mjs';
import { orderBody } from './order-body.mjs';

const { url, rate, seconds, brokers, topic, dsn, drainSeconds = 20, backlogSeconds = 30 } = loadOptions();
const run = randomUUID().slice(0, 8);
const api = new ApiClient(url, 512);
const payStarted = new Map(); // orderId -> wall-clock ms when the pay request was sent
const busSeen = new Map(); // orderId -> wall-clock ms when OrderConfirmed arrived on the bus
const failures = {};
const createMs = [];
const payMs = [];
const fail = (what) => (failures[what] = (failures[what] ?? 0) + 1);
// Status 0: no answer within the client's 10 s timeout (an overloaded API), or a socket error.
const outcome = (status) => (status === 0 ? 'no answer in 10 s' : status);

let consumer;
if (brokers) {
  const kafka = omsKafkaClient(brokers, `oms-bench-${run}`);
  consumer = kafka.consumer({ groupId: `oms-bench-listener-${run}`, maxWaitTimeInMs: 50, sessionTimeout: 10_000 });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch }) => {
      const now = wallClockMs();
      for (const message of batch.messages) {
        if (message.headers?.ce_type?.toString() !== 'oms.order.v1.OrderConfirmed') continue;
        const orderId = message.key?.toString();
        if (orderId && !busSeen.has(orderId)) busSeen.set(orderId, now);
      }
    },
  });
  await joined;
  console.error('listener joined');
  // The group has its partitions; give the first fetch (offset = latest) a moment.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

async function scenario(index) {
  const created = await api.post('/v1/orders', orderBody(`e2e-${index % 500}`), `e2e-${run}-create-${index}`);
  if (created.status !== 201) return fail(`create ${outcome(created.status)}`);
  createMs.push(created.ms);
  const orderId = created.body.order.id;
  payStarted.set(orderId, wallClockMs());
  const paid = await api.post(`/v1/orders/${orderId}/pay`, undefined, `e2e-${run}-pay-${index}`);
  if (paid.status !== 202) {
    payStarted.delete(orderId);
    return fail(`pay ${outcome(paid.status)}`);
  }
  payMs.push(paid.ms);
}

const total = Math.round(rate * seconds);
const inFlight = [];
const started = performance.now();
await new Promise((resolve) => {
  let launched = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (launched < due) inFlight.push(scenario(launched++));
    if (launched >= total) resolve();
    else setTimeout(tick, 1);
  };
  tick();
});
const arrivalSeconds = (performance.now() - started) / 1000;
console.error(`arrivals done in ${arrivalSeconds.toFixed(1)} s`);
// An overloaded API leaves requests queued: wait for them, but not forever (open loop).
await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, backlogSeconds * 1000))]);

console.error(`requests settled: ${payStarted.size} paid, failures ${JSON.stringify(failures)}`);
// Wait until every paid order is CONFIRMED (committed, and on the bus when listening).
const db = new pg.Client({ connectionString: dsn });
await db.connect();
const committed = new Map();
const drainUntil = Date.now() + drainSeconds * 1000;
for (;;) {
  const pending = [...payStarted.keys()].filter((id) => !committed.has(id));
  if (pending.length > 0) {
    const { rows } = await db.query(
      `SELECT stream_id, extract(epoch FROM recorded_at) * 1000 AS ms FROM events
       WHERE type = 'OrderConfirmed' AND stream_id = ANY($1::text[])`,
      [pending.map((id) => `order-${id}`)],
    );
    for (const row of rows) committed.set(row.stream_id.slice('order-'.length), Number(row.ms));
  }
  const busDone = !consumer || [...payStarted.keys()].every((id) => busSeen.has(id));
  if ((committed.size >= payStarted.size && busDone) || Date.now() > drainUntil) break;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.error(`drain done: ${committed.size} of ${payStarted.size} confirmed`);
const hops = await hopBreakdown(db);
console.error('hop breakdown done');
await db.end();
// Leaving the group can wait on a rebalance; the figures are already in hand.
if (consumer) await Promise.race([consumer.disconnect(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
api.close();

/**
 * Where the time goes, per confirmed order, from the events' commit timestamps and the outbox
 * rows' sent_at: API write, relay pick-up, broker + saga consumer, the partner calls.
 */
async function hopBreakdown(client) {
  // At most 2,000 orders (spread over the run) keep the lookups short after a long run.
  const all = [...payStarted.keys()].filter((id) => committed.has(id));
  const step = Math.max(1, Math.ceil(all.length / 2000));
  const confirmed = all.filter((_, index) => index % step === 0);
  const { rows: events } = await client.query(
    `SELECT stream_id, type, event_id::text AS event_id, extract(epoch FROM recorded_at) * 1000 AS recorded
     FROM events WHERE stream_id = ANY($1::text[])`,
    [confirmed.map((id) => `order-${id}`)],
  );
  // outbox has no index on message_id: one scan with a hashed ANY, joined here.
  const { rows: sentRows } = await client.query(
    `SELECT message_id, extract(epoch FROM sent_at) * 1000 AS sent FROM outbox WHERE message_id = ANY($1::text[])`,
    [events.filter((event) => event.type === 'OrderPaymentRequested').map((event) => event.event_id)],
  );
  const sentAt = new Map(sentRows.map((row) => [row.message_id, row.sent === null ? null : Number(row.sent)]));
  // The fulfilment saga row is written when the consumer handles OrderPaymentRequested.
  const { rows: sagaRows } = await client.query(
    `SELECT order_id, extract(epoch FROM created_at) * 1000 AS created FROM sagas WHERE kind = 'fulfilment' AND order_id = ANY($1::text[])`,
    [confirmed],
  );
  const sagaCreated = new Map(sagaRows.map((row) => [row.order_id, Number(row.created)]));
  const rows = events.map((event) => ({ ...event, sent: sentAt.get(event.event_id) ?? null }));
  const byOrder = new Map();
  for (const row of rows) {
    const orderId = row.stream_id.slice('order-'.length);
    if (!byOrder.has(orderId)) byOrder.set(orderId, {});
    byOrder.get(orderId)[row.type] = { recorded: Number(row.recorded), sent: row.sent };
  }
  const hops = {
    'pay request -> OrderPaymentRequested committed (order-api)': [],
    'OrderPaymentRequested committed -> sent by the relay': [],
    'sent -> saga started (broker, saga consumer)': [],
    'saga started -> OrderStockReserved committed (Reserve call)': [],
    'OrderStockReserved -> OrderPaid committed (Pay call)': [],
    'OrderPaid -> OrderConfirmed committed': [],
  };
  const [write, relay, consume, reserve, pay, confirm] = Object.values(hops);
  for (const [orderId, events] of byOrder) {
    const { OrderPaymentRequested: requested, OrderStockReserved: reserved, OrderPaid: paid, OrderConfirmed: done } = events;
    const started = sagaCreated.get(orderId);
    if (!requested || !reserved || !paid || !done || requested.sent === null || started === undefined) continue;
    write.push(requested.recorded - payStarted.get(orderId));
    relay.push(requested.sent - requested.recorded);
    consume.push(started - requested.sent);
    reserve.push(reserved.recorded - started);
    pay.push(paid.recorded - reserved.recorded);
    confirm.push(done.recorded - paid.recorded);
  }
  return Object.fromEntries(Object.entries(hops).map(([hop, values]) => [hop, summarize(values)]));
}

const committedMs = [];
const busMs = [];
for (const [orderId, payAt] of payStarted) {
  if (committed.has(orderId)) committedMs.push(committed.get(orderId) - payAt);
  if (busSeen.has(orderId)) busMs.push(busSeen.get(orderId) - payAt);
}
// Saga throughput actually achieved: confirmations per second from the first pay to the last confirmation.
const firstPay = Math.min(...payStarted.values());
const lastConfirmed = Math.max(...committed.values());
const confirmedPerSecond = committed.size > 1 ? committed.size / ((lastConfirmed - firstPay) / 1000) : null;

printResult({
  targetRate: rate,
  seconds,
  scheduled: total,
  achievedArrivalRate: Number((total / arrivalSeconds).toFixed(1)),
  paid: payStarted.size,
  confirmed: committed.size,
  notConfirmedInTime: payStarted.size - committed.size,
  // Latency percentiles cover confirmed orders only; when some were not confirmed within the
  // drain time they are censored (the true p99 is larger).
  complete: committed.size === payStarted.size && committed.size > 0,
  scenariosUnfinished: Math.max(0, total - payMs.length - Object.values(failures).reduce((a, b) => a + b, 0)),
  confirmedPerSecond: confirmedPerSecond === null ? null : Number(confirmedPerSecond.toFixed(1)),
  failures,
  payToConfirmedCommittedMs: summarize(committedMs),
  payToConfirmedOnBusMs: consumer ? summarize(busMs) : null,
  createRequestMs: summarize(createMs),
  payRequestMs: summarize(payMs),
  hopsMs: hops,
});
