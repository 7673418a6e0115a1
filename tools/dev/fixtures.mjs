#!/usr/bin/env node
// Loads a realistic data set through the public REST API, so events, outbox rows and
// projections stay consistent: orders of many customers, in every status the sagas reach.
//
//   node tools/dev/fixtures.mjs [--url http://127.0.0.1:8080] [--customers 25] [--seed dev]
//                               [--concurrency 8] [--wait 90] [--no-wait]
//
// Idempotency keys derive from the seed, so running it twice with the same seed (within the
// keys' lifetime, OMS_IDEMPOTENCY_TTL, 24 h by default) replays the first run's answers instead
// of creating duplicates, and an order already in its scenario's final status is recognised and
// left alone: a rerun finishes in seconds. A new seed adds a new data set.
// Scenarios per customer (the partner rules are the mocks' documented ones):
//   pending          created only                               -> PENDING
//   confirmed        created, paid                              -> CONFIRMED
//   canceled         created, canceled before payment           -> CANCELED
//   out-of-stock     an OOS-* SKU, paid                         -> CANCELED (reservation rejected)
//   declined         above OMS_PAYMENT_DECLINE_ABOVE_MINOR, paid -> CANCELED (payment declined)
//   canceled-paid    paid, confirmed, canceled                  -> CANCELED (stock released, refunded)
//   refunded         paid, confirmed, fully refunded            -> REFUNDED
//   partly-refunded  paid, confirmed, half refunded             -> REFUNDED
// RESERVED and PAID are the states of a saga in flight: with --no-wait (and partner latency,
// e.g. OMS_PARTNER_LATENCY=20s on partner-mocks) the paid orders are caught in them.
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.API_URL ?? 'http://127.0.0.1:8080' },
    customers: { type: 'string', default: '25' },
    seed: { type: 'string', default: 'dev' },
    concurrency: { type: 'string', default: '8' },
    wait: { type: 'string', default: '90' },
    'no-wait': { type: 'boolean', default: false },
    'decline-above': { type: 'string', default: '1000000' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log('usage: node tools/dev/fixtures.mjs [--url URL] [--customers N] [--seed S] [--concurrency N] [--wait SECONDS] [--no-wait]');
  process.exit(0);
}

const baseUrl = options.url.replace(/\/$/, '');
const customers = positiveInt('customers', options.customers);
const concurrency = positiveInt('concurrency', options.concurrency);
const waitMs = positiveInt('wait', options.wait) * 1000;
const declineAbove = positiveInt('decline-above', options['decline-above']);
const seed = options.seed;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got ${raw}`);
    process.exit(2);
  }
  return value;
}

// Deterministic pseudo-random numbers from the seed, so a seed always yields the same data.
function generator(text) {
  let state = [...text].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619), 2166136261) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const between = (low, high) => low + Math.floor(random() * (high - low + 1));

const CATALOG = [
  ['BOOK-DDIA', 3999],
  ['BOOK-SRE', 2999],
  ['MUG-OMS', 1250],
  ['TSHIRT-M', 1999],
  ['TSHIRT-L', 1999],
  ['STICKER-PACK', 499],
  ['KEYBOARD-TKL', 8900],
  ['USB-C-CABLE', 1099],
  ['HEADPHONES', 15900],
  ['DESK-LAMP', 4599],
];
const CURRENCIES = ['EUR', 'USD', 'GBP'];

function items(currency, { outOfStock = false, aboveLimit = false } = {}) {
  const lines = Array.from({ length: between(1, 4) }, () => {
    const [sku, price] = pick(CATALOG);
    return { sku, qty: between(1, 3), price: { currency, amountMinor: String(price) } };
  });
  if (outOfStock) lines.push({ sku: `OOS-${pick(CATALOG)[0]}`, qty: 1, price: { currency, amountMinor: '1000' } });
  if (aboveLimit) lines.push({ sku: 'GOLD-BAR', qty: 1, price: { currency, amountMinor: String(declineAbove + 1) } });
  return lines;
}

class ApiError extends Error {}

async function call(method, path, key, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers['idempotency-key'] = key;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const payload = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(`${method} ${path} -> ${response.status} ${payload.code ?? ''} ${payload.detail ?? text}`.trim());
  return payload;
}

const statusOf = (order) => String(order.status).replace(/^ORDER_STATUS_/, '');

// Statuses an order never leaves for the wanted one: waiting for it there is pointless.
const NEVER_AFTER = {
  CONFIRMED: ['CANCELED', 'REFUNDED'],
  REFUNDED: ['CANCELED'],
  PENDING: ['RESERVED', 'PAID', 'CONFIRMED', 'CANCELED', 'REFUNDED'],
};

const waited = new Set(); // orders the run had to wait for (a rerun on a finished data set waits for none)

async function currentStatus(orderId) {
  const { order } = await call('GET', `/v1/orders/${encodeURIComponent(orderId)}`);
  return statusOf(order);
}

async function waitFor(orderId, wanted) {
  const deadline = Date.now() + waitMs;
  let last = await currentStatus(orderId);
  if (wanted === last) return last;
  waited.add(orderId);
  while (Date.now() < deadline) {
    if ((NEVER_AFTER[wanted] ?? []).includes(last)) throw new ApiError(`order ${orderId} is ${last}, it can no longer become ${wanted}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await currentStatus(orderId);
    if (wanted === last) return last;
  }
  throw new ApiError(`order ${orderId} still ${last} after ${waitMs / 1000}s (expected ${wanted})`);
}

const SCENARIOS = {
  pending: { expect: 'PENDING', steps: [] },
  confirmed: { expect: 'CONFIRMED', steps: ['pay'] },
  canceled: { expect: 'CANCELED', steps: ['cancel'] },
  'out-of-stock': { expect: 'CANCELED', steps: ['pay'], items: { outOfStock: true } },
  declined: { expect: 'CANCELED', steps: ['pay'], items: { aboveLimit: true } },
  'canceled-paid': { expect: 'CANCELED', steps: ['pay', 'confirmed', 'cancel'] },
  refunded: { expect: 'REFUNDED', steps: ['pay', 'confirmed', 'refund'] },
  'partly-refunded': { expect: 'REFUNDED', steps: ['pay', 'confirmed', 'refund-half'] },
};

function plan() {
  const jobs = [];
  const names = Object.keys(SCENARIOS);
  for (let customer = 1; customer <= customers; customer += 1) {
    const customerId = `cust-${seed}-${String(customer).padStart(4, '0')}`;
    const currency = pick(CURRENCIES);
    // Every customer gets a few orders; together the customers cover every scenario many times.
    const count = between(2, 5);
    for (let n = 0; n < count; n += 1) {
      const scenario = names[(customer + n * 3) % names.length];
      jobs.push({ customerId, currency, scenario, key: `fixtures:${seed}:${customerId}:${n}`, items: items(currency, SCENARIOS[scenario].items) });
    }
  }
  return jobs;
}

let alreadyFinal = 0; // orders a rerun found in their scenario's status already

async function runJob(job) {
  const scenario = SCENARIOS[job.scenario];
  const { order } = await call('POST', '/v1/orders', `${job.key}:create`, { customerId: job.customerId, currency: job.currency, items: job.items });
  const total = BigInt(order.amount.amountMinor);
  // A rerun replays the create (same key, same order); an order that already reached its
  // scenario's status needs nothing more. One cut short (say, paid but not yet refunded) goes on.
  if (scenario.steps.length > 0 || options['no-wait']) {
    const status = await currentStatus(order.id);
    if (status === scenario.expect) {
      alreadyFinal += 1;
      return { ...job, orderId: order.id, status };
    }
  }
  for (const step of scenario.steps) {
    const path = `/v1/orders/${encodeURIComponent(order.id)}`;
    if (step === 'pay') await call('POST', `${path}/pay`, `${job.key}:pay`, {});
    else if (step === 'cancel') await call('POST', `${path}/cancel`, `${job.key}:cancel`, { reason: 'customer changed their mind' });
    else if (step === 'confirmed') {
      if (options['no-wait']) return { ...job, orderId: order.id, status: 'in flight' };
      await waitFor(order.id, 'CONFIRMED');
    } else if (step === 'refund') await call('POST', `${path}/refund`, `${job.key}:refund`, { reason: 'returned' });
    else if (step === 'refund-half') {
      const half = total / 2n > 0n ? total / 2n : 1n;
      await call('POST', `${path}/refund`, `${job.key}:refund`, {
        reason: 'one item returned',
        amount: { currency: job.currency, amountMinor: String(half) },
      });
    }
  }
  if (options['no-wait']) {
    const { order: now } = await call('GET', `/v1/orders/${encodeURIComponent(order.id)}`);
    return { ...job, orderId: order.id, status: statusOf(now) };
  }
  const status = await waitFor(order.id, scenario.expect);
  return { ...job, orderId: order.id, status };
}

const startedAt = Date.now();

async function main() {
  // One clear failure instead of one per order when nothing answers at the URL.
  await fetch(`${baseUrl}/openapi.json`).then((response) => response.arrayBuffer());
  const jobs = plan();
  console.log(`fixtures: ${jobs.length} orders of ${customers} customers against ${baseUrl} (seed ${seed})`);
  const results = [];
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      try {
        results.push(await runJob(job));
      } catch (error) {
        failures.push(`${job.scenario} ${job.customerId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));

  const byStatus = {};
  for (const result of results) byStatus[result.status] = (byStatus[result.status] ?? 0) + 1;
  console.log('orders by status:');
  for (const [status, count] of Object.entries(byStatus).sort()) console.log(`  ${status.padEnd(10)} ${count}`);
  for (const failure of failures.slice(0, 20)) console.error(`  failed: ${failure}`);
  if (failures.length > 20) console.error(`  ... and ${failures.length - 20} more`);
  console.log(
    `fixtures: ${results.length} passed, ${failures.length} failed; ${alreadyFinal} already in their final status, ` +
      `${waited.size} waited for (${((Date.now() - startedAt) / 1000).toFixed(1)}s)`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`fixtures: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`is the API up at ${baseUrl}? (make up, or npm start)`);
  process.exitCode = 1;
});
