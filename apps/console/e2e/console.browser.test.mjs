// The operator console in a real browser (Playwright driving Debian's chromium) against the built
// standalone, its partners in partner-mocks: orders placed through the API (one paid, one out of
// stock, two whose refund the partner refuses), then found, read, retried and resolved in the
// console. Screenshots of each page go to CONSOLE_SCREENSHOTS (default dist/console-screenshots).
//
//   npx nx run console:e2e-browser        (builds standalone, partner-mocks and the console first)
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { local, startBuiltApp, WORKSPACE_ROOT } from './processes.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_TOKEN = 'console-browser-suite-token';
const SHOTS = resolve(WORKSPACE_ROOT, process.env.CONSOLE_SCREENSHOTS ?? 'dist/console-screenshots');
const RUN = Date.now().toString(36);
const CUSTOMER = `c-console-${RUN}`;

let partners;
let oms;
let api; // REST base URL of OMS
let partnerControl; // partner-mocks' HTTP control (faults)
let context;
let page;
let profile;
const offsite = [];
const orders = {};

before(async () => {
  partners = await startBuiltApp('partner-mocks', {
    OMS_HTTP_ADDR: '127.0.0.1:0',
    OMS_GRPC_ADDR: '127.0.0.1:0',
    OMS_METRICS_ADDR: '127.0.0.1:0',
  });
  partnerControl = local(partners.listening.stats);
  const partnerGrpc = local(partners.listening.grpc);
  oms = await startBuiltApp('standalone', {
    OMS_HTTP_ADDR: '127.0.0.1:0',
    OMS_GRPC_ADDR: '127.0.0.1:0',
    OMS_METRICS_ADDR: '127.0.0.1:0',
    OMS_CONSOLE_ENABLED: 'true',
    OMS_ADMIN_TOKEN: ADMIN_TOKEN,
    OMS_PARTNER_DRIVER: 'grpc',
    OMS_PARTNER_INVENTORY_ADDR: partnerGrpc,
    OMS_PARTNER_PAYMENT_ADDR: partnerGrpc,
    OMS_SAGA_RETRY_MAX: '500ms',
  });
  api = local(oms.listening.rest);

  profile = mkdtempSync(join(tmpdir(), 'oms-console-chromium-'));
  mkdirSync(SHOTS, { recursive: true });
  // A persistent context: Playwright takes the fresh profile directory as userDataDir.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(api) && !url.startsWith('data:')) offsite.push(url);
  });

  // The orders, placed through the public API as a client would.
  orders.paid = await placeOrder([{ sku: 'BOOK-1', qty: 2, price: { currency: 'EUR', amountMinor: '1250' } }]);
  await pay(orders.paid);
  orders.outOfStock = await placeOrder([{ sku: 'OOS-LAMP', qty: 1, price: { currency: 'EUR', amountMinor: '4900' } }]);
  await pay(orders.outOfStock);
  orders.refundRefused = await placeOrder([{ sku: 'MUG-1', qty: 1, price: { currency: 'EUR', amountMinor: '900' } }]);
  orders.toResolve = await placeOrder([{ sku: 'MUG-2', qty: 3, price: { currency: 'EUR', amountMinor: '700' } }]);
  await pay(orders.refundRefused);
  await pay(orders.toResolve);
  await waitForStatus(orders.paid, 'ORDER_STATUS_CONFIRMED');
  await waitForStatus(orders.outOfStock, 'ORDER_STATUS_CANCELED');
  await waitForStatus(orders.refundRefused, 'ORDER_STATUS_CONFIRMED');
  await waitForStatus(orders.toResolve, 'ORDER_STATUS_CONFIRMED');
  // The partner now refuses refunds: canceling a paid order leaves its saga COMPENSATION_FAILED.
  await partnerFaults({ refuseRefunds: true });
  await cancel(orders.refundRefused);
  await cancel(orders.toResolve);
  await waitForSagaStatus(orders.refundRefused, 'COMPENSATION_FAILED');
  await waitForSagaStatus(orders.toResolve, 'COMPENSATION_FAILED');
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await oms?.stop();
  await partners?.stop();
});

test("the console finds a customer's orders by search and status filter", async () => {
  await page.goto(`${api}/console/`);
  await page.getByTestId('order-search').fill(CUSTOMER);
  await page.getByTestId('order-search').press('Enter');
  const table = page.getByTestId('orders-table');
  await table.waitFor();
  for (const id of Object.values(orders)) await table.getByRole('link', { name: id }).waitFor();
  await shot('orders');

  await page.getByTestId('status-filter').selectOption('ORDER_STATUS_CANCELED');
  await page.getByRole('button', { name: 'Search' }).click();
  // The canceled order is listed before and after the filter: wait for the confirmed one to go
  // (the table re-renders when the filtered answer arrives), then check the canceled one stayed.
  await table.getByRole('link', { name: orders.paid }).waitFor({ state: 'detached', timeout: 10_000 });
  await table.getByRole('link', { name: orders.outOfStock }).waitFor();
  assert.equal(await table.getByRole('link', { name: orders.paid }).count(), 0, 'the CONFIRMED order is filtered out');
});

test('an order page shows status, items and timeline; its sagas ask for the admin token with a clear 401', async () => {
  await openOrder(orders.paid);
  assert.equal(await statusOfPage(), 'CONFIRMED');
  const timeline = await page.getByTestId('timeline').innerText();
  assert.match(timeline, /OrderPlaced/);
  assert.match(timeline, /OrderConfirmed/);
  const auth = page.getByTestId('auth-error');
  await auth.waitFor();
  assert.match(await auth.innerText(), /Admin token required \(401\)/);
  await shot('order-without-token');

  await auth.getByRole('button', { name: 'Enter the admin token' }).click();
  await page.getByTestId('token-input').fill(ADMIN_TOKEN);
  await page.getByTestId('token-input').press('Enter');
  const saga = page.getByTestId('order-saga').first();
  await saga.waitFor();
  assert.match(await saga.innerText(), /fulfilment/);
  const calls = await saga.getByTestId('partner-calls').innerText();
  assert.match(calls, /:reserve/, 'partner calls show their idempotency keys');
  assert.match(calls, /:charge/);
  await shot('order');
});

test('the out-of-stock order reads CANCELED with the reason on its timeline', async () => {
  await openOrder(orders.outOfStock);
  assert.equal(await statusOfPage(), 'CANCELED');
  assert.match(await page.getByTestId('timeline').innerText(), /out of stock/);
});

test('sagas whose refund was refused are listed; Retry after the partner recovers cancels the order', async () => {
  await page.goto(`${api}/console/#/sagas?list=compensation-failed`);
  const table = page.getByTestId('sagas-table');
  await table.waitFor();
  const row = table.locator(`tr[data-order="${orders.refundRefused}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /COMPENSATION_FAILED/);
  await table.locator(`tr[data-order="${orders.toResolve}"]`).waitFor();
  await shot('sagas');

  await partnerFaults({ refuseRefunds: false });
  await row.getByTestId('saga-retry').click();
  await row.getByTestId('saga-action-done').waitFor().catch(() => undefined); // the list reloads at once
  await waitForStatus(orders.refundRefused, 'ORDER_STATUS_CANCELED');
  await openOrder(orders.refundRefused);
  assert.equal(await statusOfPage(), 'CANCELED', 'the order changed from CONFIRMED');
  const saga = page.getByTestId('order-saga').filter({ hasText: 'cancellation' });
  await saga.waitFor();
  assert.match(await saga.innerText(), /COMPENSATED|COMPLETED/);
});

test('Resolve asks for a note, closes the saga and the order timeline records it', async () => {
  await page.goto(`${api}/console/#/sagas?list=compensation-failed`);
  const row = page.getByTestId('sagas-table').locator(`tr[data-order="${orders.toResolve}"]`);
  await row.waitFor();
  await row.getByTestId('saga-resolve').click();
  const note = `refunded by bank transfer ${RUN}`;
  await row.getByTestId('resolve-note').fill(note);
  await row.getByTestId('resolve-confirm').click();
  await row.waitFor({ state: 'detached' });
  await openOrder(orders.toResolve);
  await page.getByTestId('timeline').getByText(note).waitFor();
  const saga = page.getByTestId('order-saga').filter({ hasText: 'cancellation' });
  assert.match(await saga.innerText(), /RESOLVED/);
});

test('dead letters show their count; the live view reads the metrics through order-api', async () => {
  await page.goto(`${api}/console/#/dead-letters`);
  assert.match(await page.getByTestId('dead-letter-count').innerText(), /^\d+ outbox rows? dead-lettered\.$/);
  await shot('dead-letters');

  await page.goto(`${api}/console/#/live`);
  const rates = page.getByTestId('live-rates');
  await rates.waitFor();
  // A rate needs two scrapes (3 s apart): wait for a number where the first scrape shows "…".
  await page.waitForFunction(() => !document.querySelector('[data-testid="live-rates"] tbody tr td.num')?.textContent?.includes('…'));
  assert.match(await page.getByTestId('outbox-backlog').innerText(), /\d+ rows waiting for the relay/);
  await shot('live');
});

test('a wrong admin token is named as such, not a blank page', async () => {
  await page.goto(`${api}/console/#/token`);
  await page.getByTestId('token-input').fill('not-the-token');
  await page.getByTestId('token-input').press('Enter');
  await page.goto(`${api}/console/#/sagas`);
  assert.match(await page.getByTestId('auth-error').innerText(), /Admin token refused \(403\)/);
});

test('the console made no request outside its own origin', () => {
  assert.deepEqual(offsite, []);
});

// --- helpers ---

async function openOrder(id) {
  await page.goto(`${api}/console/#/orders/${id}`);
  await page.getByTestId('order-status').waitFor();
}

async function statusOfPage() {
  return (await page.getByTestId('order-status').innerText()).trim();
}

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function call(method, path, { body, key, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers['idempotency-key'] = key;
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function placeOrder(items) {
  const answer = await call('POST', '/v1/orders', { key: `browser-${RUN}-${items[0].sku}`, body: { customerId: CUSTOMER, currency: 'EUR', items } });
  return answer.order.id;
}

const pay = (id) => call('POST', `/v1/orders/${id}/pay`, { key: `browser-pay-${id}` });
const cancel = (id) => call('POST', `/v1/orders/${id}/cancel`, { key: `browser-cancel-${id}`, body: { reason: 'customer changed mind' } });

async function waitForStatus(id, status, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = (await call('GET', `/v1/orders/${id}`)).order.status;
    if (last === status) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`order ${id} is ${last}, not ${status}, after ${timeoutMs} ms`);
}

async function waitForSagaStatus(orderId, status, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { sagas } = await call('GET', `/v1/admin/sagas?status=${status}&pageSize=500`, { token: ADMIN_TOKEN });
    if (sagas.some((saga) => saga.orderId === orderId)) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`no ${status} saga of order ${orderId} after ${timeoutMs} ms`);
}

async function partnerFaults(change) {
  const response = await fetch(`${partnerControl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(change) });
  if (!response.ok) throw new Error(`partner-mocks POST /faults ${JSON.stringify(change)} -> ${response.status} ${await response.text()}`);
}
